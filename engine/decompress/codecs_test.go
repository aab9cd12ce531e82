package decompress

import (
	"bytes"
	"errors"
	"math/rand"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/ulikunitz/xz/lzma"
)

// TestBrotliDifferential decodes streams of the reference encoder at every
// quality and several windows, in random pieces and byte by byte.
func TestBrotliDifferential(t *testing.T) {
	seed := int64(20261207)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < 36; i++ {
		data := sampleData(rng, rng.Intn(150000))
		var b bytes.Buffer
		w := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: i % 12, LGWin: []int{0, 10, 16, 22, 24}[i%5]})
		w.Write(data)
		w.Close()
		split := rng
		if i%6 == 0 && b.Len() < 20000 {
			split = nil
		}
		got, errs := decodeSplit([]Coding{Brotli}, testLimits(), b.Bytes(), split)
		if len(errs) > 0 || !bytes.Equal(got, data) {
			t.Fatalf("case %d: got %d bytes want %d, errors %v", i, len(got), len(data), errs)
		}
	}
}

// lzmaEncode encodes data in the LZMA alone format with the given
// properties, dictionary and end framing.
func lzmaEncode(t testing.TB, data []byte, props lzma.Properties, dict int, sizeInHeader bool) []byte {
	t.Helper()
	var b bytes.Buffer
	cfg := lzma.WriterConfig{Properties: &props, DictCap: dict, EOSMarker: !sizeInHeader}
	if sizeInHeader {
		cfg.SizeInHeader, cfg.Size = true, int64(len(data))
	}
	w, err := cfg.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestLZMADifferential decodes streams of github.com/ulikunitz/xz/lzma over
// literal/position properties, dictionaries larger and smaller than the
// data, and both end framings (size in the header, end marker).
func TestLZMADifferential(t *testing.T) {
	seed := int64(20261208)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	props := []lzma.Properties{{LC: 3, LP: 0, PB: 2}, {LC: 0, LP: 2, PB: 0}, {LC: 4, LP: 0, PB: 4}, {LC: 1, LP: 1, PB: 1}}
	for i := 0; i < 32; i++ {
		data := sampleData(rng, rng.Intn(300000))
		dict := []int{4096, 1 << 16, 1 << 20, 8 << 20}[i%4]
		enc := lzmaEncode(t, data, props[i%len(props)], dict, i%2 == 0)
		split := rng
		if i%8 == 0 && len(enc) < 20000 {
			split = nil
		}
		got, errs := decodeSplit([]Coding{LZMA}, testLimits(), enc, split)
		if len(errs) > 0 || !bytes.Equal(got, data) {
			t.Fatalf("case %d (%v dict %d): got %d bytes want %d, errors %v", i, props[i%len(props)], dict, len(got), len(data), errs)
		}
	}
}

// TestLZMADictionaryCap: a dictionary capped below what the stream uses is
// corruption where a match reaches past the cap, and what decoded before
// is kept.
func TestLZMADictionaryCap(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	block := sampleData(rng, 20000)
	data := append(append(sampleData(rng, 100000), block...), block...) // a match 20000 back
	enc := lzmaEncode(t, data, lzma.Properties{LC: 3, LP: 0, PB: 2}, 1<<20, false)
	lim := testLimits()
	lim.MaxWindow = 8192
	got, errs := decodeSplit([]Coding{LZMA}, lim, enc, nil)
	if len(errs) != 1 || !errors.Is(errs[0], ErrCorrupt) {
		t.Fatalf("errors %v, want one ErrCorrupt", errs)
	}
	if len(got) == 0 || len(got) >= len(data) || !bytes.Equal(got, data[:len(got)]) {
		t.Fatalf("got %d bytes, want a proper prefix of the data", len(got))
	}
}

// encodings are the single-coding encoders the split tests run over.
var encodings = []string{"gzip", "zlib", "raw", "br", "lzma"}

// TestEverySplit feeds short streams split in two at every position, and
// byte by byte: the output never depends on the split.
func TestEverySplit(t *testing.T) {
	data := []byte("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H* EICAR EICAR EICAR")
	for _, kind := range encodings {
		enc := compress(t, kind, 6, data)
		for cut := 0; cut <= len(enc); cut++ {
			var got bytes.Buffer
			c := NewChain([]Coding{codingOf(kind)}, testLimits(), nil, func(p []byte) bool { got.Write(p); return true })
			if c.Write(enc[:cut]) != nil || c.Write(enc[cut:]) != nil || c.End() != nil {
				t.Fatalf("%s cut %d: error", kind, cut)
			}
			if !bytes.Equal(got.Bytes(), data) {
				t.Fatalf("%s cut %d: got %q", kind, cut, got.Bytes())
			}
		}
		if got, errs := decodeSplit([]Coding{codingOf(kind)}, testLimits(), enc, nil); !bytes.Equal(got, data) || errs != nil {
			t.Fatalf("%s byte by byte: got %q, %v", kind, got, errs)
		}
	}
}

// TestNestedCodings decodes "Content-Encoding: A, B" (A applied first) for
// every pair, whole and byte by byte.
func TestNestedCodings(t *testing.T) {
	data := sampleData(rand.New(rand.NewSource(3)), 30000)
	for _, inner := range encodings {
		for _, outer := range encodings {
			enc := compress(t, outer, 6, compress(t, inner, 6, data))
			for _, split := range []*rand.Rand{rand.New(rand.NewSource(1)), nil} {
				got, errs := decodeSplit([]Coding{codingOf(inner), codingOf(outer)}, testLimits(), enc, split)
				if len(errs) > 0 || !bytes.Equal(got, data) {
					t.Fatalf("%s, %s: got %d bytes want %d, %v", inner, outer, len(got), len(data), errs)
				}
			}
		}
	}
}

// TestCorruptKeepsPrefix flips bytes in the middle of each stream: the chain
// reports ErrCorrupt once (or the stream happens to stay valid), emits what
// decoded before, and does so identically for every split.
func TestCorruptKeepsPrefix(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	data := sampleData(rng, 60000)
	for _, kind := range encodings {
		enc := compress(t, kind, 6, data)
		for trial := 0; trial < 8; trial++ {
			bad := bytes.Clone(enc)
			at := len(bad)/2 + trial*7
			bad[at] ^= 0x5a
			bad[at+1] ^= 0xa5
			whole, errsWhole := decodeSplit([]Coding{codingOf(kind)}, testLimits(), bad, rand.New(rand.NewSource(int64(trial))))
			bytewise, errsByte := decodeSplit([]Coding{codingOf(kind)}, testLimits(), bad, nil)
			if !bytes.Equal(whole, bytewise) || len(errsWhole) != len(errsByte) {
				t.Fatalf("%s trial %d: split changed the output (%d vs %d bytes, %v vs %v)", kind, trial, len(whole), len(bytewise), errsWhole, errsByte)
			}
			if len(errsWhole) > 1 || (len(errsWhole) == 1 && !errors.Is(errsWhole[0], ErrCorrupt)) {
				t.Fatalf("%s trial %d: errors %v", kind, trial, errsWhole)
			}
			// Bytes decoded from before the damage are right; after it a
			// decoder may emit garbage until it notices.
			n := min(len(whole), 1000)
			if len(errsWhole) == 1 && !bytes.Equal(whole[:n], data[:n]) {
				t.Fatalf("%s trial %d: output does not start with the data", kind, trial)
			}
		}
	}
}

// TestTruncatedKeepsPrefix cuts each stream short: no error, and the output
// is a prefix of the data.
func TestTruncatedKeepsPrefix(t *testing.T) {
	data := sampleData(rand.New(rand.NewSource(5)), 80000)
	for _, kind := range encodings {
		enc := compress(t, kind, 6, data)
		got, errs := decodeSplit([]Coding{codingOf(kind)}, testLimits(), enc[:len(enc)*2/3], rand.New(rand.NewSource(2)))
		if len(errs) > 0 || len(got) == 0 || len(got) >= len(data) || !bytes.Equal(got, data[:len(got)]) {
			t.Fatalf("%s: got %d bytes of %d, %v", kind, len(got), len(data), errs)
		}
	}
}

// TestBrotliWindowBudget: the window a brotli header declares is reserved
// before decoding; when the budget refuses it, the body passes undecoded.
func TestBrotliWindowBudget(t *testing.T) {
	data := sampleData(rand.New(rand.NewSource(9)), 5000)
	var b bytes.Buffer
	w := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: 5, LGWin: 22})
	w.Write(data)
	w.Close()
	for _, tc := range []struct {
		name   string
		budget int64
		want   []byte
	}{
		{"fits", BrotliCost + 4<<20, data},
		{"refused", BrotliCost + 4<<20 - 1, b.Bytes()},
	} {
		var asked []int64
		reserve := func(total int64) bool { asked = append(asked, total); return total <= tc.budget }
		var got bytes.Buffer
		c := NewChain([]Coding{Brotli}, testLimits(), reserve, func(p []byte) bool { got.Write(p); return true })
		feedSplits(nil, b.Bytes(), func(p []byte) {
			if err := c.Write(p); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		})
		if err := c.End(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.Equal(got.Bytes(), tc.want) {
			t.Fatalf("%s: got %d bytes, want %d (reservations %v)", tc.name, got.Len(), len(tc.want), asked)
		}
	}
}

