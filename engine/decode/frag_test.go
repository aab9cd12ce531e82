package decode

import (
	"bytes"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wirescan/wirescan/engine/capture"
)

// fragPayload is the TCP payload of the fragmented datagrams: long enough
// for several 8-byte-aligned fragments and distinct at every offset.
var fragPayload = func() []byte {
	b := make([]byte, 100)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}()

// segment4 returns the TCP segment (header + fragPayload) of an IPv4
// datagram, with a checksum valid for the v4src/v4dst pseudo-header.
func segment4(t testing.TB) []byte {
	ip := ipv4(layers.IPProtocolTCP)
	return serialize(t, ip, tcpFor(ip), gopacket.Payload(fragPayload))[20:]
}

func segment6(t testing.TB) []byte {
	ip := ipv6(layers.IPProtocolTCP)
	return serialize(t, ip, tcpFor(ip), gopacket.Payload(fragPayload))[40:]
}

// piece is one fragment to send: bytes [off, off+n) of the segment, with
// the more-fragments flag, optionally with its bytes replaced by fill, at
// time offset at.
type piece struct {
	off, n int
	more   bool
	fill   byte
	at     time.Duration
	id     uint16
}

// pieceData returns the bytes of piece p: the segment's (0xee past its
// end) or p.fill repeated.
func pieceData(seg []byte, p piece) []byte {
	data := make([]byte, p.n)
	for i := range data {
		switch {
		case p.fill != 0:
			data[i] = p.fill
		case p.off+i < len(seg):
			data[i] = seg[p.off+i]
		default:
			data[i] = 0xee
		}
	}
	return data
}

func frag4(t testing.TB, seg []byte, p piece) []byte {
	ip := ipv4(layers.IPProtocolTCP)
	ip.Id = 77 + p.id
	ip.FragOffset = uint16(p.off / 8)
	if p.more {
		ip.Flags = layers.IPv4MoreFragments
	}
	data := pieceData(seg, p)
	return serialize(t, ethernet(layers.EthernetTypeIPv4), ip, gopacket.Payload(data))
}

func frag6(t testing.TB, seg []byte, p piece) []byte {
	ip := ipv6(layers.IPProtocolIPv6Fragment)
	fh := &layers.IPv6Fragment{NextHeader: layers.IPProtocolTCP, FragmentOffset: uint16(p.off / 8), MoreFragments: p.more, Identification: 0x1234 + uint32(p.id)}
	data := pieceData(seg, p)
	return serialize(t, ip, fh, gopacket.Payload(data))
}

