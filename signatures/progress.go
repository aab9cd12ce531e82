package signatures

// posEnt is a feasible chain prefix: where its last element ended, and where the
// chain's first element started (minus the ClamAV lead; used for EOF anchors).
type posEnt struct{ end, origin int64 }

// chainProg is the streaming progress of one chain of one rule in one Scanner.
// Every list is bounded by the Set's position limit; what falls off is counted.
type chainProg struct {
	done, killed, survived bool
	minEnd, maxEnd         int64
	ends                   []int64    // recent completion ends
	origins                []int64    // recent completion origins (EOF-anchored chains)
	stage                  [][]posEnt // stage[j]: feasible prefixes ending with element j
	occs                   [][]occ    // occs[j]: recent occurrences of element j (back elements only)
	pending                []posEnt   // prefixes whose negated last element has not been seen
	anchor                 int64      // latest end of a prefix added to pending
	npend                  int        // streamed pcre checks pending (Scanner.pend)
	count                  uint32     // completions with distinct (increasing) ends
	lastEnd                int64      // end of the last counted completion
}

// progress is a rule's streaming state, allocated on its first candidate.
type progress struct {
	chains []chainProg
}

// offset is the end of the latest positive content that matched, -1 if none.
func (p *progress) offset() int64 {
	off := int64(-1)
	for i := range p.chains {
		cp := &p.chains[i]
		if cp.done {
			off = max(off, cp.maxEnd)
		}
		if len(cp.pending) > 0 || cp.survived {
			off = max(off, cp.anchor)
		}
	}
	return off
}

// newProgress allocates progress for a compiled rule.
func newProgress(cr *crule) *progress {
	p := &progress{chains: make([]chainProg, len(cr.chains))}
	for i := range cr.chains {
		n := len(cr.chains[i].elems)
		p.chains[i].stage = make([][]posEnt, n)
		p.chains[i].occs = make([][]occ, n)
	}
	return p
}

// walker carries the bounds of one candidate's processing.
type walker struct {
	k        int    // positions kept per list
	budget   int    // remaining advance steps for this candidate
	overflow *int64 // counts dropped positions and exhausted budgets
	// sc, rule and chain locate the walk for queueing streamed pcre checks.
	sc    *Scanner
	rule  int32
	chain uint16
}

// occur processes an occurrence [s,e) of element j of chain c.
func (w *walker) occur(c *chain, cp *chainProg, j int, s, e int64) {
	el := &c.elems[j]
	if el.back {
		cp.occs[j] = w.pushOcc(cp.occs[j], occ{s, e}, el, e)
	}
	if el.neg {
		if !el.rel {
			if el.absOK(s, e) {
				cp.killed = true
			}
			return
		}
		keep := cp.pending[:0]
		for _, p := range cp.pending {
			if !el.relOK(p.end, s, e) {
				keep = append(keep, p)
			}
		}
		cp.pending = keep
		return
	}
	if j == 0 {
		if el.absOK(s, e) && (c.pe.kind == anchorNone || w.sc.peStartOK(&c.pe, s)) {
			w.advance(c, cp, 0, posEnt{e, s - c.lead}, e)
		}
		return
	}
	for _, p := range cp.stage[j-1] {
		if el.relOK(p.end, s, e) {
			w.advance(c, cp, j, posEnt{e, p.origin}, e)
			if !c.eof {
				break
			}
		}
	}
}

// advance records that the prefix ending with element j is feasible at ent.
func (w *walker) advance(c *chain, cp *chainProg, j int, ent posEnt, cur int64) {
	if w.budget <= 0 {
		*w.overflow++
		return
	}
	w.budget--
	if j == len(c.elems)-1 {
		w.complete(cp, ent, c.eof)
		return
	}
	next := &c.elems[j+1]
	if next.sp != nil {
		w.sc.addPend(w.rule, w.chain, uint16(j+1), ent.end+next.dist, ent.origin, cp)
		return
	}
	if next.neg {
		for _, o := range cp.occs[j+1] {
			if next.relOK(ent.end, o.s, o.e) {
				return
			}
		}
		w.addPending(cp, next, ent, cur)
		return
	}
	cp.stage[j] = w.insert(cp.stage[j], next, ent, cur, c.eof)
	if next.back {
		for _, o := range cp.occs[j+1] {
			if next.relOK(ent.end, o.s, o.e) {
				w.advance(c, cp, j+1, posEnt{o.e, ent.origin}, cur)
			}
		}
	}
}

