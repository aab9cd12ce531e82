package files

import (
	"bytes"
	"crypto/sha256"
	"math/rand/v2"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// tfile is the file type the tests track: owners and states are ints.
type tfile = File[int, int]

// recorder is a Consumer that rebuilds what it was given.
type recorder struct {
	t         *testing.T
	orig      []byte // when set, every Data must equal orig at its offset
	out       []byte
	gaps      int64
	next      int64
	anomalies []string
	overlaps  int
	closed    []*tfile
}

func (r *recorder) Data(f *tfile, off int64, b []byte) {
	if f.isJoin {
		return
	}
	if off != r.next {
		r.t.Fatalf("data at %d, want in-order %d", off, r.next)
	}
	if r.orig != nil && !bytes.Equal(b, r.orig[off:off+int64(len(b))]) {
		r.t.Fatalf("data at %d differs from the original", off)
	}
	r.out = append(r.out, b...)
	r.next += int64(len(b))
}

func (r *recorder) Gap(f *tfile, off, n int64) {
	if f.isJoin {
		return
	}
	if off != r.next {
		r.t.Fatalf("gap at %d, want in-order %d", off, r.next)
	}
	r.gaps += n
	r.out = append(r.out, make([]byte, n)...)
	r.next += n
}
func (r *recorder) Anomaly(f *tfile, name string) {
	if name == "file.overlap" {
		r.overlaps++ // any overlap: reported once per file, counted apart
		return
	}
	r.anomalies = append(r.anomalies, name)
}
func (r *recorder) Closed(f *tfile) { r.closed = append(r.closed, f) }

func newTestTracker(t *testing.T, cfg Config, orig []byte) (*Tracker[int, int], *recorder, *Stats) {
	r := &recorder{t: t, orig: orig}
	var st Stats
	return NewTracker[int, int](&cfg, &st, r), r, &st
}

func TestInOrderAndHashes(t *testing.T) {
	tr, r, _ := newTestTracker(t, DefaultConfig(), nil)
	f := tr.Open(app.FileMeta{Name: "a"}, 0)
	f.Write(0, []byte("hello "))
	f.Write(6, []byte("world"))
	f.Close(false)
	if string(r.out) != "hello world" || f.State != StateClosed || f.Size != 11 || f.Gaps {
		t.Fatalf("got %q state %s size %d gaps %v", r.out, f.State, f.Size, f.Gaps)
	}
	want := sha256.Sum256([]byte("hello world"))
	if !bytes.Equal(f.SHA256, want[:]) {
		t.Fatalf("sha256 mismatch")
	}
	if f.Magic != "ASCII text" {
		t.Fatalf("magic %q", f.Magic)
	}
}

func TestOutOfOrderOverlapAndHoles(t *testing.T) {
	cases := []struct {
		name      string
		ops       func(f *tfile)
		want      string
		gaps      int64
		state     State
		anomalies int
	}{
		{"reversed", func(f *tfile) { f.Write(4, []byte("EFGH")); f.Write(0, []byte("ABCD")) }, "ABCDEFGH", 0, StateClosed, 0},
		{"overlap same", func(f *tfile) { f.Write(2, []byte("CDEF")); f.Write(0, []byte("ABCDEF")) }, "ABCDEF", 0, StateClosed, 0},
		{"overlap differs pending", func(f *tfile) { f.Write(2, []byte("CDEF")); f.Write(0, []byte("ABXXEF")) }, "ABCDEF", 0, StateClosed, 1},
		{"overlap differs delivered", func(f *tfile) { f.Write(0, []byte("ABCDEF")); f.Write(2, []byte("XX")) }, "ABCDEF", 0, StateClosed, 1},
		{"hole at close", func(f *tfile) { f.Write(0, []byte("AB")); f.Write(4, []byte("EF")) }, "AB\x00\x00EF", 2, StateTruncated, 0},
		{"explicit gap", func(f *tfile) { f.Write(0, []byte("AB")); f.Gap(2, 2); f.Write(4, []byte("EF")) }, "AB\x00\x00EF", 2, StateTruncated, 0},
		{"gap ahead then fill", func(f *tfile) { f.Gap(4, 2); f.Write(0, []byte("ABCD")); f.Write(6, []byte("G")) }, "ABCD\x00\x00G", 2, StateTruncated, 0},
		{"middle piece spans two pending", func(f *tfile) { f.Write(1, []byte("B")); f.Write(3, []byte("D")); f.Write(0, []byte("ABCDE")) }, "ABCDE", 0, StateClosed, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, r, st := newTestTracker(t, DefaultConfig(), nil)
			f := tr.Open(app.FileMeta{}, 0)
			tc.ops(f)
			f.Close(false)
			if r.overlaps > 1 {
				t.Fatalf("file.overlap reported %d times, want at most once", r.overlaps)
			}
			if string(r.out) != tc.want || r.gaps != tc.gaps || f.State != tc.state || len(r.anomalies) != tc.anomalies {
				t.Fatalf("got %q gaps %d state %s anomalies %v", r.out, r.gaps, f.State, r.anomalies)
			}
			if st.BufferedBytes != 0 {
				t.Fatalf("buffered bytes not released: %d", st.BufferedBytes)
			}
		})
	}
}

