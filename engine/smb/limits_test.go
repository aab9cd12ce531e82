package smb

import (
	"runtime"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// countSink counts calls without retaining anything, for allocation tests.
type countSink struct {
	opens, closes int
	bytes         int64
	anomalies     []string
}

func (c *countSink) FileOpen(app.FileHandle, app.FileMeta)        { c.opens++ }
func (c *countSink) FileData(_ app.FileHandle, _ int64, d []byte) { c.bytes += int64(len(d)) }
func (c *countSink) FileGap(app.FileHandle, int64, int64)         {}
func (c *countSink) FileClose(app.FileHandle, bool)               { c.closes++ }
func (c *countSink) Transaction(app.Direction, app.Metadata)      {}
func (c *countSink) Anomaly(_ app.Direction, n string)            { c.anomalies = append(c.anomalies, n) }

// TestBigWriteStreamedBoundedAlloc streams 20 MiB of WRITE data (five
// 4 MiB WRITEs, each far larger than the 64 KiB header buffer) in 64 KiB
// pieces and checks that the parser's allocation is bounded, independent of
// the data size.
func TestBigWriteStreamedBoundedAlloc(t *testing.T) {
	per, count := 4<<20, 5
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte(i)
	}
	frame := func(i int) []byte {
		hdr := writeReq(h2{msgID: uint64(3 + i), session: sess, tree: tree1}, fidA, uint64(i*per), nil, 0)
		// Patch the length field: the data follows separately.
		hdr[64+4], hdr[64+5], hdr[64+6], hdr[64+7] = byte(per), byte(per>>8), byte(per>>16), byte(per>>24)
		rec := len(hdr) + per
		return append([]byte{0, byte(rec >> 16), byte(rec >> 8), byte(rec)}, hdr...)
	}
	frames := make([][]byte, count)
	for i := range frames {
		frames[i] = frame(i)
	}
	sink := &countSink{}
	p := NewParser(nil, &Stats{}, sink)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < count; i++ {
		p.Feed(app.ToServer, frames[i])
		for sent := 0; sent < per; sent += len(chunk) {
			p.Feed(app.ToServer, chunk)
		}
	}
	runtime.ReadMemStats(&after)
	p.Close()
	if sink.bytes != int64(per*count) || sink.opens != 1 || sink.closes != 1 {
		t.Fatalf("delivered %d bytes, %d opens, %d closes", sink.bytes, sink.opens, sink.closes)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("allocated %d bytes streaming %d bytes of writes", grew, per*count)
	}
	// Steady state: feeding another data chunk allocates nothing.
	p2 := NewParser(nil, &Stats{}, &countSink{})
	p2.Feed(app.ToServer, frames[0])
	if a := testing.AllocsPerRun(50, func() { p2.Feed(app.ToServer, chunk) }); a != 0 {
		t.Fatalf("%.1f allocations per streamed chunk", a)
	}
}

// TestLimits sets each limit tiny and checks the anomaly it raises.
func TestLimits(t *testing.T) {
	data := pattern(600)
	cases := []struct {
		name string
		cfg  func(*Config)
		segs []seg
		want string
	}{
		{"record-too-large", func(c *Config) { c.MaxRecordBytes = 300 },
			[]seg{cli(nbss(writeReq(h2{msgID: 1}, fidA, 0, data, 0)))}, AnomalyRecordTooLarge},
		{"read-write-too-large", func(c *Config) { c.MaxReadWriteBytes = 500 },
			[]seg{cli(nbss(writeReq(h2{msgID: 1}, fidA, 0, data, 0)))}, AnomalyReadWriteTooLarge},
		{"outstanding", func(c *Config) { c.MaxOutstanding = 1 },
			[]seg{cli(nbss(readReq(h2{msgID: 1}, fidA, 0, 1)), nbss(readReq(h2{msgID: 2}, fidA, 0, 1)))}, AnomalyTooManyOutstanding},
		{"open-files", func(c *Config) { c.MaxOpenFiles = 1 },
			[]seg{cli(nbss(writeReq(h2{msgID: 1}, fidOf(1), 0, data[:1], 0)), nbss(writeReq(h2{msgID: 2}, fidOf(2), 0, data[:1], 0)))}, AnomalyTooManyFiles},
		{"compound", func(c *Config) { c.MaxCompound = 2 },
			[]seg{cli(nbss(compound(readReq(h2{msgID: 1}, fidA, 0, 1), readReq(h2{msgID: 2}, fidA, 0, 1), readReq(h2{msgID: 3}, fidA, 0, 1))))}, AnomalyCompoundTooLong},
		{"offset", nil,
			[]seg{cli(nbss(writeReq(h2{msgID: 1}, fidA, 1<<41, data[:5], 0)))}, AnomalyOffsetTooLarge},
		{"message-id-reuse", nil,
			[]seg{cli(nbss(readReq(h2{msgID: 1}, fidA, 0, 1)), nbss(readReq(h2{msgID: 1}, fidA, 0, 1)))}, AnomalyMessageIDReuse},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			s := checkChunking(t, &cfg, tc.segs)
			if strings.Join(s.anomalies, ",") != tc.want {
				t.Fatalf("anomalies %v, want exactly [%s]", s.anomalies, tc.want)
			}
		})
	}
}

