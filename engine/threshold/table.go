package threshold

import "github.com/wirescan/wirescan/signatures/thresholdspec"

// key identifies one counter: which limiter of which signature, and what it
// tracks by. It holds no pointers, so the garbage collector never scans the
// table's index.
type key struct {
	slot     uint32 // 0: the threshold (entry or rule keyword); i+1: rate_filter entry i
	gid, sid uint32
	a, b     [16]byte // tracked addresses (16-byte form); zero when unused
	flow     uint64   // by_flow
}

// makeKey builds the key of a limiter tracking by track for alert a.
func makeKey(slot uint32, track thresholdspec.Track, a *Alert) key {
	k := key{slot: slot, gid: uint32(a.GID), sid: uint32(a.SID)}
	switch track {
	case thresholdspec.BySrc:
		k.a = a.Src.As16()
	case thresholdspec.ByDst:
		k.a = a.Dst.As16()
	case thresholdspec.ByBoth:
		// Both directions between two addresses share one count.
		x, y := a.Src, a.Dst
		if x.Compare(y) > 0 {
			x, y = y, x
		}
		k.a, k.b = x.As16(), y.As16()
	case thresholdspec.ByFlow:
		k.flow = a.Flow
	}
	return k
}

// state is one counter. Times are packet times in Unix nanoseconds.
type state struct {
	count  uint32 // hits in the current window (backoff: hits so far)
	next   uint32 // backoff: the hit count that alerts next
	start  int64  // start of the current window
	since  int64  // rate_filter: when the new action took effect
	active bool   // rate_filter: the new action is in effect
}

// within reports whether t lies in the window of the given length starting
// at start. A t before start (packets slightly out of order across workers)
// counts as inside.
func within(t, start int64, length uint64) bool {
	return t < start || uint64(t-start) < length
}

func inc(n uint32) uint32 {
	if n == ^uint32(0) {
		return n
	}
	return n + 1
}

// hit counts one hit of a threshold or detection_filter spec at packet
// time t on st (fresh: the counter did not exist) and reports whether it
// alerts. The rules are Suricata's (detect-engine-threshold.c), restated:
//
//   - limit: the first Count hits of a window alert; a hit after the window
//     starts a new one and alerts.
//   - threshold: every Count-th hit within the window alerts and restarts
//     the count (the window keeps its start); a hit after the window starts
//     a new one with count 1. Count 1 alerts on every hit.
//   - both: the Count-th hit of a window alerts, no other.
//   - detection_filter: hits after the first Count of a window alert.
//   - backoff: hits Count, Count×M, Count×M², … alert (no window).
func hit(spec *thresholdspec.Spec, st *state, fresh bool, t int64) bool {
	n := spec.Count
	window := uint64(spec.Seconds) * 1e9
	if spec.Type == thresholdspec.Backoff {
		if fresh {
			st.count, st.next = 1, n
		} else {
			st.count = inc(st.count)
		}
		if st.count != st.next {
			return false
		}
		st.next = mulSat(st.next, spec.Multiplier)
		return true
	}
	if fresh || !within(t, st.start, window) {
		st.start, st.count = t, 1
		switch spec.Type {
		case thresholdspec.Limit:
			return true
		case thresholdspec.Threshold, thresholdspec.Both:
			return n == 1
		}
		return false // detection_filter
	}
	st.count = inc(st.count)
	switch spec.Type {
	case thresholdspec.Limit:
		return st.count <= n
	case thresholdspec.Threshold:
		if st.count >= n {
			st.count = 0
			return true
		}
		return false
	case thresholdspec.Both:
		return st.count == n
	}
	return st.count > n // detection_filter
}

// mulSat multiplies, saturating at the largest count: once backoff's next
// alert would be beyond counting, it never comes.
func mulSat(a, b uint32) uint32 {
	p := uint64(a) * uint64(b)
	if p > uint64(^uint32(0)) {
		return ^uint32(0)
	}
	return uint32(p)
}

// rateHit counts one hit of rate filter e at time t and reports whether its
// new action is in effect for this hit. As in Suricata: the hit after Count
// hits within Seconds sets the action off for Timeout seconds; the first
// hit after the timeout ends it (and is not counted: the next window starts
// with the hit after it).
func rateHit(e *Entry, st *state, fresh bool, t int64) bool {
	if fresh {
		st.start, st.count = t, 1
		return false
	}
	if st.active {
		if t >= st.since && uint64(t-st.since) > uint64(e.Timeout)*1e9 {
			st.active = false
			return false
		}
		return true
	}
	if !within(t, st.start, uint64(e.Spec.Seconds)*1e9) {
		st.start, st.count = t, 1
		return false
	}
	st.count = inc(st.count)
	if st.count > e.Spec.Count {
		st.active, st.since = true, t
		return true
	}
	return false
}

// table is the bounded set of counters: a map from key to a slot of nodes,
// the nodes linked from most to least recently hit. When full, the least
// recently hit counter is dropped (and counted) to make room.
type table struct {
	max        int
	index      map[key]int32
	nodes      []node
	head, tail int32 // most and least recently used; -1 when empty
	evictions  uint64
}

type node struct {
	k          key
	s          state
	prev, next int32
}

func newTable(max int) table {
	return table{max: max, index: map[key]int32{}, head: -1, tail: -1}
}

// get returns k's counter, creating it (fresh) when absent. The pointer is
// valid until the next get.
func (t *table) get(k key) (st *state, fresh bool) {
	if i, ok := t.index[k]; ok {
		t.touch(i)
		return &t.nodes[i].s, false
	}
	var i int32
	if len(t.nodes) < t.max {
		i = int32(len(t.nodes))
		t.nodes = append(t.nodes, node{})
	} else {
		i = t.tail
		t.unlink(i)
		delete(t.index, t.nodes[i].k)
		t.evictions++
	}
	t.nodes[i] = node{k: k, prev: -1, next: -1}
	t.pushFront(i)
	t.index[k] = i
	return &t.nodes[i].s, true
}

func (t *table) touch(i int32) {
	if t.head == i {
		return
	}
	t.unlink(i)
	t.pushFront(i)
}

func (t *table) unlink(i int32) {
	n := &t.nodes[i]
	if n.prev >= 0 {
		t.nodes[n.prev].next = n.next
	} else {
		t.head = n.next
	}
	if n.next >= 0 {
		t.nodes[n.next].prev = n.prev
	} else {
		t.tail = n.prev
	}
	n.prev, n.next = -1, -1
}

func (t *table) pushFront(i int32) {
	n := &t.nodes[i]
	n.prev, n.next = -1, t.head
	if t.head >= 0 {
		t.nodes[t.head].prev = i
	}
	t.head = i
	if t.tail < 0 {
		t.tail = i
	}
}

// len is the number of counters held.
func (t *table) len() int { return len(t.index) }

// each calls fn for every counter from least to most recently used.
func (t *table) each(fn func(k key, s state)) {
	for i := t.tail; i >= 0; i = t.nodes[i].prev {
		fn(t.nodes[i].k, t.nodes[i].s)
	}
}
