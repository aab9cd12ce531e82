package engine

import (
	"sync/atomic"
	"time"

	"github.com/wirescan/wirescan/signatures"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/decode"
	"github.com/wirescan/wirescan/engine/detect"
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/engine/flow"
	"github.com/wirescan/wirescan/engine/output/evidence"
	"github.com/wirescan/wirescan/engine/stats"
	"github.com/wirescan/wirescan/reassembly"
)

// worker owns a set of flows and everything hanging off them.
type worker struct {
	e     *Engine
	index int
	flows *flow.Table[*conn]
	files *files.Tracker[*conn, *fileScan]
	// oneSided indexes flows that have seen one direction only, by their key
	// without VLAN, and alias maps the other direction's key to such a flow
	// once joined: SPAN setups often tag only one direction of a connection.
	oneSided map[flow.Key]*flow.Entry[*conn]
	alias    map[flow.Key]*flow.Entry[*conn]
	// anomalyWins are the anomaly-rate windows, by anomaly name.
	anomalyWins map[string]*anomalyWindow
	// vlanSeen is set at the first VLAN-tagged packet (see startVLANJoins).
	vlanSeen bool
	stats    stats.Worker
	prof     *signatures.Profile // per-rule costs, nil unless profiling
	// detEnv is what the worker's connections share for detection: the
	// profile, the engine's xbits table and the packet clock.
	detEnv   detect.Env
	pub      publisher
	protos   *app.Registry
	nextFlow uint64
	// clockByTime makes the worker's position (files.Tracker.SetClock) the
	// packet time, for live capture where packet numbers are per socket;
	// in replay it is the capture's packet number.
	clockByTime bool

	// The packet being processed: events take their time and pcap_cnt from it.
	now       time.Time
	pktNum    uint64
	lastSweep time.Time
	// clock is the packet time (Unix ns) before which the worker processes
	// nothing more, read by other workers (xbits.go).
	clock atomic.Int64
}

// newWorker creates worker index; joiner, when not nil, is the file joiner
// it shares with the other workers (files of one resource or SMB open seen
// on connections of different workers).
func newWorker(e *Engine, index int, joiner *files.Joiner[*conn, *fileScan]) *worker {
	w := &worker{e: e, index: index, anomalyWins: map[string]*anomalyWindow{},
		oneSided: map[flow.Key]*flow.Entry[*conn]{}, alias: map[flow.Key]*flow.Entry[*conn]{}}
	w.stats = stats.NewWorker()
	w.flows = flow.NewTable[*conn](&e.cfg.Flow, e.flowMem, &w.stats.Flows)
	w.files = files.NewTracker[*conn, *fileScan](&e.cfg.Files, &w.stats.Files, w)
	w.files.SetDigestNeed(e.DigestsNeeded)
	if joiner != nil {
		w.files.Join(joiner, index)
	}
	w.protos = w.registry()
	if e.profiling {
		w.prof = signatures.NewProfile()
	}
	w.detEnv = detect.Env{Profile: w.prof, XBits: e.xbits, Now: w.packetTime}
	return w
}

// packetTime is the time of the packet being processed (or of the event a
// deferred action is stamped with, withTime): the clock xbits expire by.
func (w *worker) packetTime() time.Time { return w.now }

