package reassembly

import (
	"encoding/binary"
	"testing"

	"github.com/wirescan/wirescan/engine/memcap"
)

// fuzzSpan bounds how far a fuzzed segment can reach from its direction's
// start: a 16-bit sequence offset plus a payload of at most 255 bytes.
const fuzzSpan = 1<<16 + 512

// fuzzISN gives each direction a fixed ISN; the server's wraps past 2^32.
var fuzzISN = [2]uint32{12345, 0xFFFFF000}

// fuzzTS gives each direction a base TSval; the server's wraps past 2^32.
var fuzzTS = [2]uint32{1000, 0xFFFFFFC0}

// FuzzStream drives a Stream with segments decoded from the input: the first
// five bytes choose the limits and options, then every 8 bytes are one
// operation (flags and direction, sequence offset, length, fill and
// timestamp, ack offset, special). It
// checks that nothing panics, the Handler contract holds, the limits hold
// after every Add, delivered plus gap bytes never exceed what the segments
// span, and that Close returns every byte of Memory.
func FuzzStream(f *testing.F) {
	f.Add([]byte{3, 4, 2, 4, 1,
		0x03, 0, 0, 0, 0, 0, 0, 0, // SYN c2s
		0x10, 0, 10, 20, 'a', 0, 0, 0, // data at 10
		0x10, 0, 1, 9, 'b', 0, 0, 0, // data at 1
		0x15, 0, 30, 5, 'c', 0, 0, 0, // FIN
		0x11, 0, 0, 0, 0, 0, 40, 0, // ACK from s2c
	})
	f.Add([]byte{0, 0, 0, 0, 0, 0x10, 0xff, 0xff, 200, 1, 0, 0, 0xff, 0x11, 0, 1, 3, 2, 0, 0, 0xfd})
	f.Add([]byte{3, 4, 2, 4, 2, // timestamps validated
		0x03, 0, 0, 0, 0, 0, 0, 0, // SYN c2s, TSval base
		0x13, 0, 0, 0, 0, 0, 0, 0, // SYN/ACK s2c echoing it
		0x10, 0, 1, 9, 'b', 0, 0, 0, // data, newer TSval
		0x10, 0, 10, 4, 'a', 0, 0, 0, // data, stale TSval
		0x10, 0, 10, 4, 0x22, 0, 0, 0, // data without timestamp
		0x19, 0, 0, 0, 0x40, 0, 0, 0, // RST s2c
	})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 5 {
			return
		}
		cfg := Config{
			MaxBufferedSegments: 1 + int(in[0]%16),
			MaxBufferedBytes:    1 + int64(in[1])*8,
			HistoryBytes:        int(in[2]) * 4,
			Midstream:           in[4]&1 == 0,
			ValidateTimestamps:  in[4]&2 != 0,
		}
		mem, st, r := memcap.New(int64(in[3])*64), new(Stats), &recorder{quiet: true}
		s := NewStream(&cfg, mem, st, r)
		var buf [256]byte
		for ops := in[5:]; len(ops) >= 8; ops = ops[8:] {
			op := ops[:8]
			dir := Direction(op[0] & 1)
			seq := fuzzISN[dir] + uint32(binary.BigEndian.Uint16(op[1:3]))
			switch op[7] {
			case 0xFF:
				seq += 0x80000000 // far out of window
			case 0xFE:
				s.Flush()
			case 0xFD:
				s.Close()
			}
			p := buf[:op[3]]
			for i := range p {
				p[i] = byte(seq+uint32(i)) ^ (op[4] & 0x80) // mostly consistent content
			}
			s.Add(dir, Segment{
				Seq: seq, Ack: fuzzISN[dir^1] + uint32(binary.BigEndian.Uint16(op[5:7])),
				SYN: op[0]&2 != 0, FIN: op[0]&4 != 0, RST: op[0]&8 != 0 && op[4]&0x40 != 0, ACK: op[0]&0x10 != 0,
				Payload: p,
				// Fill bits 0x20 and 0x1f: timestamp present, TSval step.
				HasTS: op[4]&0x20 == 0, TSVal: fuzzTS[dir] + uint32(op[4]&0x1f)*16, TSEcr: fuzzTS[dir^1] + uint32(op[5]&0x0f)*16,
			})
			checkInvariants(t, s)
			if mem.InUse() != s.MemoryHeld() {
				t.Fatalf("memory in use %d, stream holds %d", mem.InUse(), s.MemoryHeld())
			}
		}
		s.Close()
		for d := range 2 {
			if got := r.delivered[d] + r.gapped[d]; got > fuzzSpan {
				t.Fatalf("dir %d: delivered %d + gaps %d exceed the span %d", d, r.delivered[d], r.gapped[d], fuzzSpan)
			}
		}
		if st.InOrderBytes+st.ReassembledBytes != uint64(r.delivered[0]+r.delivered[1]) {
			t.Fatalf("stats count %d delivered bytes, handler saw %d", st.InOrderBytes+st.ReassembledBytes, r.delivered[0]+r.delivered[1])
		}
		checkClosed(t, s, r, mem)
	})
}
