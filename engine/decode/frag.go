package decode

import (
	"net/netip"
	"time"
)

// Bookkeeping costs charged to Config.MaxFragmentBytes besides payload.
const (
	fragQueueCost = 256 // one queue: struct, map entry, list links
	fragPieceCost = 16  // one piece record
	// maxFreeQueues bounds the recycled queues kept for reuse.
	maxFreeQueues = 16
)

// fragKey identifies a datagram being reassembled. proto is the IPv4
// protocol; it is zero for IPv6, whose next header comes from the first
// fragment.
type fragKey struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8
	v6       bool
}

// fragPiece is a run of datagram bytes [off, end) stored at data[at:].
type fragPiece struct {
	off, end int32
	at       int32
}

// fragQueue holds the fragments of one datagram: non-overlapping pieces
// sorted by offset, their bytes in one slab that grows with bytes received.
type fragQueue struct {
	key     fragKey
	created time.Time
	pieces  []fragPiece
	data    []byte
	total   int   // datagram payload length once the last fragment is seen, else -1
	covered int   // bytes held
	proto   uint8 // protocol of the reassembled payload
	// haveFirst is set once the offset-0 fragment set proto.
	haveFirst bool
	cost      int64 // bytes charged to the table
	older     *fragQueue
	newer     *fragQueue
}

// fragTable is the set of datagrams being reassembled, in creation order
// (oldest first) for timeouts and eviction.
type fragTable struct {
	cfg    *Config
	stats  *Stats
	queues map[fragKey]*fragQueue
	oldest *fragQueue
	newest *fragQueue
	count  int
	bytes  int64
	free   []*fragQueue
	out    [2][]byte // reassembly output buffers, alternated within one Decode
	outIdx int
}

// init prepares an empty table.
func (t *fragTable) init(cfg *Config, stats *Stats) {
	t.cfg, t.stats = cfg, stats
	t.queues = make(map[fragKey]*fragQueue)
}

// resetOutput is called at the start of each Decode: output buffers of the
// previous packet may be reused.
func (t *fragTable) resetOutput() { t.outIdx = 0 }

// expire drops datagrams whose first fragment is older than the timeout.
func (t *fragTable) expire(now time.Time) {
	for q := t.oldest; q != nil && now.Sub(q.created) > t.cfg.FragmentTimeout; q = t.oldest {
		t.stats.FragmentTimeouts++
		t.remove(q)
	}
}

// remove unlinks q, releases its charge and keeps it for reuse.
func (t *fragTable) remove(q *fragQueue) {
	if q.older != nil {
		q.older.newer = q.newer
	} else {
		t.oldest = q.newer
	}
	if q.newer != nil {
		q.newer.older = q.older
	} else {
		t.newest = q.older
	}
	delete(t.queues, q.key)
	t.count--
	t.bytes -= q.cost
	if len(t.free) < maxFreeQueues && cap(q.data) <= 2*maxDatagramLen {
		*q = fragQueue{pieces: q.pieces[:0], data: q.data[:0]}
		t.free = append(t.free, q)
	}
}

// evictOldest drops the oldest datagram other than keep; false if none.
func (t *fragTable) evictOldest(keep *fragQueue) bool {
	q := t.oldest
	if q == keep {
		q = q.newer
	}
	if q == nil {
		return false
	}
	t.stats.FragmentEvictions++
	t.remove(q)
	return true
}

// lookup returns the queue for key, creating it (evicting the oldest at the
// queue limit) when absent.
func (t *fragTable) lookup(key fragKey, now time.Time) *fragQueue {
	if q := t.queues[key]; q != nil {
		return q
	}
	for (t.count >= t.cfg.MaxFragmentQueues || t.bytes+fragQueueCost > t.cfg.MaxFragmentBytes) && t.evictOldest(nil) {
	}
	var q *fragQueue
	if n := len(t.free); n > 0 {
		q = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		q = &fragQueue{}
	}
	q.key, q.created, q.total, q.cost = key, now, -1, fragQueueCost
	q.older, q.newer = t.newest, nil
	if t.newest != nil {
		t.newest.newer = q
	} else {
		t.oldest = q
	}
	t.newest = q
	t.queues[key] = q
	t.count++
	t.bytes += q.cost
	return q
}

