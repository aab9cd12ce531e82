package mpm

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wirescan/wirescan/signatures/internal/flat"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// roundTrip serialises m and decodes it from an aligned copy.
func roundTrip(t *testing.T, m *Matcher) *Matcher {
	t.Helper()
	data, err := m.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := flat.AlignedCopy(len(data))
	copy(buf, data)
	d, err := Decode(buf)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCodecRoundTrip checks that a decoded Matcher finds exactly what the
// original finds, with and without prefilter and short automaton.
func TestCodecRoundTrip(t *testing.T) {
	pats := sigtest.Patterns(3, 500)
	pats = append(pats, []byte("ab"), []byte("x"))
	data := sigtest.WithMatches(4, sigtest.Corpus(5, 256<<10), pats, 0.02)
	for _, o := range []Options{{}, {Filter: FilterNever}, {Stride: 1}} {
		m, err := Compile(pats, o)
		if err != nil {
			t.Fatal(err)
		}
		d := roundTrip(t, m)
		if d.Len() != m.Len() || d.MaxLen() != m.MaxLen() || d.NumStates() != m.NumStates() || d.MemoryBytes() != m.MemoryBytes() {
			t.Fatalf("opts %+v: decoded sizes differ", o)
		}
		for _, c := range [][]int{{len(data)}, sigtest.Splits(6, len(data), 5000)} {
			if got, want := stream(d, data, c), stream(m, data, c); !slices.Equal(got, want) || len(want) == 0 {
				t.Fatalf("opts %+v: decoded %d hits, original %d", o, len(got), len(want))
			}
		}
	}
}

// TestDecodeDamaged decodes truncated and bit-flipped serialisations: an
// error or a Matcher that scans without panicking, never a panic.
func TestDecodeDamaged(t *testing.T) {
	m, err := Compile(append(sigtest.Patterns(7, 50), []byte("ab")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := m.AppendBinary(nil)
	for n := 0; n < len(data); n += 1 + n/50 {
		if _, err := Decode(data[:n]); !errors.Is(err, ErrFormat) {
			t.Fatalf("prefix %d of %d: err %v", n, len(data), err)
		}
	}
	rng := rand.New(rand.NewPCG(8, 9))
	text := sigtest.Corpus(10, 4096)
	for range 2000 {
		d := slices.Clone(data)
		d[rng.IntN(len(d))] ^= byte(1 << rng.IntN(8))
		if dm, err := Decode(d); err == nil {
			var st State
			dm.Scan(&st, text, nil)
			dm.Scan(&st, text[:7], nil)
		}
	}
}
