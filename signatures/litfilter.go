package signatures

import (
	"slices"

	"github.com/wirescan/wirescan/signatures/mpm"
)

// litFilter is a prefilter over a list of rules' protocol-buffer
// conditions, as Suricata's fast patterns are: each rule that needs some
// literal in some protocol buffer (a positive content, not transformed, in a
// buffer that must be present) contributes its longest such literal to one
// matcher per buffer name. A context scans each of its buffers once, and only
// the rules whose literal occurs, plus the rules without one, need
// evaluating; the others cannot match. Sets keep one over their transaction
// rules (MatchTransaction) and one per scanner kind over the representatives
// of their dynamic groups (NewScanner), so either costs what the buffers and
// the hits cost, not what the number of rules does.
type litFilter struct {
	bufs   []litBuf // by buffer name, sorted
	always []int32  // positions in the list of rules without a literal
}

// litBuf is the matcher of one buffer name.
type litBuf struct {
	name string
	m    *mpm.Matcher
	pos  []int32 // pattern id -> position in the list
}

// fastPattern returns the longest literal rule cr needs in one buffer, and
// the buffer; ok is false when it has none.
func fastPattern(cr *crule) (buf string, lit []byte, ok bool) {
	for i := range cr.bufs {
		cb := &cr.bufs[i]
		if cb.absent != absentNone || len(cb.xform) > 0 {
			continue
		}
		for ci := range cb.chains {
			c := &cb.chains[ci]
			if c.negAbs {
				continue
			}
			for ei := range c.elems {
				el := &c.elems[ei]
				if el.neg || el.re != nil || el.sp != nil || len(el.alts) != 1 {
					continue
				}
				if a := el.alts[0]; len(a) > len(lit) {
					buf, lit, ok = cb.name, a, true
				}
			}
		}
	}
	return buf, lit, ok
}

// buildLitFilter builds the filter of a list of n compiled rules (rule(p) is
// the one at position p).
func buildLitFilter(n int, rule func(p int) *crule, opts Options) (litFilter, error) {
	byBuf := map[string][][]byte{}
	posBy := map[string][]int32{}
	var f litFilter
	for p := range n {
		name, lit, ok := fastPattern(rule(p))
		if !ok {
			f.always = append(f.always, int32(p))
			continue
		}
		byBuf[name] = append(byBuf[name], lit)
		posBy[name] = append(posBy[name], int32(p))
	}
	for name, lits := range byBuf {
		m, err := mpm.Compile(lits, mpm.Options{MaxStates: opts.MaxStates, DenseBytes: 64 << 10})
		if err != nil {
			return f, err
		}
		f.bufs = append(f.bufs, litBuf{name: name, m: m, pos: posBy[name]})
	}
	slices.SortFunc(f.bufs, func(a, b litBuf) int {
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	return f, nil
}

// candidates appends to dst the positions of the rules that may match ctx,
// ascending.
func (f *litFilter) candidates(ctx *Context, dst []int32) []int32 {
	dst = append(dst, f.always...)
	if len(f.bufs) == 0 {
		return dst
	}
	var st mpm.State
	var hits []mpm.Hit
	for i := range f.bufs {
		b := &f.bufs[i]
		buf, ok := ctxBuffer(ctx, b.name)
		if !ok || len(buf) == 0 {
			continue
		}
		st.Reset()
		hits = b.m.Scan(&st, buf, hits[:0])
		for _, h := range hits {
			dst = append(dst, b.pos[h.ID])
		}
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

// ctxBuffer returns the protocol buffer name of ctx as rules see it.
func ctxBuffer(ctx *Context, name string) ([]byte, bool) {
	switch {
	case name == "file.name":
		return []byte(ctx.Filename), ctx.Filename != ""
	case name == stubDataBuf && ctx.Buffers != nil:
		if ctx.ToServer {
			return ctx.Buffers.Buffer(stubDataBuf + ".to_server")
		}
		return ctx.Buffers.Buffer(stubDataBuf + ".to_client")
	case ctx.Buffers != nil:
		return ctx.Buffers.Buffer(name)
	}
	return nil, false
}
