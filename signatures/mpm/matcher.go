package mpm

import (
	"errors"
	"fmt"
)

// ErrLimit is wrapped by Compile errors caused by a limit in Options.
var ErrLimit = errors.New("mpm: limit exceeded")

// Filter says when a Matcher uses its prefilter instead of the automaton walk.
type Filter uint8

const (
	// FilterAuto uses the prefilter on Scans of at least max(256, 4×MaxLen)
	// bytes, where it is faster than the walk.
	FilterAuto Filter = iota
	// FilterAlways uses the prefilter on every Scan, however small (tests
	// use it to exercise buffer boundaries).
	FilterAlways
	// FilterNever builds no prefilter: every Scan walks the automaton.
	FilterNever
)

// Options controls Compile. The zero value is usable.
type Options struct {
	// MaxStates bounds the automaton's states (about one per distinct pattern
	// byte); Compile fails with ErrLimit beyond it. Default 32 Mi.
	MaxStates int
	// DenseBytes is the memory given to full transition rows for the
	// shallowest states; deeper states follow failure links. More is faster
	// on small Scans and on data that walks deep into the automaton.
	// Default 4 MiB.
	DenseBytes int
	// Filter says when the prefilter is used (default FilterAuto).
	Filter Filter
	// Stride forces the prefilter's stride (1–16); 0 chooses it by cost.
	Stride int
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
	ac   *automaton
	pf   *prefilter // nil: every Scan walks the automaton
	pats patterns
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

// State is the position of one stream in a Matcher: the automaton state
// after the bytes scanned so far. The zero value is the start of a stream.
type State struct {
	s uint32
}

// Reset makes st the start of a new stream (after a gap: no occurrence spans
// it).
func (st *State) Reset() { st.s = 0 }

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
	ac, err := buildAutomaton(folded, opts.MaxStates, opts.DenseBytes)
	if err != nil {
		return nil, err
	}
	m.ac = ac
	if m.pf, err = buildPrefilter(folded, &m.pats, opts, ac.maxDepth()); err != nil {
		return nil, err
	}
	return m, nil
}

// Len returns the number of patterns.
func (m *Matcher) Len() int { return len(m.pats.off) - 1 }

// Pattern returns pattern id as matched: ASCII-lowercased. The bytes are
// shared and must not be modified.
func (m *Matcher) Pattern(id int32) []byte { return m.pats.get(id) }

// MaxLen returns the length of the longest pattern (0 without patterns).
func (m *Matcher) MaxLen() int { return m.ac.maxDepth() }

// NumStates returns the number of automaton states.
func (m *Matcher) NumStates() int { return m.ac.numStates() }

// MemoryBytes estimates the heap held by the Matcher's tables.
func (m *Matcher) MemoryBytes() int64 {
	n := m.ac.memoryBytes() + int64(len(m.pats.blob)) + int64(len(m.pats.off))*4
	if m.pf != nil {
		n += m.pf.memoryBytes()
	}
	return n
}

// Scan continues the stream st with b and appends to hits every occurrence
// that ends inside b (including those that began in earlier Scans), ordered
// by end and, at the same end, longest first, then by id (the order an Aho–Corasick walk
// reports them). It returns the extended slice; st moves past b.
func (m *Matcher) Scan(st *State, b []byte, hits []Hit) []Hit {
	if pf := m.pf; pf != nil && len(b) >= pf.minWrite {
		return m.scanFiltered(st, b, hits, pf)
	}
	return m.walk(st, b, hits)
}

// walk runs the automaton over every byte of b.
func (m *Matcher) walk(st *State, b []byte, hits []Hit) []Hit {
	a := m.ac
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
			hits = a.appendHits(hits, t, i+1)
		}
		s = t
	}
	st.s = s
	return hits
}

// appendHits appends the patterns reported in state s as hits ending at end.
func (a *automaton) appendHits(hits []Hit, s uint32, end int) []Hit {
	for {
		for _, id := range a.outList[a.outStart[s]:a.outStart[s+1]] {
			hits = append(hits, Hit{End: end, ID: id})
		}
		d := a.dictLink[s]
		if d < 0 {
			return hits
		}
		s = uint32(d)
	}
}

// scanFiltered scans a large b with the prefilter. The automaton walks only
// the head of b while a partial match that began earlier is alive (reporting
// just the occurrences that began before b), and the last maxDepth-1 bytes to
// leave the state for the next Scan; the prefilter reports the occurrences
// inside b. All of them are then sorted into the automaton's order.
func (m *Matcher) scanFiltered(st *State, b []byte, hits []Hit, pf *prefilter) []Hit {
	a := m.ac
	first := len(hits)
	s := st.s
	j := 0
	for ; j < len(b) && a.deeperThan(s, j); j++ {
		t := a.step(s, b[j])
		if t&outFlag != 0 {
			t &^= outFlag
			n := len(hits)
			hits = a.appendHits(hits, t, j+1)
			// Keep only the occurrences that began before b.
			k := n
			for _, h := range hits[n:] {
				if m.pats.size(h.ID) > j+1 {
					hits[k] = h
					k++
				}
			}
			hits = hits[:k]
		}
		s = t
	}
	hits = pf.scanShort(b, hits)
	hits = pf.scan(b, hits)
	pf.sortHits(hits[first:])
	// The state after b depends only on its last maxDepth-1 bytes.
	if from := len(b) - (a.maxDepth() - 1); from > j {
		j, s = from, 0
	}
	for ; j < len(b); j++ {
		s = a.step(s, b[j]) &^ outFlag
	}
	st.s = s
	return hits
}
