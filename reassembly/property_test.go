package reassembly

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/memcap"
)

// testSeed returns the seed for a randomized test and logs it, so that a
// failure can be replayed by pinning the value.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	return seed
}

// wireSeg is a generated segment at a stream offset.
type wireSeg struct {
	dir Direction
	off int64
	p   []byte
	fin bool
}

// splitStream cuts payload into segments of 1..maxLen bytes, the last one
// carrying the FIN.
func splitStream(rng *rand.Rand, dir Direction, payload []byte, maxLen int) []wireSeg {
	var out []wireSeg
	for off := 0; off < len(payload); {
		n := min(1+rng.IntN(maxLen), len(payload)-off)
		out = append(out, wireSeg{dir: dir, off: int64(off), p: payload[off : off+n]})
		off += n
	}
	out[len(out)-1].fin = true
	return out
}

// TestPermutationProperty: any permutation and duplication of a stream's
// segments (both directions, across the 2^32 wrap) yields exactly the
// original bytes, no gaps and no anomalies, once every segment is present.
func TestPermutationProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 1))
	for iter := range 300 {
		isn := [2]uint32{rng.Uint32(), 0xFFFFFFFF - uint32(rng.IntN(3000))}
		var want [2][]byte
		var segs []wireSeg
		for d := range 2 {
			want[d] = make([]byte, 1+rng.IntN(6000))
			for i := range want[d] {
				want[d][i] = byte('a' + rng.IntN(26))
			}
			parts := splitStream(rng, Direction(d), want[d], 1+rng.IntN(1500))
			for range rng.IntN(len(parts) + 1) {
				parts = append(parts, parts[rng.IntN(len(parts))])
			}
			segs = append(segs, parts...)
		}
		rng.Shuffle(len(segs), func(i, j int) { segs[i], segs[j] = segs[j], segs[i] })

		cfg := DefaultConfig()
		cfg.MaxBufferedSegments = 1 << 16 // a 6000-byte stream may come in 1-byte segments
		mem, r := memcap.New(1<<30), &recorder{}
		s := NewStream(&cfg, mem, nil, r)
		s.Add(c2s, syn(isn[0]))
		s.Add(s2c, syn(isn[1]))
		for _, g := range segs {
			seq := isn[g.dir] + 1 + uint32(g.off)
			// ACK only the other side's SYN: it must never cause a gap.
			s.Add(g.dir, Segment{Seq: seq, Ack: isn[g.dir^1] + 1, FIN: g.fin, ACK: true, Payload: g.p})
		}
		for d := range 2 {
			wantOut := string(want[d]) + "<end>"
			if got := r.out[d].String(); got != wantOut {
				t.Fatalf("iter %d dir %d: output differs (len %d, want %d)", iter, d, len(got), len(wantOut))
			}
		}
		if len(r.anomalies) > 0 {
			t.Fatalf("iter %d: anomalies %q", iter, r.anomalies)
		}
		s.Close()
		checkClosed(t, s, r, mem)
	}
}

// referenceOutput is the slow twin: segments are sorted by offset (stable,
// so arrival order breaks ties) and every byte is taken from the earliest
// arriving segment covering it; uncovered bytes up to the highest one seen
// form gaps. It also counts the segments that overlap earlier copies with
// different bytes.
func referenceOutput(segs []wireSeg) (string, int) {
	type arrived struct {
		wireSeg
		idx int
	}
	sorted := make([]arrived, len(segs))
	var span int64
	for i, g := range segs {
		sorted[i] = arrived{g, i}
		span = max(span, g.off+int64(len(g.p)))
	}
	slices.SortStableFunc(sorted, func(a, b arrived) int { return int(a.off - b.off) })
	winner := make([]int, span)
	for x := range winner {
		winner[x] = -1
		for _, g := range sorted {
			if g.off > int64(x) {
				break
			}
			if int64(x) < g.off+int64(len(g.p)) && (winner[x] < 0 || g.idx < winner[x]) {
				winner[x] = g.idx
			}
		}
	}
	differing := 0
	for i, g := range segs {
		for k, b := range g.p {
			if w := winner[g.off+int64(k)]; w != i && segs[w].p[g.off+int64(k)-segs[w].off] != b {
				differing++
				break
			}
		}
	}
	var out strings.Builder
	for x := int64(0); x < span; {
		y := x
		for y < span && (winner[y] < 0) == (winner[x] < 0) {
			y++
		}
		if winner[x] < 0 {
			fmt.Fprintf(&out, "<gap %d>", y-x)
		} else {
			for k := x; k < y; k++ {
				w := segs[winner[k]]
				out.WriteByte(w.p[k-w.off])
			}
		}
		x = y
	}
	out.WriteString("<end>")
	return out.String(), differing
}

