package signatures

import (
	"sync"
	"sync/atomic"
)

// lazyRules compiles the rules of a Set read from the compiled-set cache when
// they are first needed: a Set of 100k rules loads without parsing them, and
// a scan parses only the rules whose patterns it met. The rules that must be
// ready at load (flowbits, transforms, hash lists, frames) are compiled then.
type lazyRules struct {
	mu    sync.Mutex
	ready []atomic.Bool // crules[i] is compiled
	// parse parses rule i's text again into its Rule (whose exported fields
	// are already set).
	parse func(i int32) error
	// failed counts rules whose text no longer parses (a damaged cache that
	// passed its checksum); they never match.
	failed atomic.Int64
}

// crule returns the compiled rule i, compiling it first when the Set came
// from the cache.
func (s *Set) crule(i int32) *crule {
	l := s.lazy
	if l == nil || l.ready[i].Load() {
		return &s.crules[i]
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ready[i].Load() {
		s.compileLazy(i)
		l.ready[i].Store(true)
	}
	return &s.crules[i]
}

// compileLazy parses and compiles rule i in place. The caller holds l.mu.
// Only rules reached through a pattern candidate or a hash lookup are lazy,
// so a rule whose text no longer parses (which needs a damaged cache entry
// that passed its checksum) becomes a tombstone its candidates can't complete.
func (s *Set) compileLazy(i int32) {
	cr := &s.crules[i]
	err := s.lazy.parse(i)
	var c crule
	if err == nil {
		c, err = compileRule(cr.r)
	}
	if err != nil {
		s.lazy.failed.Add(1)
		cr.chains, cr.simple = s.tombstone(i), false
		return
	}
	cr.chains, cr.simple, cr.needEnd, cr.bufs, cr.magic, cr.pkt = c.chains, c.simple, c.needEnd, c.bufs, c.magic, c.pkt
	cr.ldb, cr.waits, cr.xbits = c.ldb, c.waits, c.xbits
}

// tombstone returns chains shaped like the pattern references of rule i whose
// elements accept no occurrence.
func (s *Set) tombstone(i int32) []chain {
	var chains []chain
	never := elem{sLo: 1 << 62, sHi: 0, eHi: 0, dist: 1 << 62, shift: 0, within: 0}
	for _, rf := range s.refs {
		if rf.rule != i {
			continue
		}
		for len(chains) <= int(rf.chain) {
			chains = append(chains, chain{})
		}
		c := &chains[rf.chain]
		for len(c.elems) <= int(rf.elem) {
			c.elems = append(c.elems, never)
		}
	}
	if len(chains) == 0 {
		chains = []chain{{elems: []elem{never}}}
	}
	return chains
}
