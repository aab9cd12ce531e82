package reassembly

import (
	"slices"
	"testing"

	"github.com/wirescan/wirescan/engine/memcap"
)

const (
	c2s = ClientToServer
	s2c = ServerToClient
)

// step is one action of a table case: add a segment, flush, close, or
// expect the rendered output of a direction so far.
type step struct {
	op   byte // 'a' add, 'f' flush, 'c' close, 'e' expect
	dir  Direction
	seg  Segment
	want string
}

func add(dir Direction, seg Segment) step { return step{op: 'a', dir: dir, seg: seg} }
func expect(dir Direction, want string) step {
	return step{op: 'e', dir: dir, want: want}
}

var (
	flush = step{op: 'f'}
	done  = step{op: 'c'}
)

func syn(seq uint32) Segment            { return Segment{Seq: seq, SYN: true} }
func data(seq uint32, p string) Segment { return Segment{Seq: seq, ACK: true, Payload: []byte(p)} }
func finSeg(seq uint32, p string) Segment {
	return Segment{Seq: seq, FIN: true, ACK: true, Payload: []byte(p)}
}
func rst(seq uint32) Segment               { return Segment{Seq: seq, RST: true} }
func ackSeg(seq, ack uint32) Segment       { return Segment{Seq: seq, Ack: ack, ACK: true} }
func synData(seq uint32, p string) Segment { return Segment{Seq: seq, SYN: true, Payload: []byte(p)} }

type streamCase struct {
	name      string
	cfg       func(*Config)
	memcap    int64 // 0: 1 GiB
	steps     []step
	want      [2]string // rendered output of both directions after all steps
	anomalies []string  // in order
	stats     map[string]uint64
}

