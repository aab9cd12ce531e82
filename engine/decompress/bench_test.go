package decompress

import (
	"math/rand"
	"testing"
)

// BenchmarkChain decodes 1 MiB of compressible text per coding, fed in
// 1460-byte pieces (one TCP segment each); bytes/s are decoded bytes.
func BenchmarkChain(b *testing.B) {
	data := sampleData(rand.New(rand.NewSource(1)), 1<<20)
	for _, kind := range encodings {
		enc := compress(b, kind, 6, data)
		b.Run(kind, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var n int
				c := NewChain([]Coding{codingOf(kind)}, testLimits(), nil, func(p []byte) bool { n += len(p); return true })
				for off := 0; off < len(enc); off += 1460 {
					if err := c.Write(enc[off:min(off+1460, len(enc))]); err != nil {
						b.Fatal(err)
					}
				}
				if err := c.End(); err != nil || n != len(data) {
					b.Fatalf("%s: %d of %d bytes, %v", kind, n, len(data), err)
				}
			}
		})
	}
}