// TestHostile feeds malformed inputs; none may panic, and a valid record
// after the damage must still be parsed (resync).
func TestHostile(t *testing.T) {
	good := nbss(writeReq(h2{msgID: 50, session: sess, tree: tree1}, fidOf(9), 0, []byte("after"), 0))
	bad := map[string][]byte{
		"garbage":           []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		"bad-magic":         nbss([]byte("\xfeSMX0123456789012345678901234567890123456789012345678901234567890123")),
		"short-smb2":        nbss([]byte("\xfeSMB\x40\x00")),
		"next-command-loop": nbss(func() []byte { m := readReq(h2{msgID: 1}, fidA, 0, 1); m[20] = 8; return m }()),
		"next-past-record":  nbss(func() []byte { m := readReq(h2{msgID: 1}, fidA, 0, 1); m[21] = 0xff; return m }()),
		"write-len-overflow": nbss(func() []byte {
			m := writeReq(h2{msgID: 1}, fidA, 0, []byte("x"), 0)
			m[68], m[69], m[70], m[71] = 0xff, 0xff, 0xff, 0xff
			return m
		}()),
		"write-off-in-header": nbss(func() []byte { m := writeReq(h2{msgID: 1}, fidA, 0, []byte("xy"), 0); m[66], m[67] = 4, 0; return m }()),
		"create-name-oob":     nbss(func() []byte { m := createReq(h2{msgID: 1}, "abc", 1, 0); m[64+46], m[64+47] = 0xff, 0x7f; return m }()),
		"smb1-andx-loop": nbss(func() []byte {
			m := readAndX1(h1{mid: 1}, 1, 0, 1)
			m[33], m[35], m[36] = smb1ReadAndX, 32, 0
			return m
		}()),
		"smb1-bad-wc":         nbss([]byte("\xffSMB\x2f\x00\x00\x00\x00\x18\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff")),
		"huge-nbss-bad-magic": {0, 0xff, 0xff, 0xff, 0x00, 'S', 'M', 'B'},
		"transform-tiny":      nbss([]byte("\xfdSMB")),
	}
	for name, b := range bad {
		t.Run(name, func(t *testing.T) {
			s := checkChunking(t, nil, []seg{cli(b, good)})
			if len(s.order) == 0 || s.files[s.order[len(s.order)-1]].meta.Name != "" ||
				string(s.files[s.order[len(s.order)-1]].content()) != "after" {
				t.Fatalf("valid record after damage not parsed:\n%s", s.summary())
			}
		})
	}
}

// TestGapResync: a gap in the NBSS header position loses framing; the
// parser resynchronises on the next record.
func TestGapResync(t *testing.T) {
	good := nbss(writeReq(h2{msgID: 50, session: sess, tree: tree1}, fidOf(9), 0, []byte("after"), 0))
	segs := []seg{
		cli(good[:2]),
		{dir: app.ToServer, gap: 1000},
		cli([]byte("junkjunk"), good),
	}
	s := checkChunking(t, nil, segs)
	if len(s.order) != 1 || string(s.files[s.order[0]].content()) != "after" {
		t.Fatalf("no resync:\n%s", s.summary())
	}
}

