package reassembly

// Anomaly names passed to Handler.Anomaly. They are stable identifiers: the
// engine logs them in EVE and counts them by name.
const (
	// AnomalyOverlapDifferentData: a retransmitted or overlapping segment
	// carried bytes that differ from the copy already delivered or buffered
	// (first copy wins; the differing copy is discarded). An evasion signal.
	AnomalyOverlapDifferentData = "stream.overlap_different_data"
	// AnomalyMemcap: a segment could not be buffered because the global
	// memcap was reached; its bytes become a Gap later.
	AnomalyMemcap = "stream.memcap"
	// AnomalyWindowExceeded: a direction buffered more than MaxBufferedBytes
	// or MaxBufferedSegments; reassembly skipped forward over the hole.
	AnomalyWindowExceeded = "stream.window_exceeded"
	// AnomalyPktAfterClose: data arrived after its direction ended, or beyond
	// the sequence number of its FIN. The data is ignored.
	AnomalyPktAfterClose = "stream.pkt_after_close"
	// AnomalySeqOutOfWindow: a segment's sequence number is further than a
	// maximal TCP window from the stream position. It is dropped.
	AnomalySeqOutOfWindow = "stream.seq_out_of_window"
	// AnomalySynDifferentSeq: a retransmitted SYN carried a new ISN before
	// any data; the new ISN is taken.
	AnomalySynDifferentSeq = "stream.syn_resend_different_seq"
	// AnomalyFinInvalidSeq: a FIN would end the stream before bytes already
	// seen, or a second FIN disagrees with the first. The FIN is ignored.
	AnomalyFinInvalidSeq = "stream.fin_invalid_seq"
	// AnomalyRstWithData: a RST carried payload. Receivers discard it, and so
	// does reassembly.
	AnomalyRstWithData = "stream.rst_with_data"
	// AnomalyRstInvalidSeq: a RST's sequence number is outside the window. It
	// is ignored, so a blind injected RST cannot end inspection.
	AnomalyRstInvalidSeq = "stream.rst_invalid_seq"
	// AnomalyPktInvalidTimestamp: a segment failed timestamp validation
	// (PAWS, RFC 7323) and was discarded, as the receiver discards it.
	// Injected RSTs, FINs and data with stale timestamps raise it.
	AnomalyPktInvalidTimestamp = "stream.pkt_invalid_timestamp"
	// AnomalyLateDataForGap: bytes arrived for a range already reported as a
	// Gap (for instance after a forged or early ACK). They are not delivered.
	AnomalyLateDataForGap = "stream.late_data_for_gap"
)
