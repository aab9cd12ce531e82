package engine

import (
	"math"
	"time"
)

// The xbits table (engine/xbits) is shared by every worker, and workers of
// a parallel replay are at different packet times. A worker publishes its
// clock: the time before which it will process no more packets (its last
// packet's, or the last packet the reader had read when it handed the
// worker a batch). Expired bits are removed only up to the earliest clock,
// so a worker behind never loses a bit a worker ahead sees expired.

// advanceClock publishes that w will process no packet older than t.
func (w *worker) advanceClock(t time.Time) {
	if n := t.UnixNano(); n > w.clock.Load() {
		w.clock.Store(n)
	}
}

// expireXBits removes the bits every worker sees expired. A worker that
// published no clock yet holds expiry back.
func (e *Engine) expireXBits() {
	e.workersMu.Lock()
	workers := e.workers
	e.workersMu.Unlock()
	floor := int64(math.MaxInt64)
	for _, w := range workers {
		c := w.clock.Load()
		if c == 0 {
			return
		}
		floor = min(floor, c)
	}
	if floor != math.MaxInt64 {
		e.xbits.Expire(time.Unix(0, floor))
	}
}
