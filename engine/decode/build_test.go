package decode

import (
	"encoding/binary"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Addresses and ports used by the hand-built frames.
var (
	mac1  = net.HardwareAddr{0, 1, 2, 3, 4, 5}
	mac2  = net.HardwareAddr{0, 6, 7, 8, 9, 10}
	v4src = net.IP{10, 0, 0, 1}
	v4dst = net.IP{10, 0, 0, 2}
	v6src = net.ParseIP("2001:db8::1")
	v6dst = net.ParseIP("2001:db8::2")
)

// serialize builds a frame from layers with lengths and checksums fixed.
func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func ethernet(etype layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: mac1, DstMAC: mac2, EthernetType: etype}
}

func ipv4(proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 77, SrcIP: v4src, DstIP: v4dst, Protocol: proto}
}

func ipv6(next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 64, SrcIP: v6src, DstIP: v6dst, NextHeader: next}
}

// tcpFor returns a TCP header whose checksum is computed over network.
func tcpFor(network gopacket.NetworkLayer) *layers.TCP {
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 1000, Ack: 2000, ACK: true, PSH: true, Window: 512, DataOffset: 5}
	if err := tcp.SetNetworkLayerForChecksum(network); err != nil {
		panic(err)
	}
	return tcp
}

func udpFor(network gopacket.NetworkLayer) *layers.UDP {
	udp := &layers.UDP{SrcPort: 5353, DstPort: 53}
	if err := udp.SetNetworkLayerForChecksum(network); err != nil {
		panic(err)
	}
	return udp
}

var body = gopacket.Payload("GET / HTTP/1.1\r\nHost: x\r\n\r\n")

// tcp4 is a plain Ethernet/IPv4/TCP frame carrying body.
func tcp4(t testing.TB) []byte {
	ip := ipv4(layers.IPProtocolTCP)
	return serialize(t, ethernet(layers.EthernetTypeIPv4), ip, tcpFor(ip), body)
}

// ipPacket4 is a bare IPv4/TCP packet carrying body.
func ipPacket4(t testing.TB) []byte {
	ip := ipv4(layers.IPProtocolTCP)
	return serialize(t, ip, tcpFor(ip), body)
}

// ipPacket6 is a bare IPv6/TCP packet carrying body.
func ipPacket6(t testing.TB) []byte {
	ip := ipv6(layers.IPProtocolTCP)
	return serialize(t, ip, tcpFor(ip), body)
}

// prepend returns head followed by tail.
func prepend(head []byte, tail []byte) []byte { return append(append([]byte(nil), head...), tail...) }

// loopHeader encodes a loopback address family in the given byte order.
func loopHeader(order binary.ByteOrder, family uint32) []byte {
	b := make([]byte, 4)
	order.PutUint32(b, family)
	return b
}

// sllHeader is a Linux cooked v1 header for protocol.
func sllHeader(proto uint16) []byte {
	b := make([]byte, sllHeaderLen)
	binary.BigEndian.PutUint16(b[2:4], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(b[4:6], 6)
	copy(b[6:12], mac1)
	binary.BigEndian.PutUint16(b[14:16], proto)
	return b
}

// sll2Header is a Linux cooked v2 header for protocol.
func sll2Header(proto uint16) []byte {
	b := make([]byte, sll2HeaderLen)
	binary.BigEndian.PutUint16(b[0:2], proto)
	binary.BigEndian.PutUint32(b[4:8], 2)
	binary.BigEndian.PutUint16(b[8:10], 1)
	b[11] = 6
	copy(b[12:18], mac1)
	return b
}

// vlanTags encodes 802.1Q-style tags: each (tpid, id) is followed by the
// next tag's TPID or, for the last, etype.
func vlanFrame(tags [][2]uint16, etype uint16, payload []byte) []byte {
	b := make([]byte, 12, 64+len(payload))
	copy(b[0:6], mac2)
	copy(b[6:12], mac1)
	for _, tag := range tags {
		b = binary.BigEndian.AppendUint16(b, tag[0])
		b = binary.BigEndian.AppendUint16(b, tag[1])
	}
	b = binary.BigEndian.AppendUint16(b, etype)
	return append(b, payload...)
}

// greFrame wraps inner in Ethernet/IPv4/GRE with the given protocol.
func greFrame(t testing.TB, g *layers.GRE, inner []byte) []byte {
	outer := ipv4(layers.IPProtocolGRE)
	outer.SrcIP, outer.DstIP = net.IP{172, 16, 0, 1}, net.IP{172, 16, 0, 2}
	return serialize(t, ethernet(layers.EthernetTypeIPv4), outer, g, gopacket.Payload(inner))
}

// sumStats checks that every packet was counted exactly once.
func checkAccounting(t testing.TB, s *Stats) {
	t.Helper()
	sum := s.Decoded + s.NonIP + s.NonTCP + s.Truncated + s.BadChecksum + s.DecodeErrors +
		s.UnsupportedLink + s.TunnelTooDeep + s.FragmentsHeld + s.FragmentDrops
	if sum != s.Packets {
		t.Fatalf("stats account for %d of %d packets: %+v", sum, s.Packets, *s)
	}
}
