package xbits

import (
	"container/heap"
	"fmt"
	"sync"
	"time"

	"github.com/wirescan/wirescan/signatures"
)

// DefaultMaxEntries is the default of Config.MaxEntries.
const DefaultMaxEntries = 65536

// MaxMaxEntries bounds Config.MaxEntries.
const MaxMaxEntries = 1 << 26

// Config bounds a Table.
type Config struct {
	// MaxEntries is the most bits held at once; at the limit the bit
	// that expires first is evicted.
	MaxEntries int
}

// Validate reports a limit out of range.
func (c Config) Validate() error {
	if c.MaxEntries < 1 || c.MaxEntries > MaxMaxEntries {
		return fmt.Errorf("xbits: max entries %d not in [1, %d]", c.MaxEntries, MaxMaxEntries)
	}
	return nil
}

// Stats is a Table's account.
type Stats struct {
	// Entries is the bits held now (expired ones included until met);
	// Limit is Config.MaxEntries.
	Entries, Limit int
	// Evicted counts bits dropped unexpired to make room for a new one.
	Evicted uint64
	// Expired counts bits removed after their lifetime had passed.
	Expired uint64
}

// Table holds the xbits of all connections; see the package comment. It
// implements signatures.XBits. Create it with New.
type Table struct {
	max int

	mu sync.Mutex
	// Guarded by mu.
	bits  map[signatures.XBitKey]*entry
	byExp expiryHeap
	seq   uint64
	// floor is the latest second passed to Expire: no caller asks about
	// an earlier time any more.
	floor   int64
	evicted uint64
	expired uint64
}

// entry is one set bit.
type entry struct {
	key    signatures.XBitKey
	expiry int64  // last second (Unix) the bit is set
	seq    uint64 // when it was last set: orders equal expiries
	idx    int    // position in the heap
}

// New returns an empty table bounded by cfg.
func New(cfg Config) (*Table, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Table{max: cfg.MaxEntries, bits: map[signatures.XBitKey]*entry{}}, nil
}

// expiryOf is the last second a bit set at now with lifetime d is set.
func expiryOf(now time.Time, d time.Duration) int64 {
	return now.Unix() + int64(d/time.Second)
}

// IsSet reports whether k's bit is set at now. An expired bit stays until
// Expire passes its expiry: a caller behind in packet time may still see it
// set.
func (t *Table) IsSet(k signatures.XBitKey, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.live(k, now.Unix()) != nil
}

// Set sets k's bit with lifetime expire from now (renewing a set bit).
func (t *Table) Set(k signatures.XBitKey, now time.Time, expire time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.put(k, now.Unix(), expiryOf(now, expire))
}

// Unset clears k's bit.
func (t *Table) Unset(k signatures.XBitKey) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.bits[k]; e != nil {
		t.remove(e)
	}
}

// Toggle clears k's bit when it is set at now, else sets it as Set does.
func (t *Table) Toggle(k signatures.XBitKey, now time.Time, expire time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.live(k, now.Unix()); e != nil {
		t.remove(e)
		return
	}
	t.put(k, now.Unix(), expiryOf(now, expire))
}

// Expire says that no caller will ask about a time before now any more:
// the bits expired by then are removed (counted in Stats.Expired). The
// engine calls it about once a second of packet time with the earliest
// time a worker may still process, so the entries gauge falls when nothing
// is set, and a worker behind in packet time never loses a bit that a
// worker ahead already sees expired. An earlier now than before is
// ignored.
func (t *Table) Expire(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.floor = max(t.floor, now.Unix())
	t.dropExpired()
}

// Stats returns the table's account.
func (t *Table) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Stats{Entries: len(t.bits), Limit: t.max, Evicted: t.evicted, Expired: t.expired}
}

// live returns k's entry when it is set at second sec. Call with mu held.
func (t *Table) live(k signatures.XBitKey, sec int64) *entry {
	if e := t.bits[k]; e != nil && e.expiry >= sec {
		return e
	}
	return nil
}

// put sets k's bit, at second sec, to expire at second expiry (an entry
// kept expired is renewed in place). Call with mu held.
func (t *Table) put(k signatures.XBitKey, sec, expiry int64) {
	t.seq++
	if e := t.bits[k]; e != nil {
		e.expiry, e.seq = expiry, t.seq
		heap.Fix(&t.byExp, e.idx)
		return
	}
	if len(t.bits) >= t.max {
		t.dropExpired()
	}
	if len(t.bits) >= t.max {
		if t.byExp[0].expiry < sec {
			t.expired++ // expired at this caller's time: room made without loss to it
		} else {
			t.evicted++
		}
		t.remove(t.byExp[0])
	}
	e := &entry{key: k, expiry: expiry, seq: t.seq}
	t.bits[k] = e
	heap.Push(&t.byExp, e)
}

// dropExpired removes the bits expired before the floor. Call with mu
// held.
func (t *Table) dropExpired() {
	for len(t.byExp) > 0 && t.byExp[0].expiry < t.floor {
		t.remove(t.byExp[0])
		t.expired++
	}
}

// remove deletes e. Call with mu held.
func (t *Table) remove(e *entry) {
	heap.Remove(&t.byExp, e.idx)
	delete(t.bits, e.key)
}

// expiryHeap orders entries by expiry, then by when they were set.
type expiryHeap []*entry

func (h expiryHeap) Len() int { return len(h) }

func (h expiryHeap) Less(i, j int) bool {
	if h[i].expiry != h[j].expiry {
		return h[i].expiry < h[j].expiry
	}
	return h[i].seq < h[j].seq
}

func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}

func (h *expiryHeap) Push(x any) {
	e := x.(*entry)
	e.idx = len(*h)
	*h = append(*h, e)
}

func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
