package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"sync"
	"time"
	"unsafe"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/decode"
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/engine/flow"
	"github.com/wirescan/wirescan/engine/output/statsevent"
	"github.com/wirescan/wirescan/engine/stats"
)

// The engine runs in three modes that share one packet-reader loop
// (readLoop) and one end of run (finishRun):
//
//   - inline (Run, one worker): the reader goroutine decodes and processes
//     every packet itself; deterministic.
//   - parallel (Run, N workers): the reader decodes and dispatches packets
//     in batches, by a symmetric flow hash, to N worker goroutines.
//   - sharded (RunSharded, live capture): one goroutine per source reads,
//     decodes and processes its own packets; the kernel spreads flows over
//     the sources (AF_PACKET fanout).

// Summary is what a run did, for the end-of-run line and for tests.
type Summary struct {
	Packets, Bytes, TCPPackets uint64
	Flows                      uint64
	Files                      uint64
	FilesTruncated             uint64
	// Alerts counts signature matches that raise an alert; Silenced those
	// of them the allowlist, thresholds or the policy held back.
	Alerts, Silenced uint64
	Anomalies        uint64
	FileBytes        uint64
	KernelDrops      uint64
	Damaged          uint64
	Elapsed          time.Duration
	Decode           decode.Stats
	Workers          []stats.Worker
}

// KernelStatser is implemented by live sources that can report what the
// kernel saw and dropped (cumulative counts).
type KernelStatser interface {
	KernelStats() (packets, drops uint64, err error)
}

// shutdownDrain bounds how long a live reader keeps reading, after its
// context is done, the packets captured before (see readLoop).
const shutdownDrain = time.Second

// loop tells readLoop what to do with what it reads.
type loop struct {
	src  capture.Source
	dec  *decode.Decoder
	warn func(error)
	// packet processes one decoded packet; n counts packets read.
	packet func(n int, p *decode.Packet)
	// raw, when set, may take a packet undecoded (returning true): the
	// parallel reader hands plain TCP frames to the worker that decodes
	// them.
	raw func(pkt capture.Packet) bool
	// tick runs every 256 packets, on idle sources and at the end:
	// counters are published from there.
	tick func(force bool)
	// idle runs when a live source had nothing to read for its poll
	// timeout; nil for captures read from files.
	idle func()
	// drain keeps reading, once ctx is done, what a live source captured
	// before (see readLoop); replay stops at once.
	drain bool
}

// readLoop reads l.src to its end (or until ctx is done), decodes every
// packet and hands the ones the engine processes to l.packet. Damage in the
// capture is reported to l.warn and reading goes on with what follows (the
// next file of a multi-file capture). A clean end is not an error.
//
// With l.drain, once ctx is done the loop still takes what the kernel
// captured before (stopAt): TPACKET_V3 hands a ring block over only when it
// is full or its block timeout passed, so the last packets before a SIGTERM
// are still in the ring. The drain ends at an idle ring, at a packet
// captured after stopAt, or after shutdownDrain.
func (e *Engine) readLoop(ctx context.Context, l loop) error {
	var err error
	var stopAt time.Time
read:
	for n := 0; ; n++ {
		if n&1023 == 0 || l.drain {
			if stopAt.IsZero() && ctx.Err() != nil {
				if !l.drain {
					break read
				}
				stopAt = time.Now()
			}
			if !stopAt.IsZero() && time.Since(stopAt) > shutdownDrain {
				break read
			}
		}
		var pkt capture.Packet
		pkt, err = l.src.Next()
		var de *capture.DamageError
		switch {
		case err == nil:
		case errors.Is(err, capture.ErrTimeout):
			err = nil
			if !stopAt.IsZero() {
				break read // the ring is idle: the drain is over
			}
			if l.idle != nil {
				l.idle()
			}
			l.tick(false)
			continue
		case errors.As(err, &de):
			e.damaged.Add(1)
			if l.warn != nil {
				l.warn(err)
			}
			continue
		default:
			break read
		}
		if !stopAt.IsZero() && pkt.Timestamp.After(stopAt) {
			break read
		}
		e.readPackets.Add(1)
		e.readBytes.Add(uint64(len(pkt.Data)))
		e.lastTS.Store(pkt.Timestamp.UnixNano())
		if l.raw == nil || !l.raw(pkt) {
			if p, ok := l.dec.Decode(pkt.LinkType, pkt.Data, pkt.Timestamp, pkt.Num, pkt.Length); ok {
				l.packet(n, p)
			}
		}
		if n&255 == 0 {
			l.tick(false)
		}
	}
	l.tick(true)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return err
}

