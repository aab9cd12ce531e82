package engine

import (
	"net/netip"
	"time"
	"unsafe"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/detect"
	"github.com/wirescan/wirescan/engine/flow"
	"github.com/wirescan/wirescan/engine/http"
	"github.com/wirescan/wirescan/engine/output/evidence"
	"github.com/wirescan/wirescan/engine/smb"
	"github.com/wirescan/wirescan/reassembly"
	"github.com/wirescan/wirescan/signatures"
)

// conn is the engine's state for one TCP connection. It is owned by one
// worker. It receives reassembled bytes (as a reassembly.Handler, through
// streamHandler), parser output (as an app.Sink) and the matches of its
// detection state (as a detect.Alerter).
type conn struct {
	w      *worker
	entry  *flow.Entry[*conn]
	id     uint64
	client netip.AddrPort
	server netip.AddrPort
	vlan   []uint16
	start  time.Time
	last   time.Time

	pkts, bytes [2]uint64
	// stream and det exist once the flow had a second packet or payload
	// (activate); until then first holds its first packet.
	stream *reassembly.Stream
	first  reassembly.Segment
	rules  *detect.Rules // the rule set the connection started with

	// vj is the connection's VLAN-join state, nil until it is indexed
	// (worker.trackOneSided, worker.lookup): most connections never are.
	vj *vlanJoin

	// Application layer.
	parser app.Parser
	probe  *[2][]byte // the first bytes of each direction until detection decides; nil then
	files  openFiles
	// keeps are what filestore rules with a tx or flow scope asked to
	// keep: files of the connection, open or still to come (filestore.go);
	// nil until one asked.
	keeps *[]fileKeep
	// evidence keeps the flow's recent frames for an evidence pcap; nil
	// when evidence is disabled.
	evidence *evidence.Ring
	anomalyN map[string]int

	// det matches the connection against the rule set it started with;
	// nil when the engine runs without rules.
	det *detect.Flow

	// Application frames (frames.go).
	ft frameTrack

	// The small fields, side by side (a connection is held for its whole
	// life; 40 bytes of padding when they were spread out).
	gaps     [2]int32 // stream gaps per direction
	tcpFlags [2]uint8
	firstDir app.Direction
	ended    [2]bool
	sawSYN   bool
	payload  bool // a packet of the flow carried payload
	finished bool
	proto    app.Proto
	probeNo  [2]bool
	alerted  bool
}

// vlanJoin is how a connection is indexed for joining the directions of a
// connection tagged with different VLANs (worker.lookup).
type vlanJoin struct {
	oneSidedKey flow.Key // the key without VLAN it is indexed by while one-sided
	aliasKey    flow.Key // the other direction's key, once joined
	oneSided    bool     // indexed by oneSidedKey
	hasAlias    bool     // aliasKey is set
}

// join returns the connection's VLAN-join state, creating it (and
// charging it to the flow memcap).
func (c *conn) join() *vlanJoin {
	if c.vj == nil {
		c.vj = &vlanJoin{}
		if c.entry != nil {
			c.w.flows.Charge(c.entry, vlanJoinCost)
		}
	}
	return c.vj
}

// What a connection costs the flow memcap (flow.Config.Memcap): the
// entry, the conn and a map slot while embryonic; its stream and detection
// state once active; its parser once its protocol is known (the parser of
// that protocol); each open file. Buffers the connection fills are bounded
// by their own memcaps (stream-memcap, app-layer-memcap). The constants
// are what the structs hold beyond their own size, measured on a
// connection in mid-download (BenchmarkMidTransferHeap, whose flow charge
// must stay at or above its live heap; TestMidTransferConnCost).
const (
	// embryonicCost: the map slot of the flow table's index is 16 bytes
	// at a load between 7/16 and 7/8, plus control bytes.
	embryonicCost = int64(unsafe.Sizeof(conn{})+unsafe.Sizeof(flow.Entry[*conn]{})) + 48
	activeCost    = int64(unsafe.Sizeof(reassembly.Stream{})+unsafe.Sizeof(detect.Flow{})) + 256
	// httpParserCost is an HTTP parser with a transaction in progress:
	// the transaction, its parsed headers and header block, its body and
	// the request-side detection state (about 700 bytes measured).
	httpParserCost = int64(unsafe.Sizeof(http.Parser{})) + 768
	// smbParserCost is an SMB parser and its session state.
	smbParserCost = int64(unsafe.Sizeof(smb.Parser{})) + 1024
	// fileCost is an open file: its tracker state, scan state and
	// scanner, digests (336 bytes for MD5, SHA-1 and SHA-256) and the
	// short history of an in-order file (256), and 48 bytes of slack.
	fileCost = int64(unsafe.Sizeof(trackedFile{})+unsafe.Sizeof(fileScan{})+unsafe.Sizeof(signatures.Scanner{})) + 640
	// vlanJoinCost is the VLAN-join state of a connection indexed for it.
	vlanJoinCost = int64(unsafe.Sizeof(vlanJoin{}))
)