// reach is the latest end an occurrence of next may have after a prefix ending
// at p, or -1 when unbounded.
func reach(next *elem, p int64) int64 {
	r := int64(-1)
	if next.within >= 0 {
		r = p + next.dist + next.within
	}
	if next.shift >= 0 {
		x := p + next.dist + next.shift + int64(next.maxLen)
		if r < 0 || x < r {
			r = x
		}
	}
	return r
}

// insert adds a feasible prefix to a stage list, keeping only entries that can
// still admit a future occurrence of next, at most w.k of them (newest kept).
func (w *walker) insert(list []posEnt, next *elem, ent posEnt, cur int64, eof bool) []posEnt {
	if reach(next, 0) < 0 && !eof {
		// No upper bound: the smallest end dominates every later one.
		if len(list) == 0 {
			return append(list, ent)
		}
		if ent.end < list[0].end {
			list[0] = ent
		}
		return list
	}
	if n := len(list); n > 0 && list[n-1] == ent {
		return list
	}
	keep := list[:0]
	for _, p := range list {
		if r := reach(next, p.end); r < 0 || r >= cur {
			keep = append(keep, p)
		}
	}
	if len(keep) >= w.k {
		*w.overflow++
		copy(keep, keep[1:])
		keep = keep[:len(keep)-1]
	}
	return append(keep, ent)
}

// addPending remembers a prefix whose negated last element must not follow.
func (w *walker) addPending(cp *chainProg, next *elem, ent posEnt, cur int64) {
	if cp.survived {
		return
	}
	cp.anchor = max(cp.anchor, ent.end)
	keep := cp.pending[:0]
	for _, p := range cp.pending {
		if r := reach(next, p.end); r >= 0 && r < cur {
			cp.survived = true // its window passed with no occurrence
			cp.pending = nil
			return
		}
		keep = append(keep, p)
	}
	if len(keep) >= w.k {
		*w.overflow++
		cp.pending = keep
		return
	}
	cp.pending = append(keep, ent)
}

// pushOcc remembers an occurrence of a back element, dropping ones too old to
// matter for any future prefix (more than w.k kept: oldest dropped).
func (w *walker) pushOcc(list []occ, o occ, el *elem, cur int64) []occ {
	if len(list) >= w.k {
		*w.overflow++
		copy(list, list[1:])
		list = list[:len(list)-1]
	}
	return append(list, o)
}

// complete records a completion of the whole chain.
func (w *walker) complete(cp *chainProg, ent posEnt, eof bool) {
	if !cp.done || ent.end < cp.minEnd {
		cp.minEnd = ent.end
	}
	if !cp.done || ent.end > cp.maxEnd {
		cp.maxEnd = ent.end
	}
	cp.done = true
	if cp.count == 0 || ent.end > cp.lastEnd {
		cp.count++
		cp.lastEnd = ent.end
	}
	cp.ends = pushBounded(cp.ends, ent.end, w.k)
	if eof {
		cp.origins = pushBounded(cp.origins, ent.origin, w.k)
	}
}

// pushBounded appends v, keeping the newest k values.
func pushBounded(list []int64, v int64, k int) []int64 {
	if n := len(list); n > 0 && list[n-1] == v {
		return list
	}
	if len(list) >= k {
		copy(list, list[1:])
		list = list[:len(list)-1]
	}
	return append(list, v)
}

// endOK decides a chain at end of data of the given size.
func (cp *chainProg) endOK(c *chain, size int64) bool {
	switch {
	case c.negAbs:
		return !cp.killed
	case c.negLast:
		return cp.survived || len(cp.pending) > 0
	case !cp.done:
		return false
	case c.eof:
		lo := size - c.eofN
		for _, o := range cp.origins {
			if o >= lo && o <= lo+c.eofShift {
				return true
			}
		}
		return false
	}
	if completionOK(c, cp.maxEnd, size) || completionOK(c, cp.minEnd, size) {
		return true
	}
	for _, e := range cp.ends {
		if completionOK(c, e, size) {
			return true
		}
	}
	return false
}
