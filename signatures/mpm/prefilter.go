package mpm

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// prefilter finds the occurrences of the long patterns (at least
// pfWindow+stride-1 bytes) that lie wholly inside one buffer without walking
// an automaton per byte.
//
// Each long pattern contributes stride consecutive 4-byte windows, starting
// at the offset whose bytes are rarest in benign data, to a blocked Bloom
// filter (two bits in one 64-bit word per window, hashed from the window's
// case-blurred key, blur32). The scan tests only every stride-th position: any
// occurrence has exactly one of its stride windows there. A filter hit looks
// up a bucket of (window, pattern, offset) entries and verifies the pattern
// with a case-folded compare. Occurrences that straddle two Scans are found
// by scanning the stream's tail joined to the head of the next buffer
// (Matcher.scanBoundary).
type prefilter struct {
	stride int
	two    bool     // two probe bits per window, else one (see pfOneBitMax)
	wshift uint     // bits[h>>wshift]
	bits   []uint64 // blocked Bloom filter over hashed window keys
	bshift uint     // bucket of h is h>>bshift
	bstart []uint32 // bucket b holds ents[bstart[b]:bstart[b+1]]
	ents   []pfEntry
	pats   *patterns // every folded pattern, by pattern id
}

// pfEntry is one window of one long pattern.
type pfEntry struct {
	win uint32 // window key: the folded window bytes, little-endian, blurred (blur32)
	pid int32
	k   int32 // offset of the window in the pattern
}

const (
	pfWindow  = 4                  // bytes per hashed window
	pfHashMul = 0x9E3779B97F4A7C15 // Fibonacci hashing
	// pfBitsPerEntry sizes the filter: 32 bits per window keeps a word's
	// occupancy near 1/16, so two probe bits give ~0.4% false positives per test.
	pfBitsPerEntry = 32
	// pfOneBitPerEntry sizes a filter that sets one bit per window: about
	// 1.5 % false positives per test instead of 3 %.
	pfOneBitPerEntry = 64
	pfMaxBitsLog     = 24 // filter capped at 2 MiB
	pfMaxStride      = 16
	// pfMaxEntries bounds stride × long patterns: beyond it the capped filter
	// fills up and false positives cost more than the stride saves.
	pfMaxEntries = 1 << 19
)

// fold32 ASCII-lowercases the four bytes of x (SWAR).
func fold32(x uint32) uint32 {
	h := x & 0x7f7f7f7f
	ge := h + 0x3f3f3f3f // bit 7 set where h >= 'A'
	gt := h + 0x25252525 // bit 7 set where h > 'Z'
	up := ge &^ gt &^ x & 0x80808080
	return x | up>>2
}

// probe returns the filter word index, bit mask and bucket hash of a window key.
func (pf *prefilter) probe(f uint32) (word uint64, mask uint64, h uint64) {
	h = uint64(f) * pfHashMul
	mask = 1 << (h >> 26 & 63)
	if pf.two {
		mask |= 1 << (h >> 32 & 63)
	}
	return h >> pf.wshift, mask, h
}

// byteCost estimates how common a folded byte is in benign files (executables,
// text, zero padding); windows are placed where the sum is lowest.
var byteCost = func() (c [256]uint8) {
	for i := range c {
		c[i] = 2
	}
	for i := 1; i < 0x20; i++ {
		c[i] = 3
	}
	for i := 'a'; i <= 'z'; i++ {
		c[i] = 5
	}
	for _, b := range "etaoinsrhl" {
		c[b] = 7
	}
	for i := '0'; i <= '9'; i++ {
		c[i] = 4
	}
	for _, b := range " .,\r\n\t/-_:" {
		c[b] = 6
	}
	c[0x00], c[0xff], c[' '] = 12, 9, 10
	c[0x90], c[0xcc], c[0x8b], c[0x48], c[0x89] = 6, 6, 5, 5, 5
	c[0x01], c[0x02], c[0x04], c[0x08], c[0x10], c[0x80], c[0xc0], c[0xe8] = 5, 4, 4, 4, 4, 4, 4, 4
	// The filter sees bytes blurred (blur32): b and b^0x20 are one key, so a
	// byte costs as much as the commoner of the two.
	for i := range c {
		c[i] = max(c[i], c[i^0x20])
	}
	return c
}()

