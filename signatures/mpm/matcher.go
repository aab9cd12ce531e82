package mpm

import (
	"errors"
	"fmt"
)

// ErrLimit is wrapped by Compile errors caused by a limit in Options.
var ErrLimit = errors.New("mpm: limit exceeded")

// Filter says how a Matcher finds long patterns.
type Filter uint8

const (
	// FilterAuto finds patterns of at least 4+stride-1 bytes with the
	// hashed-window prefilter and shorter ones with an automaton.
	FilterAuto Filter = iota
	// FilterNever puts every pattern in the automaton (a reference for tests,
	// and the faster choice for a few short patterns).
	FilterNever
)

// Options controls Compile. The zero value is usable.
type Options struct {
	// MaxStates bounds the automaton's states (about one per distinct pattern
	// byte); Compile fails with ErrLimit beyond it. Default 32 Mi.
	MaxStates int
	// DenseBytes is the memory given to full transition rows for the
	// automaton's shallowest states; deeper states follow failure links.
	// More is faster on data that walks deep into the automaton. Default
	// 4 MiB.
	DenseBytes int
	// Filter says which patterns the prefilter finds (default FilterAuto).
	Filter Filter
	// Stride forces the prefilter's stride (1–16); 0 chooses it by cost.
	Stride int

	// oneBitMax overrides pfOneBitMax (tests: 1 forces two probe bits).
	oneBitMax int
}

// Defaults for Options.
const (
	DefaultMaxStates  = 32 << 20
	DefaultDenseBytes = 4 << 20
)

func (o Options) withDefaults() Options {
	if o.MaxStates <= 0 {
		o.MaxStates = DefaultMaxStates
	}
	if o.DenseBytes <= 0 {
		o.DenseBytes = DefaultDenseBytes
	}
	return o
}

// Matcher finds every occurrence of a fixed set of patterns in a stream,
// comparing ASCII letters case-insensitively. It is immutable and safe for
// concurrent use; the per-stream state is a State.
type Matcher struct {
	pats patterns
	// pf finds the long patterns (nil: none); longMax is the longest.
	pf      *prefilter
	longMax int
	// short is the automaton of the other patterns (nil: none); its pattern
	// i is shortIDs[i].
	short    *automaton
	shortIDs []int32
}

// patterns holds the folded patterns in one block: pattern id's bytes are
// blob[off[id]:off[id+1]].
type patterns struct {
	blob []byte
	off  []uint32
}

// get returns pattern id (shared, read-only).
func (p *patterns) get(id int32) []byte { return p.blob[p.off[id]:p.off[id+1]] }

// size returns the length of pattern id.
func (p *patterns) size(id int32) int { return int(p.off[id+1] - p.off[id]) }

// Hit is one occurrence: pattern ID ends at End (exclusive), counted from the
// start of the buffer given to Scan; the occurrence may have begun in an
// earlier Scan of the same State.
type Hit struct {
	End int
	ID  int32
}

// State is the position of one stream in a Matcher: the automaton state and
// the last bytes scanned (up to the longest long pattern minus one), for
// occurrences that straddle two Scans. The zero value is the start of a
// stream.
type State struct {
	s    uint32
	n    int32 // bytes held in the tail (int32: a State is 80 bytes, one per scanned file or stream direction)
	tail [tailBytes]byte
	more *[]byte // the tail when the longest pattern exceeds tailBytes+1 bytes (a pointer: most States never need it)
}

// tailBytes is the tail a State holds without allocating: patterns of up to
// 64 bytes (signatures splits longer ones) cost no allocation per stream.
const tailBytes = 63

// Reset makes st the start of a new stream (after a gap: no occurrence spans
// it).
func (st *State) Reset() { st.s, st.n = 0, 0 }

// buf returns the tail storage for k bytes.
func (st *State) buf(k int) []byte {
	if k <= tailBytes {
		return st.tail[:k]
	}
	if st.more == nil || len(*st.more) < k {
		b := make([]byte, k)
		st.more = &b
	}
	return (*st.more)[:k]
}

// keep remembers the last k bytes of the stream after b.
func (st *State) keep(b []byte, k int) {
	t := st.buf(k)
	if len(b) >= k {
		copy(t, b[len(b)-k:])
		st.n = int32(k)
		return
	}
	n := int(st.n)
	drop := max(n+len(b)-k, 0)
	copy(t, t[drop:n])
	copy(t[n-drop:], b)
	st.n = int32(n + len(b) - drop)
}

