package signatures

import (
	"sort"
	"time"
)

// Profile collects per-rule matching cost while scanning: how many automaton
// candidates reached each rule, how many verification steps they caused, how
// many matches the rule produced and how long that took. It is attached through
// Context.Profile; a nil Profile (production) costs one nil check per candidate.
// A Profile is safe for use by one goroutine; give each worker its own and Merge
// them afterwards.
type Profile struct {
	costs map[*Rule]*RuleCost
}

// NewProfile returns an empty Profile.
func NewProfile() *Profile { return &Profile{costs: map[*Rule]*RuleCost{}} }

// RuleCost is the matching cost attributed to one rule.
type RuleCost struct {
	// Rule is the rule (shared, read-only).
	Rule *Rule
	// Candidates counts automaton occurrences handed to the rule (Scanner) or
	// evaluations of the rule (MatchTransaction, MatchEvent).
	Candidates uint64
	// Verifications counts the checks those candidates caused: case-sensitive
	// and chain verification, pcre runs, protocol-buffer evaluation.
	Verifications uint64
	// Matches counts the rule's matches.
	Matches uint64
	// Nanos is the wall time spent on the rule's candidates.
	Nanos int64
}

// cost returns the record of r, creating it.
func (p *Profile) cost(r *Rule) *RuleCost {
	if p.costs == nil {
		p.costs = map[*Rule]*RuleCost{}
	}
	c := p.costs[r]
	if c == nil {
		c = &RuleCost{Rule: r}
		p.costs[r] = c
	}
	return c
}

// add attributes one candidate's work to r.
func (p *Profile) add(r *Rule, verifications uint64, matched bool, since time.Time) {
	c := p.cost(r)
	c.Candidates++
	c.Verifications += verifications
	if matched {
		c.Matches++
	}
	c.Nanos += int64(time.Since(since))
}

// Costs returns a copy of the per-rule costs, sorted by Nanos descending (ties:
// by Candidates descending, then by SID).
func (p *Profile) Costs() []RuleCost {
	if p == nil {
		return nil
	}
	out := make([]RuleCost, 0, len(p.costs))
	for _, c := range p.costs {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Nanos != b.Nanos {
			return a.Nanos > b.Nanos
		}
		if a.Candidates != b.Candidates {
			return a.Candidates > b.Candidates
		}
		return a.Rule.SID < b.Rule.SID
	})
	return out
}

// Merge adds o's costs to p. o is not modified; p and o may not be the same
// Profile in use by two goroutines.
func (p *Profile) Merge(o *Profile) {
	if o == nil || p == o {
		return
	}
	for r, oc := range o.costs {
		c := p.cost(r)
		c.Candidates += oc.Candidates
		c.Verifications += oc.Verifications
		c.Matches += oc.Matches
		c.Nanos += oc.Nanos
	}
}
