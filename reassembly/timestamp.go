package reassembly

// tsState is one direction's TCP timestamp state (RFC 7323), kept when
// Config.ValidateTimestamps is on.
type tsState struct {
	// offered: the direction's SYN carried a timestamp or, for a direction
	// picked up midstream, it has sent one. Timestamps are negotiated once
	// both directions have offered.
	offered bool
	// zero: the offered TSval was 0. Linux then stops checking the
	// direction's timestamps (Suricata's Linux policy does the same), so
	// validation is off for it.
	zero bool
	// recent is TS.Recent: the newest TSval of a valid segment that did not
	// start beyond the delivery point.
	recent uint32
	// syn holds the TSvals of the latest SYNs (synN of them, oldest
	// overwritten), which a SYN/ACK may echo.
	syn  [maxSynTimestamps]uint32
	synN uint8
}

// echoes reports whether ecr, the TSecr of a reply to this direction's SYN,
// echoes a timestamp this direction sent: 0 (no echo) always passes; a
// direction whose SYN had no timestamp can't be echoed.
func (t *tsState) echoes(ecr uint32) bool {
	if ecr == 0 || (t.offered && t.zero) {
		return true
	}
	if !t.offered {
		return false
	}
	for _, v := range t.syn[:t.synN] {
		if v == ecr {
			return true
		}
	}
	return false
}

// timestampOK reports whether seg, sent in direction d (o is the other
// one), passes timestamp validation, mirroring what receivers and Suricata
// accept:
//   - While o has sent its SYN but nothing else and d has not answered it
//     (o is in SYN_SENT), d's segments with a timestamp must echo one of o's
//     SYN timestamps or 0 (Suricata's StateSynSentValidateTimestamp). This
//     catches RSTs and FINs forged before the SYN/ACK.
//   - Once timestamps are negotiated, a RST or FIN whose TSval is older
//     than TS.Recent by more than pawsWindow is discarded (PAWS, RFC 7323
//     §5.3, with 32-bit wraparound): a forged teardown can't end the stream.
//     Data segments are not checked (see below). A segment without a
//     timestamp is accepted, as Linux and Suricata accept it (RFC 7323 only
//     says SHOULD drop, and middleboxes strip options): dropping it would
//     make the sensor blind where the receiver is not.
func (s *Stream) timestampOK(d, o *half, seg Segment) bool {
	if seg.HasTS && o.synSeen && !o.ackSent && !d.synSeen && !o.ts.echoes(seg.TSEcr) {
		return false
	}
	if !d.ts.offered || !o.ts.offered || d.ts.zero {
		return true
	}
	if !seg.HasTS {
		return true
	}
	if !seg.RST && !seg.FIN {
		// PAWS is applied to control segments only. A sensor sees packets
		// in a different order than the receiver (taps, reordering,
		// duplicates), so a data segment with an older timestamp may well
		// be one the receiver accepted; data injection is answered by first
		// copy wins and the overlap anomaly instead.
		return true
	}
	return int32(seg.TSVal-d.ts.recent) >= -pawsWindow
}

// noteTimestamp updates d's timestamp state with seg, which passed
// timestampOK; it runs before the segment changes the sequence state.
func noteTimestamp(d *half, seg Segment) {
	t := &d.ts
	switch {
	case seg.SYN && (!d.synSeen || d.pristine()):
		t.offered, t.zero = seg.HasTS, seg.HasTS && seg.TSVal == 0
		if !seg.HasTS {
			t.synN = 0
			return
		}
		t.recent = seg.TSVal
		if int(t.synN) == len(t.syn) {
			copy(t.syn[:], t.syn[1:])
			t.synN--
		}
		t.syn[t.synN] = seg.TSVal
		t.synN++
	case !seg.HasTS:
	case !t.offered:
		if !d.synSeen {
			t.offered, t.zero, t.recent = true, seg.TSVal == 0, seg.TSVal
		}
	case int32(seg.TSVal-t.recent) > 0 && (!d.started || d.rel(seg.Seq) <= d.next):
		// RFC 7323 §4.3: TS.Recent only moves for a segment that covers the
		// left edge, so one far ahead of a hole cannot raise it.
		t.recent = seg.TSVal
	}
}
