package policy

import (
	"cmp"
	"net/netip"
	"slices"
	"time"
)

// Incident is a group of identical alerts (same entry, sid, sha256, source
// and destination) whose hits were each at most Window apart in packet time.
type Incident struct {
	// ID identifies the incident in EVE (wirescan.incident_id); IDs start at 1
	// and increase in the order incidents open.
	ID uint64
	// RuleIndex is the aggregate entry that grouped the alerts, -1 for
	// Config.DefaultAggregate.
	RuleIndex int
	// SID, SHA256, Src and Dst are what the grouped alerts share.
	SID      int
	SHA256   string
	Src, Dst netip.Addr
	// Count is the number of hits, the emitted first one included.
	Count uint64
	// FirstSeen and LastSeen are the packet times of the first and the
	// latest hit.
	FirstSeen, LastSeen time.Time
	// Window is how long the incident stayed open after a hit.
	Window time.Duration
	// Evicted is true when the incident was closed early because the table
	// was full; a later identical alert opens a new incident (and is emitted).
	Evicted bool
}

// key identifies the incident an alert belongs to. Ports are left out on
// purpose: a flood spans many connections.
type key struct {
	rule     int
	sid      int
	sha256   string
	src, dst netip.Addr
}

// node is an open incident in the table and in its window's LRU list.
type node struct {
	Incident
	key        key
	list       int
	prev, next *node
}

// lru is a doubly linked list of open incidents sharing one window, most
// recently hit first, so that its tail is always the next to expire.
type lru struct {
	window time.Duration
	root   node // sentinel: root.next is the front, root.prev the back
}

func (l *lru) back() *node {
	if l.root.prev == &l.root {
		return nil
	}
	return l.root.prev
}

func (l *lru) pushFront(n *node) {
	n.prev, n.next = &l.root, l.root.next
	n.prev.next, n.next.prev = n, n
}

func unlink(n *node) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
}

// table holds the open incidents, at most max of them, plus the closed ones
// waiting for Flush (also at most max). It is guarded by Policy.mu.
type table struct {
	max    int
	nextID uint64 // the last ID given out
	byKey  map[key]*node
	lists  []*lru // one per distinct window, in order of first use
	closed []Incident
	stats  *Stats
}

func (t *table) init(max int, stats *Stats) {
	t.max, t.stats = max, stats
	t.byKey = make(map[key]*node)
}

func (t *table) open() int { return len(t.byKey) }

// hit records an alert with key k at packet time at. It returns the incident
// and whether the hit opened it.
func (t *table) hit(k key, at time.Time, window time.Duration) (*Incident, bool) {
	if n := t.byKey[k]; n != nil {
		if at.Sub(n.LastSeen) <= n.Window {
			n.Count++
			if at.After(n.LastSeen) {
				n.LastSeen = at
			}
			unlink(n)
			t.lists[n.list].pushFront(n)
			return &n.Incident, false
		}
		t.close(n) // its window ended before this hit: it is over
	}
	if len(t.byKey) >= t.max {
		t.evict()
	}
	t.nextID++
	n := &node{
		Incident: Incident{ID: t.nextID, RuleIndex: k.rule, SID: k.sid, SHA256: k.sha256, Src: k.src, Dst: k.dst,
			Count: 1, FirstSeen: at, LastSeen: at, Window: window},
		key:  k,
		list: t.list(window),
	}
	t.byKey[k] = n
	t.lists[n.list].pushFront(n)
	return &n.Incident, true
}

// list returns the index of the LRU list for window, creating it.
func (t *table) list(window time.Duration) int {
	for i, l := range t.lists {
		if l.window == window {
			return i
		}
	}
	l := &lru{window: window}
	l.root.prev, l.root.next = &l.root, &l.root
	t.lists = append(t.lists, l)
	return len(t.lists) - 1
}

// evict closes the open incident hit least recently (ties: the first list).
func (t *table) evict() {
	var oldest *node
	for _, l := range t.lists {
		if b := l.back(); b != nil && (oldest == nil || b.LastSeen.Before(oldest.LastSeen)) {
			oldest = b
		}
	}
	if oldest == nil {
		return
	}
	oldest.Evicted = true
	t.stats.Evictions++
	t.close(oldest)
}

// remove takes n out of the table.
func (t *table) remove(n *node) {
	unlink(n)
	delete(t.byKey, n.key)
}

// close takes n out of the table and queues it for the next Flush.
func (t *table) close(n *node) {
	t.remove(n)
	if len(t.closed) >= t.max {
		t.closed = t.closed[1:]
		t.stats.SummaryDrops++
	}
	t.closed = append(t.closed, n.Incident)
}

// flush closes the incidents whose window ended before now (all when now is
// zero) and returns every closed incident, ordered by ID.
func (t *table) flush(now time.Time) []Incident {
	out := t.closed
	t.closed = nil
	for _, l := range t.lists {
		for n := l.back(); n != nil; n = l.back() {
			if !now.IsZero() && now.Sub(n.LastSeen) <= n.Window {
				break
			}
			t.remove(n)
			out = append(out, n.Incident)
		}
	}
	slices.SortFunc(out, func(a, b Incident) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
