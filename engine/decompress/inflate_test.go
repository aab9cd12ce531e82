package decompress

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"math/rand"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/ulikunitz/xz/lzma"
)

// sampleData returns compressible pseudo-random text of n bytes.
func sampleData(rng *rand.Rand, n int) []byte {
	words := []string{"EICAR ", "alpha ", "beta\n", "gamma", "\x00\x01", "X5O!P%@AP[4 "}
	var b bytes.Buffer
	for b.Len() < n {
		if rng.Intn(10) == 0 {
			b.WriteByte(byte(rng.Intn(256)))
			continue
		}
		b.WriteString(words[rng.Intn(len(words))])
	}
	return b.Bytes()[:n]
}

// compress encodes data; kind is raw, zlib, gzip, br or lzma (level is the
// flate level, or the brotli quality).
func compress(t testing.TB, kind string, level int, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	switch kind {
	case "raw":
		w, _ := flate.NewWriter(&b, level)
		w.Write(data)
		w.Close()
	case "zlib":
		w, _ := zlib.NewWriterLevel(&b, level)
		w.Write(data)
		w.Close()
	case "gzip":
		w, _ := gzip.NewWriterLevel(&b, level)
		w.Name = "eicar.txt"
		w.Comment = "c"
		w.Extra = []byte("xx")
		w.Write(data)
		w.Close()
	case "br":
		w := brotli.NewWriterLevel(&b, max(level, 0))
		w.Write(data)
		w.Close()
	case "lzma":
		w, err := lzma.NewWriter(&b)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown kind %q", kind)
	}
	return b.Bytes()
}

func codingOf(kind string) Coding {
	switch kind {
	case "gzip":
		return Gzip
	case "br":
		return Brotli
	case "lzma":
		return LZMA
	}
	return Deflate
}

// feedSplits feeds data to write in random pieces (1 byte at a time when rng is nil).
func feedSplits(rng *rand.Rand, data []byte, write func([]byte)) {
	for len(data) > 0 {
		n := 1
		if rng != nil {
			n = 1 + rng.Intn(min(len(data), 5000))
		}
		write(data[:n])
		data = data[n:]
	}
}

func testLimits() Limits {
	return Limits{MaxLayers: 3, MaxRatio: 2000, MaxBytes: 1 << 30, MaxWindow: 16 << 20}
}

// decodeSplit decodes enc through a chain of codings fed by feed; it
// returns the output and every error the chain reported.
func decodeSplit(codings []Coding, lim Limits, enc []byte, split *rand.Rand) ([]byte, []error) {
	var got bytes.Buffer
	c := NewChain(codings, lim, nil, func(p []byte) bool { got.Write(p); return true })
	var errs []error
	feedSplits(split, enc, func(p []byte) {
		if err := c.Write(p); err != nil {
			errs = append(errs, err)
		}
	})
	if err := c.End(); err != nil {
		errs = append(errs, err)
	}
	return got.Bytes(), errs
}

// TestInflateDifferential compares the push inflater with compress/flate over
// random inputs, levels and splits (seed logged).
func TestInflateDifferential(t *testing.T) {
	seed := int64(20261130)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < 60; i++ {
		data := sampleData(rng, rng.Intn(200000))
		level := []int{flate.NoCompression, flate.BestSpeed, flate.DefaultCompression, flate.BestCompression, flate.HuffmanOnly}[i%5]
		for _, kind := range []string{"raw", "zlib", "gzip"} {
			enc := compress(t, kind, level, data)
			split := rng
			if i%7 == 0 && len(enc) < 20000 {
				split = nil
			}
			got, errs := decodeSplit([]Coding{codingOf(kind)}, testLimits(), enc, split)
			if len(errs) > 0 {
				t.Fatalf("case %d %s: %v", i, kind, errs)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("case %d %s level %d: got %d bytes want %d", i, kind, level, len(got), len(data))
			}
		}
	}
}

func TestPassthrough(t *testing.T) {
	for _, c := range []Coding{Gzip, Deflate, Brotli, LZMA} {
		for _, in := range []string{"", "X", "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"} {
			got, errs := decodeSplit([]Coding{c}, testLimits(), []byte(in), nil)
			if string(got) != in || len(errs) > 0 {
				t.Errorf("%v passthrough %q: got %q, %v", c, in, got, errs)
			}
		}
	}
}

func TestParseCoding(t *testing.T) {
	for tok, want := range map[string]Coding{
		"gzip": Gzip, "X-GZIP": Gzip, "deflate": Deflate, " br ": Brotli, "\"lzma\"": LZMA,
		"identity": Identity, "": Identity, "compress": Unknown, "xz": Unknown,
	} {
		if got := ParseCoding(tok); got != want {
			t.Errorf("ParseCoding(%q) = %v, want %v", tok, got, want)
		}
	}
}