// parserCost is what the parser of proto costs the flow memcap (the
// larger of the two for a protocol without its own figure).
func parserCost(proto app.Proto) int64 {
	switch proto {
	case app.HTTP:
		return httpParserCost
	case app.SMB:
		return smbParserCost
	}
	return max(httpParserCost, smbParserCost)
}

// activate builds the state a connection needs once it is more than one
// packet: its reassembly stream (fed the first packet first) and its
// detection state, with the rule set it started with.
func (c *conn) activate() {
	w := c.w
	w.flows.Charge(c.entry, activeCost)
	c.det = detect.New(c.rules, &w.detEnv, c)
	c.stream = reassembly.NewStream(&w.e.cfg.Stream, w.e.mem, &w.stats.Stream, streamHandler{c})
	if c.pkts[0]+c.pkts[1] > 1 {
		c.stream.Add(reassembly.Direction(c.firstDir), c.first)
	}
}

// Endpoints implements detect.Alerter: the connection's client and server.
func (c *conn) Endpoints() (client, server netip.AddrPort) { return c.client, c.server }

// endpoints returns source and destination of bytes travelling in dir.
func (c *conn) endpoints(dir app.Direction) (src, dst netip.AddrPort) {
	if dir == app.ToServer {
		return c.client, c.server
	}
	return c.server, c.client
}

// streamHandler adapts a conn to reassembly.Handler.
type streamHandler struct{ c *conn }

// Data implements reassembly.Handler: in-order bytes of dir.
func (h streamHandler) Data(dir reassembly.Direction, data []byte) {
	h.c.onData(app.Direction(dir), data)
}

// Gap implements reassembly.Handler: n bytes of dir were lost.
func (h streamHandler) Gap(dir reassembly.Direction, n int64) {
	h.c.onGap(app.Direction(dir), n)
}

// Anomaly implements reassembly.Handler: a stream anomaly.
func (h streamHandler) Anomaly(dir reassembly.Direction, name string) {
	h.c.anomaly(app.Direction(dir), "stream", name)
}

// End implements reassembly.Handler: dir finished.
func (h streamHandler) End(dir reassembly.Direction) {
	h.c.onEnd(app.Direction(dir))
}

func (c *conn) onData(dir app.Direction, data []byte) {
	if len(data) == 0 {
		return
	}
	if c.proto == app.Undecided {
		c.detect(dir, data)
		return
	}
	c.det.Stream(dir, data)
	if c.parser != nil {
		c.feedParser(dir, data)
	}
}

// maxDetectGaps is how many gaps in a direction protocol detection
// tolerates before it gives up on a connection.
const maxDetectGaps = 4

func (c *conn) onGap(dir app.Direction, n int64) {
	c.gaps[dir]++
	c.det.StreamGap(dir, n)
	if c.proto == app.Undecided {
		// A gap before detection (the capture lost the first request, say):
		// what was probed can't be continued, so detection starts over on
		// what follows — a keep-alive connection's next message still
		// identifies it. Lossy connections give up after a few tries.
		if c.probe != nil {
			c.probe[dir] = c.probe[dir][:0]
		}
		c.probeNo[dir] = false
		if c.gaps[dir] > maxDetectGaps {
			c.decide(app.Failed)
		}
	}
	if c.parser != nil {
		c.gapParser(dir, n)
	}
}

