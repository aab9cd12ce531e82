package engine

import (
	"maps"
	"sync"
	"time"

	sinks "github.com/wirescan/wirescan/engine/output"
	"github.com/wirescan/wirescan/engine/stats"
)

// publishInterval is how often a worker copies its counters for readers.
const publishInterval = 500 * time.Millisecond

// publisher holds the last published copy of a worker's counters.
type publisher struct {
	mu   sync.Mutex
	last time.Time
	copy stats.Worker
}

// maybePublish copies w's counters when publishInterval has passed (or
// always when force), so that readers never touch the live counters.
func (w *worker) maybePublish(force bool) {
	now := time.Now()
	if !force && now.Sub(w.pub.last) < publishInterval {
		return
	}
	c := w.stats.Clone()
	w.pub.mu.Lock()
	w.pub.last = now
	w.pub.copy = c
	w.pub.mu.Unlock()
}

func (w *worker) published() stats.Worker {
	w.pub.mu.Lock()
	defer w.pub.mu.Unlock()
	return w.pub.copy.Clone()
}

// Snapshot returns the engine's counters as last published by the workers.
func (e *Engine) Snapshot() stats.Snapshot {
	s := stats.Snapshot{
		Uptime:  time.Since(e.started),
		Packets: e.readPackets.Load(),
		Bytes:   e.readBytes.Load(),
	}
	e.workersMu.Lock()
	workers := e.workers
	e.workersMu.Unlock()
	for _, w := range workers {
		ws := w.published()
		s.Workers = append(s.Workers, ws)
		s.KernelPackets += ws.KernelPackets
		s.KernelDrops += ws.KernelDrops
	}
	e.decMu.Lock()
	s.Decode = e.decPublished
	e.decMu.Unlock()
	for i := range s.Workers {
		stats.Add(&s.Decode, &s.Workers[i].Decode)
	}
	s.CaptureDamaged = e.damaged.Load()
	s.StreamMemory = e.mem.InUse()
	if p := e.policy.Load(); p != nil {
		ps := p.Stats()
		s.Policy = &ps
	}
	e.silencedSnapshot(&s)
	s.AppLayerMemory, s.AppLayerDenied = e.parserMem.InUse(), e.parserMem.Denied()
	s.FileStoreOn = e.store != nil
	s.FileStore = e.store.Stats()
	s.Evidence = e.evidence.Stats()
	s.XBits = e.xbits.Stats()
	e.rulesMu.Lock()
	s.Ruleset = e.rulesInfo
	s.ReloadsOK, s.ReloadsFailed = e.reloadsOK, e.reloadsFailed
	e.rulesMu.Unlock()
	e.alertMu.Lock()
	s.AlertsBySID = maps.Clone(e.alertsBy)
	e.alertMu.Unlock()
	s.EventsByType = e.out.countsCopy()
	if o, ok := e.out.w.(interface{ Stats() []sinks.Stats }); ok {
		s.Outputs = o.Stats()
	}
	return s
}
