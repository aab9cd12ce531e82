package flow

import (
	"fmt"
	"hash/maphash"
	"time"

	"github.com/wirescan/wirescan/engine/memcap"
)

// Config bounds a flow table.
type Config struct {
	// MaxFlows is the most flows one table holds; a new flow beyond it evicts
	// one (embryonic flows first, then the least recently seen), counted in
	// Stats.Evicted.
	MaxFlows int `yaml:"max-flows"`
	// Memcap bounds the bytes all tables of an engine spend on flows (the
	// flow entries and the state of every connection, not the data it
	// buffers, which stream-memcap and app-layer-memcap bound). At the cap
	// a new flow evicts old ones as at MaxFlows.
	Memcap int64 `yaml:"memcap" unit:"bytes"`
	// EmbryonicMemcap bounds the bytes of embryonic flows (StateNew: a SYN,
	// a handshake in progress, one direction only) within Memcap, so a SYN
	// flood or a scan recycles embryonic flows among themselves and never
	// pushes out the established flows that carry files.
	EmbryonicMemcap int64 `yaml:"embryonic-memcap" unit:"bytes"`
	// NewTimeout expires flows that never completed a handshake nor carried data.
	NewTimeout time.Duration `yaml:"new-timeout"`
	// EstablishedTimeout expires idle established flows.
	EstablishedTimeout time.Duration `yaml:"established-timeout"`
	// ClosedTimeout expires flows after both sides finished (FIN/RST), so late
	// retransmissions and ACKs still find their flow.
	ClosedTimeout time.Duration `yaml:"closed-timeout"`
	// Emergency* replace the timeouts above while the table is in
	// emergency mode: from 90 % of MaxFlows or of a memcap until usage is
	// back under 70 %.
	EmergencyNewTimeout         time.Duration `yaml:"emergency-new-timeout"`
	EmergencyEstablishedTimeout time.Duration `yaml:"emergency-established-timeout"`
	EmergencyClosedTimeout      time.Duration `yaml:"emergency-closed-timeout"`
}

// DefaultConfig returns finite defaults suitable for a SPAN port of a busy
// LAN segment.
func DefaultConfig() Config {
	return Config{
		MaxFlows:                    1 << 18,
		Memcap:                      256 << 20,
		EmbryonicMemcap:             32 << 20,
		NewTimeout:                  60 * time.Second,
		EstablishedTimeout:          600 * time.Second,
		ClosedTimeout:               10 * time.Second,
		EmergencyNewTimeout:         5 * time.Second,
		EmergencyEstablishedTimeout: 60 * time.Second,
		EmergencyClosedTimeout:      1 * time.Second,
	}
}

// Validate reports the first field outside its accepted range.
func (c *Config) Validate() error {
	switch {
	case c.MaxFlows < 1:
		return fmt.Errorf("flow: max-flows %d: must be at least 1", c.MaxFlows)
	case c.Memcap < 1:
		return fmt.Errorf("flow: memcap %d: must be positive", c.Memcap)
	case c.EmbryonicMemcap < 1 || c.EmbryonicMemcap > c.Memcap:
		return fmt.Errorf("flow: embryonic-memcap %d: must be positive and at most memcap (%d)", c.EmbryonicMemcap, c.Memcap)
	case c.NewTimeout <= 0, c.EstablishedTimeout <= 0, c.ClosedTimeout <= 0:
		return fmt.Errorf("flow: timeouts must be positive (new %v, established %v, closed %v)", c.NewTimeout, c.EstablishedTimeout, c.ClosedTimeout)
	case c.EmergencyNewTimeout <= 0, c.EmergencyEstablishedTimeout <= 0, c.EmergencyClosedTimeout <= 0:
		return fmt.Errorf("flow: emergency timeouts must be positive (new %v, established %v, closed %v)",
			c.EmergencyNewTimeout, c.EmergencyEstablishedTimeout, c.EmergencyClosedTimeout)
	}
	return nil
}

