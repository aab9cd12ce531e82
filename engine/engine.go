package engine

import (
	"context"
	"errors"
	"fmt"
	"github.com/wirescan/wirescan/engine/memcap"
	"github.com/wirescan/wirescan/engine/policy"
	"hash/maphash"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/decode"
	"github.com/wirescan/wirescan/engine/flow"
	"github.com/wirescan/wirescan/engine/stats"
	"github.com/wirescan/wirescan/reassembly"
	"github.com/wirescan/wirescan/signatures"
)

// Engine runs captures through the pipeline. Create one with New; it may run
// one source at a time.
type Engine struct {
	cfg   Config
	rules atomic.Pointer[signatures.Set]
	// frames holds the frame rules compiled from rules (frames.go).
	frames atomic.Pointer[frameSets]
	out    *output
	mem    *reassembly.Memory
	store  *fileStore
	// evidence writes pcaps of alerting flows; nil when disabled.
	evidence *evidence
	// profiling makes workers record per-rule costs (EnableProfile).
	profiling bool
	// policy suppresses and aggregates alerts; nil: every alert is logged.
	policy atomic.Pointer[policy.Policy]
	// parserMem bounds the buffers application parsers grow with traffic,
	// across all connections.
	parserMem *memcap.Budget
	seed      maphash.Seed

	alertMu   sync.Mutex
	alertsBy  map[int]uint64
	workersMu sync.Mutex
	workers   []*worker
	decStats  decode.Stats

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
	e := &Engine{
		cfg:       cfg,
		out:       newOutput(w, cfg.EventTypes),
		mem:       reassembly.NewMemory(cfg.StreamMemcap),
		seed:      maphash.MakeSeed(),
		alertsBy:  map[int]uint64{},
		started:   time.Now(),
		store:     newFileStore(cfg.FileStore),
		evidence:  newEvidence(cfg.Evidence),
		parserMem: memcap.New(cfg.AppLayerMemcap),
	}
	if err := e.storeRules(rules, 0); err != nil {
		return nil, err
	}
	return e, nil
}

// Rules returns the rule set new flows start with.
func (e *Engine) Rules() *signatures.Set { return e.rules.Load() }

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
	fs, err := signatures.NewFrameSet(s)
	if err != nil {
		return fmt.Errorf("engine: frame rules: %w", err)
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
	e.frames.Store(&frameSets{set: s, frames: fs})
	e.rules.Store(s)
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

// Summary is what a run did, for the end-of-run line and for tests.
type Summary struct {
	Packets, Bytes, TCPPackets uint64
	Flows                      uint64
	Files                      uint64
	FilesTruncated             uint64
	Alerts                     uint64
	Anomalies                  uint64
	FileBytes                  uint64
	KernelDrops                uint64
	Damaged                    uint64
	Elapsed                    time.Duration
	Decode                     decode.Stats
	Workers                    []stats.Worker
}

// Run reads src to its end (or until ctx is done), then finishes every flow.
// Damage in the capture is reported to warn and reading goes on with what
// follows (the next file of a multi-file capture). The returned error is a
// read error that stopped the run or an output error.
func (e *Engine) Run(ctx context.Context, src capture.Source, warn func(error)) (Summary, error) {
	start := time.Now()
	var dec = decode.NewDecoder(&e.cfg.Decode, &e.decStats)
	workers := make([]*worker, e.cfg.Workers)
	for i := range workers {
		workers[i] = newWorker(e, i)
	}
	e.workersMu.Lock()
	e.workers = workers
	e.workersMu.Unlock()

	var runErr error
	if len(workers) == 1 {
		runErr = e.runInline(ctx, src, dec, workers[0], warn)
	} else {
		runErr = e.runParallel(ctx, src, dec, workers, warn)
	}
	sum := e.summarize(workers, start)
	e.publishDecode(true)
	e.flushIncidents(e.policy.Load(), time.Time{})
	e.EmitStats(time.Time{})
	if err := e.out.flush(); err != nil && runErr == nil {
		runErr = fmt.Errorf("engine: writing events: %w", err)
	}
	return sum, runErr
}

// next reads the next packet, reporting damage and going on past it.
func (e *Engine) next(src capture.Source, warn func(error)) (capture.Packet, error) {
	for {
		pkt, err := src.Next()
		if err == nil {
			e.readPackets.Add(1)
			e.readBytes.Add(uint64(len(pkt.Data)))
			e.lastTS.Store(pkt.Timestamp.UnixNano())
			return pkt, nil
		}
		var de *capture.DamageError
		if errors.As(err, &de) {
			e.damaged.Add(1)
			if warn != nil {
				warn(err)
			}
			continue
		}
		return pkt, err
	}
}

// readDecoded reads src to its end (or until ctx is done), decodes every
// packet and hands the ones the engine processes to fn. Decode counters are
// published along the way. A clean end of the capture is not an error.
func (e *Engine) readDecoded(ctx context.Context, src capture.Source, dec *decode.Decoder, warn func(error), fn func(n int, p *decode.Packet)) error {
	var err error
	for n := 0; ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			break
		}
		var pkt capture.Packet
		pkt, err = e.next(src, warn)
		if err != nil {
			break
		}
		p, ok := dec.Decode(pkt.LinkType, pkt.Data, pkt.Timestamp, pkt.Num, pkt.Length)
		if n&255 == 0 {
			e.publishDecode(false)
		}
		if ok {
			fn(n, p)
		}
	}
	e.publishDecode(true)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return err
}

