package dcerpc

import "github.com/wirescan/wirescan/engine/app"

// TCPStats counts what DCERPC-over-TCP parsers saw.
type TCPStats struct {
	PDUs, Malformed, Calls, CallsEvicted uint64
	// Desyncs counts directions that lost PDU framing (a gap, or bytes that
	// are not DCERPC); their later bytes are ignored.
	Desyncs uint64
}

// TCPParser parses DCERPC carried directly over TCP (the endpoint mapper on
// 135, DCOM and the services it hands out ports for): an app.Parser whose
// transactions are the calls, logged as "dcerpc" events and exposed to
// dcerpc.iface, dcerpc.opnum and dcerpc.stub_data rules.
type TCPParser struct {
	conn    *Conn[struct{}]
	streams [2]Stream[struct{}]
	sink    app.Sink
	stats   *TCPStats
}

// NewTCPParser returns a parser reporting to sink; stats may be shared by a
// worker's parsers (nil: its own).
func NewTCPParser(lim Limits, stats *TCPStats, sink app.Sink) *TCPParser {
	if stats == nil {
		stats = &TCPStats{}
	}
	p := &TCPParser{sink: sink, stats: stats}
	p.conn = NewConn[struct{}](lim, Hooks{
		NewCall:  func(c *Call) { p.stats.Calls++; c.Ref = &tcpTx{call: c} },
		Response: func(*Call) {},
		Done: func(c *Call) {
			// AUTH3 completes a bind's authentication and has no response:
			// it is not a call of its own (Suricata logs none for it).
			if c.ReqType == PtypeAuth3 && !c.ResSet {
				return
			}
			p.sink.Transaction(c.Dir, c.Ref.(*tcpTx))
		},
		Event: func(dir app.Direction, ev Event) {
			switch ev {
			case EventPDU:
				p.stats.PDUs++
			case EventMalformed:
				p.stats.Malformed++
				p.sink.Anomaly(dir, "dcerpc.malformed")
			case EventTooManyCalls:
				p.stats.CallsEvicted++
				p.sink.Anomaly(dir, "dcerpc.too_many_calls")
			}
		},
	})
	for d := range p.streams {
		p.streams[d].Dir = app.Direction(d)
	}
	return p
}

// Probe says whether the first bytes of a direction are a DCERPC PDU header.
func Probe(_ app.Direction, data []byte) app.Verdict {
	switch {
	case len(data) < HeaderLen:
		if len(data) > 0 && data[0] != VersionMajor || len(data) > 1 && data[1] > 1 {
			return app.No
		}
		return app.NeedMore
	case LooksLike(data):
		return app.Yes
	}
	return app.No
}

// Feed implements app.Parser.
func (p *TCPParser) Feed(dir app.Direction, data []byte) {
	s := &p.streams[dir]
	was := s.Broken()
	p.conn.Feed(s, data)
	if s.Broken() && !was {
		p.stats.Desyncs++
		p.sink.Anomaly(dir, "dcerpc.desync")
	}
}

// Gap implements app.Parser: over TCP nothing marks where the next PDU
// starts, so the direction stops parsing.
func (p *TCPParser) Gap(dir app.Direction, n int64) {
	if !p.streams[dir].Broken() {
		p.streams[dir].Lost()
		p.stats.Desyncs++
	}
}

// End implements app.Parser.
func (p *TCPParser) End(app.Direction) {}

// Close implements app.Parser: every outstanding call is reported.
func (p *TCPParser) Close() { p.conn.FinishAll() }

// tcpTx is a call as an app.Metadata.
type tcpTx struct{ call *Call }

func (t *tcpTx) AppProto() string                  { return "dcerpc" }
func (t *tcpTx) EVE() any                          { return t.call.EVE() }
func (t *tcpTx) Buffer(name string) ([]byte, bool) { return t.call.Buffer(name) }
