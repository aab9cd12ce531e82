package reassembly

import (
	"bytes"
	"math"
)

// noLimit tells skipAcked that no incoming data bounds the skip.
const noLimit = math.MaxInt64

// payload places the data of a segment whose first byte has sequence number
// dataSeq into direction d.
func (s *Stream) payload(d *half, dataSeq uint32, p []byte) {
	if len(p) == 0 {
		return
	}
	if d.ended && !d.endByFIN {
		s.afterClose(d.dir, len(p))
		return
	}
	off := d.rel(dataSeq)
	if !d.inWindow(off) || !d.inWindow(off+int64(len(p))) {
		s.stats.OutOfWindowDrops++
		s.anomaly(d, AnomalySeqOutOfWindow)
		return
	}
	if d.finKnown && off+int64(len(p)) > d.finOff {
		s.afterClose(d.dir, len(p))
		p = p[:max(d.finOff-off, 0)]
	}
	s.ingest(d, off, p)
}

// ingest places p at offset off: bytes before the delivery point are
// compared with the history, bytes overlapping buffered pieces are compared
// with them (first copy wins), bytes at the delivery point are delivered
// without a copy and the rest is copied into the buffer.
func (s *Stream) ingest(d *half, off int64, p []byte) {
	if len(p) == 0 {
		return
	}
	d.highest = max(d.highest, off+int64(len(p)))
	if off > d.next {
		s.skipAcked(d, off)
	}
	var seen, fresh int
	differ := false
	if off < d.next {
		n := int(min(int64(len(p)), d.next-off))
		differ = s.compareDelivered(d, off, p[:n])
		seen += n
		p, off = p[n:], off+int64(n)
	}
	i := d.firstAfter(off)
	drained := 0       // buffered pieces at the front delivered during the walk
	var scratch [4]seg // the pieces of one segment: rarely more than one (on the stack, not in the Stream)
	pieces := scratch[:0]
	memcapHit, buffered := false, false
	for len(p) > 0 {
		if i < len(d.segs) && d.segs[i].off <= off {
			g := d.segs[i]
			skip := off - g.off
			ov := min(int64(len(g.data))-skip, int64(len(p)))
			if !bytes.Equal(p[:ov], g.data[skip:skip+ov]) {
				differ = true
			}
			if i == drained && g.off == d.next {
				s.deliver(d, g.data, true)
				drained++
			}
			seen += int(ov)
			p, off, i = p[ov:], off+ov, i+1
			continue
		}
		n := int64(len(p))
		if i < len(d.segs) {
			n = min(n, d.segs[i].off-off)
		}
		if off == d.next {
			s.deliver(d, p[:n], false)
		} else {
			buffered = true
			if g, ok := s.copyPiece(d, off, p[:n]); ok {
				pieces = append(pieces, g)
			} else {
				memcapHit = true
			}
		}
		fresh += int(n)
		p, off = p[n:], off+n
	}
	s.dropFront(d, drained)
	d.mergeSegs(pieces)
	s.drain(d)
	s.countSegment(d, seen, fresh, differ, buffered, memcapHit)
	if buffered {
		s.enforceWindow(d)
	}
}

// countSegment updates Stats and raises anomalies for one ingested segment.
func (s *Stream) countSegment(d *half, seen, fresh int, differ, buffered, memcapHit bool) {
	switch {
	case seen > 0 && fresh == 0:
		s.stats.Retransmissions++
	case seen > 0:
		s.stats.Overlaps++
	}
	if differ {
		s.stats.OverlapsDiffering++
		s.anomaly(d, AnomalyOverlapDifferentData)
	}
	if buffered {
		s.stats.OutOfOrderSegments++
	}
	if memcapHit {
		s.anomaly(d, AnomalyMemcap)
	}
}

// compareDelivered checks already delivered bytes p at off (off+len(p) <=
// next) against the history and against the last gap, and reports whether
// any byte differs from what was delivered.
func (s *Stream) compareDelivered(d *half, off int64, p []byte) bool {
	end := off + int64(len(p))
	if off < d.gapEnd && end > d.gapStart {
		s.stats.LateGapData++
		s.anomaly(d, AnomalyLateDataForGap)
	}
	return d.hist.differs(int(d.next-off), p)
}

// deliver hands p, which starts at d.next, to the handler and records it in
// the history.
func (s *Stream) deliver(d *half, p []byte, fromBuffer bool) {
	if len(p) == 0 {
		return
	}
	s.remember(d, p)
	d.next += int64(len(p))
	if fromBuffer {
		s.stats.ReassembledBytes += uint64(len(p))
	} else {
		s.stats.InOrderBytes += uint64(len(p))
	}
	s.h.Data(d.dir, p)
}

// gap reports n missing bytes at d.next and moves past them.
func (s *Stream) gap(d *half, n int64) {
	if n <= 0 {
		return
	}
	s.stats.Gaps++
	s.stats.GapBytes += uint64(n)
	d.gapStart = d.next
	d.next += n
	d.gapEnd = d.next
	d.hist.reset()
	s.h.Gap(d.dir, n)
}

// drain delivers the buffered pieces contiguous with the delivery point.
func (s *Stream) drain(d *half) {
	k := 0
	for k < len(d.segs) && d.segs[k].off == d.next {
		s.deliver(d, d.segs[k].data, true)
		k++
	}
	s.dropFront(d, k)
}

// skipAcked turns holes the other side acknowledged into gaps. A hole is only
// skipped when something is known beyond it: buffered data, incoming data at
// limit, or the FIN. An ACK beyond everything seen is remembered but waits,
// since a Gap there could be a phantom (the FIN's sequence number) and the
// parser gains nothing from a gap it cannot see the end of.
func (s *Stream) skipAcked(d *half, limit int64) {
	for range len(d.segs) + 2 {
		if !d.ackKnown || d.acked <= d.next {
			return
		}
		target := min(d.acked, limit)
		switch {
		case len(d.segs) > 0:
			target = min(target, d.segs[0].off)
		case d.finKnown:
			target = min(target, d.finOff)
		case limit == noLimit:
			return
		}
		if target <= d.next {
			return
		}
		s.gap(d, target-d.next)
		s.drain(d)
	}
}

// enforceWindow skips forward to the earliest buffered piece while d holds
// more than the configured bytes or segments.
func (s *Stream) enforceWindow(d *half) {
	for range len(d.segs) {
		if len(d.segs) == 0 ||
			(d.bufBytes <= s.cfg.MaxBufferedBytes && len(d.segs) <= s.cfg.MaxBufferedSegments) {
			return
		}
		s.stats.WindowDrops++
		s.anomaly(d, AnomalyWindowExceeded)
		s.gap(d, d.segs[0].off-d.next)
		s.drain(d)
	}
}