func (e *Engine) runInline(ctx context.Context, src capture.Source, dec *decode.Decoder, w *worker, warn func(error)) error {
	err := e.readDecoded(ctx, src, dec, warn, func(n int, p *decode.Packet) {
		t0 := time.Now()
		w.handle(p)
		w.stats.BusyNanos += int64(time.Since(t0))
		if n&255 == 0 {
			w.maybePublish(false)
		}
	})
	w.drain("shutdown")
	w.maybePublish(true)
	return err
}

// batch carries decoded packets to a worker. Payloads (and, with evidence
// enabled, raw frames) live in buf.
type batch struct {
	pkts []decode.Packet
	buf  []byte
}

const batchPackets = 256

func (e *Engine) runParallel(ctx context.Context, src capture.Source, dec *decode.Decoder, workers []*worker, warn func(error)) error {
	chans := make([]chan *batch, len(workers))
	free := make(chan *batch, len(workers)*8)
	var wg sync.WaitGroup
	for i, w := range workers {
		chans[i] = make(chan *batch, 8)
		wg.Add(1)
		go func(w *worker, in <-chan *batch) {
			defer wg.Done()
			for b := range in {
				t0 := time.Now()
				for i := range b.pkts {
					w.handle(&b.pkts[i])
				}
				w.stats.BusyNanos += int64(time.Since(t0))
				w.maybePublish(false)
				b.pkts, b.buf = b.pkts[:0], b.buf[:0]
				select {
				case free <- b:
				default:
				}
			}
			w.drain("shutdown")
			w.maybePublish(true)
		}(w, chans[i])
	}
	pending := make([]*batch, len(workers))
	get := func() *batch {
		select {
		case b := <-free:
			return b
		default:
			return &batch{pkts: make([]decode.Packet, 0, batchPackets), buf: make([]byte, 0, 256<<10)}
		}
	}
	err := e.readDecoded(ctx, src, dec, warn, func(_ int, p *decode.Packet) {
		// The dispatch hash leaves the VLAN out, so a connection tagged
		// differently in each direction still reaches one worker (which
		// joins the two directions, see worker.lookup).
		key, _ := flow.NewKey(p.SrcIP, p.DstIP, p.SrcPort, p.DstPort, p.IPProto, 0)
		i := int(key.Hash(e.seed) % uint64(len(workers)))
		b := pending[i]
		if b == nil {
			b = get()
			pending[i] = b
		}
		cp := *p
		if e.evidence != nil {
			b.buf = copyFrame(b.buf, &cp)
		} else {
			off := len(b.buf)
			b.buf = append(b.buf, p.Payload...)
			cp.Payload = b.buf[off:len(b.buf):len(b.buf)]
			cp.Raw = nil
		}
		b.pkts = append(b.pkts, cp)
		if len(b.pkts) == batchPackets || len(b.buf) > 200<<10 {
			chans[i] <- b
			pending[i] = nil
		}
	})
	for i, b := range pending {
		if b != nil {
			chans[i] <- b
		}
		close(chans[i])
	}
	wg.Wait()
	return err
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
	e.policy.Store(p)
}

// Policy returns the alert policy in force, or nil.
func (e *Engine) Policy() *policy.Policy { return e.policy.Load() }
