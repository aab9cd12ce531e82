package decompress

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math/rand"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/ulikunitz/xz/lzma"
)

// chainWriter feeds an encoder's output into a chain and fails once the
// chain stops, so the encoder stops too.
type chainWriter struct {
	c   *Chain
	err error
}

var errStopped = errors.New("chain stopped")

func (w *chainWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, errStopped
	}
	if err := w.c.Write(p); err != nil {
		w.err = err
		return 0, errStopped
	}
	return len(p), nil
}

// newEncoder returns an encoder of kind writing to w.
func newEncoder(t *testing.T, kind string, w io.Writer) io.WriteCloser {
	t.Helper()
	switch kind {
	case "gzip":
		z, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
		return z
	case "br":
		return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: 5, LGWin: 22})
	case "lzma":
		z, err := lzma.WriterConfig{DictCap: 1 << 20}.NewWriter(w)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	t.Fatalf("unknown kind %q", kind)
	return nil
}

// TestBombStops encodes 10 GiB of zeros on the fly (the stream a bomb
// would carry, never held whole) into each coding: decoding stops at
// MaxBytes with ErrBomb, having emitted no more than the limit, long before
// the encoder gets far.
func TestBombStops(t *testing.T) {
	const claimed = 10 << 30
	zeros := make([]byte, 1<<20)
	for _, kind := range []string{"gzip", "br", "lzma"} {
		lim := testLimits()
		lim.MaxBytes = 32 << 20
		lim.MaxRatio = 1 << 40 // this test is about MaxBytes
		var decoded int64
		c := NewChain([]Coding{codingOf(kind)}, lim, nil, func(p []byte) bool { decoded += int64(len(p)); return true })
		cw := &chainWriter{c: c}
		enc := newEncoder(t, kind, cw)
		var fed int64
		for fed < claimed {
			if _, err := enc.Write(zeros); err != nil {
				break
			}
			if fl, ok := enc.(interface{ Flush() error }); ok && fl.Flush() != nil {
				break // a flushed block per MiB, as a server streaming it would send
			}
			fed += int64(len(zeros))
		}
		if cw.err == nil {
			enc.Close()
		}
		if !errors.Is(cw.err, ErrBomb) {
			t.Fatalf("%s: error %v after %d bytes in, want ErrBomb", kind, cw.err, fed)
		}
		if decoded > lim.MaxBytes || decoded < lim.MaxBytes-(1<<20) || fed > 1<<30 {
			t.Fatalf("%s: decoded %d (limit %d), encoder fed %d of %d", kind, decoded, lim.MaxBytes, fed, claimed)
		}
		if c.Write([]byte{0}) != nil || c.End() != nil {
			t.Fatalf("%s: the chain reported its error twice", kind)
		}
	}
}

// TestBombRatio: nested layers multiply the ratio; the guard stops at
// MaxRatio once BombFloor bytes decoded, for every split.
func TestBombRatio(t *testing.T) {
	data := make([]byte, 8<<20)
	for _, kinds := range [][]string{{"gzip", "gzip"}, {"br", "gzip"}, {"lzma", "br"}} {
		enc := compress(t, kinds[1], 9, compress(t, kinds[0], 9, data))
		lim := testLimits()
		lim.MaxRatio = 100
		for _, split := range []*rand.Rand{rand.New(rand.NewSource(1)), nil} {
			got, errs := decodeSplit([]Coding{codingOf(kinds[0]), codingOf(kinds[1])}, lim, enc, split)
			if len(errs) != 1 || !errors.Is(errs[0], ErrBomb) {
				t.Fatalf("%v: errors %v (%d encoded bytes, %d decoded)", kinds, errs, len(enc), len(got))
			}
			if int64(len(got)) > max(BombFloor, lim.MaxRatio*int64(len(enc))) {
				t.Fatalf("%v: %d bytes decoded from %d", kinds, len(got), len(enc))
			}
		}
	}
}

// TestLimitSides checks MaxBytes from both sides: a body of exactly MaxBytes
// decodes, one byte more is a bomb.
func TestLimitSides(t *testing.T) {
	data := bytes.Repeat([]byte("abc"), 40000)
	for _, kind := range encodings {
		enc := compress(t, kind, 6, data)
		lim := testLimits()
		lim.MaxRatio = 1 << 40 // this test is about MaxBytes
		lim.MaxBytes = int64(len(data))
		if got, errs := decodeSplit([]Coding{codingOf(kind)}, lim, enc, nil); errs != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s at the limit: %v", kind, errs)
		}
		lim.MaxBytes--
		if _, errs := decodeSplit([]Coding{codingOf(kind)}, lim, enc, nil); len(errs) != 1 || !errors.Is(errs[0], ErrBomb) {
			t.Fatalf("%s over the limit: %v", kind, errs)
		}
	}
}
