package signatures

import (
	"math"
	"regexp/syntax"
	"slices"
	"sort"
)

// pcrePend is a streamed pcre check waiting for its window [start, t) to
// arrive. Checks are decided in order of t, before the candidates that end
// at or after t, so every chunking decides them in the same order.
type pcrePend struct {
	t, start, origin int64
	rule             int32
	chain, elem      uint16
}

// initPcre gives a Scanner of a set with streamed pcre its byte history
// and queues the checks anchored at offset 0.
func (sc *Scanner) initPcre() {
	s := sc.set
	h := 64
	for h < 2*s.pcreWin+2*maxPcreLiteral {
		h *= 2
	}
	sc.x.hist = make([]byte, h)
	for _, rf := range s.pcreStarts {
		if !sc.groupOK(s.groupOf[rf.rule]) {
			continue
		}
		cr := s.crule(rf.rule)
		c := &cr.chains[rf.chain]
		sc.addPend(rf.rule, rf.chain, rf.elem, 0, -c.lead, &sc.progress(rf.rule, cr).chains[rf.chain])
	}
}

// progress returns the rule's progress record, allocating it.
func (sc *Scanner) progress(rule int32, cr *crule) *progress {
	m := sc.matches()
	if m.prog == nil {
		m.prog = map[int32]*progress{}
	}
	p := m.prog[rule]
	if p == nil {
		p = newProgress(cr)
		m.prog[rule] = p
	}
	return p
}

// addPend queues the check of streamed pcre element elem over the window
// starting at start; at most Set.position checks per chain are pending.
func (sc *Scanner) addPend(rule int32, chain, elem uint16, start, origin int64, cp *chainProg) {
	x := sc.x
	for _, q := range x.pend {
		if q.rule == rule && q.chain == chain && q.elem == elem && q.start == start {
			return
		}
	}
	if cp.npend >= sc.set.position {
		sc.Overflow++
		return
	}
	cp.npend++
	el := &sc.set.crule(rule).chains[chain].elems[elem]
	pd := pcrePend{t: start + int64(el.sp.width+el.sp.look), start: start, origin: origin, rule: rule, chain: chain, elem: elem}
	i := sort.Search(len(x.pend), func(i int) bool { return x.pend[i].t > pd.t })
	x.pend = slices.Insert(x.pend, i, pd)
}

// flushPcre decides the pending checks whose window ends at or before limit
// (all of them, windows cut at the end of data, when end is set).
func (sc *Scanner) flushPcre(limit int64, end bool) {
	x := sc.x
	for len(x.pend) > 0 && (end || x.pend[0].t <= limit) {
		pd := x.pend[0]
		x.pend = slices.Delete(x.pend, 0, 1)
		sc.resolve(pd, end)
	}
}

// resolve runs one pcre check and feeds its outcome to the rule's chain.
func (sc *Scanner) resolve(pd pcrePend, end bool) {
	s := sc.set
	cr := s.crule(pd.rule)
	p := sc.progressOf(pd.rule)
	cp := &p.chains[pd.chain]
	cp.npend--
	if sc.isDone(pd.rule) {
		return
	}
	c := &cr.chains[pd.chain]
	el := &c.elems[pd.elem]
	t := pd.t
	if end {
		t = min(t, sc.pos)
	}
	win, ok := sc.window(pd.start, t)
	if !ok {
		sc.Overflow++
		return
	}
	loc := el.sp.re.FindIndex(win)
	w := walker{k: s.position, budget: candidateBudget, overflow: &sc.Overflow, sc: sc, rule: pd.rule, chain: pd.chain}
	switch {
	case el.neg && el.rel:
		if loc == nil {
			cp.survived = true
			cp.anchor = max(cp.anchor, pd.start-el.dist)
		}
		return
	case el.neg:
		if loc != nil {
			cp.killed = true
		}
		return
	case loc == nil:
		return
	case pd.elem == 0:
		ms, me := pd.start+int64(loc[0]), pd.start+int64(loc[1])
		if !el.absOK(ms, me) {
			return
		}
		w.advance(c, cp, 0, posEnt{me, ms - c.lead}, t)
	default:
		w.advance(c, cp, int(pd.elem), posEnt{pd.start + int64(loc[1]), pd.origin}, t)
	}
	if cr.needEnd {
		return
	}
	for i := range p.chains {
		if !p.chains[i].done {
			return
		}
	}
	sc.report(pd.rule, p.offset())
}

