package reassembly

// seg is one buffered out-of-order piece. Buffered pieces of a direction are
// sorted by off, never overlap, and all start after the delivery point.
type seg struct {
	off  int64 // stream offset of data[0]
	data []byte
}

func (g seg) end() int64 { return g.off + int64(len(g.data)) }

// half is the state of one direction. Offsets are 64-bit and relative to
// base (the sequence number of the first data byte), so they never wrap.
type half struct {
	dir      Direction
	started  bool
	synSeen  bool
	ended    bool
	endByFIN bool
	finKnown bool
	ackKnown bool
	ackSent  bool // this direction sent a segment with ACK set

	ts tsState

	base    uint32 // sequence number of offset 0
	next    int64  // offset of the next byte to deliver
	highest int64  // end of the highest data accepted (delivered, buffered or dropped)
	finOff  int64  // offset of the FIN (one past the last data byte)
	acked   int64  // highest offset the other direction acknowledged

	gapStart, gapEnd int64 // last range reported as a Gap

	segs     []seg // out-of-order pieces, see seg
	bufBytes int64 // payload bytes in segs
	held     int64 // bytes this direction holds in the memcap (segments and history)
	hist     history
}

// start makes seq the sequence number of offset 0 and forgets everything
// sequence-related (used for the first segment and for a new ISN).
func (d *half) start(seq uint32) {
	d.started = true
	d.base = seq
	d.next, d.highest, d.finOff, d.acked = 0, 0, 0, 0
	d.gapStart, d.gapEnd = 0, 0
	d.finKnown, d.ackKnown = false, false
}

// pristine reports whether nothing but the start point is known yet, so a
// new ISN can still be taken.
func (d *half) pristine() bool {
	return d.next == 0 && d.highest == 0 && len(d.segs) == 0 && !d.finKnown
}

// rel converts a sequence number to an offset, resolving 32-bit wraparound
// by taking the offset nearest to the delivery point.
func (d *half) rel(seq uint32) int64 {
	return d.next + seqDiff(seq, d.base+uint32(d.next))
}

// inWindow reports whether off is within a maximal TCP window of the
// delivery point in either direction.
func (d *half) inWindow(off int64) bool {
	return off-d.next <= maxSeqAhead && d.next-off < maxSeqAhead
}

// firstAfter returns the index of the first buffered piece ending after off.
func (d *half) firstAfter(off int64) int {
	lo, hi := 0, len(d.segs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d.segs[m].end() <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// mergeSegs merges the sorted, disjoint pieces into d.segs in one pass from
// the back, so inserting k pieces costs O(len(segs)+k).
func (d *half) mergeSegs(pieces []seg) {
	n, m := len(d.segs), len(pieces)
	if m == 0 {
		return
	}
	if cap(d.segs) < n+m {
		grown := make([]seg, n, max(2*cap(d.segs), n+m, 8))
		copy(grown, d.segs)
		d.segs = grown
	}
	d.segs = d.segs[:n+m]
	i, j := n-1, m-1
	for k := n + m - 1; j >= 0; k-- {
		if i >= 0 && d.segs[i].off > pieces[j].off {
			d.segs[k] = d.segs[i]
			i--
		} else {
			d.segs[k] = pieces[j]
			j--
		}
	}
}