func TestKnownSizeShortIsTruncated(t *testing.T) {
	tr, _, _ := newTestTracker(t, DefaultConfig(), nil)
	f := tr.Open(app.FileMeta{Size: 10}, 0)
	f.Write(0, []byte("12345"))
	f.Close(false)
	if f.State != StateTruncated {
		t.Fatalf("state %s", f.State)
	}
}

func TestHostileOffsets(t *testing.T) {
	tr, r, st := newTestTracker(t, DefaultConfig(), nil)
	f := tr.Open(app.FileMeta{}, 0)
	f.Write(-5, []byte("x"))
	f.Write(1<<62, []byte("x"))
	f.Write(1<<63-1, []byte("xx"))
	f.Close(false)
	if st.InvalidOffsets != 3 || len(r.out) != 0 {
		t.Fatalf("invalid %d out %d", st.InvalidOffsets, len(r.out))
	}
}

// TestPermutationsYieldOriginal is the property test: any order and
// duplication of a file's pieces gives back the original bytes with no gaps,
// as long as the window holds them.
func TestPermutationsYieldOriginal(t *testing.T) {
	seed := uint64(20261130)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for iter := 0; iter < 300; iter++ {
		orig := make([]byte, 1+rng.IntN(5000))
		for i := range orig {
			orig[i] = byte(rng.IntN(256))
		}
		type pc struct{ off, n int }
		var pieces []pc
		for off := 0; off < len(orig); {
			n := 1 + rng.IntN(700)
			n = min(n, len(orig)-off)
			pieces = append(pieces, pc{off, n})
			off += n
		}
		// duplicates and overlapping re-sends
		for range rng.IntN(5) {
			a := rng.IntN(len(orig))
			b := a + 1 + rng.IntN(len(orig)-a)
			pieces = append(pieces, pc{a, b - a})
		}
		rng.Shuffle(len(pieces), func(i, j int) { pieces[i], pieces[j] = pieces[j], pieces[i] })
		tr, r, st := newTestTracker(t, DefaultConfig(), orig)
		f := tr.Open(app.FileMeta{}, 0)
		for _, p := range pieces {
			f.Write(int64(p.off), orig[p.off:p.off+p.n])
		}
		f.Close(false)
		if !bytes.Equal(r.out, orig) || r.gaps != 0 || f.State != StateClosed || len(r.anomalies) != 0 {
			t.Fatalf("iter %d: out %d bytes (want %d) gaps %d state %s anomalies %v", iter, len(r.out), len(orig), r.gaps, f.State, r.anomalies)
		}
		if st.BufferedBytes != 0 {
			t.Fatalf("iter %d: %d bytes still buffered", iter, st.BufferedBytes)
		}
	}
}

// TestTinyWindowStaysConsistent: with a tiny window, pieces become holes but
// every delivered byte is still the original byte at its offset and nothing
// stays buffered.
func TestTinyWindowStaysConsistent(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	cfg := DefaultConfig()
	cfg.MaxWindowBytes = 64
	for iter := 0; iter < 200; iter++ {
		orig := make([]byte, 1+rng.IntN(3000))
		for i := range orig {
			orig[i] = byte(rng.IntN(256))
		}
		tr, r, st := newTestTracker(t, cfg, orig)
		f := tr.Open(app.FileMeta{}, 0)
		for range 40 {
			off := rng.IntN(len(orig))
			n := 1 + rng.IntN(min(200, len(orig)-off))
			f.Write(int64(off), orig[off:off+n])
			if f.side != nil && f.side.buffered > cfg.MaxWindowBytes {
				t.Fatalf("window exceeded: %d", f.side.buffered)
			}
		}
		f.Close(false)
		if st.BufferedBytes != 0 || int64(len(r.out)) != f.Size {
			t.Fatalf("iter %d: buffered %d out %d size %d", iter, st.BufferedBytes, len(r.out), f.Size)
		}
	}
}

