package spool

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func rec(i int) []byte {
	return fmt.Appendf(nil, `{"n":%d,"pad":"%s"}`, i, bytes.Repeat([]byte("x"), i%50))
}

// drain peeks and commits everything, returning the records in order.
func drain(t *testing.T, s *Spool, batch int) [][]byte {
	t.Helper()
	var out [][]byte
	for {
		b, err := s.Peek(batch, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Records) == 0 {
			return out
		}
		out = append(out, b.Records...)
		if err := s.Commit(b); err != nil {
			t.Fatal(err)
		}
	}
}

func wantRecs(t *testing.T, got [][]byte, from, to int) {
	t.Helper()
	if len(got) != to-from {
		t.Fatalf("got %d records, want %d", len(got), to-from)
	}
	for i, g := range got {
		if !bytes.Equal(g, rec(from+i)) {
			t.Fatalf("record %d = %q, want %q", i, g, rec(from+i))
		}
	}
}

func TestSpoolOrderAcrossSegmentsAndReopen(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Dir: dir, SegmentBytes: 1024, Owner: "redis0 redis://h/k"}
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		if err := s.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	if s.Len() != 500 {
		t.Fatalf("Len = %d", s.Len())
	}
	// Deliver a part, leave the head segment half read.
	b, _ := s.Peek(7, 1<<20)
	wantRecs(t, b.Records, 0, 7)
	if err := s.Commit(b); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 493 {
		t.Fatalf("after reopen Len = %d, want 493 (cursor lost?)", s.Len())
	}
	for i := 500; i < 600; i++ {
		if err := s.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	wantRecs(t, drain(t, s, 13), 7, 600)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(left) != 0 {
		t.Fatalf("segments left after delivering everything: %v", left)
	}
}

func TestSpoolInterleavedAppendAndRead(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir(), SegmentBytes: 512})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got [][]byte
	for i := range 300 {
		if err := s.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			got = append(got, drain(t, s, 2)...)
		}
	}
	got = append(got, drain(t, s, 100)...)
	wantRecs(t, got, 0, 300)
	if s.Len() != 0 {
		t.Fatalf("Len = %d", s.Len())
	}
}