// startWorkers creates n workers and makes them visible to Snapshot. Several
// workers share one file joiner (files of one resource or SMB open whose
// connections landed on different workers).
func (e *Engine) startWorkers(n int) []*worker {
	workers := make([]*worker, n)
	var joiner *files.Joiner[*conn, *fileScan]
	if n > 1 {
		joiner = files.NewJoiner[*conn, *fileScan](&e.cfg.Files, n)
	}
	for i := range workers {
		workers[i] = newWorker(e, i, joiner)
	}
	e.workersMu.Lock()
	e.workers = workers
	e.workersMu.Unlock()
	return workers
}

// process hands p to w, accounting the worker's busy time around the packet:
// a live worker may wait in its next read, which is not busy time.
func (w *worker) process(p *decode.Packet) {
	t0 := time.Now()
	w.handle(p)
	w.stats.BusyNanos += int64(time.Since(t0))
}

// stop finishes every flow of w, the only worker, and publishes its final
// counters.
func (w *worker) stop() {
	w.drain("shutdown")
	w.maybePublish(true)
}

// stopGroup ends several workers together. A joined file's parts may be on
// any worker, so each step starts when every worker finished the one
// before: all packets processed, then all flows finished (their files'
// last pieces and closes sent to the owners of joined files), then the
// joined files closed. While a worker waits it keeps applying what the
// others send it.
type stopGroup struct {
	packets, flows         sync.WaitGroup
	packetsDone, flowsDone chan struct{}
}

func newStopGroup(n int) *stopGroup {
	g := &stopGroup{packetsDone: make(chan struct{}), flowsDone: make(chan struct{})}
	g.packets.Add(n)
	g.flows.Add(n)
	go func() { g.packets.Wait(); close(g.packetsDone) }()
	go func() { g.flows.Wait(); close(g.flowsDone) }()
	return g
}

// stopWith finishes w as one of the workers of g (see stopGroup).
func (w *worker) stopWith(g *stopGroup) {
	w.files.Progress(math.MaxInt64)
	g.packets.Done()
	w.awaitPolling(g.packetsDone)
	w.drainFlows("shutdown")
	g.flows.Done()
	w.awaitPolling(g.flowsDone)
	w.drainFiles()
	w.maybePublish(true)
}

// awaitPolling waits for done, applying meanwhile what other workers send
// to w's joined files.
func (w *worker) awaitPolling(done <-chan struct{}) {
	for {
		w.files.Poll()
		select {
		case <-done:
			return
		case <-w.files.Notify():
		}
	}
}

// Run reads src to its end (or until ctx is done), then finishes every flow.
// Damage in the capture is reported to warn and reading goes on with what
// follows (the next file of a multi-file capture). The returned error is a
// read error that stopped the run or an output error.
func (e *Engine) Run(ctx context.Context, src capture.Source, warn func(error)) (Summary, error) {
	start := time.Now()
	workers := e.startWorkers(e.cfg.Workers)
	l := loop{src: src, dec: decode.NewDecoder(&e.cfg.Decode, &e.decStats), warn: warn}
	var err error
	if len(workers) == 1 {
		// The worker reads its own capture: its busy time is counted from
		// the first packet after a tick to the next tick (every 256
		// packets), reading included, not around every packet (two clock
		// reads per packet cost 4 % of a replay).
		w := workers[0]
		var span time.Time
		l.packet = func(_ int, p *decode.Packet) {
			if span.IsZero() {
				span = time.Now()
			}
			w.handle(p)
		}
		l.tick = func(force bool) {
			if !span.IsZero() {
				w.stats.BusyNanos += int64(time.Since(span))
				span = time.Time{}
			}
			e.publishDecode(force)
			w.maybePublish(force)
		}
		err = e.readLoop(ctx, l)
		w.stop()
	} else {
		err = e.runParallel(ctx, l, workers)
	}
	return e.finishRun(workers, start, err)
}

