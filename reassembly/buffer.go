package reassembly

// copyPiece copies p (at off) for buffering after reserving its cost in
// the memcap. It reports false, counting a memcap drop, when the memcap is full.
func (s *Stream) copyPiece(d *half, off int64, p []byte) (seg, bool) {
	cost := int64(len(p)) + segmentOverhead
	if !s.mem.TryReserve(cost) {
		s.stats.MemcapDrops++
		return seg{}, false
	}
	d.held += cost
	d.bufBytes += int64(len(p))
	return seg{off: off, data: append([]byte(nil), p...)}, true
}

// dropFront removes the first k buffered pieces (already delivered) and
// returns their memory.
func (s *Stream) dropFront(d *half, k int) {
	if k == 0 {
		return
	}
	var bytes int64
	for _, g := range d.segs[:k] {
		bytes += int64(len(g.data))
	}
	cost := bytes + int64(k)*segmentOverhead
	s.mem.Release(cost)
	d.held -= cost
	d.bufBytes -= bytes
	n := copy(d.segs, d.segs[k:])
	clear(d.segs[n:])
	d.segs = d.segs[:n]
	if n == 0 && cap(d.segs) > 64 {
		d.segs = nil // do not keep a large index alive for an idle flow
	}
}

// minHistory is the smallest history ring allocated: a connection that
// delivered a short request or a response header holds about what arrived,
// not a fixed block (100,000 idle connections each keeping 4 KiB per
// direction was 800 MB of rings).
const minHistory = 64

// smallHistory is the largest history released at the first sign of
// memcap pressure (pressureDiv): what a connection that went idle after a
// request or a response's first segments holds.
const smallHistory = 4096

// pressureDiv says when the memcap is under enough pressure for an
// acknowledged history of capacity c to go (Stream.Add): a small one once
// 1/64 of the memcap is in use (8 MiB of the default 512: a flood of idle
// connections, each holding a request and the start of a response, gets
// no further), a larger one, a bulk transfer's, once 1/8 is, so that busy
// transfers keep theirs and don't reallocate them at every ACK.
func pressureDiv(c int) int64 {
	if c <= smallHistory {
		return 64
	}
	return 8
}

// remember records delivered bytes in the history, growing it (within
// HistoryBytes and the memcap) when it is smaller than needed: to what has
// been delivered, at least doubling so a bulk transfer reaches HistoryBytes
// after a few resizes.
func (s *Stream) remember(d *half, p []byte) {
	limit := s.cfg.HistoryBytes
	if limit == 0 {
		return
	}
	if c := len(d.hist.buf); c < limit && d.hist.n+len(p) > c {
		nc := min(limit, max(2*c, minHistory, d.hist.n+len(p)))
		if s.mem.TryReserve(int64(nc - c)) {
			d.held += int64(nc - c)
			d.hist.resize(nc)
		} else {
			s.stats.HistoryMemcapHits++
		}
	}
	d.hist.add(p)
}

// releaseAll frees d's buffered pieces and history and returns their memory.
func (s *Stream) releaseAll(d *half) {
	s.dropFront(d, len(d.segs))
	d.segs = nil
	s.releaseHistory(d)
}

// releaseHistory frees d's history and returns its memory.
func (s *Stream) releaseHistory(d *half) {
	s.mem.Release(int64(len(d.hist.buf)))
	d.held -= int64(len(d.hist.buf))
	d.hist = history{}
	s.stats.HistoryReleases++
}