func TestSpoolFullIsExact(t *testing.T) {
	// Each record costs 8 bytes of framing; the first segment has an
	// 8-byte header. 100-byte records: (1000-8)/108 = 9 fit.
	s, err := Open(Config{Dir: t.TempDir(), MaxBytes: 1000, SegmentBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := bytes.Repeat([]byte("a"), 100)
	ok, full := 0, 0
	for range 20 {
		switch err := s.Append(r); {
		case err == nil:
			ok++
		case errors.Is(err, ErrFull):
			full++
		default:
			t.Fatal(err)
		}
	}
	if ok != 9 || full != 11 {
		t.Fatalf("ok=%d full=%d, want 9 and 11", ok, full)
	}
	if s.Bytes() > 1000 {
		t.Fatalf("Bytes = %d over the cap", s.Bytes())
	}
}

func TestSpoolPrependGoesFirst(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir, SegmentBytes: 256})
	if err != nil {
		t.Fatal(err)
	}
	for i := 10; i < 40; i++ {
		if err := s.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := s.Peek(3, 1<<20)
	if err := s.Commit(b); err != nil { // 10..12 delivered
		t.Fatal(err)
	}
	var older [][]byte
	for i := range 10 {
		older = append(older, rec(i))
	}
	if n, err := s.Prepend(older); err != nil || n != 10 {
		t.Fatalf("Prepend = %d, %v", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(Config{Dir: dir, SegmentBytes: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := drain(t, s, 4)
	want := append(older, func() (r [][]byte) {
		for i := 13; i < 40; i++ {
			r = append(r, rec(i))
		}
		return
	}()...)
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func segFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	sort.Strings(m)
	return m
}

func TestSpoolTruncatedTailAfterCrash(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := s.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A crash in the middle of the last append: cut 3 bytes.
	segs := segFiles(t, dir)
	st, _ := os.Stat(segs[0])
	if err := os.Truncate(segs[0], st.Size()-3); err != nil {
		t.Fatal(err)
	}
	s, err = Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Corrupt() != 1 {
		t.Fatalf("Corrupt = %d, want 1", s.Corrupt())
	}
	wantRecs(t, drain(t, s, 8), 0, 19)
}

func TestSpoolCorruptRecordEndsSegment(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := s.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	seg := segFiles(t, dir)[0]
	data, _ := os.ReadFile(seg)
	// Flip a payload byte of record 5.
	off := headerLen
	for i := range 5 {
		off += recordHead + int64(len(rec(i)))
	}
	data[off+recordHead+2] ^= 0xff
	if err := os.WriteFile(seg, data, 0o640); err != nil {
		t.Fatal(err)
	}
	s, err = Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wantRecs(t, drain(t, s, 100), 0, 5)
	if s.Corrupt() != 1 || s.Len() != 0 {
		t.Fatalf("Corrupt=%d Len=%d", s.Corrupt(), s.Len())
	}
}

func TestSpoolOwnerMismatch(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir, Owner: "a"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(Config{Dir: dir, Owner: "b"}); err == nil {
		t.Fatal("a spool opened for another owner")
	}
}

func TestSpoolRecordLimit(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir(), MaxRecordBytes: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Append(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(make([]byte, 11)); err == nil {
		t.Fatal("record over the limit accepted")
	}
}

func segmentBytes(recs ...[]byte) []byte {
	b := []byte(headerMagic)
	for _, r := range recs {
		b = appendRecord(b, r)
	}
	return b
}

func FuzzSegmentReader(f *testing.F) {
	good := segmentBytes(rec(1), rec(2), []byte{}, rec(3))
	f.Add(good)
	f.Add(good[:len(good)-2])
	f.Add([]byte(headerMagic))
	f.Add([]byte("WSSPOOL"))
	f.Add(append([]byte(headerMagic), 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0))
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 1
	f.Add(bad)
	f.Fuzz(func(t *testing.T, data []byte) {
		sr := NewSegmentReader(bytes.NewReader(data), 1<<16)
		var recs [][]byte
		var err error
		for {
			var r []byte
			r, err = sr.Next()
			if err != nil {
				break
			}
			recs = append(recs, r)
		}
		if sr.Offset() > int64(len(data)) {
			t.Fatalf("offset %d past the %d bytes", sr.Offset(), len(data))
		}
		if len(recs) > 0 || err == io.EOF {
			// Whatever was accepted re-encodes to exactly the prefix read.
			if re := segmentBytes(recs...); !bytes.Equal(re, data[:sr.Offset()]) {
				t.Fatalf("records do not re-encode to the prefix they came from")
			}
		}
		if err == io.EOF && sr.Offset() != int64(len(data)) {
			t.Fatalf("clean EOF at %d of %d bytes", sr.Offset(), len(data))
		}
		if err != io.EOF && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrBadHeader) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func TestSpoolDeliveredBytesDoNotCount(t *testing.T) {
	// A spool that is drained as fast as it fills never reaches its cap,
	// however much passes through it.
	s, err := Open(Config{Dir: t.TempDir(), MaxBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 2000 {
		if err := s.Append(rec(i)); err != nil {
			t.Fatalf("append %d: %v (bytes %d)", i, err, s.Bytes())
		}
		wantRecs(t, drain(t, s, 10), i, i+1)
	}
	if s.Bytes() != headerLen {
		t.Fatalf("Bytes = %d after delivering everything", s.Bytes())
	}
}

func TestSpoolLockedWhileOpen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Config{Dir: dir}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("a second Open of the same spool: %v", err)
	}
	s.Close()
	s, err = Open(Config{Dir: dir})
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	s.Close()
}