func TestFragments(t *testing.T) {
	const segLen = 20 + 100 // TCP header + payload
	inOrder := []piece{{0, 48, true, 0, 0, 0}, {48, 48, true, 0, 0, 0}, {96, 24, false, 0, 0, 0}}
	reversed := []piece{inOrder[2], inOrder[1], inOrder[0]}
	cases := []struct {
		name     string
		pieces   []piece
		cfg      func(*Config)
		complete int // index of the piece that completes the datagram, -1 for none
		expect   []byte
		check    func(*Stats) bool
	}{
		{"in order", inOrder, nil, 2, nil, func(s *Stats) bool { return s.Reassembled == 1 && s.FragmentsHeld == 2 }},
		{"reversed", reversed, nil, 2, nil, func(s *Stats) bool { return s.Reassembled == 1 }},
		{"middle last", []piece{inOrder[0], inOrder[2], inOrder[1]}, nil, 2, nil, func(s *Stats) bool { return s.Reassembled == 1 }},
		{"overlap inside first", []piece{inOrder[0], {40, 8, true, 'X', 0, 0}, inOrder[1], inOrder[2]}, nil, 3, nil,
			func(s *Stats) bool { return s.FragmentOverlaps == 1 && s.Reassembled == 1 }},
		{"overlap first wins both ways", []piece{inOrder[0], {40, 16, true, 'X', 0, 0}, inOrder[1], inOrder[2]}, nil, 3,
			patched(48-20, 56-20, 'X'), func(s *Stats) bool { return s.FragmentOverlaps == 2 && s.Reassembled == 1 }},
		{"overlap spanning two pieces", []piece{inOrder[0], inOrder[2], {40, 64, true, 'Y', 0, 0}}, nil, 2,
			patched(48-20, 96-20, 'Y'), func(s *Stats) bool { return s.FragmentOverlaps == 1 && s.Reassembled == 1 }},
		{"duplicate", []piece{inOrder[0], inOrder[0], inOrder[1], inOrder[2]}, nil, 3,
			nil, func(s *Stats) bool { return s.FragmentOverlaps == 1 && s.Reassembled == 1 }},
		{"timeout", []piece{inOrder[0], {48, 48, true, 0, 61 * time.Second, 0}, {96, 24, false, 0, 61 * time.Second, 0}}, nil, -1,
			nil, func(s *Stats) bool { return s.FragmentTimeouts == 1 && s.Reassembled == 0 && s.FragmentQueues == 1 }},
		{"just within timeout", []piece{inOrder[0], {48, 48, true, 0, 60 * time.Second, 0}, {96, 24, false, 0, 60 * time.Second, 0}}, nil, 2,
			nil, func(s *Stats) bool { return s.FragmentTimeouts == 0 && s.Reassembled == 1 }},
		{"oversize", []piece{inOrder[0], {0, 8, true, 0, 0, 0}}, nil, -1, nil, func(s *Stats) bool { return true }},
		{"ragged middle fragment", []piece{{0, 44, true, 0, 0, 0}}, nil, -1, nil, func(s *Stats) bool { return s.FragmentDrops == 1 && s.FragmentQueues == 0 }},
		{"conflicting lengths", []piece{inOrder[2], {48, 8, false, 0, 0, 0}}, nil, -1, nil, func(s *Stats) bool { return s.FragmentDrops == 1 && s.FragmentQueues == 0 }},
		{"fragment past the end", []piece{inOrder[2], {112, 16, true, 0, 0, 0}}, nil, -1, nil, func(s *Stats) bool { return s.FragmentDrops == 1 }},
		{"queue limit evicts oldest", []piece{{0, 48, true, 0, 0, 1}, {0, 48, true, 0, 0, 2}, inOrder[0], inOrder[1], inOrder[2]},
			func(c *Config) { c.MaxFragmentQueues = 2 }, 4, nil, func(s *Stats) bool { return s.FragmentEvictions == 1 && s.Reassembled == 1 }},
		{"queue limit evicts the datagram", []piece{inOrder[0], {0, 48, true, 0, 0, 1}, {0, 48, true, 0, 0, 2}, inOrder[1], inOrder[2]},
			func(c *Config) { c.MaxFragmentQueues = 2 }, -1, nil, func(s *Stats) bool { return s.FragmentEvictions == 2 && s.Reassembled == 0 }},
		{"byte limit just enough", inOrder, func(c *Config) { c.MaxFragmentBytes = fragQueueCost + segLen + 3*fragPieceCost }, 2,
			nil, func(s *Stats) bool { return s.Reassembled == 1 }},
		{"byte limit one short", inOrder, func(c *Config) { c.MaxFragmentBytes = fragQueueCost + segLen + 3*fragPieceCost - 1 }, -1,
			nil, func(s *Stats) bool { return s.FragmentDrops == 1 && s.FragmentBytes == 0 }},
		{"piece limit just enough", inOrder, func(c *Config) { c.MaxFragmentsPerDatagram = 3 }, 2, nil, func(s *Stats) bool { return s.Reassembled == 1 }},
		{"piece limit one short", inOrder, func(c *Config) { c.MaxFragmentsPerDatagram = 2 }, -1, nil, func(s *Stats) bool { return s.FragmentDrops == 1 }},
	}
	for _, v6 := range []bool{false, true} {
		for _, tc := range cases {
			name := "ipv4 " + tc.name
			seg, build, want := segment4(t), frag4, addr4src
			if v6 {
				name = "ipv6 " + tc.name
				seg, build, want = segment6(t), frag6, addr6src
			}
			t.Run(name, func(t *testing.T) {
				cfg := DefaultConfig()
				if tc.cfg != nil {
					tc.cfg(&cfg)
				}
				var st Stats
				d := NewDecoder(&cfg, &st)
				d.setRecover(false)
				link := capture.LinkTypeEthernet
				if v6 {
					link = capture.LinkTypeIPv6
				}
				for i, pc := range tc.pieces {
					var frame []byte
					if tc.name == "oversize" && i == 1 {
						frame = oversize(t, v6)
					} else {
						frame = build(t, seg, pc)
					}
					p, ok := d.Decode(link, frame, t0.Add(pc.at), uint64(i+1), len(frame))
					if ok != (i == tc.complete) {
						t.Fatalf("piece %d: ok = %v; stats %+v", i, ok, st)
					}
					if ok {
						expect := tc.expect
						if expect == nil {
							expect = fragPayload
						}
						if !bytes.Equal(p.Payload, expect) || p.SrcIP != want || p.SrcPort != 40000 || !p.Reassembled || p.Num != uint64(i+1) {
							t.Errorf("reassembled %q from %v port %d", p.Payload, p.SrcIP, p.SrcPort)
						}
					}
				}
				checkAccounting(t, &st)
				if !tc.check(&st) {
					t.Errorf("stats %+v", st)
				}
				if tc.name == "oversize" && st.FragmentOversize != 1 {
					t.Errorf("FragmentOversize = %d", st.FragmentOversize)
				}
				if st.Fragments != uint64(len(tc.pieces)) {
					t.Errorf("Fragments = %d, want %d", st.Fragments, len(tc.pieces))
				}
			})
		}
	}
}