// RunSharded runs one worker per source: each worker reads, decodes and
// processes the packets of its own source. It is the live-capture mode, where
// the kernel spreads connections over the sources (AF_PACKET fanout by flow
// hash), so no packet crosses goroutines. It returns when ctx is done or every
// source has ended; then every flow is finished (open files are logged with
// their true state) and the events are flushed.
func (e *Engine) RunSharded(ctx context.Context, srcs []capture.Source, warn func(error)) (Summary, error) {
	if len(srcs) == 0 {
		return Summary{}, fmt.Errorf("engine: no capture source")
	}
	start := time.Now()
	workers := e.startWorkers(len(srcs))
	errs := make([]error, len(srcs))
	var g *stopGroup
	if len(workers) > 1 {
		g = newStopGroup(len(workers))
	}
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Add(1)
		w.clockByTime = true
		go func() {
			defer wg.Done()
			errs[i] = e.readLoop(ctx, w.shardLoop(srcs[i], warn))
			if ks, ok := srcs[i].(KernelStatser); ok {
				w.readKernelStats(ks)
			}
			if g == nil {
				w.stop()
			} else {
				w.stopWith(g)
			}
		}()
	}
	wg.Wait()
	return e.finishRun(workers, start, errors.Join(errs...))
}

// shardLoop is the loop of a live worker that reads its own source: the
// worker decodes (counting into its own decode counters), lets flows time
// out by the wall clock while the link is idle, and reads the kernel's
// counters at most once a second, also while the link is idle (otherwise
// /metrics would keep the counts and drops of before a burst until the
// next packet arrives).
func (w *worker) shardLoop(src capture.Source, warn func(error)) loop {
	ks, _ := src.(KernelStatser)
	var lastKernel time.Time
	return loop{
		src:    src,
		dec:    decode.NewDecoder(&w.e.cfg.Decode, &w.stats.Decode),
		warn:   warn,
		drain:  true,
		packet: func(_ int, p *decode.Packet) { w.process(p) },
		idle: func() {
			now := time.Now()
			w.withTime(now, func() {
				w.flows.Expire(now, w.expire)
				w.files.Expire(now)
			})
			w.advanceClock(now)
			w.e.expireXBits()
			// Nothing is waiting in the ring: every later packet of this
			// socket is younger than now.
			w.files.Progress(now.UnixNano())
			w.files.Poll()
		},
		tick: func(force bool) {
			if ks != nil && time.Since(lastKernel) > time.Second {
				lastKernel = time.Now()
				w.readKernelStats(ks)
			}
			if !w.now.IsZero() {
				w.files.Progress(w.now.UnixNano())
			}
			w.files.Poll()
			w.maybePublish(force)
		},
	}
}

func (w *worker) readKernelStats(ks KernelStatser) {
	if pk, drops, err := ks.KernelStats(); err == nil {
		w.stats.KernelPackets, w.stats.KernelDrops = pk, drops
	}
}

// batch carries packets to a worker, in capture order: frames the worker
// decodes itself (raw[i]: only Raw, LinkType, Timestamp, Num and Length are
// set) and packets the reader decoded (tunnels, fragments, anything
// QuickTCP leaves to the full decoder). Frames and payloads live in buf.
// upTo is the number of the last packet the reader had read when it sent
// the batch: once the worker has processed the batch, it has processed
// every packet of its own up to there (files.Tracker.Progress).
type batch struct {
	pkts []decode.Packet
	raw  []bool
	buf  []byte
	upTo uint64
	// upToTime is the time of packet upTo: the worker gets no older
	// packet after this batch (its xbits clock, xbits.go).
	upToTime time.Time
}

