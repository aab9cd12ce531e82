package reassembly

import "github.com/wirescan/wirescan/engine/memcap"

// Stream reassembles one TCP connection: two directions, each turned into
// in-order Data with explicit Gaps. It is not safe for concurrent use (one
// worker owns a flow); only the memcap it shares with other Streams is.
type Stream struct {
	cfg    *Config
	mem    *memcap.Budget
	stats  *Stats
	h      Handler
	half   [2]half
	closed bool
}

// NewStream returns a Stream that reports to h, accounts its buffers in mem
// and counts into stats. A valid cfg is shared, not copied (every stream of
// an engine has the same one): it must not change while the Stream is in
// use. An invalid one is copied with its out-of-range fields replaced by
// their defaults (use Config.Validate to reject them instead). A nil cfg
// means DefaultConfig, a nil mem no global cap, a nil stats a private Stats,
// a nil h a Handler that discards everything.
func NewStream(cfg *Config, mem *memcap.Budget, stats *Stats, h Handler) *Stream {
	c := cfg
	if c == nil || c.sanitized() != *c {
		sc := DefaultConfig()
		if cfg != nil {
			sc = cfg.sanitized()
		}
		c = &sc
	}
	if stats == nil {
		stats = new(Stats)
	}
	if h == nil {
		h = discard{}
	}
	s := &Stream{cfg: c, mem: mem, stats: stats, h: h}
	s.half[ClientToServer].dir = ClientToServer
	s.half[ServerToClient].dir = ServerToClient
	return s
}

// Add processes one segment travelling in dir (only the low bit of dir is
// used). In-order bytes are delivered before Add returns; out-of-order bytes
// are copied and buffered within the Config and memcap limits. seg.Payload is
// not retained.
func (s *Stream) Add(dir Direction, seg Segment) {
	dir &= 1
	s.stats.Segments++
	s.stats.PayloadBytes += uint64(len(seg.Payload))
	if s.closed {
		s.afterClose(dir, len(seg.Payload))
		return
	}
	d, o := &s.half[dir], &s.half[dir^1]
	if s.cfg.ValidateTimestamps {
		if !s.timestampOK(d, o, seg) {
			s.stats.InvalidTimestamps++
			s.anomaly(d, AnomalyPktInvalidTimestamp)
			return
		}
		noteTimestamp(d, seg)
	}
	if seg.ACK {
		noteAck(o, seg.Ack)
		if c := len(o.hist.buf); o.ackKnown && o.acked >= o.next && c > 0 && len(o.segs) == 0 &&
			s.mem.InUse() > s.mem.Cap()/pressureDiv(c) {
			// The receiver has everything delivered: no legitimate
			// retransmission can repeat those bytes. While the memcap is
			// under pressure (many idle connections each holding a
			// history), the history goes; a busy connection grows it
			// again with its next bytes in flight. Without pressure it
			// stays, so transfers don't reallocate it at every ACK.
			s.releaseHistory(o)
		}
	}
	if seg.RST {
		s.reset(d, seg)
		return
	}
	if seg.ACK {
		d.ackSent = true
	}
	if s.begin(d, seg) {
		dataSeq := seg.Seq
		if seg.SYN {
			dataSeq++
		}
		s.payload(d, dataSeq, seg.Payload)
		if seg.FIN {
			s.fin(d, d.rel(dataSeq)+int64(len(seg.Payload)))
		}
		s.settle(d)
	}
	s.settle(o)
}

// Flush delivers everything buffered in both directions in order, reporting
// each hole (and bytes seen but dropped at the memcap) as a Gap. A direction
// whose FIN is thereby reached ends. Used on flow timeout and shutdown.
func (s *Stream) Flush() {
	if s.closed {
		return
	}
	s.flushDir(&s.half[ClientToServer])
	s.flushDir(&s.half[ServerToClient])
}

// Close flushes, ends every direction not yet ended and returns all memory
// the Stream holds to the memcap. It is idempotent; later Adds only count.
func (s *Stream) Close() {
	if s.closed {
		return
	}
	s.Flush()
	for i := range s.half {
		d := &s.half[i]
		if !d.ended {
			s.end(d, false)
		}
		s.releaseAll(d)
	}
	s.closed = true
}

// BufferedBytes returns the out-of-order payload bytes held in both directions.
func (s *Stream) BufferedBytes() int64 {
	return s.half[0].bufBytes + s.half[1].bufBytes
}

// MemoryHeld returns the bytes this Stream has reserved in Memory (buffered
// payload, per-segment overhead and history); zero after Close.
func (s *Stream) MemoryHeld() int64 {
	return s.half[0].held + s.half[1].held
}

// Ended reports whether End has been called for dir.
func (s *Stream) Ended(dir Direction) bool { return s.half[dir&1].ended }

// begin starts the direction on SYN (or midstream) and takes a new ISN from a
// retransmitted SYN before any data. It reports whether the segment's data
// and FIN can be placed in the direction.
func (s *Stream) begin(d *half, seg Segment) bool {
	if d.ended {
		return true
	}
	if seg.SYN {
		switch {
		case !d.started:
			d.start(seg.Seq + 1)
		case d.pristine() && d.base != seg.Seq+1:
			if d.synSeen {
				s.anomaly(d, AnomalySynDifferentSeq)
			}
			d.start(seg.Seq + 1)
		}
		d.synSeen = true
		return true
	}
	if d.started {
		return true
	}
	if !s.cfg.Midstream {
		if len(seg.Payload) > 0 || seg.FIN {
			s.stats.NoSynDrops++
		}
		return false
	}
	d.start(seg.Seq)
	return true
}

