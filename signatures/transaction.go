package signatures

import (
	"bytes"
	"time"
)

// MatchTransaction evaluates, once per transaction, the rules that inspect only
// protocol buffers (http.uri, http.host, smb.share, ...) or nothing at all beyond
// their header. Matches carry Offset -1. The returned slice is newly allocated.
func (s *Set) MatchTransaction(ctx *Context) []Match {
	var out []Match
	for _, rid := range s.txRules {
		cr := &s.crules[rid]
		if cr.r.event != "" {
			continue // MatchEvent
		}
		if m, ok := s.txMatch(cr, ctx); ok {
			out = append(out, m)
		}
	}
	return out
}

// txMatch evaluates one transaction or event rule: conditions, flowbit tests,
// then flowbit actions. With ctx.Profile set, the work is attributed to the rule.
func (s *Set) txMatch(cr *crule, ctx *Context) (Match, bool) {
	var start time.Time
	if ctx.Profile != nil {
		start = time.Now()
	}
	ok := cr.flowOK(ctx.Flow) && s.applies(cr, ctx)
	if ok {
		cr.flowApply(ctx.Flow)
	}
	if ctx.Profile != nil {
		ctx.Profile.add(cr.r, uint64(1+len(cr.bufs)), ok, start)
	}
	return Match{Rule: cr.r, Offset: -1, NoAlert: cr.r.noAlert}, ok
}

// multiBuffers are Suricata multi-buffers the engine serves as one buffer of
// "\r\n"-terminated lines ("Name: value" per header); a condition holds when
// it holds on some line.
var multiBuffers = map[string]bool{"http.request_header": true, "http.response_header": true}

// matchLines evaluates cb on each "\r\n"-terminated line of buf.
func matchLines(cb *cbuf, buf []byte) bool {
	for len(buf) > 0 {
		line, rest, _ := bytes.Cut(buf, []byte("\r\n"))
		if cb.match(line) {
			return true
		}
		buf = rest
	}
	return false
}

// applies checks the conditions decided before any byte is scanned: protocol,
// flow, direction, addresses and ports, file name and protocol buffers.
func (s *Set) applies(cr *crule, ctx *Context) bool {
	r := cr.r
	if (r.Proto == "http" || r.Proto == "smb") && ctx.Proto != r.Proto {
		return false
	}
	if r.Proto == "dcerpc" && ctx.Proto != "dcerpc" && ctx.Proto != "smb" {
		return false // DCERPC over TCP, or over SMB named pipes
	}
	if r.dce != nil && !r.dce.match(ctx.Buffers) {
		return false
	}
	if r.flow.toServer && !ctx.ToServer || r.flow.toClient && ctx.ToServer {
		return false
	}
	if r.flow.established && !ctx.Established {
		return false
	}
	if r.dirTo == 1 && !ctx.ToServer || r.dirTo == -1 && ctx.ToServer {
		return false
	}
	h := &r.hdr
	fwd := h.src.match(ctx.SrcIP) && h.sport.match(ctx.SrcPort) && h.dst.match(ctx.DstIP) && h.dport.match(ctx.DstPort)
	if !fwd && h.bidir {
		fwd = h.src.match(ctx.DstIP) && h.sport.match(ctx.DstPort) && h.dst.match(ctx.SrcIP) && h.dport.match(ctx.SrcPort)
	}
	if !fwd {
		return false
	}
	for i := range cr.bufs {
		cb := &cr.bufs[i]
		var buf []byte
		var ok bool
		switch {
		case cb.name == "file.name":
			buf, ok = []byte(ctx.Filename), ctx.Filename != ""
		case cb.name == stubDataBuf && ctx.Buffers != nil:
			if ctx.ToServer {
				buf, ok = ctx.Buffers.Buffer(stubDataBuf + ".to_server")
			} else {
				buf, ok = ctx.Buffers.Buffer(stubDataBuf + ".to_client")
			}
		case ctx.Buffers != nil:
			buf, ok = ctx.Buffers.Buffer(cb.name)
		}
		if multiBuffers[cb.name] {
			if !ok || !matchLines(cb, buf) {
				return false
			}
			continue
		}
		if !ok || !cb.match(buf) {
			return false
		}
	}
	return true
}