// A batch holds up to batchPackets packets or batchBytes of frames. Large
// batches keep the reader's hand-offs (and the workers' wake-ups) rare; with
// queueBatches in flight per worker the reader can run ahead of a busy
// worker far enough to keep the others fed when a capture carries its
// connections one after another (1→2 workers on 2 cores: 1.46× with
// 256-packet batches, 1.62× with these; bench/README.md). Memory: at most
// 2×queueBatches batches of about 1 MiB per worker (queued and free).
const (
	batchPackets = 1024
	batchBytes   = 900 << 10
	queueBatches = 8
)

// progressEvery is how many packets the reader reads between sending every
// worker its batch, full or not (or an empty one): a worker whose
// connections are quiet still learns, and publishes, how far the capture
// has got, so joined files waiting for every worker end soon.
const progressEvery = 4096

// runParallel reads with l on this goroutine and dispatches the decoded
// packets, by a symmetric hash of their connection, to one goroutine per
// worker. Channels block (replay must not lose packets), so a slow worker
// slows the reader down.
func (e *Engine) runParallel(ctx context.Context, l loop, workers []*worker) error {
	chans := make([]chan *batch, len(workers))
	free := make(chan *batch, len(workers)*queueBatches)
	g := newStopGroup(len(workers))
	var wg sync.WaitGroup
	for i, w := range workers {
		chans[i] = make(chan *batch, queueBatches)
		wg.Add(1)
		go func(in <-chan *batch) {
			defer wg.Done()
			dec := decode.NewDecoder(&e.cfg.Decode, &w.stats.Decode)
			for {
				var b *batch
				select {
				case b = <-in:
				case <-w.files.Notify():
					w.files.Poll()
					continue
				}
				if b == nil {
					break
				}
				t0 := time.Now() // busy time per batch, not per packet
				for i := range b.pkts {
					p := &b.pkts[i]
					if b.raw[i] {
						var ok bool
						if p, ok = dec.Decode(p.LinkType, p.Raw, p.Timestamp, p.Num, p.Length); !ok {
							continue
						}
					}
					w.handle(p)
				}
				w.stats.BusyNanos += int64(time.Since(t0))
				w.files.Progress(int64(b.upTo))
				w.advanceClock(b.upToTime)
				w.files.Poll()
				w.maybePublish(false)
				b.pkts, b.raw, b.buf = b.pkts[:0], b.raw[:0], b.buf[:0]
				select {
				case free <- b:
				default:
				}
			}
			w.stopWith(g)
		}(chans[i])
	}
	pending := make([]*batch, len(workers))
	get := func() *batch {
		select {
		case b := <-free:
			return b
		default:
			return &batch{pkts: make([]decode.Packet, 0, batchPackets), buf: make([]byte, 0, batchBytes+128<<10)}
		}
	}
	// The dispatch hash leaves the VLAN out, so a connection tagged
	// differently in each direction still reaches one worker (which joins
	// the two directions, see worker.lookup); with DispatchIPPair it leaves
	// the ports and protocol out too.
	byPair := e.cfg.Dispatch == DispatchIPPair
	batchFor := func(src, dst netip.Addr, sport, dport uint16, proto uint8) (int, *batch) {
		if byPair {
			sport, dport, proto = 0, 0, 0
		}
		key, _ := flow.NewKey(src, dst, sport, dport, proto, 0)
		i := int(key.Hash(e.seed) % uint64(len(workers)))
		if e.pickWorker != nil {
			i = e.pickWorker(key) % len(workers)
		}
		b := pending[i]
		if b == nil {
			b = get()
			pending[i] = b
		}
		return i, b
	}
	var lastNum uint64
	var lastTime time.Time
	sinceProgress := 0
	send := func(i int, b *batch) {
		if len(b.pkts) == batchPackets || len(b.buf) > batchBytes {
			b.upTo, b.upToTime = lastNum, lastTime
			chans[i] <- b
			pending[i] = nil
		}
		if sinceProgress++; sinceProgress < progressEvery {
			return
		}
		sinceProgress = 0
		for i := range workers {
			b := pending[i]
			if b == nil {
				b = get()
			}
			b.upTo, b.upToTime = lastNum, lastTime
			chans[i] <- b
			pending[i] = nil
		}
	}
	l.tick = e.publishDecode
	// Plain TCP frames go to their worker undecoded: decoding, the largest
	// per-packet cost after the workers' own, runs in parallel too.
	l.raw = func(pkt capture.Packet) bool {
		ep, ok := decode.QuickTCP(pkt.LinkType, pkt.Data)
		if !ok {
			return false
		}
		lastNum, lastTime = pkt.Num, pkt.Timestamp
		i, b := batchFor(ep.Src, ep.Dst, ep.SrcPort, ep.DstPort, 6)
		off := len(b.buf)
		b.buf = append(b.buf, pkt.Data...)
		b.pkts = append(b.pkts, decode.Packet{Raw: b.buf[off:len(b.buf):len(b.buf)], LinkType: pkt.LinkType,
			Timestamp: pkt.Timestamp, Num: pkt.Num, Length: pkt.Length})
		b.raw = append(b.raw, true)
		send(i, b)
		return true
	}
	l.packet = func(_ int, p *decode.Packet) {
		lastNum, lastTime = p.Num, p.Timestamp
		i, b := batchFor(p.SrcIP, p.DstIP, p.SrcPort, p.DstPort, p.IPProto)
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
		b.raw = append(b.raw, false)
		send(i, b)
	}
	err := e.readLoop(ctx, l)
	for i, b := range pending {
		if b != nil {
			b.upTo, b.upToTime = lastNum, lastTime
			chans[i] <- b
		}
		close(chans[i])
	}
	wg.Wait()
	return err
}

