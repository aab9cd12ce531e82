// Package reassembly turns the TCP segments of one connection into two ordered
// byte streams with explicit gaps, for the application-layer parsers.
//
// # Place in the pipeline
//
// The engine's flow table owns one Stream per TCP connection, decides which
// side is the client and calls Stream.Add with every segment and its
// Direction. The Stream calls a Handler (in the engine: the app parser of the
// flow) with Data, Gap, Anomaly and End. A Stream is used by one goroutine;
// the memcap (a memcap.Budget) is shared by all workers and is safe for concurrent use.
//
// # Semantics
//
//   - Sequence numbers are mapped to 64-bit offsets from the first data byte,
//     so 32-bit wraparound needs no special case. A SYN fixes the ISN (its
//     payload, TCP Fast Open, is data at ISN+1). A retransmitted SYN with a
//     different ISN before any data replaces the ISN. With Config.Midstream the
//     first segment seen in a direction starts it; bytes before that point
//     arriving later are treated as already delivered.
//   - In-order bytes are delivered at once, without waiting for ACKs and
//     without a copy. Out-of-order bytes are copied and buffered until the
//     hole before them fills.
//   - First copy wins. A byte already delivered or buffered is never replaced.
//     Overlapping bytes are compared with the buffered copy, or with the last
//     Config.HistoryBytes delivered bytes; a difference raises
//     "stream.overlap_different_data" and counts Stats.OverlapsDiffering.
//     Bytes older than the history are counted but cannot be compared.
//   - Gaps, never silent skips or zero-fill. Handler.Gap(n) is reported when:
//     (a) the other direction ACKs past a hole (the capture lost the bytes the
//     receiver got) and something is known beyond the hole: buffered or
//     arriving data, or the FIN. An ACK beyond everything seen only takes
//     effect when later data arrives after the acknowledged point (the gap is
//     then reported up to the ACK, or up to that data, whichever is first):
//     a gap with nothing after it would tell the parser nothing, and an ACK of
//     an unseen FIN would otherwise become a phantom one-byte gap;
//     (b) a direction's buffer exceeds MaxBufferedBytes or MaxBufferedSegments:
//     it skips forward to the earliest buffered byte ("stream.window_exceeded",
//     Stats.WindowDrops);
//     (c) a segment could not be buffered at the memcap (a memcap.Budget) ("stream.memcap",
//     Stats.MemcapDrops): its bytes become a gap through (a), (b) or (d);
//     (d) RST, Flush and Close: every hole, and the bytes up to the highest
//     byte seen or the FIN, are reported as gaps.
//   - A FIN ends its direction (Handler.End) once every byte before it has
//     been delivered or gapped. A FIN with a hole before it waits for the hole
//     to fill, for an ACK past it (rule a), or for RST, Flush or Close, so a
//     reordered last segment is not lost.
//   - A RST with a plausible sequence number flushes both directions and ends
//     both. Payload on a RST is ignored ("stream.rst_with_data"); a RST far
//     out of window is ignored ("stream.rst_invalid_seq").
//   - Data after End, or beyond the FIN, is counted (Stats.SegmentsAfterClose,
//     "stream.pkt_after_close") and ignored. Retransmissions of bytes before a
//     FIN that was reached are still compared with the history.
//   - A segment more than 1 GiB (a maximal TCP window) from the delivery point
//     is dropped ("stream.seq_out_of_window"); it never causes buffering.
//   - Bytes arriving for a range just reported as a gap are not delivered and
//     raise "stream.late_data_for_gap": a forged ACK can make reassembly skip
//     bytes, and this makes the attempt visible.
//   - With Config.ValidateTimestamps (the default) a segment the receiver
//     would discard for its TCP timestamp (RFC 7323) is discarded before it
//     touches any state, counted in Stats.InvalidTimestamps and reported as
//     "stream.pkt_invalid_timestamp". Timestamps are negotiated when the SYN
//     and SYN/ACK both carry one, or, picked up midstream, once both
//     directions have sent one. Then a TSval more than one tick older than
//     TS.Recent (the newest TSval of a valid segment at the delivery point,
//     compared modulo 2^32) fails PAWS, RSTs included; the one-tick slack is
//     Linux's and Suricata's. A segment without a timestamp is discarded
//     unless it is a RST (RFC 7323 §3.2; stricter than Linux and Suricata,
//     which accept it). A direction whose handshake TSval was 0 is not
//     checked (Linux). Before the SYN is answered, a reply carrying a
//     timestamp must echo the TSval of one of the last 4 SYNs, or 0, or
//     none when the SYN had no timestamp (Suricata's SYN_SENT check), which
//     catches RSTs and FINs forged ahead of the SYN/ACK.
//   - While its SYN is unanswered, the connecting side's RST is accepted
//     only with sequence number ISN and acknowledgment ISN+1 (Suricata's
//     SYN_SENT rule); any other is "stream.rst_invalid_seq".
//
// # Limits and memory
//
// Per direction at most Config.MaxBufferedBytes of payload in at most
// Config.MaxBufferedSegments pieces are buffered (after Add returns; during
// Add one segment may exceed them before the skip), plus a history ring of at
// most Config.HistoryBytes that grows on demand. Every buffered piece costs its
// length plus a fixed overhead, and history its capacity; both are reserved
// in the memcap before allocation and returned exactly when freed. Close returns
// everything: Stream.MemoryHeld is zero afterwards. No allocation is sized by
// a value read from the wire, and every loop is bounded by the buffered piece
// count or the segment length.
//
// # Metrics and events
//
// Counters are in Stats (one per worker); the memcap.Budget's InUse and Cap are
// gauges. Anomaly names are listed in events.go.
//
// # Not handled yet
//
// Per-OS overlap policies (targets that prefer the last copy) and per-OS
// timestamp policies (Windows' and old Linux's acceptance of TSval 0, PAWS's
// 24-day idle exemption, Linux's acceptance of slightly stale duplicate
// ACKs), window tracking from the TCP window field, urgent data. A RST is
// accepted anywhere within a maximal window, not only at the exact sequence
// number RFC 5961 requires. A capture in which an ACK precedes the data it
// acknowledges (asymmetric taps, multi-queue capture without flow affinity)
// turns that data into a gap followed by "stream.late_data_for_gap".
//
// # Example
//
// See Example in example_test.go: it runs with the tests, so it stays true.
package reassembly