// Memory is the byte budget all tables of an engine share: every flow, and
// within it the embryonic ones. Create it once per engine with NewMemory.
type Memory struct {
	All, Embryonic *memcap.Budget
}

// NewMemory returns the budgets of cfg.
func NewMemory(cfg *Config) *Memory {
	return &Memory{All: memcap.New(cfg.Memcap), Embryonic: memcap.New(cfg.EmbryonicMemcap)}
}

// State is the coarse lifecycle of a flow, which picks its idle timeout.
type State uint8

const (
	// StateNew flows have seen only handshake packets or one direction:
	// embryonic flows.
	StateNew State = iota
	// StateEstablished flows carry data.
	StateEstablished
	// StateClosed flows have finished in both directions.
	StateClosed
)

// Stats counts table events.
type Stats struct {
	Created, Expired, Evicted, Active uint64
	// EvictedEmbryonic counts evictions of embryonic flows (part of Evicted).
	EvictedEmbryonic uint64
	// Refused counts flows not tracked at all: the engine-wide memcap was
	// held by other workers' flows and this table had nothing to evict.
	Refused uint64
	// Emergencies counts entries into emergency mode; Emergency is 1 while
	// the table is in it (a gauge).
	Emergencies, Emergency uint64
	// MemoryBytes is the bytes this table's flows hold (a gauge).
	MemoryBytes int64
}

// Entry is one flow in the table, with the caller's per-flow value.
type Entry[V any] struct {
	Key      Key
	Value    V
	State    State
	LastSeen time.Time
	cost     int64 // bytes reserved for the flow
	prev     *Entry[V]
	next     *Entry[V]
	hnext    *Entry[V] // the next entry whose key hashes alike (Table.m)
}

// lru is a list of entries, head the most recently seen.
type lru[V any] struct{ head, tail *Entry[V] }

// Table maps keys to flows. It is not safe for concurrent use; its Memory
// may be shared with other tables.
//
// Flows live on two LRU lists: embryonic flows (StateNew) and the others.
// Eviction takes the least recently seen embryonic flow first, so a flood
// of new flows recycles itself; established flows go only when no
// embryonic one is left.
type Table[V any] struct {
	cfg   Config
	stats *Stats
	mem   *Memory
	// m maps a seeded hash of each key (Key.sum) to the entries whose
	// keys hash to it, chained by hnext (in practice one): a slot of 16
	// bytes where one keyed by the 56-byte Key cost 64, which a table
	// with a flow per tracked connection pays at its load factor (about
	// 75 bytes per flow held at once).
	m         map[uint64]*Entry[V]
	n         int // entries in m
	seed      maphash.Seed
	embryonic lru[V]
	rest      lru[V]
	emergency bool
}

// NewTable returns an empty table drawing from mem (nil: a budget of its
// own, from cfg).
func NewTable[V any](cfg *Config, mem *Memory, stats *Stats) *Table[V] {
	if mem == nil {
		mem = NewMemory(cfg)
	}
	return &Table[V]{cfg: *cfg, stats: stats, mem: mem, m: make(map[uint64]*Entry[V]), seed: maphash.MakeSeed()}
}

// Len is the number of flows held.
func (t *Table[V]) Len() int { return t.n }

// find returns the entry of k, nil when absent.
func (t *Table[V]) find(k Key) *Entry[V] {
	e := t.m[k.sum(t.seed)]
	for e != nil && e.Key != k {
		e = e.hnext
	}
	return e
}

// holds reports whether e is the entry of its key in the table.
func (t *Table[V]) holds(e *Entry[V]) bool { return t.find(e.Key) == e }

// link adds e to m, replacing an entry of the same key (which the table
// then no longer holds).
func (t *Table[V]) link(e *Entry[V]) {
	h := e.Key.sum(t.seed)
	if old := t.find(e.Key); old != nil {
		t.unlink(old, h)
	}
	e.hnext = t.m[h]
	t.m[h] = e
	t.n++
}