// finishRun ends a run in every mode: the counters are added up, open
// incidents are summarised, a last stats event is written and the output
// flushed. A write error is returned unless the run already failed.
func (e *Engine) finishRun(workers []*worker, start time.Time, runErr error) (Summary, error) {
	e.publishDecode(true)
	sum := Summary{Elapsed: time.Since(start), Decode: e.decStats, Damaged: e.damaged.Load()}
	for _, w := range workers {
		ws := w.stats
		sum.TCPPackets += ws.TCPPackets
		sum.Flows += ws.Flows.Created
		sum.Files += ws.Files.Closed
		sum.FilesTruncated += ws.FilesTruncated
		sum.Alerts += ws.Alerts
		sum.Anomalies += ws.Anomalies
		sum.FileBytes += ws.Files.Bytes
		sum.KernelDrops += ws.KernelDrops
		stats.Add(&sum.Decode, &ws.Decode)
		sum.Workers = append(sum.Workers, ws)
	}
	sum.Packets = e.readPackets.Load()
	sum.Bytes = e.readBytes.Load()
	snap := e.Snapshot()
	sum.Silenced = statsevent.AlertsSuppressed(statsevent.Silenced(&snap))
	e.flushIncidents(e.policy.Load(), time.Time{})
	e.EmitStats(time.Time{})
	if err := e.out.flush(); err != nil && runErr == nil {
		runErr = fmt.Errorf("engine: writing events: %w", err)
	}
	return sum, runErr
}

// copyFrame copies p's raw frame (and its payload, when the payload is not
// part of the frame: a defragmented packet) to the end of buf and points
// cp.Raw and cp.Payload at the copies, for packets handed to another
// goroutine (runParallel).
func copyFrame(buf []byte, cp *decode.Packet) []byte {
	raw, payload := cp.Raw, cp.Payload
	off := len(buf)
	buf = append(buf, raw...)
	cp.Raw = buf[off:len(buf):len(buf)]
	if po, ok := within(payload, raw); ok {
		cp.Payload = cp.Raw[po : po+len(payload) : po+len(payload)]
		return buf
	}
	off = len(buf)
	buf = append(buf, payload...)
	cp.Payload = buf[off:len(buf):len(buf)]
	return buf
}

// within reports whether inner lies inside outer, and at which offset.
func within(inner, outer []byte) (int, bool) {
	if len(inner) == 0 || len(outer) == 0 {
		return 0, len(inner) == 0
	}
	i := uintptr(unsafe.Pointer(unsafe.SliceData(inner)))
	o := uintptr(unsafe.Pointer(unsafe.SliceData(outer)))
	if i < o || i+uintptr(len(inner)) > o+uintptr(len(outer)) {
		return 0, false
	}
	return int(i - o), true
}
