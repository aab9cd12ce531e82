package http

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"math/rand"
	"testing"
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

func compress(t testing.TB, kind string, level int, data []byte) []byte {
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
	}
	return b.Bytes()
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
			var got bytes.Buffer
			coding := codingDeflate
			if kind == "gzip" {
				coding = codingGzip
			}
			l := newDecodeLayer(coding, func(p []byte) bool { got.Write(p); return true })
			split := rng
			if i%7 == 0 && len(enc) < 20000 {
				split = nil
			}
			feedSplits(split, enc, func(p []byte) {
				if err := l.write(p); err != nil {
					t.Fatalf("case %d %s: %v", i, kind, err)
				}
			})
			if err := l.end(); err != nil {
				t.Fatalf("case %d %s end: %v", i, kind, err)
			}
			if !bytes.Equal(got.Bytes(), data) {
				t.Fatalf("case %d %s level %d: got %d bytes want %d", i, kind, level, got.Len(), len(data))
			}
		}
	}
}

func TestDecodeLayerPassthrough(t *testing.T) {
	for _, in := range []string{"", "X", "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"} {
		var got bytes.Buffer
		l := newDecodeLayer(codingGzip, func(p []byte) bool { got.Write(p); return true })
		feedSplits(nil, []byte(in), func(p []byte) { l.write(p) })
		l.end()
		if got.String() != in {
			t.Errorf("passthrough %q: got %q", in, got.String())
		}
	}
}