func (c *conn) onEnd(dir app.Direction) {
	if c.ended[dir] {
		return
	}
	c.ended[dir] = true
	if c.proto == app.Undecided {
		c.decideOnEnd(dir)
		if c.proto == app.Undecided {
			return // the other direction may still decide; decide() ends dir then
		}
		if c.proto != app.Failed {
			return // decide() already ended dir
		}
	}
	c.det.StreamEnd(dir)
	if c.parser != nil {
		c.parser.End(dir)
		c.endFrames(dir)
	}
	if c.ended[0] && c.ended[1] && c.entry != nil {
		c.w.flows.SetState(c.entry, flow.StateClosed)
	}
}

// Sink implementation: the parser reports files, transactions, anomalies.

// FileOpen implements app.Sink.
func (c *conn) FileOpen(h app.FileHandle, meta app.FileMeta) {
	if old := c.files.get(h); old != nil {
		old.Close(true)
		c.w.flows.Charge(c.entry, -fileCost)
	}
	c.files.set(openFile{h: h, f: c.w.files.Open(meta, c), gaps: int(c.gaps[meta.Direction])})
	c.w.flows.Charge(c.entry, fileCost)
}

// FileData implements app.Sink.
func (c *conn) FileData(h app.FileHandle, offset int64, data []byte) {
	if f := c.files.get(h); f != nil {
		if len(data) > 0 {
			c.det.FileData(f.Meta.Tx, f.Meta.Direction)
		}
		f.Write(offset, data)
	}
}

// FileGap implements app.Sink.
func (c *conn) FileGap(h app.FileHandle, offset, n int64) {
	if f := c.files.get(h); f != nil {
		f.Gap(offset, n)
	}
}

// FileClose implements app.Sink.
func (c *conn) FileClose(h app.FileHandle, truncated bool) {
	if o, ok := c.files.remove(h); ok {
		f := o.f
		if truncated && int(c.gaps[f.Meta.Direction]) > o.gaps {
			// The stream lost bytes while the file was open and the
			// protocol had to cut the file short: the file has gaps even
			// if no hole could be placed at a file offset.
			f.MarkGaps()
		}
		f.Close(truncated)
		c.w.flows.Charge(c.entry, -fileCost)
	}
}

// Transaction implements app.Sink: the transaction's rules are evaluated
// and it is logged.
func (c *conn) Transaction(dir app.Direction, tx app.Metadata) {
	c.w.stats.ProtoTx[tx.AppProto()]++
	c.det.Transaction(tx)
	c.w.emitTransaction(c, dir, tx)
}

// RequestComplete implements app.RequestSink: request-side rules run on the
// next to_server packet.
func (c *conn) RequestComplete(tx app.Metadata) {
	c.det.RequestComplete(tx)
}

// Anomaly implements app.Sink.
func (c *conn) Anomaly(dir app.Direction, name string) {
	c.anomaly(dir, "applayer", name)
}

func (c *conn) anomaly(dir app.Direction, kind, name string) {
	c.w.stats.Anomalies++
	c.det.Event(dir, kind, name)
	if c.anomalyN == nil {
		c.anomalyN = map[string]int{}
	}
	c.anomalyN[name]++
	if c.anomalyN[name] > c.w.e.cfg.AnomaliesPerFlow {
		c.w.stats.AnomaliesSuppressed++
		return
	}
	c.w.emitAnomaly(c, dir, kind, name)
}

// finish ends the connection: reassembly flushes (reporting holes), the parser
// closes every open file, and the flow event is written.
func (c *conn) finish(reason string) {
	if c.finished {
		return
	}
	c.finished = true
	c.w.forget(c)
	if c.stream != nil {
		c.stream.Close()
	}
	for dir := range 2 {
		c.onEnd(app.Direction(dir))
	}
	if c.parser != nil {
		c.parser.Close()
		c.endFrames(app.ToServer)
		c.endFrames(app.ToClient)
	}
	for len(c.files) > 0 { // in handle order: deterministic event order
		c.FileClose(c.files[0].h, true)
	}
	c.w.emitFlow(c, reason)
	if c.evidence != nil {
		c.w.e.evidence.Close(c.evidence)
	}
}
