package engine

import (
	"runtime"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/wirescan/wirescan/signatures"
)

// Rule profiling, for benchmarking rule sets (wirescan bench). The profiles
// live beside the engines that enabled them, keyed weakly by engine, so an
// engine that never profiles pays one atomic load per scanner it creates.
var (
	profilers   sync.Map     // weak.Pointer[Engine] -> *engineProfile
	profilersOn atomic.Int32 // engines with profiling enabled, alive
)

// engineProfile holds one signatures.Profile per worker index: a Profile
// belongs to one goroutine, and a worker is one.
type engineProfile struct {
	mu       sync.Mutex
	byWorker []*signatures.Profile
}

// EnableProfile makes the scanners and transaction evaluations of this
// engine's workers record per-rule matching cost (signatures.Profile). It
// costs time per automaton candidate, so it is for benchmarks, not
// production. Call it before Run.
func (e *Engine) EnableProfile() {
	key := weak.Make(e)
	if _, loaded := profilers.LoadOrStore(key, &engineProfile{}); loaded {
		return
	}
	profilersOn.Add(1)
	runtime.AddCleanup(e, func(k weak.Pointer[Engine]) {
		profilers.Delete(k)
		profilersOn.Add(-1)
	}, key)
}

// Profile returns the per-rule costs recorded since EnableProfile, merged
// over every worker of every run; nil when profiling is not enabled. Call it
// when Run has returned: workers write their profiles while they run.
func (e *Engine) Profile() *signatures.Profile {
	v, ok := profilers.Load(weak.Make(e))
	if !ok {
		return nil
	}
	ep := v.(*engineProfile)
	ep.mu.Lock()
	defer ep.mu.Unlock()
	p := signatures.NewProfile()
	for _, wp := range ep.byWorker {
		p.Merge(wp)
	}
	return p
}

// profile returns the worker's Profile for a signatures.Context, nil unless
// its engine profiles.
func (w *worker) profile() *signatures.Profile {
	if profilersOn.Load() == 0 {
		return nil
	}
	v, ok := profilers.Load(weak.Make(w.e))
	if !ok {
		return nil
	}
	ep := v.(*engineProfile)
	ep.mu.Lock()
	defer ep.mu.Unlock()
	for len(ep.byWorker) <= w.index {
		ep.byWorker = append(ep.byWorker, nil)
	}
	if ep.byWorker[w.index] == nil {
		ep.byWorker[w.index] = signatures.NewProfile()
	}
	return ep.byWorker[w.index]
}
