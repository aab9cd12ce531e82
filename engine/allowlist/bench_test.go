package allowlist

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

// benchList is a list of n SHA-256 digests of the integers 0..n-1.
func benchList(n int) string {
	var b strings.Builder
	var buf [8]byte
	for i := range n {
		binary.LittleEndian.PutUint64(buf[:], uint64(i))
		s := sha256.Sum256(buf[:])
		b.WriteString(hex.EncodeToString(s[:]) + "  file\n")
	}
	return b.String()
}

// BenchmarkContains: one lookup (half of them hits) in a list of 1 Mi
// SHA-256 digests.
func BenchmarkContains(b *testing.B) {
	const n = 1 << 20
	l, err := Parse(strings.NewReader(benchList(n)), "bench", Options{})
	if err != nil {
		b.Fatal(err)
	}
	probes := make([][32]byte, 1024)
	var buf [8]byte
	for i := range probes {
		binary.LittleEndian.PutUint64(buf[:], uint64(i*2047)) // odd probes past n miss
		probes[i] = sha256.Sum256(buf[:])
	}
	hits := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if l.Contains(nil, probes[i%len(probes)][:]) {
			hits++
		}
	}
	if b.N >= len(probes) && hits == 0 {
		b.Fatal("no hits")
	}
}

// BenchmarkParse: loading 64 Ki lines of sha256sum output.
func BenchmarkParse(b *testing.B) {
	src := benchList(1 << 16)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(strings.NewReader(src), "bench", Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