// handle processes one decoded packet.
func (w *worker) handle(p *decode.Packet) {
	w.now, w.pktNum = p.Timestamp, p.Num
	pos := int64(p.Num)
	if w.clockByTime {
		pos = p.Timestamp.UnixNano()
	}
	w.files.SetClock(pos, p.Timestamp)
	w.stats.Packets++
	w.stats.Bytes += uint64(p.Length)
	if w.lastSweep.IsZero() {
		w.lastSweep = p.Timestamp
		w.advanceClock(p.Timestamp)
	}
	if p.Timestamp.Sub(w.lastSweep) >= time.Second {
		w.lastSweep = p.Timestamp
		w.flows.Expire(p.Timestamp, w.expire)
		w.files.Expire(p.Timestamp)
		w.advanceClock(p.Timestamp)
		w.e.expireXBits()
		w.e.flushIncidents(w.e.policy.Load(), p.Timestamp)
	}
	if p.IPProto != 6 {
		return
	}
	w.stats.TCPPackets++
	var vlan uint16
	if p.VLANCount > 0 && w.e.cfg.VLANTracking {
		vlan = p.VLAN[0]
	}
	key, _ := flow.NewKey(p.SrcIP, p.DstIP, p.SrcPort, p.DstPort, 6, vlan)
	e := w.lookup(key, p)
	if e != nil && p.SYN && !p.ACK && (e.State == flow.StateClosed || e.Value.finished) {
		// Port reuse: a new connection on the 4-tuple of a finished one.
		w.flows.Remove(e)
		e.Value.finish("reused")
		e = nil
	}
	if vlan != 0 && !w.vlanSeen {
		w.startVLANJoins()
	}
	if e == nil {
		c := w.newConn(p)
		if e = w.flows.Insert(key, c, p.Timestamp, embryonicCost, w.evict); e == nil {
			return // the flow memcap is held by other workers' flows: counted, not tracked
		}
		c.entry = e
		if w.vlanSeen {
			w.trackOneSided(c, key)
		}
	}
	c := e.Value
	c.last = p.Timestamp
	if c.evidence != nil {
		w.e.evidence.Record(c.evidence, evidence.Frame{Time: p.Timestamp, Data: p.Raw, WireLen: p.Length, Link: p.LinkType})
	}
	src := netipAddrPort(p.SrcIP, p.SrcPort)
	dir := app.ToServer
	if src != c.client {
		dir = app.ToClient
	}
	c.pkts[dir]++
	c.bytes[dir] += uint64(p.Length)
	c.tcpFlags[dir] |= tcpFlags(p)
	if c.vj != nil && c.vj.oneSided && c.pkts[dir^1] > 0 {
		w.forgetOneSided(c)
	}
	if dir == app.ToServer {
		c.det.Requests()
	}
	if len(p.Payload) > 0 {
		c.payload = true
		if e.State == flow.StateNew {
			w.flows.SetState(e, flow.StateEstablished)
		}
	}
	seg := reassembly.Segment{
		Seq: p.Seq, Ack: p.Ack, SYN: p.SYN, FIN: p.FIN, RST: p.RST, ACK: p.ACK, Payload: p.Payload,
		HasTS: p.HasTS, TSVal: p.TSVal, TSEcr: p.TSEcr,
	}
	if c.stream == nil {
		if c.pkts[0]+c.pkts[1] == 1 && len(p.Payload) == 0 {
			// The first packet of a flow, without payload (a SYN, most
			// often the only packet of a scan or flood): keep it and
			// build the connection's stream and detection state when a
			// second packet shows the flow is real.
			c.first, c.firstDir = seg, dir
			return
		}
		c.activate()
	}
	c.det.Packet(dir, p.Payload)
	c.stream.Add(reassembly.Direction(dir), seg)
	if f, ok := c.parser.(app.Flusher); ok && !c.finished {
		f.Flush(app.ToServer)
		f.Flush(app.ToClient)
	}
	if c.ended[0] && c.ended[1] {
		w.flows.SetState(e, flow.StateClosed)
	}
}

// newConn creates the state of a new connection, deciding which side is the
// client: the sender of a bare SYN, the receiver of a SYN-ACK, otherwise (a
// connection picked up midstream) the side not on a well-known service port.
func (w *worker) newConn(p *decode.Packet) *conn {
	w.nextFlow++
	src, dst := netipAddrPort(p.SrcIP, p.SrcPort), netipAddrPort(p.DstIP, p.DstPort)
	client, server := src, dst
	switch {
	case p.SYN && !p.ACK:
	case p.SYN && p.ACK:
		client, server = dst, src
	case isServicePort(p.SrcPort) && !isServicePort(p.DstPort):
		client, server = dst, src
	case !isServicePort(p.DstPort) && !isServicePort(p.SrcPort) && p.SrcPort < 1024 && p.DstPort >= 1024:
		client, server = dst, src
	}
	c := &conn{
		w:      w,
		id:     flowID(w.index, w.nextFlow),
		client: client,
		server: server,
		start:  p.Timestamp,
		last:   p.Timestamp,
		sawSYN: p.SYN,
	}
	c.rules = w.e.rules.Load()
	if w.e.evidence != nil {
		c.evidence = &evidence.Ring{}
	}
	for i := range p.VLANCount {
		c.vlan = append(c.vlan, p.VLAN[i])
	}
	return c
}

// flowID makes a stable, unique EVE flow_id from the worker and a counter
// (Suricata's are hashes; ours are deterministic in replay).
func flowID(worker int, n uint64) uint64 {
	// Multiplying by an odd constant scatters (counter, worker) pairs over
	// the 51 bits Suricata's flow ids use (JSON consumers read them as
	// doubles); like Suricata's hashed ids they are unique in practice, not
	// by construction, and the same in every replay of a capture.
	return ((n<<8 | uint64(worker&0xff)) * 0x9E3779B97F4A7C15) & (1<<51 - 1)
}

var servicePorts = map[uint16]bool{80: true, 8080: true, 8000: true, 8008: true, 8888: true, 3128: true, 445: true, 139: true, 443: true, 21: true, 25: true}

func isServicePort(p uint16) bool { return servicePorts[p] }