// patched returns fragPayload with bytes [from, to) set to b.
func patched(from, to int, b byte) []byte {
	p := append([]byte(nil), fragPayload...)
	for i := from; i < to; i++ {
		p[i] = b
	}
	return p
}

// oversize builds a last fragment ending past 65535 bytes.
func oversize(t testing.TB, v6 bool) []byte {
	data := gopacket.Payload(make([]byte, 40))
	if v6 {
		ip := ipv6(layers.IPProtocolIPv6Fragment)
		fh := &layers.IPv6Fragment{NextHeader: layers.IPProtocolTCP, FragmentOffset: 8188, Identification: 0x1234}
		return serialize(t, ip, fh, data)
	}
	ip := ipv4(layers.IPProtocolTCP)
	ip.FragOffset = 8188
	return serialize(t, ethernet(layers.EthernetTypeIPv4), ip, data)
}

func TestFragmentChecksumAndTruncation(t *testing.T) {
	seg := segment4(t)
	cfg := DefaultConfig()
	cfg.ValidateChecksums = true
	var st Stats
	d := NewDecoder(&cfg, &st)
	first := frag4(t, seg, piece{0, 64, true, 0, 0, 0})
	if _, ok := d.Decode(capture.LinkTypeEthernet, first[:len(first)-10], t0, 1, len(first)); ok || st.FragmentDrops != 1 {
		t.Fatalf("cut fragment accepted: %+v", st)
	}
	d.Decode(capture.LinkTypeEthernet, first, t0, 2, len(first))
	last := frag4(t, seg, piece{64, 56, false, 0, 0, 0})
	p, ok := d.Decode(capture.LinkTypeEthernet, last, t0, 3, len(last))
	if !ok || !bytes.Equal(p.Payload, fragPayload) {
		t.Fatalf("checksum over reassembled segment failed: %+v", st)
	}
	// The same datagram with one payload byte changed fails the TCP checksum.
	bad := frag4(t, seg, piece{64, 56, false, 'Z', 0, 0})
	d.Decode(capture.LinkTypeEthernet, first, t0, 4, len(first))
	if _, ok := d.Decode(capture.LinkTypeEthernet, bad, t0, 5, len(bad)); ok || st.BadChecksum != 1 {
		t.Fatalf("bad reassembled checksum accepted: %+v", st)
	}
	checkAccounting(t, &st)
}

func TestFragmentAllocs(t *testing.T) {
	seg := segment4(t)
	a := frag4(t, seg, piece{0, 64, true, 0, 0, 0})
	b := frag4(t, seg, piece{64, 56, false, 0, 0, 0})
	d := NewDecoder(nil, nil)
	run := func() {
		d.Decode(capture.LinkTypeEthernet, a, t0, 1, len(a))
		if _, ok := d.Decode(capture.LinkTypeEthernet, b, t0, 2, len(b)); !ok {
			t.Fatal("not reassembled")
		}
	}
	run()
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Errorf("%v allocations per reassembled datagram", n)
	}
}
