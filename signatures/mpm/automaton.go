package mpm

// automaton is an Aho–Corasick automaton over
// case-folded bytes compressed into equivalence classes. States are numbered in
// breadth-first order; the first nDense states have a full transition row (a DFA row)
// in dense, the rest keep only their trie children and a failure link. Because a
// failure link always points to a shallower state, and the dense states are a BFS
// prefix, the slow path reaches a dense row after at most depth steps.
//
// The automaton is immutable after build and safe for concurrent use.
type automaton struct {
	classes [256]uint8 // raw byte -> class of its folded value
	nc      uint32     // number of classes
	nDense  uint32     // states [0, nDense) have a dense row
	dense   []uint32   // nDense*nc transitions; bit 31 set when the target has outputs

	// Sparse part, indexed by state.
	first  []uint32 // id of the first child (children are contiguous in BFS order)
	nchild []uint16 // number of children
	label  []uint8  // class of the edge into this state
	fail   []uint32 // failure link
	hasOut []uint64 // bitset: state has own outputs or a dictionary link

	outStart []uint32 // own outputs of state s: outList[outStart[s]:outStart[s+1]]
	outList  []int32  // pattern ids
	dictLink []int32  // nearest failure ancestor with own outputs, -1 if none

	// level[d] is the first state of depth d (BFS numbering makes depth monotone
	// in the state id); level[maxDepth+1] == numStates.
	level []uint32
}

// outFlag marks a transition whose target state reports patterns.
const outFlag = 1 << 31

// maxDepth returns the length of the longest pattern.
func (a *automaton) maxDepth() int { return len(a.level) - 2 }

// numStates returns the number of automaton states.
func (a *automaton) numStates() int { return len(a.fail) }

// memoryBytes estimates the heap used by the automaton's tables.
func (a *automaton) memoryBytes() int64 {
	n := int64(len(a.fail))
	return int64(len(a.dense))*4 + n*(4+2+1+4+4+4) + int64(len(a.hasOut))*8 + int64(len(a.outList))*4 + int64(len(a.level))*4
}

// slowStep returns the transition from a sparse state s on class c, following failure
// links until a child or a dense row is found. The result carries outFlag.
func (a *automaton) slowStep(s, c uint32) uint32 {
	for s >= a.nDense {
		// Children are contiguous and sorted by label: binary search.
		lo, hi := a.first[s], a.first[s]+uint32(a.nchild[s])
		for lo < hi {
			m := (lo + hi) >> 1
			if uint32(a.label[m]) < c {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo < a.first[s]+uint32(a.nchild[s]) && uint32(a.label[lo]) == c {
			if a.hasOut[lo>>6]&(1<<(lo&63)) != 0 {
				return lo | outFlag
			}
			return lo
		}
		s = a.fail[s]
	}
	return a.dense[s*a.nc+c]
}