func TestRangeJoin(t *testing.T) {
	tr, r, _ := newTestTracker(t, DefaultConfig(), nil)
	whole := []byte("0123456789")
	meta := func(s, e int64) app.FileMeta {
		return app.FileMeta{Name: "/f", ResourceKey: "h/f", Range: &app.ContentRange{Start: s, End: e, Total: 10}}
	}
	b := tr.Open(meta(5, 9), 1)
	b.Write(0, whole[5:])
	b.Close(false)
	r.next, r.out = 0, nil // the recorder checks order per part
	a := tr.Open(meta(0, 4), 2)
	a.Write(0, whole[:5])
	a.Close(false)
	if len(r.closed) != 3 {
		t.Fatalf("closed %d files, want 2 parts + 1 joined", len(r.closed))
	}
	var j *tfile
	for _, c := range r.closed {
		if c.isJoin {
			j = c
		}
	}
	want := sha256.Sum256(whole)
	if j.Size != 10 || j.State != StateClosed || !bytes.Equal(j.SHA256, want[:]) {
		t.Fatalf("joined file size %d state %s", j.Size, j.State)
	}
	if j.Owner != 2 {
		t.Errorf("joined file owner %d, want 2 (the part that joined it last)", j.Owner)
	}
	tr.Close()
}

func FuzzFile(f *testing.F) {
	f.Add([]byte{0, 4, 1, 2, 3, 4, 4, 2, 9, 9})
	f.Fuzz(func(t *testing.T, ops []byte) {
		cfg := DefaultConfig()
		cfg.MaxWindowBytes = 32
		r := &recorder{t: t}
		var st Stats
		tr := NewTracker[int, int](&cfg, &st, r)
		fl := tr.Open(app.FileMeta{}, 0)
		for len(ops) >= 3 {
			off, n := int64(ops[0]), int(ops[1]%64)
			if n > len(ops)-2 {
				n = len(ops) - 2
			}
			if ops[2]&1 == 1 {
				fl.Gap(off, int64(n))
			} else {
				fl.Write(off, ops[2:2+n])
			}
			ops = ops[2+n:]
		}
		fl.Close(false)
		if st.BufferedBytes != 0 || int64(len(r.out)) != fl.Size {
			t.Fatalf("buffered %d out %d size %d", st.BufferedBytes, len(r.out), fl.Size)
		}
	})
}

