package pcapgen

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// A slow, obviously-correct TCP reassembler for checking what pcapgen writes.

// flowKey names one direction of a connection.
type flowKey struct{ src, dst string }

// stream is what one direction of a connection carried.
type stream struct {
	isn      uint32
	synSeen  bool
	segs     map[uint32][]byte // by sequence number; duplicates must agree
	maxAck   uint32            // highest ACK this direction sent
	packets  int
	flags    []string // flag summary of the first packets, for handshake checks
	vlan     uint16
	finSeen  bool
	rstSeen  bool
	conflict error
}

// parsed is a capture read back.
type parsed struct {
	streams map[flowKey]*stream
	order   []flowKey
	packets int
}

func flagString(t *layers.TCP) string {
	s := ""
	for _, f := range []struct {
		on bool
		c  string
	}{{t.SYN, "S"}, {t.ACK, "A"}, {t.FIN, "F"}, {t.RST, "R"}} {
		if f.on {
			s += f.c
		}
	}
	return s
}

// parseCapture decodes every frame with gopacket and sorts TCP segments into
// streams.
func parseCapture(t *testing.T, data []byte) *parsed {
	t.Helper()
	rd, err := pcapgo.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := &parsed{streams: make(map[flowKey]*stream)}
	for {
		frame, _, err := rd.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p.packets++
		pkt := gopacket.NewPacket(frame, layers.LinkTypeEthernet, gopacket.Default)
		if el := pkt.ErrorLayer(); el != nil {
			t.Fatalf("packet %d: decode error: %v", p.packets, el.Error())
		}
		net, tl := pkt.NetworkLayer(), pkt.Layer(layers.LayerTypeTCP)
		if net == nil || tl == nil {
			t.Fatalf("packet %d: not TCP/IP", p.packets)
		}
		tcp := tl.(*layers.TCP)
		k := flowKey{fmt.Sprintf("%v:%d", net.NetworkFlow().Src(), tcp.SrcPort), fmt.Sprintf("%v:%d", net.NetworkFlow().Dst(), tcp.DstPort)}
		s := p.streams[k]
		if s == nil {
			s = &stream{segs: make(map[uint32][]byte)}
			p.streams[k] = s
			p.order = append(p.order, k)
		}
		if d, ok := pkt.Layer(layers.LayerTypeDot1Q).(*layers.Dot1Q); ok {
			s.vlan = d.VLANIdentifier
		}
		s.packets++
		if len(s.flags) < 3 {
			s.flags = append(s.flags, flagString(tcp))
		}
		if tcp.SYN {
			s.isn, s.synSeen = tcp.Seq, true
		}
		if tcp.FIN {
			s.finSeen = true
		}
		if tcp.RST {
			s.rstSeen = true
		}
		if tcp.ACK && int32(tcp.Ack-s.maxAck) > 0 || s.maxAck == 0 {
			s.maxAck = tcp.Ack
		}
		if len(tcp.Payload) > 0 {
			if old, ok := s.segs[tcp.Seq]; ok && !bytes.Equal(old, tcp.Payload) {
				s.conflict = fmt.Errorf("packet %d: duplicate segment at seq %d differs", p.packets, tcp.Seq)
			}
			s.segs[tcp.Seq] = slices.Clone(tcp.Payload)
		}
	}
	return p
}

// reassemble returns the direction's bytes in sequence order and the number
// of bytes missing between segments.
func (s *stream) reassemble() (data []byte, missing int) {
	base := s.isn + 1
	seqs := make([]uint32, 0, len(s.segs))
	for seq := range s.segs {
		seqs = append(seqs, seq)
	}
	slices.SortFunc(seqs, func(a, b uint32) int { return int(int32(a-base)) - int(int32(b-base)) })
	for _, seq := range seqs {
		off := int(seq - base)
		seg := s.segs[seq]
		if off > len(data) {
			missing += off - len(data)
			data = append(data, make([]byte, off-len(data))...)
		}
		if end := off + len(seg); end > len(data) {
			data = append(data, seg[len(data)-off:]...)
		}
	}
	return data, missing
}

// reverse returns the key of the opposite direction.
func (k flowKey) reverse() flowKey { return flowKey{k.dst, k.src} }