// Compile builds a Matcher for pats (pattern id = index). Patterns must be
// non-empty; duplicates (after folding) each get their own id and are both
// reported.
func Compile(pats [][]byte, opts Options) (*Matcher, error) {
	opts = opts.withDefaults()
	m := &Matcher{}
	folded := make([][]byte, len(pats))
	m.pats.off = make([]uint32, len(pats)+1)
	total := 0
	for _, p := range pats {
		total += len(p)
	}
	if uint64(total) > 1<<32-1 {
		return nil, fmt.Errorf("mpm: %d pattern bytes: %w", total, ErrLimit)
	}
	m.pats.blob = make([]byte, 0, total)
	for i, p := range pats {
		if len(p) == 0 {
			return nil, fmt.Errorf("mpm: pattern %d is empty", i)
		}
		start := len(m.pats.blob)
		for _, c := range p {
			m.pats.blob = append(m.pats.blob, foldTable[c])
		}
		folded[i] = m.pats.blob[start:]
		m.pats.off[i+1] = uint32(len(m.pats.blob))
	}
	stride := chooseStride(folded)
	if opts.Stride > 0 {
		stride = min(opts.Stride, pfMaxStride)
	}
	minLong := pfWindow + stride - 1
	var shortPats [][]byte
	var longIDs []int32
	for id, p := range folded {
		if opts.Filter == FilterNever || len(p) < minLong {
			shortPats = append(shortPats, p)
			m.shortIDs = append(m.shortIDs, int32(id))
			continue
		}
		longIDs = append(longIDs, int32(id))
		m.longMax = max(m.longMax, len(p))
	}
	if len(longIDs) > 0 {
		oneBitMax := pfOneBitMax
		if opts.oneBitMax > 0 {
			oneBitMax = opts.oneBitMax
		}
		m.pf = buildPrefilter(folded, longIDs, &m.pats, stride, oneBitMax)
	}
	if len(shortPats) > 0 {
		a, err := buildAutomaton(shortPats, opts.MaxStates, opts.DenseBytes)
		if err != nil {
			return nil, err
		}
		m.short = a
	}
	return m, nil
}

// Len returns the number of patterns.
func (m *Matcher) Len() int { return len(m.pats.off) - 1 }

// Pattern returns pattern id as matched: ASCII-lowercased. The bytes are
// shared and must not be modified.
func (m *Matcher) Pattern(id int32) []byte { return m.pats.get(id) }

// MaxLen returns the length of the longest pattern (0 without patterns).
func (m *Matcher) MaxLen() int {
	n := m.longMax
	if m.short != nil {
		n = max(n, m.short.maxDepth())
	}
	return n
}

// NumStates returns the number of automaton states (short patterns only,
// unless FilterNever).
func (m *Matcher) NumStates() int {
	if m.short == nil {
		return 0
	}
	return m.short.numStates()
}

// MemoryBytes estimates the heap held by the Matcher's tables.
func (m *Matcher) MemoryBytes() int64 {
	n := int64(len(m.pats.blob)) + int64(len(m.pats.off))*4 + int64(len(m.shortIDs))*4
	if m.short != nil {
		n += m.short.memoryBytes()
	}
	if m.pf != nil {
		n += m.pf.memoryBytes()
	}
	return n
}

// Scan continues the stream st with b and appends to hits every occurrence
// that ends inside b (including those that began in earlier Scans), ordered
// by end and, at the same end, longest first, then by id (the order an
// Aho–Corasick walk reports them). It returns the extended slice; st moves
// past b.
func (m *Matcher) Scan(st *State, b []byte, hits []Hit) []Hit {
	first := len(hits)
	if m.short != nil {
		hits = m.walk(st, b, hits)
	}
	if m.pf != nil {
		hits = m.scanBoundary(st, b, hits)
		hits = m.pf.scan(b, hits)
		st.keep(b, m.longMax-1)
	}
	m.pats.sortHits(hits[first:])
	return hits
}

// walk runs the short-pattern automaton over b from st.
func (m *Matcher) walk(st *State, b []byte, hits []Hit) []Hit {
	a := m.short
	dense, nc, nd := a.dense, a.nc, a.nDense
	cls := &a.classes
	s := st.s
	for i := 0; i < len(b); i++ {
		c := uint32(cls[b[i]])
		var t uint32
		if s < nd {
			t = dense[s*nc+c]
		} else {
			t = a.slowStep(s, c)
		}
		if t&outFlag != 0 {
			t &^= outFlag
			hits = m.appendShort(hits, t, i+1)
		}
		s = t
	}
	st.s = s
	return hits
}

// appendShort appends the patterns the short automaton reports in state s as
// hits ending at end.
func (m *Matcher) appendShort(hits []Hit, s uint32, end int) []Hit {
	a := m.short
	for {
		for _, id := range a.outList[a.outStart[s]:a.outStart[s+1]] {
			hits = append(hits, Hit{End: end, ID: m.shortIDs[id]})
		}
		d := a.dictLink[s]
		if d < 0 {
			return hits
		}
		s = uint32(d)
	}
}

// scanBoundary appends the long-pattern occurrences that began in earlier
// Scans (in st's tail) and end in b: it scans the tail joined to the first
// longMax-1 bytes of b.
func (m *Matcher) scanBoundary(st *State, b []byte, hits []Hit) []Hit {
	n := int(st.n)
	if n == 0 {
		return hits
	}
	k := min(len(b), m.longMax-1)
	var local [2 * tailBytes]byte
	var join []byte
	if n+k <= len(local) {
		join = local[:n+k]
	} else {
		join = make([]byte, n+k)
	}
	copy(join, st.buf(m.longMax - 1)[:n])
	copy(join[n:], b[:k])
	from := len(hits)
	hits = m.pf.scan(join, hits)
	keep := from
	for _, h := range hits[from:] {
		if h.End > n && h.End-m.pats.size(h.ID) < n {
			hits[keep] = Hit{End: h.End - n, ID: h.ID}
			keep++
		}
	}
	return hits[:keep]
}
