package dcerpc

import "github.com/wirescan/wirescan/engine/app"

// Event is something a Conn tells its host besides calls.
type Event uint8

// Events reported through Hooks.Event.
const (
	// EventPDU: a complete PDU was parsed.
	EventPDU Event = iota
	// EventMalformed: a PDU's body did not decode (the call is kept).
	EventMalformed
	// EventTooManyCalls: Limits.MaxCalls calls were outstanding; the
	// oldest is finished as it is, right after this event.
	EventTooManyCalls
)

// Hooks connect a Conn to its transport. Every function must be set.
type Hooks struct {
	// NewCall is called when a call starts (its request, or a response
	// to a request never seen); the host creates its transaction and
	// sets c.Ref.
	NewCall func(c *Call)
	// Response is called for every response PDU of c, before c may
	// finish, so the host can record what carried it.
	Response func(c *Call)
	// Done is called once per call when it completes, is evicted or the
	// connection ends; c is not used by the Conn afterwards.
	Done func(c *Call)
	// Event reports a parse event in direction dir.
	Event func(dir app.Direction, ev Event)
}

// Limits bound a Conn.
type Limits struct {
	// MaxCalls bounds the outstanding calls of a connection.
	MaxCalls int
	// MaxStubBytes bounds the stub bytes a call keeps per direction for
	// the dcerpc.stub_data buffer.
	MaxStubBytes int
}

// Conn is the DCERPC state of one connection (an SMB session's named pipes
// share it, as Suricata's state does): the bound interfaces and the
// outstanding calls, keyed by K (the transport's scope) and call id. It is
// not safe for concurrent use.
type Conn[K comparable] struct {
	lim    Limits
	hooks  Hooks
	ifaces []Iface
	calls  map[CallKey[K]]*Call
	seq    uint64
}

// NewConn returns an empty connection state.
func NewConn[K comparable](lim Limits, hooks Hooks) *Conn[K] {
	return &Conn[K]{lim: lim, hooks: hooks, calls: make(map[CallKey[K]]*Call)}
}

// Reset forgets every call and interface without reporting them.
func (c *Conn[K]) Reset() {
	c.ifaces = c.ifaces[:0]
	clear(c.calls)
	c.seq = 0
}

// Outstanding is the number of calls awaiting their end.
func (c *Conn[K]) Outstanding() int { return len(c.calls) }

// Stream reassembles the PDUs of one transport direction (a named pipe's
// writes or reads, one side of a TCP connection). Its buffer never exceeds
// one fragment (at most 65535 bytes, the largest frag_length).
type Stream[K comparable] struct {
	Scope K
	Dir   app.Direction
	buf   []byte
	bad   bool // lost PDU framing
}

// Lost drops the PDU in progress and ignores bytes until Resume: the
// stream's framing is lost (a gap, or bytes that are not DCERPC).
func (s *Stream[K]) Lost() {
	s.bad = true
	s.buf = s.buf[:0]
}

// Resume starts PDU framing afresh after Lost, at a point where a PDU
// starts (a new SMB message on a pipe).
func (s *Stream[K]) Resume() {
	if s.bad {
		s.bad, s.buf = false, s.buf[:0]
	}
}

// Pending is the number of bytes of an unfinished PDU held; 0 after Lost.
func (s *Stream[K]) Pending() int { return len(s.buf) }

// Broken reports that the stream lost its framing and waits for Resume.
func (s *Stream[K]) Broken() bool { return s.bad }

// Feed appends stream bytes and handles every complete PDU. Bytes that do
// not frame as DCERPC make the stream Lost. Every pass takes at least one
// byte: a buffered PDU is always shorter than its fragment length.
func (c *Conn[K]) Feed(s *Stream[K], b []byte) {
	for len(b) > 0 && !s.bad {
		want := HeaderLen
		if len(s.buf) >= HeaderLen {
			h, _ := ParseHeader(s.buf) // checked when the header completed
			want = int(h.FragLen)
		}
		n := min(want-len(s.buf), len(b))
		s.buf = append(s.buf, b[:n]...)
		b = b[n:]
		if len(s.buf) < HeaderLen {
			continue
		}
		h, err := ParseHeader(s.buf)
		if err != nil {
			s.Lost()
			return
		}
		if len(s.buf) == int(h.FragLen) {
			c.pdu(s, s.buf)
			s.buf = s.buf[:0]
		}
	}
}

// pdu handles one complete PDU.
func (c *Conn[K]) pdu(s *Stream[K], pdu []byte) {
	h, err := ParseHeader(pdu)
	if err != nil {
		s.Lost()
		return
	}
	c.hooks.Event(s.Dir, EventPDU)
	body := Body(&h, pdu)
	if s.Dir == app.ToServer {
		c.requestPDU(s, &h, body)
		return
	}
	c.responsePDU(s, &h, body)
}

