package reassembly

import (
	"bytes"
	"math/rand/v2"

	"github.com/wirescan/wirescan/engine/memcap"
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

// TestHistorySizedAndReleasedUnderPressure: a history ring is sized to what
// was delivered (a short request holds a short ring, a longer stream a
// ring doubled from its first segment) and, once the
// receiver acknowledged everything, stays while the memcap is not under
// pressure; a small one goes once 1/64 of the memcap is in use, a large
// one (a bulk transfer's) only once 1/8 is.
func TestHistorySizedAndReleasedUnderPressure(t *testing.T) {
	const capBytes = 256 << 10 // small ring: pressure at 4 KiB, large: at 32 KiB
	cases := []struct {
		name     string
		sent     int   // bytes the client delivers before the server's ACK
		other    int64 // memory other streams hold
		wantRing int   // ring capacity before the ACK
		kept     bool  // the ring survives the ACK
	}{
		{"request, no pressure", 50, 0, minHistory, true},
		{"request, small pressure", 50, 4 << 10, minHistory, false},
		{"3 KB, small pressure", 3000, 4 << 10, 4000, false},
		{"6 KB, small pressure", 6000, 4 << 10, 8000, true},
		{"6 KB, large pressure", 6000, 32 << 10, 8000, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memcap.New(capBytes)
			mem.Force(c.other)
			s := NewStream(nil, mem, nil, nil)
			s.Add(ClientToServer, Segment{Seq: 100, SYN: true})
			s.Add(ServerToClient, Segment{Seq: 500, SYN: true, ACK: true, Ack: 101})
			for off := 0; off < c.sent; off += 1000 {
				n := min(1000, c.sent-off)
				s.Add(ClientToServer, Segment{Seq: 101 + uint32(off), ACK: true, Ack: 501, Payload: make([]byte, n)})
			}
			d := &s.half[ClientToServer]
			if got := len(d.hist.buf); got != c.wantRing {
				t.Fatalf("ring of %d bytes after %d delivered, want %d", got, c.sent, c.wantRing)
			}
			s.Add(ServerToClient, Segment{Seq: 501, ACK: true, Ack: 101 + uint32(c.sent)})
			if kept := len(d.hist.buf) > 0; kept != c.kept {
				t.Fatalf("ring kept %v after the ACK (memcap %d of %d in use), want %v", kept, mem.InUse(), capBytes, c.kept)
			}
			s.Close()
			if mem.InUse() != c.other {
				t.Fatalf("%d bytes still held after Close", mem.InUse()-c.other)
			}
		})
	}
}
