package decode

import (
	"bytes"
	"hash/fnv"
	"math/rand/v2"
	"testing"

	"github.com/wirescan/wirescan/engine/capture"
)

// fuzzSegLen is the length of the fragmented TCP segment (header and
// fragPayload); a multiple of 8, so every piece may end on it.
const fuzzSegLen = 20 + 100

// FuzzDefrag cuts one datagram into fragments at offsets taken from the
// input, adds overlapping fragments (same bytes, or other bytes past the TCP
// header), sends them in an order drawn from the input, over IPv4 or IPv6,
// and compares the decoder with a naive twin: a byte array filled first
// copy wins, complete when every byte and the last fragment have arrived.
// The datagram must come out exactly once, at the fragment that completes
// it, with the twin's bytes, and the stats must account for every packet.
func FuzzDefrag(f *testing.F) {
	f.Add(false, []byte{6, 12}, []byte{2, 1, 0}, []byte{})
	f.Add(true, []byte{3, 9, 14}, []byte{7}, []byte{4, 2, 'X', 0, 15, 0})
	f.Add(false, []byte{}, []byte{1}, []byte{5, 6, 'Y', 5, 6, 0, 3, 1, 0})
	f.Fuzz(func(t *testing.T, v6 bool, cuts, order, extra []byte) {
		seg, build, link := segment4(t), frag4, capture.LinkTypeEthernet
		if v6 {
			seg, build, link = segment6(t), frag6, capture.LinkTypeIPv6
		}
		// The partition: cut points at multiples of 8 inside the segment,
		// at least one (a datagram in one piece is no fragment).
		var at [fuzzSegLen/8 + 1]bool
		at[1+len(cuts)%(fuzzSegLen/8-1)] = true
		for _, c := range cuts {
			at[1+int(c)%(fuzzSegLen/8-1)] = true
		}
		var pieces []piece
		start := 0
		for k := 1; k <= fuzzSegLen/8; k++ {
			if k == fuzzSegLen/8 || at[k] {
				pieces = append(pieces, piece{off: start, n: k*8 - start, more: k < fuzzSegLen/8})
				start = k * 8
			}
		}
		// Overlapping extras: 3 bytes each (offset and length in 8-byte
		// units, fill byte; 0 repeats the segment's own bytes). Other
		// bytes stay clear of the TCP header, which says where the
		// payload starts.
		for ; len(extra) >= 3 && len(pieces) < 64; extra = extra[3:] {
			off := 8 * (3 + int(extra[0])%(fuzzSegLen/8-3))
			n := min(8*(1+int(extra[1])%8), fuzzSegLen-off)
			if off+n == fuzzSegLen {
				n -= 8 // only the real last fragment ends the datagram
			}
			if n <= 0 {
				continue
			}
			pieces = append(pieces, piece{off: off, n: n, more: true, fill: extra[2]})
		}
		h := fnv.New64a()
		h.Write(order)
		rng := rand.New(rand.NewPCG(h.Sum64(), uint64(len(order))))
		rng.Shuffle(len(pieces), func(i, j int) { pieces[i], pieces[j] = pieces[j], pieces[i] })

		// The twin.
		var model [fuzzSegLen]byte
		var have [fuzzSegLen]bool
		missing, lastSeen, complete := fuzzSegLen, false, -1
		for i, pc := range pieces {
			data := pieceData(seg, pc)
			for j, b := range data {
				if !have[pc.off+j] {
					have[pc.off+j], model[pc.off+j] = true, b
					missing--
				}
			}
			lastSeen = lastSeen || !pc.more
			if missing == 0 && lastSeen {
				complete = i
				break
			}
		}
		cfg := DefaultConfig()
		var st Stats
		d := NewDecoder(&cfg, &st)
		d.setRecover(false)
		for i, pc := range pieces {
			frame := build(t, seg, pc)
			p, ok := d.Decode(link, frame, t0, uint64(i+1), len(frame))
			if ok != (i == complete) {
				t.Fatalf("piece %d of %+v: ok = %v, twin completes at %d; stats %+v", i, pieces, ok, complete, st)
			}
			if ok && (!p.Reassembled || !bytes.Equal(p.Payload, model[20:])) {
				t.Fatalf("reassembled %q, twin %q (pieces %+v)", p.Payload, model[20:], pieces)
			}
		}
		checkAccounting(t, &st)
		if st.Fragments != uint64(len(pieces)) {
			t.Fatalf("Fragments = %d, want %d", st.Fragments, len(pieces))
		}
	})
}
