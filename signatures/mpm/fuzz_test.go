package mpm

import (
	"slices"
	"testing"
)

// FuzzMatcher derives patterns, options and a text from the input and checks
// that streaming in two pieces, whole-buffer scanning and the naive
// reference agree.
func FuzzMatcher(f *testing.F) {
	f.Add([]byte("abc\x00bc\x00AB"), []byte("xxabcABCbc"), uint8(0), uint8(3))
	f.Add([]byte("\x00\xff\x00\x01"), []byte("\x00\xff\x00\x01\x00\xff"), uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, pdata, text []byte, mode, split uint8) {
		var pats [][]byte
		for _, p := range splitNonEmpty(pdata) {
			if len(pats) < 64 && len(p) <= 40 {
				pats = append(pats, p)
			}
		}
		if len(text) > 4096 {
			text = text[:4096]
		}
		o := Options{Filter: Filter(mode % 2), Stride: int(mode/2) % 17, oneBitMax: int(mode/34) % 2}
		m, err := Compile(pats, o)
		if err != nil {
			t.Fatal(err)
		}
		want := naive(pats, text)
		k := int(split) % (len(text) + 1)
		if got := stream(m, text, []int{k, len(text) - k}); !slices.Equal(got, want) {
			t.Fatalf("split %d: %v, want %v", k, got, want)
		}
		if got := stream(m, text, []int{len(text)}); !slices.Equal(got, want) {
			t.Fatalf("whole: %v, want %v", got, want)
		}
	})
}

// splitNonEmpty cuts b at zero bytes, dropping empty pieces.
func splitNonEmpty(b []byte) [][]byte {
	var out [][]byte
	for _, p := range slices.Collect(func(yield func([]byte) bool) {
		start := 0
		for i, c := range b {
			if c == 0 {
				if !yield(b[start:i]) {
					return
				}
				start = i + 1
			}
		}
		yield(b[start:])
	}) {
		if len(p) > 0 {
			out = append(out, p)
		}
	}
	return out
}
