package http

import (
	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/memcap"
)

// Parser is the HTTP/1.x state machine of one TCP connection. It implements
// app.Parser. It is not safe for concurrent use; reuse it across flows with
// Reset.
type Parser struct {
	cfg   *Config
	stats *Stats
	sink  app.Sink

	half       [2]half
	pending    []*Transaction // requests awaiting their final response, oldest first
	live       []*Transaction // transactions not yet reported
	nextTxID   uint64
	nextHandle app.FileHandle
	nextFrame  app.FrameID
	tunnel     bool
	closed     bool
	// orphanResponses counts responses that arrived with no request
	// waiting; a request found lost later is matched against them.
	orphanResponses int

	// mem holds this connection's share of the engine-wide budget for
	// header buffers and decompression windows (see SetBudget).
	mem        memcap.Holder
	headSteps  [2]int32 // header bytes each direction may buffer under mem, in headStep blocks
	decodeHeld [2]int64 // decoder memory each direction holds under mem
}

// SetBudget makes the parser reserve its growing buffers (header blocks,
// decompression windows) from b, shared by all connections. When b refuses,
// a header block is cut (anomaly http.memcap) or a body is passed on without
// content decoding (anomaly http.memcap). Call it before the first Feed.
func (p *Parser) SetBudget(b *memcap.Budget) {
	p.mem.ReleaseAll()
	p.mem = memcap.NewHolder(b)
	p.headSteps, p.decodeHeld = [2]int32{}, [2]int64{}
}

// headStep is how many header bytes are reserved at a time.
const headStep = 4096

// reserveDecode returns the reserve function of a body's decoder chain in
// direction dir: a direction keeps the most any of its bodies' chains asked
// for, so consecutive bodies reuse the reservation. A refusal is counted and
// reported (anomaly http.memcap).
func (p *Parser) reserveDecode(dir app.Direction) func(int64) bool {
	return func(total int64) bool {
		extra := total - p.decodeHeld[dir]
		if extra <= 0 {
			return true
		}
		if !p.mem.Ensure(p.mem.Held() + extra) {
			p.memcapHit(dir)
			return false
		}
		p.decodeHeld[dir] = total
		return true
	}
}

var _ app.Parser = (*Parser)(nil)

// NewParser returns a parser reporting to sink. cfg is shared, not copied
// (every connection of an engine has the same, and a copy each was 72 bytes
// per connection): it must not change while the parser is in use. A nil cfg
// means DefaultConfig. stats may be shared by the parsers of one worker; nil
// means the parser keeps its own.
func NewParser(cfg *Config, stats *Stats, sink app.Sink) *Parser {
	p := &Parser{cfg: cfg, stats: stats}
	if cfg == nil {
		d := DefaultConfig()
		p.cfg = &d
	}
	if p.stats == nil {
		p.stats = &Stats{}
	}
	p.Reset(sink)
	return p
}

// Reset prepares the parser for a new connection reporting to sink, keeping
// its buffers. Files and transactions of the previous flow are dropped
// without events: call Close first.
func (p *Parser) Reset(sink app.Sink) {
	p.sink = sink
	p.mem.ReleaseAll()
	p.headSteps, p.decodeHeld = [2]int32{}, [2]int64{}
	for i := range p.half {
		h := &p.half[i]
		x := h.x
		if x != nil {
			*x = halfAside{rs: x.rs[:0], trailPeek: x.trailPeek[:0]}
		}
		*h = half{p: p, dir: app.Direction(i), head: h.head[:0], x: x}
	}
	clear(p.pending)
	clear(p.live)
	p.pending, p.live = p.pending[:0], p.live[:0]
	p.nextTxID, p.nextHandle, p.nextFrame = 0, 0, 0
	p.tunnel, p.closed = false, false
	p.orphanResponses = 0
}

// Feed consumes the next in-order bytes of dir.
func (p *Parser) Feed(dir app.Direction, data []byte) {
	if p.closed || dir > app.ToClient {
		return
	}
	p.half[dir].feed(data)
}