var streamCases = []streamCase{
	{
		name:  "in order",
		steps: []step{add(c2s, syn(100)), add(c2s, data(101, "hello")), add(c2s, data(106, " world")), expect(c2s, "hello world"), done},
		want:  [2]string{"hello world<end>", "<end>"},
		stats: map[string]uint64{"InOrderBytes": 11, "ReassembledBytes": 0, "Gaps": 0},
	},
	{
		name:  "reversed",
		steps: []step{add(c2s, syn(0)), add(c2s, data(7, "ghi")), add(c2s, data(4, "def")), expect(c2s, ""), add(c2s, data(1, "abc")), expect(c2s, "abcdefghi"), done},
		want:  [2]string{"abcdefghi<end>", "<end>"},
		stats: map[string]uint64{"OutOfOrderSegments": 2, "ReassembledBytes": 6, "InOrderBytes": 3},
	},
	{
		name:  "overlap with delivered, same data",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abcdef")), add(c2s, data(4, "defghi")), done},
		want:  [2]string{"abcdefghi<end>", "<end>"},
		stats: map[string]uint64{"Overlaps": 1, "OverlapsDiffering": 0, "Retransmissions": 0},
	},
	{
		name:      "overlap with buffered, different data: first copy wins",
		steps:     []step{add(c2s, syn(0)), add(c2s, data(5, "efgh")), add(c2s, data(1, "abcdXXgh")), done},
		want:      [2]string{"abcdefgh<end>", "<end>"},
		anomalies: []string{AnomalyOverlapDifferentData},
		stats:     map[string]uint64{"Retransmissions": 0, "Overlaps": 1, "OverlapsDiffering": 1},
	},
	{
		name:      "new segment spans several buffered pieces",
		steps:     []step{add(c2s, syn(0)), add(c2s, data(3, "c")), add(c2s, data(6, "fg")), add(c2s, data(2, "bXdefG")), expect(c2s, ""), add(c2s, data(1, "a")), done},
		want:      [2]string{"abcdefg<end>", "<end>"},
		anomalies: []string{AnomalyOverlapDifferentData},
		stats:     map[string]uint64{"Overlaps": 1, "OverlapsDiffering": 1, "OutOfOrderSegments": 3},
	},
	{
		name:  "in-order segment fills holes between buffered pieces",
		steps: []step{add(c2s, syn(0)), add(c2s, data(3, "c")), add(c2s, data(6, "fg")), add(c2s, data(1, "abcdefgh")), done},
		want:  [2]string{"abcdefgh<end>", "<end>"},
		stats: map[string]uint64{"Overlaps": 1, "OverlapsDiffering": 0, "InOrderBytes": 5, "ReassembledBytes": 3},
	},
	{
		name:      "retransmission of delivered data with different bytes",
		steps:     []step{add(c2s, syn(0)), add(c2s, data(1, "abcdef")), add(c2s, data(3, "XY")), done},
		want:      [2]string{"abcdef<end>", "<end>"},
		anomalies: []string{AnomalyOverlapDifferentData},
		stats:     map[string]uint64{"Retransmissions": 1, "OverlapsDiffering": 1},
	},
	{
		name:  "identical retransmission",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abcdef")), add(c2s, data(1, "abcdef")), done},
		want:  [2]string{"abcdef<end>", "<end>"},
		stats: map[string]uint64{"Retransmissions": 1, "OverlapsDiffering": 0},
	},
	{
		name:  "retransmission older than history is not compared",
		cfg:   func(c *Config) { c.HistoryBytes = 2 },
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abcdef")), add(c2s, data(1, "XXXXef")), done},
		want:  [2]string{"abcdef<end>", "<end>"},
		stats: map[string]uint64{"Retransmissions": 1, "OverlapsDiffering": 0},
	},
	{
		name:  "gap then ACK past the hole",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(c2s, data(7, "ghi")), expect(c2s, "abc"), add(s2c, ackSeg(500, 7)), expect(c2s, "abc<gap 3>ghi"), done},
		want:  [2]string{"abc<gap 3>ghi<end>", "<end>"},
		stats: map[string]uint64{"Gaps": 1, "GapBytes": 3},
	},
	{
		name: "ACK beyond everything waits for later data",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(s2c, ackSeg(500, 10)), expect(c2s, "abc"),
			add(c2s, data(12, "xyz")), expect(c2s, "abc<gap 6>"), done},
		want:  [2]string{"abc<gap 6><gap 2>xyz<end>", "<end>"},
		stats: map[string]uint64{"Gaps": 2, "GapBytes": 8},
	},
	{
		name:  "ACK already past the hole when data arrives",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(s2c, ackSeg(500, 20)), add(c2s, data(7, "ghi")), expect(c2s, "abc<gap 3>ghi")},
		want:  [2]string{"abc<gap 3>ghi", ""},
		stats: map[string]uint64{"OutOfOrderSegments": 0, "InOrderBytes": 6},
	},
	{
		name:  "FIN with hole waits, Close gaps",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(c2s, finSeg(7, "ghi")), expect(c2s, "abc"), done},
		want:  [2]string{"abc<gap 3>ghi<end>", "<end>"},
	},
	{
		name:  "FIN with hole, ACK of the FIN gaps and ends",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(c2s, finSeg(7, "ghi")), add(s2c, ackSeg(500, 11)), expect(c2s, "abc<gap 3>ghi<end>")},
		want:  [2]string{"abc<gap 3>ghi<end>", ""},
	},
	{
		name:  "FIN without data, hole before it, ACK of the FIN",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(c2s, finSeg(10, "")), add(s2c, ackSeg(500, 11)), expect(c2s, "abc<gap 6><end>")},
		want:  [2]string{"abc<gap 6><end>", ""},
	},
	{
		name:  "FIN reordered before the last data",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(c2s, finSeg(7, "ghi")), add(c2s, data(4, "def")), expect(c2s, "abcdefghi<end>")},
		want:  [2]string{"abcdefghi<end>", ""},
	},
	{
		name:      "FIN before bytes already seen is ignored",
		steps:     []step{add(c2s, syn(0)), add(c2s, data(1, "abcdef")), add(c2s, finSeg(3, "")), add(c2s, data(7, "g")), done},
		want:      [2]string{"abcdefg<end>", "<end>"},
		anomalies: []string{AnomalyFinInvalidSeq},
	},
	{
		name:      "data after FIN",
		steps:     []step{add(c2s, syn(0)), add(c2s, finSeg(1, "abc")), add(c2s, data(4, "zzz")), add(c2s, data(1, "abc")), done},
		want:      [2]string{"abc<end>", "<end>"},
		anomalies: []string{AnomalyPktAfterClose},
		stats:     map[string]uint64{"SegmentsAfterClose": 1, "Retransmissions": 1},
	},
	{
		name: "RST delivers acknowledged data with gaps and ends both directions",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(c2s, data(7, "ghi")), add(s2c, synData(1000, "")),
			add(s2c, Segment{Seq: 1001, Ack: 10, ACK: true, Payload: []byte("xy")}),
			add(c2s, rst(10)), expect(c2s, "abc<gap 3>ghi<end>"), expect(s2c, "xy<end>"), add(s2c, data(1003, "late")), done},
		want:      [2]string{"abc<gap 3>ghi<end>", "xy<end>"},
		anomalies: []string{AnomalyPktAfterClose},
		stats:     map[string]uint64{"SegmentsAfterClose": 1},
	},
	{
		name: "RST discards buffered data the receiver never acknowledged",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(c2s, data(7, "ghi")), add(s2c, synData(1000, "")),
			add(s2c, Segment{Seq: 1001, Ack: 4, ACK: true, Payload: []byte("xy")}),
			add(c2s, rst(10)), expect(c2s, "abc<end>"), expect(s2c, "xy<end>"), done},
		want:  [2]string{"abc<end>", "xy<end>"},
		stats: map[string]uint64{"UnackedDiscardedBytes": 3},
	},
	{
		name:      "RST far out of window is ignored",
		steps:     []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(s2c, rst(0x80000000)), add(c2s, rst(0x80000000)), add(c2s, data(4, "def")), expect(c2s, "abcdef")},
		want:      [2]string{"abcdef", ""},
		anomalies: []string{AnomalyRstInvalidSeq, AnomalyRstInvalidSeq},
		stats:     map[string]uint64{"InvalidResets": 2},
	},
	{
		name:  "RST refusing a SYN, from a direction never seen",
		steps: []step{add(c2s, syn(0)), add(s2c, Segment{Seq: 0, Ack: 1, ACK: true, RST: true})},
		want:  [2]string{"<end>", "<end>"},
	},
	{
		name:      "RST with data ignores the data",
		steps:     []step{add(c2s, syn(0)), add(s2c, Segment{Seq: 500, Ack: 1, SYN: true, ACK: true}), add(c2s, Segment{Seq: 1, RST: true, Payload: []byte("evil")})},
		want:      [2]string{"<end>", "<end>"},
		anomalies: []string{AnomalyRstWithData},
	},
	{
		name: "wraparound around 2^32",
		steps: []step{add(c2s, syn(0xFFFFFFF8)), add(c2s, data(2, "jkl")), add(c2s, data(0xFFFFFFF9, "abcdefg")), add(c2s, finSeg(5, "")),
			add(c2s, data(0, "hi")), expect(c2s, "abcdefghijkl<end>")},
		want: [2]string{"abcdefghijkl<end>", ""},
	},
	{
		name:  "wraparound with midstream start just below 2^32",
		steps: []step{add(c2s, data(0xFFFFFFFE, "ab")), add(c2s, data(0x00000000, "cd")), add(s2c, ackSeg(1, 4)), add(c2s, data(4, "gh")), done},
		want:  [2]string{"abcd<gap 2>gh<end>", "<end>"},
	},
	{
		name:  "midstream",
		steps: []step{add(c2s, data(5000, "abc")), add(c2s, data(5003, "def")), add(s2c, data(9000, "xyz")), done},
		want:  [2]string{"abcdef<end>", "xyz<end>"},
	},
	{
		name:  "midstream disabled drops until SYN",
		cfg:   func(c *Config) { c.Midstream = false },
		steps: []step{add(c2s, data(5000, "abc")), add(c2s, syn(5002)), add(c2s, data(5003, "def")), done},
		want:  [2]string{"def<end>", "<end>"},
		stats: map[string]uint64{"NoSynDrops": 1},
	},
	{
		name:      "SYN retransmitted with a new ISN before data",
		steps:     []step{add(c2s, syn(100)), add(c2s, syn(200)), add(c2s, data(201, "ab")), done},
		want:      [2]string{"ab<end>", "<end>"},
		anomalies: []string{AnomalySynDifferentSeq},
	},
	{
		name:  "data on the SYN (TCP Fast Open)",
		steps: []step{add(c2s, synData(0, "GET /")), add(c2s, synData(0, "GET /")), add(c2s, data(6, " HTTP")), done},
		want:  [2]string{"GET / HTTP<end>", "<end>"},
		stats: map[string]uint64{"Retransmissions": 1},
	},
	{
		name:      "sequence number far ahead is dropped",
		steps:     []step{add(c2s, syn(0)), add(c2s, data(1<<30+10, "x")), add(c2s, data(0x80000001, "y")), add(c2s, data(1, "a")), done},
		want:      [2]string{"a<end>", "<end>"},
		anomalies: []string{AnomalySeqOutOfWindow, AnomalySeqOutOfWindow},
		stats:     map[string]uint64{"OutOfWindowDrops": 2},
	},
	{
		name:  "window: segments at the limit",
		cfg:   func(c *Config) { c.MaxBufferedSegments = 2 },
		steps: []step{add(c2s, syn(0)), add(c2s, data(3, "c")), add(c2s, data(5, "e")), add(c2s, data(1, "ab")), add(c2s, data(4, "d")), done},
		want:  [2]string{"abcde<end>", "<end>"},
		stats: map[string]uint64{"WindowDrops": 0},
	},
	{
		name:      "window: one segment over the limit skips forward",
		cfg:       func(c *Config) { c.MaxBufferedSegments = 2 },
		steps:     []step{add(c2s, syn(0)), add(c2s, data(3, "c")), add(c2s, data(5, "e")), add(c2s, data(7, "g")), expect(c2s, "<gap 2>c"), done},
		want:      [2]string{"<gap 2>c<gap 1>e<gap 1>g<end>", "<end>"},
		anomalies: []string{AnomalyWindowExceeded},
		stats:     map[string]uint64{"WindowDrops": 1, "Gaps": 3},
	},
	{
		name:  "window: bytes at the limit",
		cfg:   func(c *Config) { c.MaxBufferedBytes = 4 },
		steps: []step{add(c2s, syn(0)), add(c2s, data(3, "cd")), add(c2s, data(6, "fg")), add(c2s, data(1, "ab")), add(c2s, data(5, "e")), done},
		want:  [2]string{"abcdefg<end>", "<end>"},
		stats: map[string]uint64{"WindowDrops": 0},
	},
	{
		name:      "window: bytes over the limit",
		cfg:       func(c *Config) { c.MaxBufferedBytes = 4 },
		steps:     []step{add(c2s, syn(0)), add(c2s, data(3, "cd")), add(c2s, data(6, "fgh")), expect(c2s, "<gap 2>cd"), done},
		want:      [2]string{"<gap 2>cd<gap 1>fgh<end>", "<end>"},
		anomalies: []string{AnomalyWindowExceeded},
		stats:     map[string]uint64{"WindowDrops": 1},
	},
	{
		name:      "memcap tiny: out-of-order data dropped, in-order data flows",
		memcap:    segmentOverhead + 3,
		cfg:       func(c *Config) { c.HistoryBytes = 0 },
		steps:     []step{add(c2s, syn(0)), add(c2s, data(4, "def")), add(c2s, data(7, "ghi")), add(c2s, data(1, "abc")), done},
		want:      [2]string{"abcdef<gap 3><end>", "<end>"},
		anomalies: []string{AnomalyMemcap},
		stats:     map[string]uint64{"MemcapDrops": 1, "GapBytes": 3},
	},
	{
		name:      "memcap tiny: history is not grown",
		memcap:    10,
		steps:     []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(c2s, data(1, "xyz")), done},
		want:      [2]string{"abc<end>", "<end>"},
		stats:     map[string]uint64{"HistoryMemcapHits": 1, "Retransmissions": 1, "OverlapsDiffering": 0},
		anomalies: nil,
	},
	{
		name: "late data for a gapped range",
		steps: []step{add(c2s, syn(0)), add(c2s, data(1, "abc")), add(c2s, data(7, "ghi")), add(s2c, ackSeg(500, 10)),
			add(c2s, data(4, "def")), done},
		want:      [2]string{"abc<gap 3>ghi<end>", "<end>"},
		anomalies: []string{AnomalyLateDataForGap},
		stats:     map[string]uint64{"LateGapData": 1, "Retransmissions": 1},
	},
	{
		name:  "flush delivers buffered data, later data continues",
		steps: []step{add(c2s, syn(0)), add(c2s, data(4, "def")), flush, expect(c2s, "<gap 3>def"), add(c2s, data(7, "g")), done},
		want:  [2]string{"<gap 3>defg<end>", "<end>"},
	},
	{
		name:      "data after Close is counted",
		steps:     []step{add(c2s, syn(0)), done, add(c2s, data(1, "a")), done},
		want:      [2]string{"<end>", "<end>"},
		anomalies: []string{AnomalyPktAfterClose},
		stats:     map[string]uint64{"SegmentsAfterClose": 1},
	},
	{
		name:  "both directions interleaved",
		steps: []step{add(c2s, syn(10)), add(s2c, synData(90, "")), add(c2s, data(11, "GET")), add(s2c, data(91, "200")), add(c2s, finSeg(14, "!")), add(s2c, finSeg(94, "OK")), expect(c2s, "GET!<end>"), expect(s2c, "200OK<end>")},
		want:  [2]string{"GET!<end>", "200OK<end>"},
	},
}

