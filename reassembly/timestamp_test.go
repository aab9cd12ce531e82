package reassembly

import "testing"

// ts returns seg with a timestamp option.
func ts(seg Segment, val, ecr uint32) Segment {
	seg.HasTS, seg.TSVal, seg.TSEcr = true, val, ecr
	return seg
}

func synAck(seq, ack uint32) Segment { return Segment{Seq: seq, Ack: ack, SYN: true, ACK: true} }

// tsHandshake is a three-way handshake that negotiates timestamps: client
// ISN 0 with TSval 100, server ISN 500 with TSval 7000.
var tsHandshake = []step{
	add(c2s, ts(syn(0), 100, 0)),
	add(s2c, ts(synAck(500, 1), 7000, 100)),
	add(c2s, ts(ackSeg(1, 501), 101, 7000)),
}

func withHandshake(steps ...step) []step {
	return append(append([]step(nil), tsHandshake...), steps...)
}

// staleInjection injects data with a stale timestamp at the next sequence
// number, ahead of the real data.
var staleInjection = withHandshake(
	add(c2s, ts(data(1, "abc"), 102, 7000)),
	add(c2s, ts(data(4, "EVIL"), 50, 7000)),
	add(c2s, ts(data(4, "def"), 103, 7000)),
	done)

func noTimestamps(c *Config) { c.ValidateTimestamps = false }

