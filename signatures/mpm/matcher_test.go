package mpm

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cloudflare/ahocorasick"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// testSeed is logged by every randomised test, so a failure can be replayed.
var testSeed = uint64(time.Now().UnixNano())

// occ is one occurrence with an absolute end offset.
type occ struct {
	end int
	id  int32
}

// naive lists every occurrence of every pattern (ASCII case-insensitive), by
// end, longest first, then by id: the reference.
func naive(pats [][]byte, text []byte) []occ {
	var out []occ
	for end := 1; end <= len(text); end++ {
		var at []occ
		for id, p := range pats {
			if len(p) <= end && asciiFoldEqual(text[end-len(p):end], p) {
				at = append(at, occ{end, int32(id)})
			}
		}
		slices.SortStableFunc(at, func(x, y occ) int { return len(pats[y.id]) - len(pats[x.id]) })
		out = append(out, at...)
	}
	return out
}

// asciiFoldEqual compares with ASCII case folding only.
func asciiFoldEqual(a, b []byte) bool {
	for i := range a {
		if foldTable[a[i]] != foldTable[b[i]] {
			return false
		}
	}
	return true
}

// stream scans text in the given chunk sizes and returns absolute hits.
func stream(m *Matcher, text []byte, chunks []int) []occ {
	var st State
	var out []occ
	var hits []Hit
	off := 0
	for _, n := range chunks {
		hits = m.Scan(&st, text[off:off+n], hits[:0])
		for _, h := range hits {
			out = append(out, occ{off + h.End, h.ID})
		}
		off += n
	}
	return out
}

// chunkings returns named ways to split n bytes: whole, 1 byte, every split
// point for short inputs and seeded random splits.
func chunkings(n int, seed uint64) map[string][]int {
	out := map[string][]int{"whole": {n}}
	if n == 0 {
		return out
	}
	ones := make([]int, n)
	for i := range ones {
		ones[i] = 1
	}
	out["bytes"] = ones
	if n <= 64 {
		for k := 1; k < n; k++ {
			out[fmt.Sprint("split", k)] = []int{k, n - k}
		}
	}
	for i := range 3 {
		out[fmt.Sprint("random", i)] = sigtest.Splits(seed+uint64(i), n, 1+n/3)
	}
	return out
}

func randBytes(rng *rand.Rand, alphabet string, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return b
}