// TestDifferentialFirstCopyWins compares the Stream with referenceOutput on
// random overlapping segments with conflicting contents and holes.
func TestDifferentialFirstCopyWins(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 2))
	for iter := range 500 {
		span := 1 + rng.IntN(3000)
		var segs []wireSeg
		for range 1 + rng.IntN(120) {
			off := rng.IntN(span)
			n := 1 + rng.IntN(min(400, span-off))
			p := make([]byte, n)
			fill := byte('a' + rng.IntN(3))
			for k := range p {
				p[k] = fill + byte((off+k)%5)
			}
			segs = append(segs, wireSeg{dir: c2s, off: int64(off), p: p})
		}
		cfg := DefaultConfig()
		cfg.HistoryBytes = 4096 // covers the whole span, so every overlap is compared
		mem, st, r := memcap.New(1<<30), new(Stats), &recorder{}
		s := NewStream(&cfg, mem, st, r)
		isn := rng.Uint32()
		s.Add(c2s, syn(isn))
		for _, g := range segs {
			s.Add(c2s, Segment{Seq: isn + 1 + uint32(g.off), ACK: true, Payload: g.p})
			checkInvariants(t, s)
		}
		s.Close()
		want, differing := referenceOutput(segs)
		if got := r.out[c2s].String(); got != want {
			t.Fatalf("iter %d: output\n%q\nwant\n%q", iter, got, want)
		}
		if st.OverlapsDiffering != uint64(differing) {
			t.Fatalf("iter %d: OverlapsDiffering %d, reference %d", iter, st.OverlapsDiffering, differing)
		}
		checkClosed(t, s, r, mem)
	}
}

// TestReferenceSelfCheck pins the reference on a hand-worked example.
func TestReferenceSelfCheck(t *testing.T) {
	segs := []wireSeg{{off: 2, p: []byte("cd")}, {off: 0, p: []byte("aXY")}, {off: 6, p: []byte("g")}}
	got, differing := referenceOutput(segs)
	if got != "aXcd<gap 2>g<end>" || differing != 1 {
		t.Fatalf("reference gave %q, %d", got, differing)
	}
}

// TestMemoryReturnsToZero runs several streams with lossy, reordered traffic
// against one shared Memory, once bound by the memcap and once by the window
// limits, and checks that the streams' accounting matches Memory and that
// Memory drains to zero on Close.
func TestMemoryReturnsToZero(t *testing.T) {
	seed := testSeed(t)
	for _, tc := range []struct {
		name    string
		memcap  int64
		maxSegs int
		hit     func(*Stats) uint64
	}{
		{"memcap bound", 1 << 10, 64, func(st *Stats) uint64 { return st.MemcapDrops }},
		{"window bound", 1 << 30, 3, func(st *Stats) uint64 { return st.WindowDrops }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 3))
			mem, st := memcap.New(tc.memcap), new(Stats)
			cfg := DefaultConfig()
			cfg.MaxBufferedSegments, cfg.HistoryBytes = tc.maxSegs, 200
			var streams []*Stream
			var recs []*recorder
			for range 4 {
				r := &recorder{quiet: true}
				s := NewStream(&cfg, mem, st, r)
				s.Add(c2s, syn(0))
				s.Add(s2c, syn(0))
				streams, recs = append(streams, s), append(recs, r)
			}
			payload := bytes.Repeat([]byte("0123456789"), 100)
			for range 3000 {
				s := streams[rng.IntN(len(streams))]
				off := rng.IntN(len(payload))
				n := min(1+rng.IntN(300), len(payload)-off)
				s.Add(Direction(rng.IntN(2)), Segment{Seq: 1 + uint32(off), Ack: uint32(rng.IntN(len(payload))),
					ACK: rng.IntN(8) == 0, FIN: rng.IntN(1000) == 0, Payload: payload[off : off+n]})
				checkInvariants(t, s)
			}
			var held int64
			for _, s := range streams {
				held += s.MemoryHeld()
			}
			if held != mem.InUse() {
				t.Fatalf("streams hold %d, memory in use %d", held, mem.InUse())
			}
			if tc.hit(st) == 0 {
				t.Errorf("limit never hit: %+v", *st)
			}
			for i, s := range streams {
				s.Close()
				s.Close() // idempotent
				for _, v := range recs[i].violations {
					t.Errorf("stream %d: %s", i, v)
				}
			}
			if mem.InUse() != 0 {
				t.Fatalf("memory in use after Close: %d", mem.InUse())
			}
		})
	}
}
