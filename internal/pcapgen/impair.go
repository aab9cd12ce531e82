package pcapgen

import "math/rand/v2"

// Impair degrades a conversation the way real networks and capture points
// do, deterministically from Seed. Probabilities are per data segment, in
// [0, 1]; the zero value impairs nothing. Handshake, ACK-only and FIN/RST
// packets are never impaired, so the connection stays recognisable.
type Impair struct {
	// Seed drives every random choice; the same seed gives the same capture.
	Seed uint64
	// Reorder is the probability that a data segment is held back and
	// written after the next data segment of the same direction.
	Reorder float64
	// Duplicate is the probability that a data segment is written twice
	// (a retransmission the receiver already had).
	Duplicate float64
	// Drop is the probability that a data segment never reaches the capture
	// (capture loss: the receiver still ACKs it).
	Drop float64
	// Tiny is the probability that a segment is cut to 1..TinyMax bytes.
	Tiny float64
	// TinyMax bounds tiny segments; 0 means 8.
	TinyMax int
}

// active reports whether any impairment is configured.
func (im Impair) active() bool {
	return im.Reorder > 0 || im.Duplicate > 0 || im.Drop > 0 || im.Tiny > 0
}

// newRand returns the conversation's random source.
func (im Impair) newRand() *rand.Rand {
	return rand.New(rand.NewPCG(im.Seed, 0x70636170676e)) // "pcapgn"
}

// segmentSize returns the size of the next segment given what is left.
func (im Impair) segmentSize(r *rand.Rand, mss, left int) int {
	n := mss
	if im.Tiny > 0 && r.Float64() < im.Tiny {
		limit := im.TinyMax
		if limit <= 0 {
			limit = 8
		}
		n = 1 + r.IntN(limit)
	}
	return min(n, left)
}
