package reassembly

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestHistoryAgainstSlice compares the ring with a plain slice of every
// delivered byte, across growth and wrap-around.
func TestHistoryAgainstSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 4))
	for range 200 {
		var h history
		var all []byte
		limit := 1 + rng.IntN(64)
		for range 100 {
			p := make([]byte, rng.IntN(2*limit))
			for i := range p {
				p[i] = byte(rng.IntN(4))
			}
			if c := len(h.buf); c < limit && h.n+len(p) > c {
				h.resize(min(limit, max(2*c, 1, h.n+len(p))))
			}
			h.add(p)
			all = append(all, p...)
			if len(all) == 0 {
				continue
			}
			// Compare a random window of the delivered bytes, possibly
			// altered, with what the slice says about the kept part.
			dist := 1 + rng.IntN(len(all))
			n := 1 + rng.IntN(dist)
			q := bytes.Clone(all[len(all)-dist : len(all)-dist+n])
			if rng.IntN(2) == 0 {
				q[rng.IntN(n)] ^= 0x80
			}
			want := false
			for k := range q {
				if d := dist - k; d <= h.n && q[k] != all[len(all)-d] {
					want = true
				}
			}
			if got := h.differs(dist, q); got != want {
				t.Fatalf("differs(dist %d, len %d) = %v, want %v (kept %d of %d)", dist, n, got, want, h.n, len(all))
			}
		}
	}
}
