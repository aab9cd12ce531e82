package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/decode"
)

// KernelStatser is implemented by live sources that can report what the
// kernel saw and dropped (cumulative counts).
type KernelStatser interface {
	KernelStats() (packets, drops uint64, err error)
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
	workers := make([]*worker, len(srcs))
	for i := range workers {
		workers[i] = newWorker(e, i)
	}
	e.workersMu.Lock()
	e.workers = workers
	e.workersMu.Unlock()

	errs := make([]error, len(srcs))
	var wg sync.WaitGroup
	for i := range srcs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = e.runShard(ctx, srcs[i], workers[i], warn)
		}(i)
	}
	wg.Wait()
	sum := e.summarize(workers, start)
	e.flushIncidents(e.policy.Load(), time.Time{})
	e.EmitStats(time.Time{})
	err := errors.Join(errs...)
	if ferr := e.out.flush(); ferr != nil && err == nil {
		err = fmt.Errorf("engine: writing events: %w", ferr)
	}
	return sum, err
}

// shutdownDrain bounds how long a live worker keeps reading, after its
// context is done, the packets captured before (see runShard).
const shutdownDrain = time.Second

func (e *Engine) runShard(ctx context.Context, src capture.Source, w *worker, warn func(error)) error {
	dec := decode.NewDecoder(&e.cfg.Decode, &w.stats.Decode)
	ks, _ := src.(KernelStatser)
	var err error
	lastKernel := time.Now()
	// The kernel counters are read at most once a second, also while the
	// link is idle: otherwise /metrics would keep the counts (and drops)
	// of before a burst until the next packet arrives.
	pollKernel := func() {
		if ks != nil && time.Since(lastKernel) > time.Second {
			lastKernel = time.Now()
			w.readKernelStats(ks)
		}
	}
	// Once ctx is done the worker still takes what the kernel captured
	// before (stopAt): TPACKET_V3 hands a ring block over only when it is
	// full or its block timeout passed, so the last packets before a
	// SIGTERM are still in the ring. The drain ends at an idle ring, at
	// a packet captured after stopAt, or after shutdownDrain.
	var stopAt time.Time
	for n := 0; ; n++ {
		if stopAt.IsZero() && ctx.Err() != nil {
			stopAt = time.Now()
		}
		if !stopAt.IsZero() && time.Since(stopAt) > shutdownDrain {
			break
		}
		var pkt capture.Packet
		pkt, err = src.Next()
		if err != nil {
			if errors.Is(err, capture.ErrTimeout) {
				err = nil
				if !stopAt.IsZero() {
					break
				}
				// An idle link: let flows time out by the wall clock,
				// which is what live packet timestamps follow.
				w.withTime(time.Now(), func() { w.flows.Expire(time.Now(), w.expire) })
				pollKernel()
				w.maybePublish(false)
				continue
			}
			var de *capture.DamageError
			if errors.As(err, &de) {
				e.damaged.Add(1)
				if warn != nil {
					warn(err)
				}
				continue
			}
			break
		}
		if !stopAt.IsZero() && pkt.Timestamp.After(stopAt) {
			break
		}
		e.readPackets.Add(1)
		e.readBytes.Add(uint64(len(pkt.Data)))
		e.lastTS.Store(pkt.Timestamp.UnixNano())
		p, ok := dec.Decode(pkt.LinkType, pkt.Data, pkt.Timestamp, pkt.Num, pkt.Length)
		if ok {
			t0 := time.Now()
			w.handle(p)
			w.stats.BusyNanos += int64(time.Since(t0))
		}
		if n&255 == 0 {
			w.maybePublish(false)
		}
		pollKernel()
	}
	if ks != nil {
		w.readKernelStats(ks)
	}
	w.drain("shutdown")
	w.maybePublish(true)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return err
}

func (w *worker) readKernelStats(ks KernelStatser) {
	if pk, drops, err := ks.KernelStats(); err == nil {
		w.stats.KernelPackets, w.stats.KernelDrops = pk, drops
	}
}

// summarize adds up the workers' counters for the end-of-run summary.
func (e *Engine) summarize(workers []*worker, start time.Time) Summary {
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
		sum.Workers = append(sum.Workers, ws)
	}
	sum.Packets = e.readPackets.Load()
	sum.Bytes = e.readBytes.Load()
	return sum
}
