package engine

import (
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wirescan/wirescan/engine/allowlist"
	"github.com/wirescan/wirescan/engine/detect"
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/engine/flow"
	"github.com/wirescan/wirescan/engine/memcap"
	"github.com/wirescan/wirescan/engine/output/evidence"
	"github.com/wirescan/wirescan/engine/output/filestore"
	"github.com/wirescan/wirescan/engine/policy"
	"github.com/wirescan/wirescan/engine/threshold"
	"github.com/wirescan/wirescan/engine/xbits"

	"github.com/wirescan/wirescan/engine/decode"
	"github.com/wirescan/wirescan/engine/stats"
	"github.com/wirescan/wirescan/signatures"
)

// Engine runs captures through the pipeline. Create one with New; it may run
// one source at a time.
type Engine struct {
	cfg Config
	// rules is the rule set new connections start with.
	rules atomic.Pointer[detect.Rules]
	out   *output
	mem   *memcap.Budget
	// flowMem is the flow memcap all workers' tables share.
	flowMem *flow.Memory
	store   *filestore.Store
	// evidence writes pcaps of alerting flows; nil when disabled.
	evidence *evidence.Store
	// profiling makes workers record per-rule costs (EnableProfile).
	profiling bool
	// policy suppresses and aggregates alerts; nil: every alert is logged.
	policy atomic.Pointer[policy.Policy]
	// threshold applies threshold.config and the rules' threshold keywords
	// (never nil once New returns); allow is the known-good hash list (nil:
	// none). See silence.go.
	threshold atomic.Pointer[threshold.Filter]
	allow     atomic.Pointer[allowlist.List]
	// needDigests are the files.Digests every new file gets whatever the
	// configuration says (digests.go).
	needDigests atomic.Uint32
	digestMu    sync.Mutex
	digestWhy   []digestReason
	// xbits is the table of bits shared by the connections of a host or
	// address pair, for every worker; it outlives rule reloads.
	xbits *xbits.Table
	// parserMem bounds the buffers application parsers grow with traffic,
	// across all connections.
	parserMem *memcap.Budget
	seed      maphash.Seed
	// pickWorker, when set (tests), chooses the worker of a connection in
	// parallel replay instead of the flow hash.
	pickWorker func(flow.Key) int

	alertMu          sync.Mutex
	alertsBy         map[int]uint64
	allowlistedBySID map[int]uint64
	workersMu        sync.Mutex
	workers          []*worker
	decStats         decode.Stats

	readPackets, readBytes atomic.Uint64
	damaged                atomic.Uint64
	started                time.Time
	lastTS                 atomic.Int64 // last packet time, Unix ns

	decMu        sync.Mutex
	decPublished decode.Stats
	decLast      time.Time

	rulesMu       sync.Mutex
	rulesInfo     stats.Ruleset
	reloadsOK     uint64
	reloadsFailed uint64
}

// New returns an engine that writes events to w, with rules (nil: no
// detection, only file extraction).
func New(cfg Config, rules *signatures.Set, w EventWriter) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Explain {
		// Explanations look back as far as any file's history reaches.
		cfg.Files.InOrderHistoryBytes = cfg.Files.HistoryBytes
	}
	e := &Engine{
		cfg:              cfg,
		out:              newOutput(w, cfg.EventTypes),
		mem:              memcap.New(cfg.StreamMemcap),
		flowMem:          flow.NewMemory(&cfg.Flow),
		seed:             maphash.MakeSeed(),
		alertsBy:         map[int]uint64{},
		allowlistedBySID: map[int]uint64{},
		started:          time.Now(),
		store:            filestore.New(cfg.FileStore),
		evidence:         evidence.New(cfg.Evidence),
		parserMem:        memcap.New(cfg.AppLayerMemcap),
	}
	xb, err := xbits.New(xbits.Config{MaxEntries: cfg.Detect.XBitsMax})
	if err != nil {
		return nil, err
	}
	e.xbits = xb
	if e.store.Force() {
		e.needDigest(files.DigestSHA256, "the file store, which names the files it keeps by it (filestore.force)")
	}
	if err := e.storeRules(rules, 0); err != nil {
		return nil, err
	}
	if err := e.SetThreshold(nil); err != nil {
		return nil, err
	}
	return e, nil
}

// Rules returns the rule set new flows start with.
func (e *Engine) Rules() *signatures.Set {
	if r := e.rules.Load(); r != nil {
		return r.Set
	}
	return nil
}

// SetRules swaps the rule set atomically. Flows already running keep the set
// they started with, so no file is scanned half with one set and half with
// another. compile is how long the set took to build, for metrics. When the
// set's frame rules can't be compiled the old set stays and the error says
// why.
func (e *Engine) SetRules(s *signatures.Set, compile time.Duration) error {
	if err := e.storeRules(s, compile); err != nil {
		e.ReloadFailed()
		return err
	}
	e.rulesMu.Lock()
	e.reloadsOK++
	e.rulesMu.Unlock()
	return nil
}

// ReloadFailed counts a reload that kept the old set.
func (e *Engine) ReloadFailed() {
	e.rulesMu.Lock()
	e.reloadsFailed++
	e.rulesMu.Unlock()
}

func (e *Engine) storeRules(s *signatures.Set, compile time.Duration) error {
	rules, err := detect.Compile(s)
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	info := stats.Ruleset{LoadedAt: time.Now(), CompileSeconds: compile.Seconds()}
	if s != nil {
		info.Version = s.Version()
		info.Rules = len(s.Rules())
		if compile == 0 {
			info.CompileSeconds = s.Stats().CompileTime.Seconds()
		}
	}
	e.rulesMu.Lock()
	e.rulesInfo = info
	e.rulesMu.Unlock()
	e.needDigest(rulesDigests(s), "hash rules (filemd5, filesha1, filesha256, .hdb, .hsb)")
	if rules != nil && rules.Filestore && e.store != nil {
		e.needDigest(files.DigestSHA256, "the file store, which names the files it keeps by it (filestore rules)")
	}
	e.rules.Store(rules)
	return nil
}

// publishDecode copies the reader's decode counters for Snapshot.
func (e *Engine) publishDecode(force bool) {
	now := time.Now()
	if !force && now.Sub(e.decLast) < publishInterval {
		return
	}
	e.decLast = now
	e.decMu.Lock()
	e.decPublished = e.decStats
	e.decMu.Unlock()
}

func (e *Engine) countAlert(sid int) {
	e.alertMu.Lock()
	e.alertsBy[sid]++
	e.alertMu.Unlock()
}

// Progress returns the packets and bytes read so far (safe to call from any
// goroutine while Run is running).
func (e *Engine) Progress() (packets, bytes uint64) {
	return e.readPackets.Load(), e.readBytes.Load()
}

// SetPolicy installs the alert policy (suppressions, aggregation); nil
// removes it. It may be called while the engine runs (reload): incidents
// open under the old policy are closed and summarised first.
func (e *Engine) SetPolicy(p *policy.Policy) {
	old := e.policy.Load()
	if old != nil && p != nil {
		e.flushIncidents(old, time.Time{})
		p.Carry(old)
	}
	e.needDigest(policyDigests(p), "the alert policy's entries naming file hashes")
	e.policy.Store(p)
}

// Policy returns the alert policy in force, or nil.
func (e *Engine) Policy() *policy.Policy { return e.policy.Load() }