// timestampCases exercise Config.ValidateTimestamps (PAWS, RFC 7323) and the
// SYN_SENT checks that go with it.
var timestampCases = []streamCase{
	{
		// A sensor sees packets in another order than the receiver, so
		// data is not judged by its timestamp: first copy wins, and the
		// differing overlap is reported.
		name:      "stale data segment is not dropped (data is not PAWS-checked)",
		steps:     staleInjection,
		want:      [2]string{"abcEVIL<end>", "<end>"},
		anomalies: []string{AnomalyOverlapDifferentData},
		stats:     map[string]uint64{"InvalidTimestamps": 0},
	},
	{
		name:      "flag off: the stale segment wins",
		cfg:       noTimestamps,
		steps:     staleInjection,
		want:      [2]string{"abcEVIL<end>", "<end>"},
		anomalies: []string{AnomalyOverlapDifferentData},
		stats:     map[string]uint64{"InvalidTimestamps": 0},
	},
	{
		name: "stale RST ignored, later valid RST ends",
		steps: withHandshake(
			add(c2s, ts(data(1, "abc"), 102, 7000)),
			add(s2c, ts(Segment{Seq: 501, Ack: 4, RST: true, ACK: true}, 6000, 102)),
			add(c2s, ts(data(4, "def"), 103, 7000)),
			expect(c2s, "abcdef"),
			add(s2c, ts(Segment{Seq: 501, Ack: 7, RST: true, ACK: true}, 7001, 103)),
			expect(c2s, "abcdef<end>")),
		want:      [2]string{"abcdef<end>", "<end>"},
		anomalies: []string{AnomalyPktInvalidTimestamp},
		stats:     map[string]uint64{"InvalidTimestamps": 1, "InvalidResets": 0},
	},
	{
		name: "RST without a timestamp accepted",
		steps: withHandshake(
			add(c2s, ts(data(1, "abc"), 102, 7000)),
			add(s2c, Segment{Seq: 501, RST: true}),
			expect(c2s, "abc<end>")),
		want: [2]string{"abc<end>", "<end>"},
	},
	{
		name: "segment without a timestamp after negotiation accepted (as Linux does)",
		steps: withHandshake(
			add(c2s, data(1, "abc")),
			add(c2s, ts(data(4, "def"), 102, 7000)),
			done),
		want: [2]string{"abcdef<end>", "<end>"},
	},
	{
		name: "FIN with TSval one behind TS.Recent tolerated, two behind dropped",
		steps: withHandshake(
			add(c2s, ts(data(1, "ab"), 200, 7000)),
			add(c2s, ts(finSeg(3, ""), 198, 7000)),
			add(c2s, ts(data(3, "cd"), 199, 7000)),
			add(c2s, ts(finSeg(5, ""), 199, 7000)),
			done),
		want:      [2]string{"abcd<end>", "<end>"},
		anomalies: []string{AnomalyPktInvalidTimestamp},
		stats:     map[string]uint64{"InvalidTimestamps": 1},
	},
	{
		name: "TSval wraparound",
		steps: []step{
			add(c2s, ts(syn(0), 0xFFFFFFF0, 0)),
			add(s2c, ts(synAck(500, 1), 7000, 0xFFFFFFF0)),
			add(c2s, ts(data(1, "ab"), 0xFFFFFFFF, 7000)),
			add(c2s, ts(data(3, "cd"), 5, 7000)),          // wrapped: newer
			add(c2s, ts(finSeg(5, ""), 0xFFFFFFF8, 7000)), // before the wrap: stale
			add(c2s, ts(data(5, "ef"), 6, 7000)),
			add(c2s, ts(finSeg(7, ""), 0x7FFFFFF0, 7000)), // far ahead but < 2^31: newer
			done},
		want:      [2]string{"abcdef<end>", "<end>"},
		anomalies: []string{AnomalyPktInvalidTimestamp},
		stats:     map[string]uint64{"InvalidTimestamps": 1},
	},
	{
		name: "TS.Recent moves only at the left edge",
		steps: withHandshake(
			add(c2s, ts(data(10, "jk"), 90000, 7000)), // ahead of a hole: buffered
			add(c2s, ts(data(1, "abc"), 102, 7000)),   // older, but TS.Recent is still 101
			add(c2s, ts(data(4, "defghi"), 103, 7000)),
			done),
		want:  [2]string{"abcdefghijk<end>", "<end>"},
		stats: map[string]uint64{"InvalidTimestamps": 0},
	},
	{
		name: "not negotiated when the SYN/ACK has no timestamp",
		steps: []step{
			add(c2s, ts(syn(0), 100, 0)),
			add(s2c, synAck(500, 1)),
			add(c2s, ts(data(1, "ab"), 100, 0)),
			add(c2s, ts(data(3, "cd"), 5, 0)),
			add(c2s, data(5, "ef")),
			done},
		want:  [2]string{"abcdef<end>", "<end>"},
		stats: map[string]uint64{"InvalidTimestamps": 0},
	},
	{
		name: "midstream: negotiated once both directions sent timestamps",
		steps: []step{
			add(c2s, ts(data(1000, "ab"), 500, 0)),
			add(c2s, ts(data(1002, "cd"), 400, 0)), // only one side offered: not checked
			add(c2s, data(1004, "ef")),
			add(s2c, ts(data(9000, "OK"), 80, 501)),
			add(c2s, ts(finSeg(1006, ""), 300, 80)), // both offered: stale
			add(c2s, ts(data(1006, "gh"), 501, 80)),
			add(s2c, ts(data(9002, "!"), 79, 501)),
			done},
		want:      [2]string{"abcdefgh<end>", "OK!<end>"},
		anomalies: []string{AnomalyPktInvalidTimestamp},
		stats:     map[string]uint64{"InvalidTimestamps": 1},
	},
	{
		name: "zero TSval in the handshake turns validation off for that direction",
		steps: []step{
			add(c2s, ts(syn(0), 0, 0)),
			add(s2c, ts(synAck(500, 1), 7000, 0)),
			add(c2s, ts(data(1, "ab"), 50, 7000)),
			add(c2s, ts(data(3, "cd"), 0, 7000)),
			add(s2c, ts(finSeg(501, ""), 6000, 50)), // the server is still checked
			add(s2c, ts(data(501, "ok"), 7001, 50)),
			done},
		want:      [2]string{"abcd<end>", "ok<end>"},
		anomalies: []string{AnomalyPktInvalidTimestamp},
		stats:     map[string]uint64{"InvalidTimestamps": 1},
	},
	{
		// bug-3286-02: RST and FIN forged before the SYN/ACK echo a TSval
		// the client never sent; the client answers one of them with a RST.
		name: "SYN_SENT: replies must echo the SYN timestamp",
		steps: []step{
			add(c2s, ts(syn(0), 300, 0)),
			add(s2c, ts(Segment{Seq: 0, Ack: 1, RST: true, ACK: true}, 100, 100)),
			add(s2c, ts(Segment{Seq: 0, Ack: 1, FIN: true, ACK: true}, 100, 100)),
			add(c2s, rst(1)),
			add(s2c, ts(synAck(500, 1), 7000, 200)), // echoes nothing sent
			add(s2c, ts(synAck(500, 1), 7000, 300)),
			add(c2s, ts(data(1, "GET"), 301, 7000)),
			add(s2c, ts(data(501, "200"), 7001, 301)),
			done},
		want:      [2]string{"GET<end>", "200<end>"},
		anomalies: []string{AnomalyPktInvalidTimestamp, AnomalyPktInvalidTimestamp, AnomalyRstInvalidSeq, AnomalyPktInvalidTimestamp},
		stats:     map[string]uint64{"InvalidTimestamps": 3, "InvalidResets": 1},
	},
	{
		// bug-3286-03: the SYN has no timestamp, so a reply echoing one is forged.
		name: "SYN_SENT: echo in reply to a SYN without timestamps",
		steps: []step{
			add(c2s, syn(0)),
			add(s2c, ts(Segment{Seq: 0, Ack: 1, RST: true, ACK: true}, 100, 100)),
			add(s2c, ts(Segment{Seq: 0, Ack: 1, FIN: true, ACK: true}, 100, 100)),
			add(s2c, synAck(500, 1)),
			add(c2s, data(1, "GET")),
			add(s2c, data(501, "200")),
			done},
		want:      [2]string{"GET<end>", "200<end>"},
		anomalies: []string{AnomalyPktInvalidTimestamp, AnomalyPktInvalidTimestamp},
		stats:     map[string]uint64{"InvalidTimestamps": 2},
	},
	{
		name: "SYN_SENT: SYN/ACK may echo an earlier SYN or nothing",
		steps: []step{
			add(c2s, ts(syn(0), 100, 0)),
			add(c2s, ts(syn(0), 1100, 0)), // retransmitted SYN, new TSval
			add(s2c, ts(synAck(500, 1), 7000, 100)),
			add(c2s, ts(data(1, "GET"), 1101, 7000)),
			done},
		want:  [2]string{"GET<end>", "<end>"},
		stats: map[string]uint64{"InvalidTimestamps": 0},
	},
	{
		name:  "SYN_SENT: RST refusing the SYN accepted",
		steps: []step{add(c2s, ts(syn(0), 100, 0)), add(s2c, ts(Segment{Seq: 0, Ack: 1, RST: true, ACK: true}, 9, 100)), expect(c2s, "<end>")},
		want:  [2]string{"<end>", "<end>"},
	},
	{
		name:  "SYN_SENT: client RST at ISN acknowledging ISN+1 accepted",
		cfg:   noTimestamps,
		steps: []step{add(c2s, syn(0)), add(c2s, Segment{Seq: 0, Ack: 1, RST: true}), expect(c2s, "<end>")},
		want:  [2]string{"<end>", "<end>"},
	},
	{
		name:      "SYN_SENT: other client RST ignored",
		cfg:       noTimestamps,
		steps:     []step{add(c2s, syn(0)), add(c2s, rst(1)), add(s2c, synAck(500, 1)), add(c2s, data(1, "GET")), done},
		want:      [2]string{"GET<end>", "<end>"},
		anomalies: []string{AnomalyRstInvalidSeq},
		stats:     map[string]uint64{"InvalidResets": 1},
	},
}

func TestTimestampCases(t *testing.T) { runStreamCases(t, timestampCases) }