// noteAck records that the other side acknowledged up to ack in d.
func noteAck(d *half, ack uint32) {
	if !d.started || d.ended {
		return
	}
	off := d.rel(ack)
	if !d.inWindow(off) {
		return
	}
	if !d.ackKnown || off > d.acked {
		d.acked, d.ackKnown = off, true
	}
}

// fin records the FIN of d at offset off unless it contradicts what is known.
func (s *Stream) fin(d *half, off int64) {
	if d.ended || !d.inWindow(off) {
		return
	}
	if d.finKnown {
		if off != d.finOff {
			s.anomaly(d, AnomalyFinInvalidSeq)
		}
		return
	}
	if off < d.next || off < d.highest {
		s.anomaly(d, AnomalyFinInvalidSeq)
		return
	}
	d.finKnown, d.finOff = true, off
}

// reset handles a RST sent in direction d: when its sequence number is
// plausible, both directions are flushed (with gaps) and ended.
func (s *Stream) reset(d *half, seg Segment) {
	if len(seg.Payload) > 0 {
		s.anomaly(d, AnomalyRstWithData)
	}
	if !s.plausibleReset(d, seg) {
		s.stats.InvalidResets++
		s.anomaly(d, AnomalyRstInvalidSeq)
		return
	}
	for i := range s.half {
		h := &s.half[i]
		if !h.ended {
			s.flushAcked(h)
		}
		if !h.ended {
			s.end(h, false)
		}
	}
}

// flushAcked is the flush of a reset connection: only what the receiver
// acknowledged is delivered (with gaps for acknowledged bytes the capture
// missed). Buffered bytes beyond the last ACK were never accepted by the
// receiver before the reset, so they are discarded, not passed on: an
// attacker can't make the sensor see data the endpoint never took. Without
// any ACK from the receiver (a one-sided capture) everything is flushed.
func (s *Stream) flushAcked(d *half) {
	if d.ended || !d.started {
		return
	}
	if !d.ackKnown {
		s.flushDir(d)
		return
	}
	limit := d.acked
	for range len(d.segs) + 1 {
		if len(d.segs) == 0 || d.segs[0].off >= limit {
			break
		}
		s.gap(d, d.segs[0].off-d.next)
		s.drain(d)
	}
	if limit > d.next && (len(d.segs) > 0 || limit <= d.highest) {
		s.gap(d, min(limit, d.highest)-d.next)
		s.drain(d)
	}
	if n := len(d.segs); n > 0 {
		for _, g := range d.segs {
			s.stats.UnackedDiscardedBytes += uint64(len(g.data))
		}
		s.dropFront(d, n)
	}
}

// plausibleReset reports whether a RST sent in direction d could come from
// the endpoint: its sequence number is within a window of d, or, when d was
// never seen (a RST refusing a SYN), its ACK is within a window of the other
// direction. While d's SYN is unanswered (SYN_SENT), a RST from d must
// carry sequence number ISN and acknowledge ISN+1, as Suricata requires: a
// connecting stack sends no RST then, but answers a forged reply with a RST
// the listener ignores.
func (s *Stream) plausibleReset(d *half, seg Segment) bool {
	if d.ended {
		return true
	}
	o := &s.half[d.dir^1]
	if d.synSeen && !d.ackSent && !o.started {
		return seg.Seq == d.base-1 && seg.Ack == d.base
	}
	if d.started {
		return d.inWindow(d.rel(seg.Seq))
	}
	if !o.started {
		return true
	}
	return seg.ACK && o.inWindow(o.rel(seg.Ack))
}

// settle applies what ACKs and FIN allow after a segment: gaps for holes the
// other side acknowledged, and End once the FIN is reached.
func (s *Stream) settle(d *half) {
	if d.ended || !d.started {
		return
	}
	s.skipAcked(d, noLimit)
	if d.finKnown && d.next == d.finOff && len(d.segs) == 0 {
		s.end(d, true)
	}
}

// flushDir delivers all of d's buffered data with gaps for the holes, then a
// gap up to the last byte seen (or the FIN), and ends d if its FIN is reached.
func (s *Stream) flushDir(d *half) {
	if d.ended || !d.started {
		return
	}
	for range len(d.segs) + 1 {
		if len(d.segs) == 0 {
			break
		}
		s.gap(d, d.segs[0].off-d.next)
		s.drain(d)
	}
	tail := d.highest
	if d.finKnown {
		tail = max(tail, d.finOff)
	}
	s.gap(d, tail-d.next)
	if d.finKnown && d.next == d.finOff {
		s.end(d, true)
	}
}

// end reports End for d. A FIN-ended direction keeps its history so that
// retransmissions can still be compared; otherwise memory is released now.
func (s *Stream) end(d *half, byFIN bool) {
	d.ended, d.endByFIN = true, byFIN
	s.h.End(d.dir)
	if !byFIN {
		s.releaseAll(d)
	}
}

// afterClose counts data for a direction that no longer accepts any.
func (s *Stream) afterClose(dir Direction, n int) {
	if n == 0 {
		return
	}
	s.stats.SegmentsAfterClose++
	s.h.Anomaly(dir, AnomalyPktAfterClose)
}

// anomaly reports a named event for d.
func (s *Stream) anomaly(d *half, name string) { s.h.Anomaly(d.dir, name) }
