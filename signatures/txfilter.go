package signatures

import (
	"slices"

	"github.com/wirescan/wirescan/signatures/mpm"
)

// txFilter is the prefilter of transaction rules, as Suricata's fast
// patterns are: each rule that needs some literal in some protocol buffer
// (a positive content, not transformed, in a buffer that must be present)
// contributes its longest such literal to one matcher per buffer name. A
// transaction scans each of its buffers once and evaluates only the rules
// whose literal occurs, plus the rules without one; the others cannot
// match. The result is the same as evaluating every rule, at a cost that
// follows the buffers and the hits, not the number of rules.
type txFilter struct {
	bufs   []txBuf // by buffer name, sorted
	always []int32 // positions in Set.txRules of rules without a literal
}

// txBuf is the matcher of one buffer name.
type txBuf struct {
	name string
	m    *mpm.Matcher
	pos  []int32 // pattern id -> position in Set.txRules
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

// buildTxFilter builds the filter of s.txRules (compiled, in their final
// order).
func (s *Set) buildTxFilter(opts Options) error {
	byBuf := map[string][][]byte{}
	posBy := map[string][]int32{}
	var f txFilter
	for p, rid := range s.txRules {
		name, lit, ok := fastPattern(s.crule(rid))
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
			return err
		}
		f.bufs = append(f.bufs, txBuf{name: name, m: m, pos: posBy[name]})
	}
	slices.SortFunc(f.bufs, func(a, b txBuf) int {
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	s.tx = f
	return nil
}

// candidates appends to dst the positions in s.txRules of the rules that may
// match ctx, ascending.
func (f *txFilter) candidates(ctx *Context, dst []int32) []int32 {
	dst = append(dst, f.always...)
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
