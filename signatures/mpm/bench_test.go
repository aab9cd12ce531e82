package mpm

import (
	"fmt"
	"testing"

	"github.com/cloudflare/ahocorasick"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// BenchmarkScan streams the benign corpus (and the same with 1 % of its bytes
// in planted occurrences) through generated sets in 64 KiB Scans, next to
// cloudflare/ahocorasick on the same data (up to 10k patterns: its build
// needs gigabytes beyond) and checks both find the same patterns.
func BenchmarkScan(b *testing.B) {
	benign := sigtest.Corpus(7, 4<<20)
	for _, n := range []int{1000, 10000, 100000} {
		pats := sigtest.Patterns(uint64(n), n)
		m, err := Compile(pats, Options{})
		if err != nil {
			b.Fatal(err)
		}
		var cf *ahocorasick.Matcher
		if n <= 10000 {
			cf = ahocorasick.NewMatcher(pats)
		}
		for _, c := range []struct {
			name string
			data []byte
		}{{"benign", benign}, {"matches1pct", sigtest.WithMatches(8, benign, pats, 0.01)}} {
			seen := map[int32]bool{}
			var st State
			for off := 0; off < len(c.data); off += 64 << 10 {
				for _, h := range m.Scan(&st, c.data[off:min(off+64<<10, len(c.data))], nil) {
					seen[h.ID] = true
				}
			}
			if cf != nil && len(cf.Match(c.data)) != len(seen) {
				b.Fatalf("%d patterns, %s: mpm found %d patterns, cloudflare %d", n, c.name, len(seen), len(cf.Match(c.data)))
			}
			b.Run(fmt.Sprintf("patterns=%d/%s/mpm", n, c.name), func(b *testing.B) {
				b.ReportMetric(float64(m.MemoryBytes())/(1<<20), "MiB")
				b.SetBytes(int64(len(c.data)))
				b.ReportAllocs()
				var hits []Hit
				for b.Loop() {
					var st State
					for off := 0; off < len(c.data); off += 64 << 10 {
						hits = m.Scan(&st, c.data[off:min(off+64<<10, len(c.data))], hits[:0])
					}
				}
			})
			if cf != nil {
				b.Run(fmt.Sprintf("patterns=%d/%s/cloudflare", n, c.name), func(b *testing.B) {
					b.SetBytes(int64(len(c.data)))
					for b.Loop() {
						cf.Match(c.data)
					}
				})
			}
		}
	}
}

// BenchmarkCompile measures building a Matcher and decoding its serialised
// form (what a compiled-set cache hit costs instead).
func BenchmarkCompile(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		pats := sigtest.Patterns(uint64(n), n)
		b.Run(fmt.Sprintf("patterns=%d/compile", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Compile(pats, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		m, _ := Compile(pats, Options{})
		data, _ := m.AppendBinary(nil)
		b.Run(fmt.Sprintf("patterns=%d/decode", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
