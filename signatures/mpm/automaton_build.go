package mpm

import "fmt"

// Fold returns c ASCII-lowercased: how the matcher compares bytes.
func Fold(c byte) byte { return foldTable[c] }

// foldTable maps every byte to its ASCII-lowercase form; the automaton runs on
// folded bytes.
var foldTable = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// buildAutomaton compiles folded patterns (pattern id = index) into an automaton.
// maxStates bounds the trie; denseBytes bounds the dense DFA rows.
func buildAutomaton(pats [][]byte, maxStates int, denseBytes int) (*automaton, error) {
	a := &automaton{}
	// Alphabet compression: class 0 holds every byte no pattern uses.
	var used [256]bool
	for _, p := range pats {
		for _, b := range p {
			used[foldTable[b]] = true
		}
	}
	var byteClass [256]uint8
	n := 0
	for b := 0; b < 256; b++ {
		if !used[b] {
			continue
		}
		byteClass[b] = uint8(n)
		n++
	}
	if n < 256 {
		// Shift used classes up by one so unused bytes get class 0.
		for b := 0; b < 256; b++ {
			if used[b] {
				byteClass[b]++
			}
		}
		n++
	}
	a.nc = uint32(n)
	for b := 0; b < 256; b++ {
		a.classes[b] = byteClass[foldTable[b]]
	}

	// Trie with first-child/next-sibling lists; node 0 is the root.
	type tnode struct {
		child, sibling int32
		label          uint8
	}
	nodes := []tnode{{child: -1, sibling: -1}}
	var rootKids [256]int32
	for i := range rootKids {
		rootKids[i] = -1
	}
	own := make(map[int32][]int32)
	for id, p := range pats {
		cur := int32(0)
		for i, b := range p {
			c := a.classes[b]
			next := int32(-1)
			if i == 0 {
				next = rootKids[c]
			} else {
				for k := nodes[cur].child; k >= 0; k = nodes[k].sibling {
					if nodes[k].label == c {
						next = k
						break
					}
				}
			}
			if next < 0 {
				if len(nodes) >= maxStates {
					return nil, fmt.Errorf("mpm: automaton exceeds %d states (Options.MaxStates): %w", maxStates, ErrLimit)
				}
				next = int32(len(nodes))
				nodes = append(nodes, tnode{child: -1, sibling: nodes[cur].child, label: c})
				nodes[cur].child = next
				if i == 0 {
					rootKids[c] = next
				}
			}
			cur = next
		}
		own[cur] = append(own[cur], int32(id))
	}

	// BFS renumbering: children of a state get consecutive ids, sorted by class.
	ns := len(nodes)
	order := make([]int32, 0, ns) // new id -> old id
	newID := make([]uint32, ns)
	order = append(order, 0)
	a.first = make([]uint32, ns)
	a.nchild = make([]uint16, ns)
	a.label = make([]uint8, ns)
	var kids []int32
	a.level = []uint32{0}
	nextLevel := 1 // first id of depth+1, known once depth's states are numbered
	for q := 0; q < len(order); q++ {
		if q == nextLevel {
			a.level = append(a.level, uint32(q))
			nextLevel = len(order)
		}
		old := order[q]
		kids = kids[:0]
		for k := nodes[old].child; k >= 0; k = nodes[k].sibling {
			kids = append(kids, k)
		}
		sortByLabel(kids, func(k int32) uint8 { return nodes[k].label })
		a.first[q] = uint32(len(order))
		a.nchild[q] = uint16(len(kids))
		for _, k := range kids {
			newID[k] = uint32(len(order))
			a.label[len(order)] = nodes[k].label
			order = append(order, k)
		}
	}

	a.level = append(a.level, uint32(ns))

	// Outputs in new numbering.
	a.outStart = make([]uint32, ns+1)
	for s := 0; s < ns; s++ {
		a.outStart[s] = uint32(len(a.outList))
		a.outList = append(a.outList, own[order[s]]...)
	}
	a.outStart[ns] = uint32(len(a.outList))

	// Failure and dictionary links in BFS order.
	a.fail = make([]uint32, ns)
	a.dictLink = make([]int32, ns)
	a.dictLink[0] = -1
	for s := uint32(0); s < uint32(ns); s++ {
		for t := a.first[s]; t < a.first[s]+uint32(a.nchild[s]); t++ {
			c := uint32(a.label[t])
			f := uint32(0)
			if s != 0 {
				f = a.trieGoto(a.fail[s], c)
			}
			a.fail[t] = f
			if a.outStart[f] != a.outStart[f+1] {
				a.dictLink[t] = int32(f)
			} else {
				a.dictLink[t] = a.dictLink[f]
			}
		}
	}
	a.hasOut = make([]uint64, (ns+63)/64)
	for s := 0; s < ns; s++ {
		if a.outStart[s] != a.outStart[s+1] || a.dictLink[s] >= 0 {
			a.hasOut[s>>6] |= 1 << (s & 63)
		}
	}

	// Dense rows for the BFS prefix that fits the budget.
	nd := denseBytes / (4 * n)
	if nd < 1 {
		nd = 1
	}
	if nd > ns {
		nd = ns
	}
	a.nDense = uint32(nd)
	a.dense = make([]uint32, nd*n)
	for s := 0; s < nd; s++ {
		row := a.dense[s*n : (s+1)*n]
		if s != 0 {
			copy(row, a.dense[int(a.fail[s])*n:int(a.fail[s]+1)*n])
		}
		for t := a.first[s]; t < a.first[s]+uint32(a.nchild[s]); t++ {
			v := t
			if a.hasOut[t>>6]&(1<<(t&63)) != 0 {
				v |= outFlag
			}
			row[a.label[t]] = v
		}
	}
	return a, nil
}

// trieGoto is the Aho–Corasick goto over trie children with failure fallback, used
// only while building (dense rows may not exist yet).
func (a *automaton) trieGoto(s, c uint32) uint32 {
	for {
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
			return lo
		}
		if s == 0 {
			return 0
		}
		s = a.fail[s]
	}
}

// sortByLabel sorts a short slice of trie nodes by edge label (insertion sort: the
// fan-out of a node is at most 256).
func sortByLabel(k []int32, label func(int32) uint8) {
	for i := 1; i < len(k); i++ {
		for j := i; j > 0 && label(k[j]) < label(k[j-1]); j-- {
			k[j], k[j-1] = k[j-1], k[j]
		}
	}
}
