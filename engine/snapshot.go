package engine

import (
	"github.com/wirescan/wirescan/engine/policy"
	"maps"
	"sync"
	"time"

	"github.com/wirescan/wirescan/engine/decode"
)

// Snapshot is a consistent copy of the engine's counters for metrics and
// stats events. Workers publish their counters at most a few times a second,
// so a snapshot lags the traffic by up to publishInterval.
type Snapshot struct {
	Uptime          time.Duration
	Packets, Bytes  uint64 // read from the sources
	KernelPackets   uint64 // live capture: packets the kernel saw
	KernelDrops     uint64 // live capture: packets the kernel dropped
	Decode          decode.Stats
	Workers         []WorkerStats
	StreamMemory    int64 // bytes held by reassembly now
	AppLayerMemory  int64 // bytes application parsers hold under app-layer-memcap
	AppLayerDenied  uint64
	Ruleset         RulesetInfo
	AlertsBySID     map[int]uint64
	EventsByType    map[string]uint64
	ReloadsOK       uint64
	ReloadsFailed   uint64
	CaptureDamaged  uint64
	Policy          *policy.Stats // nil without a policy
	FilesStored     uint64
	FileStoreBytes  uint64
	FileStoreErrors uint64
	// Evidence pcaps (all zero when disabled).
	EvidenceFiles, EvidenceBytes, EvidenceErrors uint64
	EvidenceMemory                               int64 // bytes rings hold under evidence.memcap
	EvidenceDenied                               uint64
	EvidenceSkipped                              uint64 // frames of another link type than their file's
}

// RulesetInfo describes the rule set new flows start with.
type RulesetInfo struct {
	Version        string
	Rules          int
	LoadedAt       time.Time
	CompileSeconds float64
}

// publishInterval is how often a worker copies its counters for readers.
const publishInterval = 500 * time.Millisecond

// publisher holds the last published copy of a worker's counters.
type publisher struct {
	mu   sync.Mutex
	last time.Time
	copy WorkerStats
}

// maybePublish copies w's counters when publishInterval has passed (or
// always when force), so that readers never touch the live counters.
func (w *worker) maybePublish(force bool) {
	now := time.Now()
	if !force && now.Sub(w.pub.last) < publishInterval {
		return
	}
	w.pub.mu.Lock()
	w.pub.last = now
	w.pub.copy = w.stats
	w.pub.copy.FilesByProto = maps.Clone(w.stats.FilesByProto)
	w.pub.copy.ProtoFlows = maps.Clone(w.stats.ProtoFlows)
	w.pub.copy.ProtoTx = maps.Clone(w.stats.ProtoTx)
	w.pub.mu.Unlock()
}

func (w *worker) published() WorkerStats {
	w.pub.mu.Lock()
	defer w.pub.mu.Unlock()
	c := w.pub.copy
	c.FilesByProto = maps.Clone(c.FilesByProto)
	c.ProtoFlows = maps.Clone(c.ProtoFlows)
	c.ProtoTx = maps.Clone(c.ProtoTx)
	return c
}

// Snapshot returns the engine's counters as last published by the workers.
func (e *Engine) Snapshot() Snapshot {
	s := Snapshot{
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
		addCounters(&s.Decode, &s.Workers[i].Decode)
	}
	s.CaptureDamaged = e.damaged.Load()
	s.StreamMemory = e.mem.InUse()
	if p := e.policy.Load(); p != nil {
		ps := p.Stats()
		s.Policy = &ps
	}
	s.AppLayerMemory, s.AppLayerDenied = e.parserMem.InUse(), e.parserMem.Denied()
	if e.store != nil {
		s.FilesStored, s.FileStoreBytes, s.FileStoreErrors = e.store.stored.Load(), e.store.bytes.Load(), e.store.errs.Load()
	}
	if ev := e.evidence; ev != nil {
		s.EvidenceFiles, s.EvidenceBytes, s.EvidenceErrors = ev.files.Load(), ev.bytes.Load(), ev.errs.Load()
		s.EvidenceMemory, s.EvidenceDenied, s.EvidenceSkipped = ev.mem.InUse(), ev.denied.Load(), ev.skipped.Load()
	}
	e.rulesMu.Lock()
	s.Ruleset = e.rulesInfo
	s.ReloadsOK, s.ReloadsFailed = e.reloadsOK, e.reloadsFailed
	e.rulesMu.Unlock()
	e.alertMu.Lock()
	s.AlertsBySID = maps.Clone(e.alertsBy)
	e.alertMu.Unlock()
	s.EventsByType = e.out.countsCopy()
	return s
}

// Totals adds up the workers' counters (maps merged key by key).
func (s Snapshot) Totals() WorkerStats {
	t := WorkerStats{FilesByProto: map[string]uint64{}, ProtoFlows: map[string]uint64{}, ProtoTx: map[string]uint64{}}
	for i := range s.Workers {
		w := &s.Workers[i]
		addCounters(&t, w)
		for _, m := range [][2]map[string]uint64{{t.FilesByProto, w.FilesByProto}, {t.ProtoFlows, w.ProtoFlows}, {t.ProtoTx, w.ProtoTx}} {
			for k, n := range m[1] {
				m[0][k] += n
			}
		}
	}
	return t
}
