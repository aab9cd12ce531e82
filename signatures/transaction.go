package signatures

import (
	"bytes"
	"time"
)

// MatchTransaction evaluates the rules that inspect only protocol buffers
// (http.uri, http.host, smb.share, ...) or nothing at all beyond their header,
// for the direction ctx.ToServer. Matches carry Offset -1. The returned slice
// is newly allocated.
//
// With ctx.Tx set, a transaction may be evaluated several times (its request
// side when the request completes, both sides when the response does): a rule
// that already matched in this direction is skipped, and so is a rule that
// matched in the other direction unless it is PerDirection. A skipped rule
// neither matches nor applies its flowbits again.
//
// Only the rules the transaction prefilter (txfilter.go) lets through are
// evaluated; the result is that of evaluating them all.
func (s *Set) MatchTransaction(ctx *Context) []Match {
	var out []Match
	bit := txBit(ctx.ToServer)
	var absent []int32
	if ctx.FileData == FileDataAbsent {
		absent = s.absentRules
	}
	cand := s.tx.candidates(ctx, nil)
	for i, n := 0, len(cand)+len(absent); i < n; i++ {
		var rid int32
		if i < len(cand) {
			rid = s.txRules[cand[i]]
		} else {
			rid = absent[i-len(cand)]
		}
		cr := s.crule(rid)
		if cr.r.event != "" || !absentOK(cr.r, ctx) {
			continue // MatchEvent, or file data not known absent
		}
		if ctx.Tx != nil {
			if b := ctx.Tx.seen[rid]; b&bit != 0 || b != 0 && !cr.r.perDirection {
				continue
			}
		}
		if m, ok := s.txMatch(cr, ctx); ok {
			out = append(out, m)
			ctx.Tx.mark(rid, bit)
		}
	}
	return out
}

// TxState remembers, for one protocol transaction, the transaction rules that
// already matched and in which direction (see MatchTransaction). It holds one
// map entry per matched rule. The zero value is ready to use; a TxState
// belongs to one goroutine.
type TxState struct {
	seen map[int32]uint8 // rule id -> direction bits (txBit)
}

// txBit is the TxState bit of a direction.
func txBit(toServer bool) uint8 {
	if toServer {
		return 1
	}
	return 2
}

// mark records that rule rid matched with direction bit; nil ignores it.
func (t *TxState) mark(rid int32, bit uint8) {
	if t == nil {
		return
	}
	if t.seen == nil {
		t.seen = map[int32]uint8{}
	}
	t.seen[rid] |= bit
}

// txMatch evaluates one transaction or event rule: conditions, flowbit and
// xbit tests, then their actions. With ctx.Profile set, the work is attributed to the rule.
func (s *Set) txMatch(cr *crule, ctx *Context) (Match, bool) {
	var start time.Time
	if ctx.Profile != nil {
		start = time.Now()
	}
	env := envOf(ctx)
	ok := cr.bitsOK(&env) && s.applies(cr, ctx)
	if ok {
		cr.bitsApply(&env)
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
	// DCERPC rules apply over TCP or over SMB named pipes.
	if !s.staticPartApplies(cr, ctx) {
		return false
	}
	if r.dce != nil && !r.dce.match(ctx.Buffers) {
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
		buf, ok := ctxBuffer(ctx, cb.name)
		switch cb.absent {
		case absentOnly:
			if ok {
				return false
			}
			continue
		case absentOrElse:
			if !ok {
				continue
			}
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
