package signatures

import "regexp"

// maxVerify is the longest streamed pattern: the scanner verifies case-sensitive
// ones from its tail buffer and the matcher keeps as much of each stream;
// longer contents are split into adjacent pieces chained with distance 0
// (negated ones, which can't be split, stay whole).
const maxVerify = 64

// elem is one position of a chain: a content (with alternatives) or, for whole
// buffers only, a pcre.
type elem struct {
	neg  bool
	rel  bool  // constrained relative to the previous element's end p
	sLo  int64 // absolute: start >= sLo
	sHi  int64 // absolute: start <= sHi, -1 none
	eHi  int64 // absolute: end <= eHi, -1 none
	dist int64 // relative: start >= p+dist
	// relative: start <= p+dist+shift (-1 none); end <= p+dist+within (-1 none)
	shift, within int64
	back          bool // an occurrence may end before p: remember occurrences
	minLen        int
	maxLen        int
	nocase        bool
	alts          [][]byte
	re            *regexp.Regexp // whole buffers only
	sp            *streamPcre    // streamed pcre: checked on a window (pcre_stream.go)
}

// absOK checks an occurrence [s,e) against absolute constraints.
func (el *elem) absOK(s, e int64) bool {
	return s >= el.sLo && (el.sHi < 0 || s <= el.sHi) && (el.eHi < 0 || e <= el.eHi)
}

// relOK checks an occurrence [s,e) against relative constraints from end p.
func (el *elem) relOK(p, s, e int64) bool {
	lo := p + el.dist
	return s >= lo && (el.shift < 0 || s <= lo+el.shift) && (el.within < 0 || e <= lo+el.within)
}

// pLo/pHi bound the previous ends p that admit occurrence [s,e) of a relative
// element: p in [pLo, pHi]. pLo may be very negative.
func (el *elem) pRange(s, e int64) (lo, hi int64) {
	hi = s - el.dist
	lo = -1 << 62
	if el.shift >= 0 {
		lo = max(lo, s-el.dist-el.shift)
	}
	if el.within >= 0 {
		lo = max(lo, e-el.dist-el.within)
	}
	return lo, hi
}

// chain is a maximal run of elements linked by relative constraints, plus the
// conditions on its completion.
type chain struct {
	elems    []elem
	endswith bool   // the last element must end at the end of the buffer
	dataat   []item // relative isdataat on the completion
	negAbs   bool   // a single, absolute, negated element
	negLast  bool   // the last element is negated and relative
	eof      bool   // ClamAV EOF-n[,shift] anchor on the origin
	eofN     int64
	eofShift int64
	lead     int64    // bytes between the origin and the first element
	pe       peAnchor // ClamAV logical signature: start relative to PE headers
}

// compileItems turns a buffer's items into chains. streaming splits long
// case-sensitive contents into pieces the scanner can verify.
func compileItems(items []item, streaming bool) []chain {
	var chains []chain
	for i := range items {
		it := &items[i]
		switch it.typ {
		case itIsdataat:
			if it.relative && len(chains) > 0 {
				c := &chains[len(chains)-1]
				c.dataat = append(c.dataat, *it)
			}
			continue
		case itBsize:
			continue
		}
		rel := it.hasDistance || it.hasWithin || it.relative
		el := elem{neg: it.neg, nocase: it.nocase, alts: it.alts, re: it.re, sHi: -1, eHi: -1, shift: -1, within: -1}
		if streaming && it.sp != nil {
			el.re, el.sp = nil, it.sp
			if it.sp.shape == pcreLit {
				el.alts, el.nocase = it.sp.lits, it.sp.nocase
			}
		}
		fromStart := rel && len(chains) == 0
		if fromStart {
			// Relative to the start of the buffer.
			rel = false
			el.sLo = max(it.distance, 0)
			if it.hasWithin {
				el.eHi = el.sLo + it.within
			}
			if it.hasShift {
				el.sHi = el.sLo + it.shift
			}
		}
		el.rel = rel
		if rel {
			el.dist = it.distance
			if it.hasWithin {
				el.within = it.within
			}
			if it.hasShift {
				el.shift = it.shift
			}
		} else if !fromStart {
			el.sLo = it.offset
			if it.hasDepth {
				el.eHi = it.offset + it.depth
			}
			if it.startswith {
				el.sHi = 0
			}
			if it.hasShift {
				el.sHi = it.offset + it.shift
			}
		}
		if !rel {
			chains = append(chains, chain{})
		}
		c := &chains[len(chains)-1]
		if it.neg {
			c.negAbs = !rel
			c.negLast = rel
		}
		if it.endswith {
			c.endswith = true
		}
		// Streamed patterns stay within maxVerify bytes: the matcher keeps
		// that much of each stream (mpm.State) and the Scanner verifies
		// case-sensitive spellings from its tail.
		if streaming && it.re == nil && !it.neg && len(it.alts) == 1 && len(it.alts[0]) > maxVerify {
			c.elems = append(c.elems, splitPieces(el)...)
			continue
		}
		c.elems = append(c.elems, el)
	}
	for ci := range chains {
		afterPcre := false
		for j := range chains[ci].elems {
			el := &chains[ci].elems[j]
			el.minLen, el.maxLen = 1<<30, 0
			for _, a := range el.alts {
				el.minLen = min(el.minLen, len(a))
				el.maxLen = max(el.maxLen, len(a))
			}
			if el.re != nil || el.sp != nil && el.sp.shape != pcreLit {
				el.minLen, el.maxLen = 0, 0
			}
			// A streamed pcre is decided up to its width after its match
			// ends: later elements remember their recent occurrences.
			el.back = el.rel && el.dist+int64(el.minLen) <= 0 || afterPcre
			afterPcre = afterPcre || el.sp != nil
		}
	}
	return chains
}

// splitPieces splits a long single-pattern element into pieces of at most
// maxVerify bytes that must be adjacent; the first piece keeps the start
// constraints and the last the end constraints (shifted by the remaining
// length). The pieces are of equal size (a 68-byte content becomes 34+34, not
// 64+4): a tiny tail piece would be a short pattern, which forces the
// prefilter down to a stride of one and slows every scan.
func splitPieces(el elem) []elem {
	p := el.alts[0]
	k := (len(p) + maxVerify - 1) / maxVerify
	size := (len(p) + k - 1) / k
	var out []elem
	for off := 0; off < len(p); off += size {
		piece := elem{nocase: el.nocase, sHi: -1, eHi: -1, shift: 0, within: -1, rel: true,
			alts: [][]byte{p[off:min(off+size, len(p))]}}
		if off == 0 {
			rest := int64(len(p) - len(piece.alts[0]))
			piece = el
			piece.alts = [][]byte{p[:size]}
			if piece.within >= 0 {
				piece.within -= rest
			}
			if piece.eHi >= 0 {
				piece.eHi -= rest
			}
		}
		out = append(out, piece)
	}
	return out
}