// chooseStride picks the stride that minimises an estimated per-byte cost: a
// filter test per stride bytes, plus a full pass of the short-pattern automaton
// when some pattern is too short for the stride.
func chooseStride(pats [][]byte) int {
	var byLen [pfWindow + pfMaxStride]int
	for _, p := range pats {
		if len(p) < len(byLen) {
			byLen[len(p)]++
		}
	}
	best, bestCost := 1, 0.0
	short := 0
	for s := 1; s <= pfMaxStride; s++ {
		short = 0
		for l := 0; l < pfWindow+s-1; l++ {
			short += byLen[l]
		}
		if s > 1 && s*(len(pats)-short) > pfMaxEntries {
			break
		}
		cost := 1.5 / float64(s)
		if short > 0 {
			cost += 1 + 4*float64(short)/float64(len(pats))
		}
		if s == 1 || cost < bestCost {
			best, bestCost = s, cost
		}
	}
	return best
}

// buildPrefilter builds the prefilter of the long patterns ids of pats
// (folded, pattern id = index) with stride s; tab holds the same patterns.
// Filters of at most oneBitMax bits set one bit per window.
func buildPrefilter(pats [][]byte, ids []int32, tab *patterns, s, oneBitMax int) *prefilter {
	pf := &prefilter{stride: s, pats: tab}
	for _, id := range ids {
		p := pats[id]
		k := rarestWindow(p, s)
		for j := 0; j < s; j++ {
			pf.ents = append(pf.ents, pfEntry{win: binary.LittleEndian.Uint32(p[k+j:]) | blur32, pid: id, k: int32(k + j)})
		}
	}
	perEntry := pfBitsPerEntry
	if len(pf.ents)*pfOneBitPerEntry <= oneBitMax {
		// A one-bit filter (see pfOneBitMax) gets twice the bits per window,
		// halving its false hits, while it still fits in L2.
		perEntry = pfOneBitPerEntry
	}
	wbits := min(max(bits.Len(uint(len(pf.ents)*perEntry-1)), 12), pfMaxBitsLog)
	pf.two = 1<<wbits > oneBitMax
	pf.bits = make([]uint64, 1<<(wbits-6))
	pf.wshift = uint(64 - (wbits - 6))
	bbits := max(bits.Len(uint(len(pf.ents)-1)), 1)
	pf.bshift = uint(64 - bbits)
	nb := 1 << bbits
	pf.bstart = make([]uint32, nb+1)
	for _, e := range pf.ents {
		w, m, h := pf.probe(e.win)
		pf.bits[w] |= m
		pf.bstart[(h>>pf.bshift)+1]++
	}
	for b := 0; b < nb; b++ {
		pf.bstart[b+1] += pf.bstart[b]
	}
	sorted := make([]pfEntry, len(pf.ents))
	fill := slices.Clone(pf.bstart[:nb])
	for _, e := range pf.ents {
		_, _, h := pf.probe(e.win)
		b := h >> pf.bshift
		sorted[fill[b]] = e
		fill[b]++
	}
	pf.ents = sorted
	return pf
}

// rarestWindow returns the offset k where the s windows p[k+j:k+j+4] (j < s) cover
// the least common bytes.
func rarestWindow(p []byte, s int) int {
	span := pfWindow + s - 1
	best, bestCost := 0, 1<<30
	for k := 0; k+span <= len(p); k++ {
		cost := 0
		for _, b := range p[k : k+span] {
			cost += int(byteCost[b])
		}
		// Repeated bytes (runs, padding) are common in benign data.
		for i := k + 1; i < k+span; i++ {
			if p[i] == p[i-1] {
				cost += 4
			}
		}
		if cost < bestCost {
			best, bestCost = k, cost
		}
	}
	return best
}

// memoryBytes estimates the prefilter's heap (the patterns are the Matcher's).
func (pf *prefilter) memoryBytes() int64 {
	return int64(len(pf.bits))*8 + int64(len(pf.bstart))*4 + int64(len(pf.ents))*12
}

// blur maps a window to its filter key: bit 5 of every byte set, so that
// both cases of a letter give the same key in one instruction (an exact SWAR
// fold costs six). Non-letters that differ only in bit 5 (0x00 and space,
// control bytes and digits) share keys too; that costs a few more bucket
// lookups, never a missed or wrong hit: confirm compares whole patterns.
const blur32 = 0x20202020

// pfOneBitMax is the largest filter (in bits) that sets one bit per window
// instead of two. Up to it the filter and the buckets stay in L2, so the
// extra false hits (about 3 % of tests instead of 0.4 %) cost little, and
// the test is three instructions shorter: BenchmarkScan at 1k and 10k
// patterns, interleaved A/B, -17 % time. Larger filters miss the caches, and
// a false hit's bucket lookup costs two more misses (100k: +20 % with one bit).
const pfOneBitMax = 1 << 21