// unlink removes e, whose key hashes to h, from m.
func (t *Table[V]) unlink(e *Entry[V], h uint64) {
	p := t.m[h]
	if p == e {
		if e.hnext == nil {
			delete(t.m, h)
		} else {
			t.m[h] = e.hnext
		}
	} else {
		for p.hnext != e {
			p = p.hnext
		}
		p.hnext = e.hnext
	}
	e.hnext = nil
	t.n--
}

// Lookup finds the flow of k and marks it seen at now. It returns nil when absent.
func (t *Table[V]) Lookup(k Key, now time.Time) *Entry[V] {
	e := t.find(k)
	if e == nil {
		return nil
	}
	if now.After(e.LastSeen) {
		e.LastSeen = now
	}
	l := t.list(e.State)
	if l.head != e {
		l.unlink(e)
		l.pushFront(e)
	}
	return e
}

// Insert adds a new embryonic flow costing cost bytes. When the table is
// full (MaxFlows) or a memcap would be exceeded, flows are evicted first
// (embryonic ones before the others) and handed to evict, which must finish
// them. It returns nil, counting the flow as refused, when the memory is
// held by other tables' flows and this table has nothing left to evict.
func (t *Table[V]) Insert(k Key, v V, now time.Time, cost int64, evict func(*Entry[V])) *Entry[V] {
	for t.n >= t.cfg.MaxFlows {
		if !t.evictOne(true, evict) {
			break
		}
	}
	for !t.mem.Embryonic.TryReserve(cost) {
		// Only embryonic flows free the embryonic budget; when other
		// tables hold all of it, the new flow is not tracked.
		if !t.evictOne(false, evict) {
			t.stats.Refused++
			return nil
		}
	}
	for !t.mem.All.TryReserve(cost) {
		if !t.evictOne(true, evict) {
			t.mem.Embryonic.Release(cost)
			t.stats.Refused++
			return nil
		}
	}
	e := &Entry[V]{Key: k, Value: v, LastSeen: now, cost: cost}
	t.link(e)
	t.embryonic.pushFront(e)
	t.stats.Created++
	t.stats.MemoryBytes += cost
	t.stats.Active = uint64(t.n)
	t.checkEmergency()
	return e
}

// evictOne evicts the least recently seen embryonic flow or, when anyFlow
// and there is none, the least recently seen other flow. It reports whether
// it evicted.
func (t *Table[V]) evictOne(anyFlow bool, evict func(*Entry[V])) bool {
	victim := t.embryonic.tail
	if victim != nil {
		t.stats.EvictedEmbryonic++
	} else if anyFlow {
		victim = t.rest.tail
	}
	if victim == nil {
		return false
	}
	t.Remove(victim)
	t.stats.Evicted++
	evict(victim)
	return true
}

// SetState moves e to state s (an embryonic flow that became established
// leaves the embryonic budget and list).
func (t *Table[V]) SetState(e *Entry[V], s State) {
	if e.State == s || !t.holds(e) {
		e.State = s
		return
	}
	if e.State == StateNew {
		t.mem.Embryonic.Release(e.cost)
	}
	t.list(e.State).unlink(e)
	e.State = s
	t.list(s).pushFront(e)
}

// Charge changes what e costs by delta bytes (a connection's state grew or
// shrank). A charge the memcap refuses is still recorded: the flow exists;
// the next Insert evicts to make room.
func (t *Table[V]) Charge(e *Entry[V], delta int64) {
	if delta == 0 || !t.holds(e) {
		return
	}
	if delta > 0 && !t.mem.All.TryReserve(delta) {
		t.mem.All.Force(delta)
	} else if delta < 0 {
		t.mem.All.Release(-delta)
	}
	if e.State == StateNew {
		if delta > 0 && !t.mem.Embryonic.TryReserve(delta) {
			t.mem.Embryonic.Force(delta)
		} else if delta < 0 {
			t.mem.Embryonic.Release(-delta)
		}
	}
	e.cost += delta
	t.stats.MemoryBytes += delta
	t.checkEmergency()
}

