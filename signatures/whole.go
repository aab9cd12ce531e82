package signatures

import (
	"bytes"
	"sort"

	"github.com/wirescan/wirescan/signatures/mpm"
)

// maxWholeOccurrences bounds the occurrences of one element considered in a whole
// buffer (a hostile 64 KiB header of "aaaa" against content:"a").
const maxWholeOccurrences = 4096

// occ is one occurrence [s,e) of an element.
type occ struct{ s, e int64 }

// cbuf is a compiled whole-buffer condition.
type cbuf struct {
	name   string
	absent absentMode
	xform  []transform
	chains []chain
	bsize  []sizeCond
	dataat []item // absolute isdataat
}

// compileBuf compiles a bufCond for whole-buffer evaluation.
func compileBuf(bc *bufCond) cbuf {
	cb := cbuf{name: bc.name, absent: bc.absent, xform: bc.xform, chains: compileItems(bc.items, false)}
	for _, it := range bc.items {
		switch {
		case it.typ == itBsize:
			cb.bsize = append(cb.bsize, it.size)
		case it.typ == itIsdataat && !it.relative:
			cb.dataat = append(cb.dataat, it)
		}
	}
	return cb
}

// match evaluates the condition on a whole buffer.
func (cb *cbuf) match(buf []byte) bool {
	_, ok := cb.matchEnd(buf)
	return ok
}

// matchEnd evaluates the condition on a whole buffer and, when it holds, gives
// the end (exclusive) of the last content that completed it: the largest of
// the chains' earliest completions, -1 when no positive content is involved.
func (cb *cbuf) matchEnd(buf []byte) (int64, bool) {
	if len(cb.xform) > 0 {
		buf = applyTransforms(cb.xform, buf)
	}
	n := int64(len(buf))
	for i := range cb.bsize {
		if !cb.bsize[i].match(n) {
			return -1, false
		}
	}
	for _, it := range cb.dataat {
		if (it.dataat < n) == it.neg {
			return -1, false
		}
	}
	var folded []byte
	end := int64(-1)
	for i := range cb.chains {
		e, ok := wholeChain(buf, &folded, &cb.chains[i], n)
		if !ok {
			return -1, false
		}
		end = max(end, e)
	}
	return end, true
}

// findAll lists the occurrences of an element in buf, sorted by end.
func findAll(buf []byte, folded *[]byte, el *elem) []occ {
	var out []occ
	if el.re != nil {
		for _, loc := range el.re.FindAllIndex(buf, maxWholeOccurrences) {
			out = append(out, occ{int64(loc[0]), int64(loc[1])})
		}
		return out
	}
	hay := buf
	if el.nocase {
		if *folded == nil {
			*folded = foldBytes(buf)
		}
		hay = *folded
	}
	for _, a := range el.alts {
		pat := a
		if el.nocase {
			pat = foldBytes(a)
		}
		for from := 0; from <= len(hay)-len(pat) && len(out) < maxWholeOccurrences; {
			i := bytes.Index(hay[from:], pat)
			if i < 0 {
				break
			}
			s := int64(from + i)
			out = append(out, occ{s, s + int64(len(pat))})
			from += i + 1
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].e < out[j].e || out[i].e == out[j].e && out[i].s < out[j].s })
	return out
}

// foldBytes returns an ASCII-lowercased copy of b.
func foldBytes(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = mpm.Fold(c)
	}
	return out
}

// wholeChain decides a chain on a whole buffer of size n (exact existential
// semantics: some assignment of occurrences satisfies every constraint). end
// is the smallest end of a satisfying assignment (of its last positive
// element when a negated one ends it), -1 when the chain holds without a
// positive occurrence (a negated first element).
func wholeChain(buf []byte, folded *[]byte, c *chain, n int64) (end int64, ok bool) {
	els := c.elems
	first := els[0]
	if c.eof {
		first.sLo = n - c.eofN + c.lead
		first.sHi = first.sLo + c.eofShift
		if first.sLo < 0 {
			return -1, false
		}
	}
	var feas []int64 // sorted ends of feasible prefixes
	for _, o := range findAll(buf, folded, &first) {
		if first.absOK(o.s, o.e) {
			if first.neg {
				return -1, false
			}
			feas = append(feas, o.e)
		}
	}
	if first.neg {
		return -1, true
	}
	for j := 1; j < len(els) && len(feas) > 0; j++ {
		el := &els[j]
		if el.re != nil && el.rel {
			feas = relPcre(buf, el, feas)
			continue
		}
		occs := findAll(buf, folded, el)
		if el.neg {
			for _, p := range feas {
				hit := false
				for _, o := range occs {
					if el.relOK(p, o.s, o.e) {
						hit = true
						break
					}
				}
				if !hit {
					return p, true
				}
			}
			return -1, false
		}
		var next []int64
		for _, o := range occs {
			lo, hi := el.pRange(o.s, o.e)
			k := sort.Search(len(feas), func(i int) bool { return feas[i] >= lo })
			if k < len(feas) && feas[k] <= hi {
				next = append(next, o.e)
			}
		}
		feas = next
	}
	for _, e := range feas {
		if completionOK(c, e, n) {
			return e, true
		}
	}
	return -1, false
}

// relPcre applies a relative pcre to each feasible end; a negated one keeps the
// ends after which the expression does not match.
func relPcre(buf []byte, el *elem, feas []int64) []int64 {
	var next []int64
	for _, p := range feas {
		if p > int64(len(buf)) {
			continue
		}
		loc := el.re.FindIndex(buf[p:])
		switch {
		case el.neg && loc == nil:
			next = append(next, p)
		case !el.neg && loc != nil:
			next = append(next, p+int64(loc[1]))
		}
	}
	sort.Slice(next, func(i, j int) bool { return next[i] < next[j] })
	return next
}

// completionOK checks endswith and relative isdataat on a chain completed at e.
func completionOK(c *chain, e, n int64) bool {
	if c.endswith && e != n {
		return false
	}
	for _, d := range c.dataat {
		if (e+d.dataat <= n) == d.neg {
			return false
		}
	}
	return true
}