// TestLZMADictionaryBudget: the LZMA dictionary grows with the output and
// each step is reserved; a refusal after output stops with ErrMemcap and
// keeps what decoded.
func TestLZMADictionaryBudget(t *testing.T) {
	data := sampleData(rand.New(rand.NewSource(4)), 400000)
	enc := lzmaEncode(t, data, lzma.Properties{LC: 3, LP: 0, PB: 2}, 8<<20, false)
	budget := int64(LZMACost + 2*0x300<<3 + 256<<10)
	var got bytes.Buffer
	c := NewChain([]Coding{LZMA}, testLimits(), func(total int64) bool { return total <= budget }, func(p []byte) bool { got.Write(p); return true })
	var errs []error
	feedSplits(rand.New(rand.NewSource(1)), enc, func(p []byte) {
		if err := c.Write(p); err != nil {
			errs = append(errs, err)
		}
	})
	if err := c.End(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], ErrMemcap) {
		t.Fatalf("errors %v, want one ErrMemcap", errs)
	}
	if got.Len() != 256<<10 || !bytes.Equal(got.Bytes(), data[:got.Len()]) || c.Held() > budget {
		t.Fatalf("got %d bytes, held %d", got.Len(), c.Held())
	}
}

// TestBaseReservationRefused: a chain whose layers' memory is refused passes
// the body undecoded and says so.
func TestBaseReservationRefused(t *testing.T) {
	enc := compress(t, "gzip", 6, []byte("hello hello hello"))
	var got bytes.Buffer
	c := NewChain([]Coding{Gzip, Brotli}, testLimits(), func(int64) bool { return false }, func(p []byte) bool { got.Write(p); return true })
	if !c.Refused() || c.Layers() != 0 || c.Write(enc) != nil || c.End() != nil || !bytes.Equal(got.Bytes(), enc) {
		t.Fatalf("refused %v layers %d got %d bytes", c.Refused(), c.Layers(), got.Len())
	}
}

// TestTooManyLayers keeps the outermost MaxLayers codings.
func TestTooManyLayers(t *testing.T) {
	data := []byte("layered layered layered")
	enc := compress(t, "gzip", 6, compress(t, "br", 6, compress(t, "lzma", 6, data)))
	lim := testLimits()
	lim.MaxLayers = 2
	got, errs := decodeSplit([]Coding{LZMA, Brotli, Gzip}, lim, enc, nil)
	if want := compress(t, "lzma", 6, data); !bytes.Equal(got, want) || errs != nil {
		t.Fatalf("got %x, want the lzma stream %x (%v)", got, want, errs)
	}
}