func TestProbe(t *testing.T) {
	cases := []struct {
		in   string
		want app.Verdict
	}{
		{"", app.NeedMore},
		{"\x00", app.NeedMore},
		{"\x00\x00\x00\x60\xfeSM", app.NeedMore},
		{"\x00\x00\x00\x60\xfeSMB", app.Yes},
		{"\x00\x00\x00\x60\xffSMB", app.Yes},
		{"\x00\x00\x00\x60\xfdSMB", app.Yes},
		{"\x00\x00\x00\x10\xfeSMB", app.No},
		{"\x00\x00\x00\x60\xfeSMX", app.No},
		{"\x00\x00\x00\x60\x00SMB", app.No},
		{"\x81\x00\x00\x44", app.Yes},
		{"GET /", app.No},
	}
	for _, tc := range cases {
		if got := Probe(app.ToServer, []byte(tc.in)); got != tc.want {
			t.Errorf("Probe(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.MaxHeaderBuffer = 10
	if err := c.Validate(); err == nil {
		t.Fatal("tiny header buffer accepted")
	}
}

func (c *countSink) Frame(app.Frame)                               {}
func (c *countSink) FrameLength(app.Direction, app.FrameID, int64) {}

// TestOpenFilesEvictOldest: at max-open-files a new file evicts the oldest
// open one, which ends TRUNCATED; the new file's bytes are delivered (a
// session leaving files open must not hide the files after them).
func TestOpenFilesEvictOldest(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxOpenFiles = 2
	segs := []seg{cli(
		nbss(writeReq(h2{msgID: 1}, fidOf(1), 0, []byte("one"), 0)),
		nbss(writeReq(h2{msgID: 2}, fidOf(2), 0, []byte("two"), 0)),
		nbss(writeReq(h2{msgID: 3}, fidOf(3), 0, []byte("three"), 0)),
	)}
	s := checkChunking(t, &cfg, segs)
	if len(s.order) != 3 {
		t.Fatalf("%d files opened, want 3", len(s.order))
	}
	first, last := s.files[s.order[0]], s.files[s.order[2]]
	if !first.closed || !first.truncated {
		t.Errorf("oldest file: closed %v truncated %v, want evicted TRUNCATED", first.closed, first.truncated)
	}
	if string(last.data[0]) != "three" {
		t.Errorf("newest file carries %q, want its bytes delivered", last.data[0])
	}
	if strings.Join(s.anomalies, ",") != AnomalyTooManyFiles {
		t.Errorf("anomalies %v, want [%s]", s.anomalies, AnomalyTooManyFiles)
	}
}

// TestEndInsideBufferedRecord: a WRITE whose record announces more than
// arrives, cut by the end of its direction while still shorter than
// max-header-buffer, is parsed at End as a truncated message: its file is
// opened with the bytes that came and closed TRUNCATED.
func TestEndInsideBufferedRecord(t *testing.T) {
	data := pattern(1000)
	rec := nbss(writeReq(h2{msgID: 1}, fidOf(1), 0, data, 0))
	// Announce 1 MiB, send the first 600 bytes of the record.
	rec[1], rec[2], rec[3] = 0x10, 0, 0
	cut := rec[:600]
	for name, split := range map[string]func([]byte) [][]byte{"whole": whole, "one-byte": oneByte} {
		t.Run(name, func(t *testing.T) {
			s := newRecSink()
			p := NewParser(nil, &Stats{}, s)
			for _, c := range split(cut) {
				p.Feed(app.ToServer, c)
			}
			p.End(app.ToServer)
			p.Close()
			if len(s.order) != 1 {
				t.Fatalf("%d files, want the cut WRITE's", len(s.order))
			}
			f := s.files[s.order[0]]
			if !f.closed || !f.truncated || f.size() == 0 || f.size() > int64(len(data)) {
				t.Fatalf("file closed %v truncated %v size %d: want TRUNCATED with the bytes that came", f.closed, f.truncated, f.size())
			}
		})
	}
}