// TestMatcherTable checks named cases under every chunking and filter mode.
func TestMatcherTable(t *testing.T) {
	for _, tc := range []struct {
		name string
		pats []string
		text string
		want []occ
	}{
		{"none", []string{"abc"}, "xyz", nil},
		{"one", []string{"abc"}, "xxabcxx", []occ{{5, 0}}},
		{"case folded", []string{"AbC"}, "aBc", []occ{{3, 0}}},
		{"overlapping", []string{"aa"}, "aaaa", []occ{{2, 0}, {3, 0}, {4, 0}}},
		{"nested longest first", []string{"b", "abc", "bc"}, "abc", []occ{{2, 0}, {3, 1}, {3, 2}}},
		{"binary", []string{"\x00\xff\x00"}, "\xff\x00\xff\x00\x00", []occ{{4, 0}}},
		{"duplicate patterns", []string{"dup", "DUP"}, "dup", []occ{{3, 0}, {3, 1}}},
		{"long and short", []string{"x", "0123456789abcdef"}, "0123456789ABCDEFx", []occ{{16, 1}, {17, 0}}},
		{"non-ascii not folded", []string{"\xc4"}, "\xe4\xc4", []occ{{2, 0}}},
	} {
		pats := make([][]byte, len(tc.pats))
		for i, p := range tc.pats {
			pats[i] = []byte(p)
		}
		for _, f := range []Filter{FilterAuto, FilterNever} {
			m, err := Compile(pats, Options{Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			for cname, c := range chunkings(len(tc.text), 1) {
				if got := stream(m, []byte(tc.text), c); !slices.Equal(got, tc.want) {
					t.Errorf("%s filter %d %s: %v, want %v", tc.name, f, cname, got, tc.want)
				}
			}
		}
	}
}

// TestDifferentialNaive compares random dictionaries and texts (small
// alphabets, so matches are dense and overlap) with the naive reference under
// every chunking, filter mode and some forced strides.
func TestDifferentialNaive(t *testing.T) {
	t.Logf("seed %d", testSeed)
	rng := rand.New(rand.NewPCG(testSeed, 1))
	alphabets := []string{"ab", "aAbB", "abc\x00", "xyzXYZ\x00\xff", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123"}
	for iter := range 300 {
		alpha := alphabets[iter%len(alphabets)]
		pats := make([][]byte, 1+rng.IntN(30))
		for i := range pats {
			pats[i] = randBytes(rng, alpha, 1+rng.IntN(4+iter%20))
		}
		text := randBytes(rng, alpha, rng.IntN(300))
		for _, p := range pats {
			if rng.IntN(3) == 0 && len(p) < len(text) {
				copy(text[rng.IntN(len(text)-len(p)):], p)
			}
		}
		want := naive(pats, text)
		opts := []Options{{}, {Filter: FilterNever}, {DenseBytes: 1}, {Filter: FilterNever, DenseBytes: 1},
			{Stride: 1 + iter%16}, {Stride: 1 + iter%16, oneBitMax: 1}}
		for _, o := range opts {
			m, err := Compile(pats, o)
			if err != nil {
				t.Fatal(err)
			}
			for name, c := range chunkings(len(text), rng.Uint64()) {
				if got := stream(m, text, c); !slices.Equal(got, want) {
					t.Fatalf("iter %d opts %+v %s:\n got %v\nwant %v\npats %q\ntext %q", iter, o, name, got, want, pats, text)
				}
			}
		}
	}
}

// TestDifferentialCloudflare compares the set of matched patterns with
// cloudflare/ahocorasick (case-sensitive, so patterns and data are lowercase
// here) on generated AV-like sets over the benign corpus with 1 % planted
// matches, in 64 KiB, odd and 1-byte Scans.
func TestDifferentialCloudflare(t *testing.T) {
	pats := sigtest.Patterns(21, 3000)
	for i, p := range pats {
		pats[i] = bytes.ToLower(p)
	}
	data := bytes.ToLower(sigtest.WithMatches(22, sigtest.Corpus(23, 1<<20), pats, 0.01))
	cf := ahocorasick.NewMatcher(pats)
	want := cf.Match(data)
	slices.Sort(want)
	if len(want) == 0 {
		t.Fatal("corpus has no matches")
	}
	for _, o := range []Options{{}, {oneBitMax: 1}} { // one and two probe bits
		differentialCloudflare(t, pats, data, want, cf, o)
	}
}

// differentialCloudflare checks a Matcher compiled with o against
// cloudflare's matches want of data.
func differentialCloudflare(t *testing.T, pats [][]byte, data []byte, want []int, cf *ahocorasick.Matcher, o Options) {
	t.Helper()
	m, err := Compile(pats, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, chunk := range []int{64 << 10, 4099, 1} {
		d := data
		w := want
		if chunk == 1 {
			d = data[:128<<10]
			w = cf.Match(d)
			slices.Sort(w)
		}
		seen := map[int32]bool{}
		var st State
		var hits []Hit
		for off := 0; off < len(d); off += chunk {
			hits = m.Scan(&st, d[off:min(off+chunk, len(d))], hits[:0])
			for _, h := range hits {
				seen[h.ID] = true
			}
		}
		var got []int
		for id := range seen {
			got = append(got, int(id))
		}
		slices.Sort(got)
		if !slices.Equal(got, w) {
			t.Errorf("%+v chunk %d: %d patterns matched, cloudflare %d", o, chunk, len(got), len(w))
		}
	}
}

// TestReset checks that nothing matches across a Reset.
func TestReset(t *testing.T) {
	m, err := Compile([][]byte{[]byte("abcd")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var st State
	if h := m.Scan(&st, []byte("ab"), nil); len(h) != 0 {
		t.Fatal(h)
	}
	st.Reset()
	if h := m.Scan(&st, []byte("cd"), nil); len(h) != 0 {
		t.Fatalf("match across Reset: %v", h)
	}
	if h := m.Scan(&st, []byte("abcd"), nil); len(h) != 1 || h[0].End != 4 {
		t.Fatalf("after Reset: %v", h)
	}
}

// TestLimits checks MaxStates and empty patterns.
func TestLimits(t *testing.T) {
	if _, err := Compile([][]byte{[]byte("abc")}, Options{MaxStates: 3}); err == nil {
		t.Fatal("4 states accepted with MaxStates 3")
	}
	if _, err := Compile([][]byte{[]byte("abc")}, Options{MaxStates: 4}); err != nil {
		t.Fatal(err)
	}
	if _, err := Compile([][]byte{{}}, Options{}); err == nil {
		t.Fatal("empty pattern accepted")
	}
	m, err := Compile(nil, Options{})
	if err != nil || m.Len() != 0 || len(m.Scan(&State{}, []byte("abc"), nil)) != 0 {
		t.Fatalf("empty matcher: %v", err)
	}
}

// TestFold checks the SWAR fold against the byte table, and that the filter's
// blurred key of a raw byte is the blurred key of its folded form (so a scan
// that blurs raw data finds the windows built from folded patterns).
func TestFold(t *testing.T) {
	for c := range 256 {
		if byte(c)|0x20 != foldTable[c]|0x20 {
			t.Fatalf("blur(%#x) = %#x, blur(fold) = %#x", c, byte(c)|0x20, foldTable[c]|0x20)
		}
	}
	for i := range 256 {
		for _, j := range []int{0, 'A', 'z', 0x80, 0xC1, 0xDA, i} {
			b := []byte{byte(i), byte(j), byte(255 - i), byte(i ^ 0x40), byte(j ^ 0x20), 'Z', '@', '['}
			var want, x uint64
			for k := 7; k >= 0; k-- {
				x = x<<8 | uint64(b[k])
				want = want<<8 | uint64(foldTable[b[k]])
			}
			if got := fold32(uint32(x)); got != uint32(want) {
				t.Fatalf("fold32(%q) = %08x, want %08x", b[:4], got, uint32(want))
			}
		}
	}
	if !equalFolded([]byte("Hello, WORLD!"), []byte("hello, world!")) || equalFolded([]byte("Hello"), []byte("hellp")) {
		t.Fatal("equalFolded")
	}
}