// window returns the bytes [p, t) from the history and the current Write
// (a reused buffer), or false when they are no longer (or were never) held.
func (sc *Scanner) window(p, t int64) ([]byte, bool) {
	x := sc.x
	h := int64(len(x.hist))
	if p < x.histLo || p < sc.pos-h || t > sc.pos+int64(len(x.cur)) {
		return nil, false
	}
	w := x.wbuf[:0]
	for o := p; o < min(t, sc.pos); o++ {
		w = append(w, x.hist[o&(h-1)])
	}
	if t > sc.pos {
		w = append(w, x.cur[max(p-sc.pos, 0):t-sc.pos]...)
	}
	x.wbuf = w
	return w, true
}

// byteAt returns the byte at absolute offset off, -1 when not held (before
// the data, before a gap, or already forgotten).
func (sc *Scanner) byteAt(off int64) int {
	x := sc.x
	switch {
	case off < 0 || off < x.histLo:
		return -1
	case off >= sc.pos:
		if i := off - sc.pos; i < int64(len(x.cur)) {
			return int(x.cur[i])
		}
		return -1
	case sc.pos-off > int64(len(x.hist)):
		return -1
	}
	return int(x.hist[off&int64(len(x.hist)-1)])
}

// keepHist remembers the last bytes of b (at their offsets modulo the
// history size).
func (sc *Scanner) keepHist(b []byte) {
	hist := sc.x.hist
	h := len(hist)
	off := sc.pos
	if len(b) > h {
		off += int64(len(b) - h)
		b = b[len(b)-h:]
	}
	for len(b) > 0 {
		i := int(off & int64(h-1))
		n := copy(hist[i:], b)
		b, off = b[n:], off+int64(n)
	}
}

// litCandidate handles an occurrence at s of a pcreLit element's literal:
// when the leading assertions hold there, the expression is checked on the
// window starting at s.
func (sc *Scanner) litCandidate(rf ref, c *chain, cp *chainProg, s int64) {
	sp := c.elems[rf.elem].sp
	prev, next := sc.byteAt(s-1), sc.byteAt(s)
	for _, op := range sp.lead {
		ok := true
		switch op {
		case syntax.OpWordBoundary:
			ok = isWordByte(prev) != isWordByte(next)
		case syntax.OpNoWordBoundary:
			ok = isWordByte(prev) == isWordByte(next)
		case syntax.OpBeginLine:
			ok = prev < 0 || prev == '\n'
		case syntax.OpBeginText:
			ok = s == 0
		}
		if !ok {
			return
		}
	}
	sc.addPend(rf.rule, rf.chain, rf.elem, s, s-c.lead, cp)
}

// isWordByte is Go's \w for the rune a byte starts (a byte >= 0x80 belongs
// to a non-ASCII rune, never a word character); -1 (no byte) is not a word.
func isWordByte(c int) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_'
}

// dropPcre forgets the pending checks (their windows span a gap).
func (sc *Scanner) dropPcre() {
	x := sc.x
	if x == nil {
		return
	}
	for _, pd := range x.pend {
		sc.progressOf(pd.rule).chains[pd.chain].npend--
	}
	x.pend = x.pend[:0]
}

// endPcre decides every pending check with the data there is.
func (sc *Scanner) endPcre() {
	if sc.x != nil && len(sc.x.pend) > 0 {
		sc.flushPcre(math.MaxInt64, true)
	}
}
