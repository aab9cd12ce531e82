package signatures

import (
	"fmt"
	"testing"

	"github.com/wirescan/wirescan/signatures/sigtest"
)

// BenchmarkScanScale streams the bench/ corpora (benign, and with 1 % of the bytes
// in planted occurrences) through generated sets of 1k, 10k and 100k patterns in
// 64 KiB Writes. bench/ runs the same comparison against cloudflare/ahocorasick.
func BenchmarkScanScale(b *testing.B) {
	benign := sigtest.Corpus(7, 8<<20)
	for _, n := range []int{1000, 10000, 100000} {
		pats := sigtest.Patterns(uint64(n), n)
		s := mustSet(b, Options{}, sigtest.Rules(pats, 1)...)
		for _, c := range []struct {
			name string
			data []byte
		}{{"benign", benign}, {"matches1pct", sigtest.WithMatches(8, benign, pats, 0.01)}} {
			b.Run(fmt.Sprintf("patterns=%d/%s", n, c.name), func(b *testing.B) {
				b.ReportMetric(float64(s.Stats().MemoryBytes)/(1<<20), "MiB")
				b.SetBytes(int64(len(c.data)))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					sc := s.NewScanner(FileData, &Context{})
					for off := 0; off < len(c.data); off += 64 << 10 {
						sc.Write(c.data[off:min(off+64<<10, len(c.data))])
					}
				}
			})
		}
	}
}