func (w *worker) expire(e *flow.Entry[*conn]) {
	w.withTime(e.Value.last, func() { e.Value.finish("timeout") })
}

// evict finishes a flow the full table pushed out. The eviction is counted
// (flow.Stats.Evicted), not logged: under a flood one event per eviction is
// the log amplification an attacker wants.
func (w *worker) evict(e *flow.Entry[*conn]) {
	w.withTime(e.Value.last, func() { e.Value.finish("evicted") })
}

// withTime runs fn with events stamped at t and no packet number: events that
// a flow's end causes belong to no particular packet.
func (w *worker) withTime(t time.Time, fn func()) {
	now, num := w.now, w.pktNum
	w.now, w.pktNum = t, 0
	w.files.SetTime(t)
	fn()
	w.now, w.pktNum = now, num
	w.files.SetTime(now)
}

// drain finishes every flow (end of replay, shutdown) and closes joined files.
func (w *worker) drain(reason string) {
	w.drainFlows(reason)
	w.drainFiles()
}

// drainFlows finishes every flow; files other connections may still join
// are not kept for a reconnect any more.
func (w *worker) drainFlows(reason string) {
	w.files.Drain()
	w.flows.Drain(func(e *flow.Entry[*conn]) {
		w.withTime(e.Value.last, func() { e.Value.finish(reason) })
	})
}

// drainFiles closes the joined files the worker owns, once no worker's
// connection can add to them, and writes the last anomaly summaries.
func (w *worker) drainFiles() {
	w.files.Close()
	w.flushAnomalySummaries()
}

// lookup finds the flow of key: directly, through a VLAN alias, or by joining
// a flow whose other direction carried a different VLAN tag (or none).
func (w *worker) lookup(key flow.Key, p *decode.Packet) *flow.Entry[*conn] {
	if e := w.flows.Lookup(key, p.Timestamp); e != nil {
		return e
	}
	if !w.vlanSeen {
		return nil // no tag seen yet: there is nothing to join
	}
	if e := w.alias[key]; e != nil {
		w.flows.Lookup(e.Key, p.Timestamp)
		return e
	}
	bare := key
	bare.VLAN = 0
	e := w.oneSided[bare]
	if e == nil || e.Key.VLAN == key.VLAN || e.Value.finished {
		return nil
	}
	c := e.Value
	src := netipAddrPort(p.SrcIP, p.SrcPort)
	dir := app.ToServer
	if src != c.client {
		dir = app.ToClient
	}
	if c.pkts[dir] > 0 {
		return nil // same direction, other VLAN: a different connection
	}
	w.stats.VLANJoins++
	w.alias[key] = e
	c.join().aliasKey, c.vj.hasAlias = key, true
	w.flows.Lookup(e.Key, p.Timestamp)
	return e
}

// startVLANJoins turns on VLAN joining at the worker's first tagged packet:
// from now on flows seen in one direction only are indexed so that their
// other direction, tagged differently, finds them. Until a tag is seen no
// join is possible, so untagged traffic (and a flood of it) pays nothing.
func (w *worker) startVLANJoins() {
	w.vlanSeen = true
	w.flows.Each(func(e *flow.Entry[*conn]) {
		if c := e.Value; !c.finished && (c.pkts[0] == 0 || c.pkts[1] == 0) {
			w.trackOneSided(c, e.Key)
		}
	})
}

func (w *worker) trackOneSided(c *conn, key flow.Key) {
	key.VLAN = 0
	if _, taken := w.oneSided[key]; taken {
		return
	}
	w.oneSided[key] = c.entry
	c.join().oneSided, c.vj.oneSidedKey = true, key
}

func (w *worker) forgetOneSided(c *conn) {
	vj := c.vj
	if vj == nil {
		return
	}
	if vj.oneSided && w.oneSided[vj.oneSidedKey] == c.entry {
		delete(w.oneSided, vj.oneSidedKey)
	}
	vj.oneSided = false
}

// forget drops the worker's indexes of a finished connection.
func (w *worker) forget(c *conn) {
	w.forgetOneSided(c)
	if vj := c.vj; vj != nil && vj.hasAlias && w.alias[vj.aliasKey] == c.entry {
		delete(w.alias, vj.aliasKey)
	}
}

// TCP flag bits as on the wire, for EVE's tcp_flags.
const (
	flagFIN = 0x01
	flagSYN = 0x02
	flagRST = 0x04
	flagPSH = 0x08
	flagACK = 0x10
)

func tcpFlags(p *decode.Packet) uint8 {
	var f uint8
	if p.FIN {
		f |= flagFIN
	}
	if p.SYN {
		f |= flagSYN
	}
	if p.RST {
		f |= flagRST
	}
	if p.PSH {
		f |= flagPSH
	}
	if p.ACK {
		f |= flagACK
	}
	return f
}
