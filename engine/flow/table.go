package flow

import (
	"fmt"
	"time"
)

// Config bounds a flow table.
type Config struct {
	// MaxFlows is the most flows one table holds; a new flow beyond it evicts
	// the least recently seen one (counted in Stats.Evicted).
	MaxFlows int `yaml:"max-flows"`
	// NewTimeout expires flows that never completed a handshake nor carried data.
	NewTimeout time.Duration `yaml:"new-timeout"`
	// EstablishedTimeout expires idle established flows.
	EstablishedTimeout time.Duration `yaml:"established-timeout"`
	// ClosedTimeout expires flows after both sides finished (FIN/RST), so late
	// retransmissions and ACKs still find their flow.
	ClosedTimeout time.Duration `yaml:"closed-timeout"`
}

// DefaultConfig returns finite defaults suitable for a SPAN port of a busy LAN segment.
func DefaultConfig() Config {
	return Config{
		MaxFlows:           1 << 18,
		NewTimeout:         60 * time.Second,
		EstablishedTimeout: 600 * time.Second,
		ClosedTimeout:      10 * time.Second,
	}
}

// State is the coarse lifecycle of a flow, which picks its idle timeout.
type State uint8

const (
	// StateNew flows have seen only handshake packets or one direction.
	StateNew State = iota
	// StateEstablished flows carry data.
	StateEstablished
	// StateClosed flows have finished in both directions.
	StateClosed
)

// Stats counts table events.
type Stats struct {
	Created, Expired, Evicted, Active uint64
}

// Entry is one flow in the table, with the caller's per-flow value.
type Entry[V any] struct {
	Key      Key
	Value    V
	State    State
	LastSeen time.Time
	prev     *Entry[V]
	next     *Entry[V]
}

// Table maps keys to flows. It is not safe for concurrent use.
type Table[V any] struct {
	cfg   Config
	stats *Stats
	m     map[Key]*Entry[V]
	// LRU list: head is the most recently seen, tail the least.
	head, tail *Entry[V]
}

// NewTable returns an empty table.
func NewTable[V any](cfg *Config, stats *Stats) *Table[V] {
	return &Table[V]{cfg: *cfg, stats: stats, m: make(map[Key]*Entry[V])}
}

// Len is the number of flows held.
func (t *Table[V]) Len() int { return len(t.m) }

// Lookup finds the flow of k and marks it seen at now. It returns nil when absent.
func (t *Table[V]) Lookup(k Key, now time.Time) *Entry[V] {
	e := t.m[k]
	if e == nil {
		return nil
	}
	if now.After(e.LastSeen) {
		e.LastSeen = now
	}
	t.moveToFront(e)
	return e
}

// Insert adds a new flow. When the table is full the least recently seen flow
// is removed first and handed to evict (which must finish it).
func (t *Table[V]) Insert(k Key, v V, now time.Time, evict func(*Entry[V])) *Entry[V] {
	if t.cfg.MaxFlows > 0 && len(t.m) >= t.cfg.MaxFlows && t.tail != nil {
		victim := t.tail
		t.Remove(victim)
		t.stats.Evicted++
		evict(victim)
	}
	e := &Entry[V]{Key: k, Value: v, LastSeen: now}
	t.m[k] = e
	t.pushFront(e)
	t.stats.Created++
	t.stats.Active = uint64(len(t.m))
	return e
}

// Remove drops e from the table.
func (t *Table[V]) Remove(e *Entry[V]) {
	if t.m[e.Key] != e {
		return
	}
	delete(t.m, e.Key)
	t.unlink(e)
	t.stats.Active = uint64(len(t.m))
}

// Expire removes and hands to fn every flow idle longer than its state's
// timeout at packet time now. Only the idle tail of the LRU list is visited.
func (t *Table[V]) Expire(now time.Time, fn func(*Entry[V])) {
	for e := t.tail; e != nil; {
		if now.Sub(e.LastSeen) < t.timeout(e.State) {
			// Entries nearer the head were seen later; but timeouts differ
			// by state, so keep walking while entries are older than the
			// shortest timeout.
			if now.Sub(e.LastSeen) < t.minTimeout() {
				return
			}
			e = e.prev
			continue
		}
		prev := e.prev
		t.Remove(e)
		t.stats.Expired++
		fn(e)
		e = prev
	}
}

// Drain removes every flow, oldest first, handing each to fn.
func (t *Table[V]) Drain(fn func(*Entry[V])) {
	for t.tail != nil {
		e := t.tail
		t.Remove(e)
		fn(e)
	}
}

func (t *Table[V]) timeout(s State) time.Duration {
	switch s {
	case StateEstablished:
		return t.cfg.EstablishedTimeout
	case StateClosed:
		return t.cfg.ClosedTimeout
	default:
		return t.cfg.NewTimeout
	}
}

func (t *Table[V]) minTimeout() time.Duration {
	m := t.cfg.NewTimeout
	for _, d := range []time.Duration{t.cfg.EstablishedTimeout, t.cfg.ClosedTimeout} {
		if d < m {
			m = d
		}
	}
	return m
}

func (t *Table[V]) pushFront(e *Entry[V]) {
	e.prev, e.next = nil, t.head
	if t.head != nil {
		t.head.prev = e
	}
	t.head = e
	if t.tail == nil {
		t.tail = e
	}
}

func (t *Table[V]) unlink(e *Entry[V]) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		t.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		t.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (t *Table[V]) moveToFront(e *Entry[V]) {
	if t.head == e {
		return
	}
	t.unlink(e)
	t.pushFront(e)
}

// Validate reports the first field outside its accepted range.
func (c *Config) Validate() error {
	switch {
	case c.MaxFlows < 1:
		return fmt.Errorf("flow: max-flows %d: must be at least 1", c.MaxFlows)
	case c.NewTimeout <= 0, c.EstablishedTimeout <= 0, c.ClosedTimeout <= 0:
		return fmt.Errorf("flow: timeouts must be positive (new %v, established %v, closed %v)", c.NewTimeout, c.EstablishedTimeout, c.ClosedTimeout)
	}
	return nil
}