func TestStreamCases(t *testing.T) { runStreamCases(t, streamCases) }

// runStreamCases runs each case in a subtest and rejects duplicate names.
func runStreamCases(t *testing.T, cases []streamCase) {
	names := map[string]bool{}
	for _, tc := range cases {
		if names[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			limit := tc.memcap
			if limit == 0 {
				limit = 1 << 30
			}
			mem, st, r := memcap.New(limit), new(Stats), new(recorder)
			s := NewStream(&cfg, mem, st, r)
			closed := false
			for i, sp := range tc.steps {
				switch sp.op {
				case 'a':
					s.Add(sp.dir, sp.seg)
				case 'f':
					s.Flush()
				case 'c':
					s.Close()
					closed = true
				case 'e':
					if got := r.out[sp.dir].String(); got != sp.want {
						t.Fatalf("step %d: dir %d output %q, want %q", i, sp.dir, got, sp.want)
					}
				}
				checkInvariants(t, s)
				if got := mem.InUse(); got != s.MemoryHeld() {
					t.Fatalf("step %d: memory in use %d, stream holds %d", i, got, s.MemoryHeld())
				}
			}
			for d := range 2 {
				if got := r.out[d].String(); got != tc.want[d] {
					t.Errorf("dir %d output %q, want %q", d, got, tc.want[d])
				}
			}
			if !slices.Equal(r.anomalies, tc.anomalies) {
				t.Errorf("anomalies %q, want %q", r.anomalies, tc.anomalies)
			}
			for name, want := range tc.stats {
				if got := statField(t, st, name); got != want {
					t.Errorf("Stats.%s = %d, want %d", name, got, want)
				}
			}
			if !closed {
				s.Close()
			}
			checkClosed(t, s, r, mem)
		})
	}
}