// requestPDU handles a client PDU: it starts or continues the call.
func (c *Conn[K]) requestPDU(s *Stream[K], h *Header, body []byte) {
	k := CallKey[K]{s.Scope, h.CallID}
	call := c.calls[k]
	if call != nil && (h.Ptype != PtypeRequest || h.First() || call.ReqType != PtypeRequest) {
		// A new call reusing the id: the old one is finished as it is.
		c.finish(k, call)
		call = nil
	}
	if call == nil {
		call = c.newCall(k, &Call{ReqType: h.Ptype, ReqSet: true, CallID: h.CallID, Dir: app.ToServer})
	}
	switch h.Ptype {
	case PtypeRequest:
		r, err := ParseRequest(h, body)
		if err != nil {
			c.hooks.Event(app.ToServer, EventMalformed)
			return
		}
		if call.ReqFrags == 0 || h.First() {
			call.Opnum, call.CtxID = r.Opnum, r.CtxID
		}
		call.reqFirst = call.reqFirst || h.First()
		call.ReqFrags++
		call.ReqStubLen += int64(len(r.Stub))
		call.ReqStub = c.appendStub(call.ReqStub, r.Stub)
	case PtypeBind, PtypeAlterCtx:
		ctxs, err := ParseBind(h, body)
		if err != nil {
			c.hooks.Event(app.ToServer, EventMalformed)
		}
		if h.Ptype == PtypeBind {
			c.ifaces = c.ifaces[:0]
		}
		for _, x := range ctxs {
			if len(c.ifaces) >= MaxContexts {
				break
			}
			c.ifaces = append(c.ifaces, Iface{Context: x})
		}
		call.ReqFrags++
	default:
		call.ReqFrags++
		if h.Ptype == PtypeAuth3 || h.Ptype == PtypeOrphaned || h.Ptype == PtypeCoCancel {
			// No response follows.
			c.finish(k, call)
		}
	}
}

// newCall registers a call, finishing the oldest one at the limit.
func (c *Conn[K]) newCall(k CallKey[K], call *Call) *Call {
	if len(c.calls) >= c.lim.MaxCalls && len(c.calls) > 0 {
		c.hooks.Event(app.ToServer, EventTooManyCalls)
		c.finish(c.oldest())
	}
	c.seq++
	call.seq = c.seq
	c.hooks.NewCall(call)
	c.calls[k] = call
	return call
}

// responsePDU handles a server PDU: it completes the call at the last
// fragment.
func (c *Conn[K]) responsePDU(s *Stream[K], h *Header, body []byte) {
	k := CallKey[K]{s.Scope, h.CallID}
	call := c.calls[k]
	if call == nil {
		// A response to a request we did not see (midstream): Suricata
		// logs it with request REQUEST_LOST.
		call = c.newCallUnbounded(k, &Call{CallID: h.CallID})
	}
	call.ResType, call.ResSet = h.Ptype, true
	call.Dir = app.ToClient
	c.hooks.Response(call)
	done := true
	switch h.Ptype {
	case PtypeResponse:
		stub, err := ParseResponse(body)
		if err != nil {
			c.hooks.Event(app.ToClient, EventMalformed)
			break
		}
		call.ResFrags++
		call.ResStubLen += int64(len(stub))
		call.ResStub = c.appendStub(call.ResStub, stub)
		done = h.Last()
	case PtypeBindAck, PtypeAlterCtxRes:
		res, err := ParseBindAck(h, body)
		if err != nil {
			c.hooks.Event(app.ToClient, EventMalformed)
		}
		// Results answer the contexts of the BIND in order; an
		// ALTER_CONTEXT's results answer the contexts it appended.
		base := 0
		if h.Ptype == PtypeAlterCtxRes {
			base = max(0, len(c.ifaces)-len(res))
		}
		for i, r := range res {
			if j := base + i; j < len(c.ifaces) {
				f := &c.ifaces[j]
				f.Result, f.Reason, f.Acked = r.Result, r.Reason, true
			}
		}
	}
	if done {
		c.finish(k, call)
	}
}

// newCallUnbounded registers a call answered at once (it is finished in
// the same PDU unless more fragments follow, which the limit then bounds).
func (c *Conn[K]) newCallUnbounded(k CallKey[K], call *Call) *Call {
	c.seq++
	call.seq = c.seq
	c.hooks.NewCall(call)
	c.calls[k] = call
	return call
}

// appendStub keeps at most Limits.MaxStubBytes of a stub.
func (c *Conn[K]) appendStub(dst, b []byte) []byte {
	room := c.lim.MaxStubBytes - len(dst)
	if room <= 0 {
		return dst
	}
	return append(dst, b[:min(room, len(b))]...)
}

// finish snapshots the bound interfaces into call and reports it.
func (c *Conn[K]) finish(k CallKey[K], call *Call) {
	delete(c.calls, k)
	call.Ifaces = append([]Iface(nil), c.ifaces...)
	c.hooks.Done(call)
}

// FinishAll reports every unanswered call, oldest first (the connection
// ends).
func (c *Conn[K]) FinishAll() {
	for len(c.calls) > 0 {
		c.finish(c.oldest())
	}
}

// oldest returns the outstanding call started first (c.calls is not empty).
func (c *Conn[K]) oldest() (CallKey[K], *Call) {
	var key CallKey[K]
	var call *Call
	for k, v := range c.calls {
		if call == nil || v.seq < call.seq {
			key, call = k, v
		}
	}
	return key, call
}
