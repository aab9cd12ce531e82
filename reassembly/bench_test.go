package reassembly

import (
	"testing"

	"github.com/wirescan/wirescan/engine/memcap"
)

// nopHandler discards everything without recording, for benchmarks.
type nopHandler struct{ n int64 }

func (h *nopHandler) Data(_ Direction, p []byte) { h.n += int64(len(p)) }
func (*nopHandler) Gap(Direction, int64)         {}
func (*nopHandler) Anomaly(Direction, string)    {}
func (*nopHandler) End(Direction)                {}

// BenchmarkInOrder measures the common case: full-sized in-order segments
// delivered straight through (no copy, no allocation once history is full).
func BenchmarkInOrder(b *testing.B) {
	payload := make([]byte, 1460)
	h := &nopHandler{}
	s := NewStream(nil, memcap.New(1<<30), nil, h)
	seq := uint32(0xFFFF0000)
	s.Add(c2s, syn(seq))
	seq++
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		s.Add(c2s, Segment{Seq: seq, ACK: true, Payload: payload})
		seq += uint32(len(payload))
	}
	b.StopTimer()
	if want := int64(b.N) * int64(len(payload)); h.n != want {
		b.Fatalf("delivered %d bytes, want %d", h.n, want)
	}
}

// TestInOrderAllocs asserts that in-order delivery allocates nothing per
// segment once the history ring has reached its size.
func TestInOrderAllocs(t *testing.T) {
	payload := make([]byte, 1460)
	s := NewStream(nil, memcap.New(1<<30), nil, &nopHandler{})
	seq := uint32(7)
	s.Add(c2s, syn(seq))
	seq++
	feed := func() {
		s.Add(c2s, Segment{Seq: seq, ACK: true, Payload: payload})
		s.Add(s2c, ackSeg(99, seq))
		seq += uint32(len(payload))
	}
	for range 32 {
		feed() // grow the history ring to its final size
	}
	if n := testing.AllocsPerRun(1000, feed); n != 0 {
		t.Fatalf("in-order Add allocates %.1f times per segment, want 0", n)
	}
}
