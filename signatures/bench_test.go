package signatures

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/cloudflare/ahocorasick"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// benchData is the benign corpus every scan benchmark reads (4 MiB, fixed seed).
func benchData() []byte { return sigtest.Benign(7, 4<<20) }

// benchSet compiles n generated patterns as file_data rules.
func benchSet(b *testing.B, n int) (*Set, [][]byte) {
	pats := sigtest.Patterns(uint64(n), n)
	s := mustSet(b, Options{}, sigtest.Rules(pats, 1)...)
	return s, pats
}

// BenchmarkScan streams benign data through Sets of generated AV-like patterns in
// 64 KiB writes and checks the match count against cloudflare's.
func BenchmarkScan(b *testing.B) {
	data := benchData()
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("patterns=%d", n), func(b *testing.B) {
			s, pats := benchSet(b, n)
			want := len(ahocorasick.NewMatcher(pats).Match(data))
			runtime.GC() // drop the reference matcher before timing
			b.ReportMetric(float64(s.Stats().States), "states")
			b.ReportMetric(float64(s.Stats().MemoryBytes)/(1<<20), "MiB")
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sc := s.NewScanner(FileData, &Context{})
				got := 0
				for off := 0; off < len(data); off += 64 << 10 {
					got += len(sc.Write(data[off:min(off+64<<10, len(data))]))
				}
				if got != want {
					b.Fatalf("got %d matches, cloudflare %d", got, want)
				}
			}
		})
	}
}

// BenchmarkCloudflare is the baseline: cloudflare/ahocorasick over the same data
// and patterns (whole buffer, not streaming).
func BenchmarkCloudflare(b *testing.B) {
	data := benchData()
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("patterns=%d", n), func(b *testing.B) {
			m := ahocorasick.NewMatcher(sigtest.Patterns(uint64(n), n))
			runtime.GC()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.Match(data)
			}
		})
	}
}

// BenchmarkCompile measures building a Set of 10k generated rules.
func BenchmarkCompile(b *testing.B) {
	rules := parseAll(b, sigtest.Rules(sigtest.Patterns(3, 10000), 1))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Compile(rules, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