func TestSniff(t *testing.T) {
	for in, want := range map[string]string{
		"%PDF-1.5\n%...":  "PDF document, version 1.5",
		"%PDF-":           "PDF document",
		"\x7fELF\x02":     "ELF executable",
		"PK\x03\x04":      "Zip archive data",
		"<!DOCTYPE html>": "HTML document, ASCII text",
		"hello\n":         "ASCII text",
		"\x00\x01\x02":    "data",
		"":                "empty",
	} {
		if got := Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBytesBefore(t *testing.T) {
	cfg := DefaultConfig()
	cfg.HistoryBytes = 8
	tr, _, _ := newTestTracker(t, cfg, nil)
	f := tr.Open(app.FileMeta{}, 0)
	f.Write(0, []byte("0123456789abcdef"))
	if got := string(f.BytesBefore(16, 4)); got != "cdef" {
		t.Fatalf("got %q", got)
	}
	if got := string(f.BytesBefore(12, 20)); got != "89ab" { // history holds offsets 8..15
		t.Fatalf("got %q", got)
	}
	if f.BytesBefore(4, 4) != nil || f.BytesBefore(17, 4) != nil {
		t.Fatal("bytes outside the history")
	}
	f.Gap(16, 4) // a hole empties the history
	f.Write(20, []byte("XY"))
	if got := string(f.BytesBefore(22, 8)); got != "XY" {
		t.Fatalf("after a hole got %q", got)
	}
	// A retransmission of bytes before the hole must not be compared with
	// the bytes after it.
	if f.OverlapDiffers {
		t.Fatal("false overlap after a hole")
	}
}

// ctxRecorder asks for the bytes before every offset it is given, while the
// piece is being delivered.
type ctxRecorder struct {
	recorder
	at  int64
	got []byte
}

func (r *ctxRecorder) Data(f *tfile, off int64, b []byte) {
	if r.at > off && r.at <= off+int64(len(b)) {
		r.got = f.BytesBefore(r.at, 8)
	}
}

// TestBytesBeforeInsideALargePiece: a match in the middle of a piece
// larger than the history still gets its context (an SMB READ of 64 KiB
// against 16 KiB of history).
func TestBytesBeforeInsideALargePiece(t *testing.T) {
	cfg := DefaultConfig()
	cfg.HistoryBytes = 16
	var st Stats
	r := &ctxRecorder{at: 40}
	tr := NewTracker[int, int](&cfg, &st, r)
	f := tr.Open(app.FileMeta{}, 0)
	data := make([]byte, 100)
	for i := range data {
		data[i] = byte(i)
	}
	f.Write(0, data)
	if want := data[32:40]; !bytes.Equal(r.got, want) {
		t.Fatalf("context %v, want %v", r.got, want)
	}
	if got := f.BytesBefore(40, 8); got != nil {
		t.Fatalf("after delivery only the history's %d bytes are held, got %v", cfg.HistoryBytes, got)
	}
	f.Close(false)
}

// TestMagicSniffedEarlyIsTheSame: the type is sniffed from the first 512
// bytes as soon as they are known (the file then keeps no copy of them),
// and the result is the same whether the bytes come in one piece, byte at a
// time, after a hole or short of 512; it is published when the file closes.
func TestMagicSniffedEarlyIsTheSame(t *testing.T) {
	pe := make([]byte, 2000)
	copy(pe, "MZ")
	pe[0x3c] = 0x80
	copy(pe[0x80:], "PE\x00\x00")
	pdf := []byte("%PDF-1.5\n" + string(bytes.Repeat([]byte("x"), 700)))
	cases := []struct {
		name  string
		data  []byte
		chunk int
		hole  int64 // a hole of this many bytes before the data
	}{
		{"pe whole", pe, len(pe), 0},
		{"pe byte at a time", pe, 1, 0},
		{"pe 511+", pe, 511, 0},
		{"pdf 100s", pdf, 100, 0},
		{"short text", []byte("hello world"), 3, 0},
		{"after a hole", pe, 600, 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, _, _ := newTestTracker(t, DefaultConfig(), nil)
			f := tr.Open(app.FileMeta{Name: "a"}, 0)
			off := int64(0)
			if c.hole > 0 {
				f.Gap(0, c.hole)
				off = c.hole
			}
			for i := 0; i < len(c.data); i += c.chunk {
				piece := c.data[i:min(i+c.chunk, len(c.data))]
				f.Write(off+int64(i), piece)
				if f.Magic != "" {
					t.Fatalf("magic %q published before the close", f.Magic)
				}
				if len(f.head) > sniffLen || (f.sniffed && f.head != nil) {
					t.Fatalf("head %d bytes kept after sniffing", len(f.head))
				}
			}
			f.Close(false)
			want := Sniff(c.data[:min(len(c.data), sniffLen)])
			if c.hole > 0 {
				want = Sniff(nil) // the bytes at offset 0 are missing
			}
			if f.Magic != want {
				t.Fatalf("magic %q, want %q", f.Magic, want)
			}
		})
	}
}

// TestDigestSelection: a file gets the digests its Config turns on plus
// those the need function names, and no others.
func TestDigestSelection(t *testing.T) {
	none := DefaultConfig()
	none.MD5, none.SHA1, none.SHA256 = false, false, false
	cases := []struct {
		name      string
		cfg       Config
		need      Digests
		md5, sha1 bool
		sha256    bool
	}{
		{"defaults", DefaultConfig(), 0, true, true, true},
		{"all off", none, 0, false, false, false},
		{"off, md5 needed", none, DigestMD5, true, false, false},
		{"off, sha256 needed", none, DigestSHA256, false, false, true},
		{"off, all needed", none, DigestMD5 | DigestSHA1 | DigestSHA256, true, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, r, _ := newTestTracker(t, tc.cfg, nil)
			tr.SetDigestNeed(func() Digests { return tc.need })
			f := tr.Open(app.FileMeta{Name: "a"}, 0)
			f.Write(0, []byte("hello world"))
			f.Close(false)
			if string(r.out) != "hello world" || f.State != StateClosed {
				t.Fatalf("got %q state %s", r.out, f.State)
			}
			if (len(f.MD5) == 16) != tc.md5 || (len(f.SHA1) == 20) != tc.sha1 || (len(f.SHA256) == 32) != tc.sha256 {
				t.Fatalf("digest lengths md5 %d sha1 %d sha256 %d, want md5 %v sha1 %v sha256 %v",
					len(f.MD5), len(f.SHA1), len(f.SHA256), tc.md5, tc.sha1, tc.sha256)
			}
			if tc.sha256 {
				want := sha256.Sum256([]byte("hello world"))
				if !bytes.Equal(f.SHA256, want[:]) {
					t.Fatal("sha256 mismatch")
				}
			}
		})
	}
}