// Gap accounts n lost bytes of dir; the file in progress gets a hole, or the
// direction resynchronises on the next request or status line.
func (p *Parser) Gap(dir app.Direction, n int64) {
	if p.closed || dir > app.ToClient || n <= 0 {
		return
	}
	p.stats.Gaps++
	h := &p.half[dir]
	h.gap(n)
	h.pos += n
	h.closeFrame()
}

// End reports that dir is finished: a close-delimited body completes, any
// other unfinished body is truncated.
func (p *Parser) End(dir app.Direction) {
	if p.closed || dir > app.ToClient {
		return
	}
	h := &p.half[dir]
	h.end()
	h.closeFrame()
}

// Flush implements app.Flusher: after a complete body, when no byte of a
// following line has arrived, the body's file closes now (libhtp completes
// the response in RES_FINALIZE when its input runs out); lines arriving
// later start the next message or are reported as unexpected. A partly
// arrived line is still decided when it completes (trail.go).
func (p *Parser) Flush(dir app.Direction) {
	if p.closed || dir > app.ToClient {
		return
	}
	if h := &p.half[dir]; h.state == hsTrail && len(h.peek()) == 0 && !h.trailLine {
		h.endTrail()
	}
}

// Close ends both directions and reports every pending transaction.
func (p *Parser) Close() {
	if p.closed {
		return
	}
	defer p.mem.ReleaseAll()
	p.End(app.ToServer)
	p.End(app.ToClient)
	for _, tx := range p.live {
		if !tx.reported {
			tx.reported = true
			p.sink.Transaction(p.txDir(tx), tx)
		}
	}
	clear(p.live)
	p.live = p.live[:0]
	p.closed = true
}

func (p *Parser) txDir(tx *Transaction) app.Direction {
	if tx.HasResponse {
		return app.ToClient
	}
	return app.ToServer
}

func (p *Parser) anomaly(dir app.Direction, name string) {
	p.stats.Anomalies++
	p.sink.Anomaly(dir, name)
}

// newTx starts a transaction.
func (p *Parser) newTx() *Transaction {
	tx := &Transaction{ID: p.nextTxID}
	p.nextTxID++
	p.live = append(p.live, tx)
	return tx
}

// maybeReport reports tx once both of its sides are complete.
func (p *Parser) maybeReport(tx *Transaction) {
	if tx.reported || !tx.responseDone || !(tx.requestDone || !tx.HasRequest) {
		return
	}
	p.report(tx)
}

func (p *Parser) report(tx *Transaction) {
	tx.reported = true
	for i, t := range p.live {
		if t == tx {
			p.live = append(p.live[:i], p.live[i+1:]...)
			break
		}
	}
	p.sink.Transaction(p.txDir(tx), tx)
}

// enqueue adds a request awaiting its response, dropping the oldest beyond
// MaxPipelined.
func (p *Parser) enqueue(tx *Transaction) {
	if len(p.pending) >= p.cfg.MaxPipelined {
		old := p.pending[0]
		p.pending = p.pending[:copy(p.pending, p.pending[1:])]
		p.stats.PipelineOverflow++
		p.anomaly(app.ToServer, AnomTooManyPipelined)
		old.responseDone = true
		if !old.reported {
			p.report(old)
		}
	}
	p.pending = append(p.pending, tx)
}

// startTunnel stops parsing: after CONNECT 2xx or 101 the bytes are not HTTP.
func (p *Parser) startTunnel(name string) {
	if p.tunnel {
		return
	}
	p.tunnel = true
	p.stats.Tunnels++
	p.anomaly(app.ToClient, name)
	for i := range p.half {
		h := &p.half[i]
		h.endTrail()
		if h.body != nil {
			h.finishBody(false)
		}
		h.state = hsTunnel
	}
}

// memcapHit counts a refusal of the shared budget and reports it once per
// direction and connection.
func (p *Parser) memcapHit(dir app.Direction) {
	p.stats.MemcapHits++
	p.anomaly(dir, AnomMemcap)
}
