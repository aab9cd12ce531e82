package engine

import (
	"net/netip"
	"slices"
	"time"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/engine/flow"
	"github.com/wirescan/wirescan/reassembly"
	"github.com/wirescan/wirescan/signatures"
)

// conn is the engine's state for one TCP connection. It is owned by one
// worker. It receives reassembled bytes (as a reassembly.Handler, through
// streamHandler) and parser output (as an app.Sink).
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
	tcpFlags    [2]uint8
	stream      *reassembly.Stream
	ended       [2]bool
	sawSYN      bool
	finished    bool

	oneSided    bool
	oneSidedKey flow.Key
	hasAlias    bool
	aliasKey    flow.Key

	// Application layer.
	proto    app.Proto
	parser   app.Parser
	probe    [2][]byte
	probeNo  [2]bool
	files    map[app.FileHandle]*files.File
	fileGaps map[app.FileHandle]int // stream gaps seen in the file's direction before it opened
	gaps     [2]int                 // stream gaps per direction
	alerted  bool
	// evidence keeps the flow's recent frames for an evidence pcap; nil
	// when evidence is disabled.
	evidence *evidenceRing
	anomalyN map[string]int

	// Raw stream inspection for rules without a buffer, one per direction.
	streamScan [2]*signatures.Scanner
	streamOff  [2]int64
	noStream   [2]bool
	streamDone [2]bool
	rules      *signatures.Set // the set the connection started with
	flowbits   *signatures.FlowState
	// reqPending lists transactions whose request is complete and whose
	// to_server rules wait for the next to_server packet; txStates holds,
	// per transaction evaluated at its request, the rules that matched then.
	// Both are bounded by the parser's pipelining limit and lose a
	// transaction when it is reported.
	reqPending []app.Metadata
	txStates   map[app.Metadata]*signatures.TxState
	// txFileData has, per open transaction, a bit per direction (1 <<
	// app.Direction) in which it carried file bytes; kept only when a rule
	// has "file.data; absent", dropped when the transaction is reported.
	txFileData map[app.Metadata]uint8

	// Application frames (frames.go).
	frameSet *signatures.FrameSet // frame rules of rules; nil when none
	ft       frameTrack
}

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
	c.scanStream(dir, data)
	if c.parser != nil {
		c.feedParser(dir, data)
	}
}

// maxDetectGaps is how many gaps in a direction protocol detection
// tolerates before it gives up on a connection.
const maxDetectGaps = 4

func (c *conn) onGap(dir app.Direction, n int64) {
	c.gaps[dir]++
	if sc := c.streamScan[dir]; sc != nil {
		sc.Gap(n)
	}
	c.streamOff[dir] += n
	if c.proto == app.Undecided {
		// A gap before detection (the capture lost the first request, say):
		// what was probed can't be continued, so detection starts over on
		// what follows — a keep-alive connection's next message still
		// identifies it. Lossy connections give up after a few tries.
		c.probe[dir] = c.probe[dir][:0]
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
	c.endStreamScan(dir)
	if c.parser != nil {
		c.parser.End(dir)
		c.endFrames(dir)
	}
	if c.ended[0] && c.ended[1] && c.entry != nil {
		c.entry.State = flow.StateClosed
	}
}

// Sink implementation: the parser reports files, transactions, anomalies.

// FileOpen implements app.Sink.
func (c *conn) FileOpen(h app.FileHandle, meta app.FileMeta) {
	if old := c.files[h]; old != nil {
		old.Close(true)
	}
	if c.files == nil {
		c.files = map[app.FileHandle]*files.File{}
	}
	c.files[h] = c.w.files.Open(meta, c)
	if c.fileGaps == nil {
		c.fileGaps = map[app.FileHandle]int{}
	}
	c.fileGaps[h] = c.gaps[meta.Direction]
}

// FileData implements app.Sink.
func (c *conn) FileData(h app.FileHandle, offset int64, data []byte) {
	if f := c.files[h]; f != nil {
		if len(data) > 0 {
			c.noteFileData(f)
		}
		f.Write(offset, data)
	}
}

// FileGap implements app.Sink.
func (c *conn) FileGap(h app.FileHandle, offset, n int64) {
	if f := c.files[h]; f != nil {
		f.Gap(offset, n)
	}
}

// FileClose implements app.Sink.
func (c *conn) FileClose(h app.FileHandle, truncated bool) {
	if f := c.files[h]; f != nil {
		delete(c.files, h)
		if truncated && c.gaps[f.Meta.Direction] > c.fileGaps[h] {
			// The stream lost bytes while the file was open and the
			// protocol had to cut the file short: the file has gaps even
			// if no hole could be placed at a file offset.
			f.MarkGaps()
		}
		delete(c.fileGaps, h)
		f.Close(truncated)
	}
}

// Transaction implements app.Sink.
func (c *conn) Transaction(dir app.Direction, tx app.Metadata) {
	c.w.transaction(c, dir, tx)
}

// noteFileData remembers that f's transaction carried file data in f's
// direction, when a rule needs to know (file.data; absent).
func (c *conn) noteFileData(f *files.File) {
	if c.rules == nil || !c.rules.NeedsFileDataPresence() || f.Meta.Tx == nil {
		return
	}
	if c.txFileData == nil {
		c.txFileData = map[app.Metadata]uint8{}
	}
	c.txFileData[f.Meta.Tx] |= 1 << f.Meta.Direction
}

// RequestComplete implements app.RequestSink: request-side rules run on the
// next to_server packet.
func (c *conn) RequestComplete(tx app.Metadata) {
	c.requestComplete(tx)
}

// Anomaly implements app.Sink.
func (c *conn) Anomaly(dir app.Direction, name string) {
	c.anomaly(dir, "applayer", name)
}

func (c *conn) anomaly(dir app.Direction, kind, name string) {
	c.w.stats.Anomalies++
	c.matchEvent(dir, kind, name)
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
	c.stream.Close()
	for dir := range 2 {
		c.onEnd(app.Direction(dir))
	}
	if c.parser != nil {
		c.parser.Close()
		c.endFrames(app.ToServer)
		c.endFrames(app.ToClient)
	}
	handles := make([]app.FileHandle, 0, len(c.files))
	for h := range c.files {
		handles = append(handles, h)
	}
	slices.Sort(handles) // deterministic event order
	for _, h := range handles {
		c.FileClose(h, true)
	}
	c.w.emitFlow(c, reason)
	if c.evidence != nil {
		c.w.e.evidence.close(c.evidence)
	}
}

// matchEvent evaluates event rules for an anomaly: app-layer events in both
// directions as Suricata does, stream (reassembly) events in the direction of
// the packet that raised them, as Suricata's packet events.
func (c *conn) matchEvent(dir app.Direction, kind, name string) {
	if c.rules == nil {
		return
	}
	for _, d := range []app.Direction{app.ToServer, app.ToClient} {
		if kind == "stream" && d != dir {
			continue
		}
		src, dst := c.endpoints(d)
		ctx := &signatures.Context{Proto: c.proto.String(), ToServer: d == app.ToServer, SrcIP: src.Addr(), DstIP: dst.Addr(),
			SrcPort: src.Port(), DstPort: dst.Port(), Established: true, Profile: c.w.profile(), Flow: c.flowbits}
		for _, m := range c.rules.MatchEvent(ctx, name) {
			c.w.emitAlert(c, d, m, nil, nil, nil)
		}
	}
}