// Remove drops e from the table and returns its memory.
func (t *Table[V]) Remove(e *Entry[V]) {
	if !t.holds(e) {
		return
	}
	t.unlink(e, e.Key.sum(t.seed))
	t.list(e.State).unlink(e)
	t.mem.All.Release(e.cost)
	if e.State == StateNew {
		t.mem.Embryonic.Release(e.cost)
	}
	t.stats.MemoryBytes -= e.cost
	t.stats.Active = uint64(t.n)
}

// Emergency reports whether the table is in emergency mode (shorter
// timeouts, see Config).
func (t *Table[V]) Emergency() bool { return t.emergency }

// checkEmergency enters emergency mode at 90 % of a limit and leaves it
// under 70 % of all of them.
func (t *Table[V]) checkEmergency() {
	use := max(float64(t.n)/float64(t.cfg.MaxFlows),
		float64(t.mem.All.InUse())/float64(max(t.mem.All.Cap(), 1)),
		float64(t.mem.Embryonic.InUse())/float64(max(t.mem.Embryonic.Cap(), 1)))
	switch {
	case !t.emergency && use >= 0.9:
		t.emergency = true
		t.stats.Emergencies++
		t.stats.Emergency = 1
	case t.emergency && use < 0.7:
		t.emergency = false
		t.stats.Emergency = 0
	}
}

// Expire removes and hands to fn every flow idle longer than its state's
// timeout at packet time now (the emergency timeouts in emergency mode).
// Only the idle tails of the LRU lists are visited.
func (t *Table[V]) Expire(now time.Time, fn func(*Entry[V])) {
	t.checkEmergency()
	for _, l := range []*lru[V]{&t.embryonic, &t.rest} {
		for e := l.tail; e != nil; {
			idle := now.Sub(e.LastSeen)
			if idle < t.timeout(e.State) {
				// Entries nearer the head were seen later; but timeouts
				// differ by state, so keep walking while entries are older
				// than the shortest timeout.
				if idle < t.minTimeout() {
					break
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
	t.checkEmergency()
}

// Each calls fn for every flow; fn must not add or remove flows nor change
// their state.
func (t *Table[V]) Each(fn func(*Entry[V])) {
	for _, l := range []*lru[V]{&t.embryonic, &t.rest} {
		for e := l.head; e != nil; e = e.next {
			fn(e)
		}
	}
}

// Drain removes every flow, embryonic first, least recently seen first,
// handing each to fn.
func (t *Table[V]) Drain(fn func(*Entry[V])) {
	for _, l := range []*lru[V]{&t.embryonic, &t.rest} {
		for l.tail != nil {
			e := l.tail
			t.Remove(e)
			fn(e)
		}
	}
}

func (t *Table[V]) list(s State) *lru[V] {
	if s == StateNew {
		return &t.embryonic
	}
	return &t.rest
}

func (t *Table[V]) timeout(s State) time.Duration {
	c := &t.cfg
	switch {
	case s == StateEstablished && t.emergency:
		return c.EmergencyEstablishedTimeout
	case s == StateEstablished:
		return c.EstablishedTimeout
	case s == StateClosed && t.emergency:
		return c.EmergencyClosedTimeout
	case s == StateClosed:
		return c.ClosedTimeout
	case t.emergency:
		return c.EmergencyNewTimeout
	}
	return c.NewTimeout
}

func (t *Table[V]) minTimeout() time.Duration {
	return min(t.timeout(StateNew), t.timeout(StateEstablished), t.timeout(StateClosed))
}

func (l *lru[V]) pushFront(e *Entry[V]) {
	e.prev, e.next = nil, l.head
	if l.head != nil {
		l.head.prev = e
	}
	l.head = e
	if l.tail == nil {
		l.tail = e
	}
}

func (l *lru[V]) unlink(e *Entry[V]) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		l.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		l.tail = e.prev
	}
	e.prev, e.next = nil, nil
}
