package signatures

import "fmt"

// patternBuilder deduplicates literals while compiling: equal folded literals share
// one automaton pattern, equal spellings (exact or nocase) share one variant.
type patternBuilder struct {
	pid    map[string]int32 // folded literal -> pattern id
	folded [][]byte
	vars   []pvariant
	byPat  [][]int32        // pattern id -> variant indexes
	nocase []int32          // pattern id -> its nocase variant, -1 if none
	exact  map[string]int32 // case-sensitive literal -> variant
}

// pvariant is a variant under construction.
type pvariant struct {
	exact  []byte
	length int
	refs   []ref
}

// newPatternBuilder returns an empty builder.
func newPatternBuilder() *patternBuilder {
	return &patternBuilder{pid: map[string]int32{}, exact: map[string]int32{}}
}

// add registers one alternative of a rule element.
func (pb *patternBuilder) add(lit []byte, nocase bool, rf ref) error {
	if len(lit) == 0 {
		return fmt.Errorf("empty pattern")
	}
	if !nocase && !hasLetter(lit) {
		nocase = true // folding cannot change it: no verification needed
	}
	if !nocase && len(lit) > maxVerify {
		return fmt.Errorf("case-sensitive pattern longer than %d bytes was not split", maxVerify)
	}
	f := foldBytes(lit)
	id, ok := pb.pid[string(f)]
	if !ok {
		id = int32(len(pb.folded))
		pb.pid[string(f)] = id
		pb.folded = append(pb.folded, f)
		pb.byPat = append(pb.byPat, nil)
		pb.nocase = append(pb.nocase, -1)
	}
	v, ok := pb.nocase[id], true
	if !nocase {
		v, ok = pb.exact[string(lit)]
	}
	if !ok || v < 0 {
		v = int32(len(pb.vars))
		pv := pvariant{length: len(lit)}
		if nocase {
			pb.nocase[id] = v
		} else {
			pv.exact = append([]byte(nil), lit...)
			pb.exact[string(lit)] = v
		}
		pb.vars = append(pb.vars, pv)
		pb.byPat[id] = append(pb.byPat[id], v)
	}
	pb.vars[v].refs = append(pb.vars[v].refs, rf)
	return nil
}

// finish writes the flattened tables into s and returns the folded patterns.
func (pb *patternBuilder) finish(s *Set) [][]byte {
	s.pvStart = make([]int32, len(pb.folded)+1)
	for id, vs := range pb.byPat {
		s.pvStart[id] = int32(len(s.variants))
		for _, v := range vs {
			pv := &pb.vars[v]
			start := int32(len(s.refs))
			s.refs = append(s.refs, pv.refs...)
			s.variants = append(s.variants, variant{exact: pv.exact, refStart: start, refEnd: int32(len(s.refs)), length: int32(pv.length)})
			if pv.exact != nil {
				s.needTail = true
			}
		}
	}
	s.pvStart[len(pb.folded)] = int32(len(s.variants))
	return pb.folded
}