// add files one fragment: its payload frag at byte offset off, more set
// unless it is the last one, next the protocol after the fragment header
// (used from the offset-0 fragment), maxLen the largest payload the IP
// version allows. It returns the reassembled datagram
// payload and its protocol when this fragment completed it; the bytes live
// in a table buffer valid until the next Decode call.
func (t *fragTable) add(key fragKey, off int, more bool, frag []byte, next uint8, maxLen int, now time.Time) (datagram []byte, proto uint8, v verdict) {
	t.stats.Fragments++
	end := off + len(frag)
	if end > maxLen {
		t.stats.FragmentOversize++
		if q := t.queues[key]; q != nil {
			t.remove(q)
		}
		return nil, 0, vFragDrop
	}
	if more && (len(frag) == 0 || len(frag)%8 != 0) {
		return nil, 0, vFragDrop // only the last fragment may have a ragged end
	}
	q := t.lookup(key, now)
	switch {
	case !more && q.total >= 0 && q.total != end,
		!more && len(q.pieces) > 0 && int(q.pieces[len(q.pieces)-1].end) > end,
		more && q.total >= 0 && end > q.total:
		t.remove(q) // fragments disagree about the datagram's length
		return nil, 0, vFragDrop
	}
	if !more {
		q.total = end
	}
	if off == 0 && !q.haveFirst {
		q.proto, q.haveFirst = next, true
	}
	overlapped, ok := t.insert(q, off, frag)
	if overlapped {
		t.stats.FragmentOverlaps++
	}
	if !ok {
		t.remove(q)
		return nil, 0, vFragDrop
	}
	if q.total < 0 || q.covered != q.total {
		return nil, 0, vFragHeld
	}
	datagram = t.assemble(q)
	proto = q.proto
	t.remove(q)
	t.stats.Reassembled++
	return datagram, proto, vOK
}

// insert stores the parts of [off, off+len(frag)) not already held (first
// copy wins). It reports whether anything overlapped, and false when a
// limit forced the datagram to be dropped.
func (t *fragTable) insert(q *fragQueue, off int, frag []byte) (overlapped bool, ok bool) {
	start, end := off, off+len(frag)
	i := 0
	for i < len(q.pieces) && int(q.pieces[i].end) <= start {
		i++
	}
	// Walk the gaps between existing pieces that intersect [start, end).
	// Each step either inserts a piece or passes one, so the loop is bounded
	// by the number of pieces.
	for start < end {
		gapEnd := end
		if i < len(q.pieces) {
			p := q.pieces[i]
			if int(p.off) <= start {
				overlapped = true
				start = int(p.end)
				i++
				continue
			}
			if int(p.off) < end {
				overlapped = true
				gapEnd = int(p.off)
			}
		}
		if len(q.pieces) >= t.cfg.MaxFragmentsPerDatagram {
			return overlapped, false
		}
		n := gapEnd - start
		cost := int64(n + fragPieceCost)
		for t.bytes+cost > t.cfg.MaxFragmentBytes {
			if !t.evictOldest(q) {
				return overlapped, false
			}
		}
		at := len(q.data)
		q.data = append(q.data, frag[start-off:gapEnd-off]...)
		q.pieces = append(q.pieces, fragPiece{})
		copy(q.pieces[i+1:], q.pieces[i:])
		q.pieces[i] = fragPiece{off: int32(start), end: int32(gapEnd), at: int32(at)}
		q.cost += cost
		t.bytes += cost
		q.covered += n
		i++
		start = gapEnd
	}
	return overlapped, true
}

// assemble copies a complete datagram's pieces, in order, into an output
// buffer owned by the table.
func (t *fragTable) assemble(q *fragQueue) []byte {
	idx := t.outIdx % len(t.out)
	t.outIdx++
	buf := t.out[idx]
	if cap(buf) < q.total {
		buf = make([]byte, q.total, max(q.total, 2048))
		t.out[idx] = buf
	}
	buf = buf[:q.total]
	for _, p := range q.pieces {
		copy(buf[p.off:p.end], q.data[p.at:int(p.at)+int(p.end-p.off)])
	}
	return buf
}