// blur64 is blur32 for the eight bytes of one load.
const blur64 = blur32<<32 | blur32

// scan appends the occurrences of long patterns lying wholly inside b. With a
// stride of at most 4, one 8-byte load serves the windows at i and
// i+stride. The filter is read through locals so the hot loop keeps it in
// registers; scanOne and scanTwo differ only in the filter test (the
// compiler would not specialise one body for both).
func (pf *prefilter) scan(b []byte, hits []Hit) []Hit {
	if pf.two {
		return pf.scanTwo(b, hits)
	}
	return pf.scanOne(b, hits)
}

// scanOne is scan for a filter with one bit per window.
func (pf *prefilter) scanOne(b []byte, hits []Hit) []Hit {
	bits, ws, s := pf.bits, pf.wshift&63, pf.stride
	hit := func(f uint32) bool {
		h := uint64(f) * pfHashMul
		return bits[h>>ws]&(1<<(h>>26&63)) != 0
	}
	i := 0
	if s <= 4 {
		sh := uint(8*s) & 63
		for ; i+8 <= len(b); i += 2 * s {
			v := binary.LittleEndian.Uint64(b[i:]) | blur64
			if f := uint32(v); hit(f) {
				hits = pf.confirm(b, i, f, hits)
			}
			if f := uint32(v >> sh); hit(f) {
				hits = pf.confirm(b, i+s, f, hits)
			}
		}
	}
	for ; i+pfWindow <= len(b); i += s {
		if f := binary.LittleEndian.Uint32(b[i:]) | blur32; hit(f) {
			hits = pf.confirm(b, i, f, hits)
		}
	}
	return hits
}

// scanTwo is scan for a filter with two bits per window.
func (pf *prefilter) scanTwo(b []byte, hits []Hit) []Hit {
	bits, ws, s := pf.bits, pf.wshift&63, pf.stride
	hit := func(f uint32) bool {
		h := uint64(f) * pfHashMul
		m := uint64(1)<<(h>>26&63) | uint64(1)<<(h>>32&63)
		return bits[h>>ws]&m == m
	}
	i := 0
	if s <= 4 {
		sh := uint(8*s) & 63
		for ; i+8 <= len(b); i += 2 * s {
			v := binary.LittleEndian.Uint64(b[i:]) | blur64
			if f := uint32(v); hit(f) {
				hits = pf.confirm(b, i, f, hits)
			}
			if f := uint32(v >> sh); hit(f) {
				hits = pf.confirm(b, i+s, f, hits)
			}
		}
	}
	for ; i+pfWindow <= len(b); i += s {
		if f := binary.LittleEndian.Uint32(b[i:]) | blur32; hit(f) {
			hits = pf.confirm(b, i, f, hits)
		}
	}
	return hits
}

// confirm verifies the bucket entries whose window key is f at b[i:].
func (pf *prefilter) confirm(b []byte, i int, f uint32, hits []Hit) []Hit {
	bk := uint64(f) * pfHashMul >> (pf.bshift & 63)
	for _, e := range pf.ents[pf.bstart[bk]:pf.bstart[bk+1]] {
		if e.win != f {
			continue
		}
		start := i - int(e.k)
		p := pf.pats.get(e.pid)
		if start < 0 || start+len(p) > len(b) || !equalFolded(b[start:start+len(p)], p) {
			continue
		}
		hits = append(hits, Hit{End: start + len(p), ID: e.pid})
	}
	return hits
}

// equalFolded reports whether raw folds to folded (same length).
func equalFolded(raw, folded []byte) bool {
	for len(raw) >= 4 {
		if fold32(binary.LittleEndian.Uint32(raw)) != binary.LittleEndian.Uint32(folded) {
			return false
		}
		raw, folded = raw[4:], folded[4:]
	}
	for i, c := range raw {
		if foldTable[c] != folded[i] {
			return false
		}
	}
	return true
}

// sortHits orders hits as an Aho–Corasick walk reports them: by end, longest
// first, then by id.
func (p *patterns) sortHits(h []Hit) {
	cmp := func(x, y Hit) int {
		if x.End != y.End {
			return x.End - y.End
		}
		if d := p.size(y.ID) - p.size(x.ID); d != 0 {
			return d
		}
		return int(x.ID - y.ID)
	}
	if !slices.IsSortedFunc(h, cmp) {
		slices.SortFunc(h, cmp)
	}
}
