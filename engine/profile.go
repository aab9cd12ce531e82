package engine

import (
	"github.com/wirescan/wirescan/signatures"
)

// Rule profiling, for benchmarking rule sets (wirescan bench): each worker
// keeps its own signatures.Profile (a Profile belongs to one goroutine), and
// Profile merges them once the run is over. An engine that doesn't profile
// passes nil profiles, which the scanners ignore.

// EnableProfile makes the scanners and transaction evaluations of this
// engine's workers record per-rule matching cost (signatures.Profile). It
// costs time per automaton candidate, so it is for benchmarks, not
// production. Call it before Run.
func (e *Engine) EnableProfile() { e.profiling = true }

// Profile returns the per-rule costs recorded by the last run, merged over
// every worker; nil when profiling is not enabled. Call it when Run has
// returned: workers write their profiles while they run.
func (e *Engine) Profile() *signatures.Profile {
	if !e.profiling {
		return nil
	}
	e.workersMu.Lock()
	defer e.workersMu.Unlock()
	p := signatures.NewProfile()
	for _, w := range e.workers {
		if w.prof != nil {
			p.Merge(w.prof)
		}
	}
	return p
}
