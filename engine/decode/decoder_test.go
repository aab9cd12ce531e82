package decode

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wirescan/wirescan/engine/capture"
)

var (
	addr4src = netip.MustParseAddr("10.0.0.1")
	addr4dst = netip.MustParseAddr("10.0.0.2")
	addr6src = netip.MustParseAddr("2001:db8::1")
	addr6dst = netip.MustParseAddr("2001:db8::2")
	t0       = time.Unix(1700000000, 0)
)

// want describes the expected outcome of decoding one frame.
type want struct {
	ok        bool
	src, dst  netip.Addr
	proto     uint8
	vlans     []uint16
	tunneled  bool
	truncated bool
	payload   []byte
	reason    func(*Stats) uint64 // counter that must be 1 when !ok
}

func TestDecodeTable(t *testing.T) {
	v4 := func() want {
		return want{ok: true, src: addr4src, dst: addr4dst, proto: protoTCP, payload: body}
	}
	v6 := func() want {
		return want{ok: true, src: addr6src, dst: addr6dst, proto: protoTCP, payload: body}
	}
	withVLAN := func(w want, ids ...uint16) want { w.vlans = ids; return w }
	tunneled := func(w want) want { w.tunneled = true; return w }
	drop := func(reason func(*Stats) uint64) want { return want{reason: reason} }

	ipOpts := ipv4(layers.IPProtocolTCP)
	ipOpts.Options = []layers.IPv4Option{{OptionType: 7, OptionLength: 7, OptionData: []byte{4, 0, 0, 0, 0}}, {OptionType: 1}}
	ext6 := ipv6(layers.IPProtocolIPv6HopByHop)
	hbh := &layers.IPv6HopByHop{}
	hbh.NextHeader = layers.IPProtocolIPv6Routing
	hbh.Options = []*layers.IPv6HopByHopOption{{OptionType: 1, OptionLength: 4, OptionData: []byte{0, 0, 0, 0}}}
	routing := []byte{byte(layers.IPProtocolIPv6Destination), 0, 0, 0, 0, 0, 0, 0} // type 0, no segments left
	dest := []byte{byte(layers.IPProtocolTCP), 0, 1, 4, 0, 0, 0, 0}                // PadN
	tcpExt := tcpFor(ext6)
	tcpSeg := serialize(t, tcpExt, body)
	// SerializeLayers cannot chain routing/destination headers, so append
	// them by hand after the hop-by-hop header and fix the payload length.
	extFrame := serialize(t, ext6, hbh)
	extFrame = append(append(append(extFrame, routing...), dest...), tcpSeg...)
	binary.BigEndian.PutUint16(extFrame[4:6], uint16(len(extFrame)-40))
	fixTCPChecksum6(extFrame, len(extFrame)-len(tcpSeg))

	udp := ipv4(layers.IPProtocolUDP)
	udpFrame := serialize(t, ethernet(layers.EthernetTypeIPv4), udp, udpFor(udp), body)
	icmp := ipv4(layers.IPProtocolICMPv4)
	icmpFrame := serialize(t, ethernet(layers.EthernetTypeIPv4), icmp, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0)}, body)
	arp := serialize(t, ethernet(layers.EthernetTypeARP), &layers.ARP{AddrType: 1, Protocol: 0x800, HwAddressSize: 6, ProtAddressSize: 4,
		SourceHwAddress: mac1, SourceProtAddress: v4src, DstHwAddress: mac2, DstProtAddress: v4dst})

	badVersion := tcp4(t)
	badVersion[14] = 0x65
	badIHL := tcp4(t)
	badIHL[14] = 0x43
	shortFrame := tcp4(t)[:14+20+10]

	padded := append(tcp4(t), make([]byte, 20)...) // trailer after the IP datagram

	greKey := &layers.GRE{Protocol: layers.EthernetTypeIPv4, KeyPresent: true, Key: 42, SeqPresent: true, Seq: 7}
	greV6 := &layers.GRE{Protocol: layers.EthernetTypeIPv6}
	greTEB := &layers.GRE{Protocol: etherTypeTEB}
	gre4Frame := greFrame(t, greKey, ipPacket4(t))
	gre6Frame := greFrame(t, greV6, ipPacket6(t))
	greTEBFrame := greFrame(t, greTEB, vlanFrame([][2]uint16{{etherTypeVLAN, 33}}, etherTypeIPv4, ipPacket4(t)))
	grePPTP := greFrame(t, &layers.GRE{Protocol: 0x880b, Version: 1, KeyPresent: true}, []byte{0xff, 3, 0, 0x21})

	ipip := serialize(t, ethernet(layers.EthernetTypeIPv4), &layers.IPv4{Version: 4, IHL: 5, TTL: 9, SrcIP: net.IP{1, 1, 1, 1}, DstIP: net.IP{2, 2, 2, 2},
		Protocol: layers.IPProtocolIPv4}, gopacket.Payload(ipPacket4(t)))
	sixin4 := serialize(t, ethernet(layers.EthernetTypeIPv4), &layers.IPv4{Version: 4, IHL: 5, TTL: 9, SrcIP: net.IP{1, 1, 1, 1}, DstIP: net.IP{2, 2, 2, 2},
		Protocol: layers.IPProtocolIPv6}, gopacket.Payload(ipPacket6(t)))

	udpWant := v4()
	udpWant.proto = protoUDP

	cases := []struct {
		name    string
		link    capture.LinkType
		frame   []byte
		wireLen int
		want    want
	}{
		{"ethernet ipv4 tcp", capture.LinkTypeEthernet, tcp4(t), 0, v4()},
		{"ethernet ipv6 tcp", capture.LinkTypeEthernet, prepend(vlanFrame(nil, etherTypeIPv6, nil), ipPacket6(t)), 0, v6()},
		{"ethernet ipv4 udp", capture.LinkTypeEthernet, udpFrame, 0, udpWant},
		{"ethernet trailer", capture.LinkTypeEthernet, padded, 0, v4()},
		{"ipv4 options", capture.LinkTypeRaw, serialize(t, ipOpts, tcpFor(ipOpts), body), 0, v4()},
		{"ipv6 extension headers", capture.LinkTypeIPv6, extFrame, 0, v6()},
		{"802.1Q", capture.LinkTypeEthernet, vlanFrame([][2]uint16{{etherTypeVLAN, 100}}, etherTypeIPv4, ipPacket4(t)), 0, withVLAN(v4(), 100)},
		{"QinQ 802.1ad", capture.LinkTypeEthernet, vlanFrame([][2]uint16{{etherTypeQinQ, 0x2000 | 10}, {etherTypeVLAN, 20}}, etherTypeIPv6, ipPacket6(t)), 0, withVLAN(v6(), 10, 20)},
		{"three tags keep two", capture.LinkTypeEthernet, vlanFrame([][2]uint16{{etherTypeQinQ2, 1}, {etherTypeVLAN, 2}, {etherTypeVLAN, 3}}, etherTypeIPv4, ipPacket4(t)), 0, withVLAN(v4(), 1, 2)},
		{"eight tags", capture.LinkTypeEthernet, vlanFrame(manyTags(maxVLANTags), etherTypeIPv4, ipPacket4(t)), 0, withVLAN(v4(), 1, 2)},
		{"linux sll", capture.LinkTypeLinuxSLL, prepend(sllHeader(etherTypeIPv4), ipPacket4(t)), 0, v4()},
		{"linux sll2", capture.LinkTypeLinuxSLL2, prepend(sll2Header(etherTypeIPv6), ipPacket6(t)), 0, v6()},
		{"null little-endian inet", capture.LinkTypeNull, prepend(loopHeader(binary.LittleEndian, afInet), ipPacket4(t)), 0, v4()},
		{"null big-endian inet6 24", capture.LinkTypeNull, prepend(loopHeader(binary.BigEndian, 24), ipPacket6(t)), 0, v6()},
		{"null inet6 28", capture.LinkTypeNull, prepend(loopHeader(binary.LittleEndian, 28), ipPacket6(t)), 0, v6()},
		{"loop inet6 30", capture.LinkTypeLoop, prepend(loopHeader(binary.BigEndian, 30), ipPacket6(t)), 0, v6()},
		{"loop inet", capture.LinkTypeLoop, prepend(loopHeader(binary.BigEndian, afInet), ipPacket4(t)), 0, v4()},
		{"raw ipv4", capture.LinkTypeRaw, ipPacket4(t), 0, v4()},
		{"raw ipv6", capture.LinkTypeRaw, ipPacket6(t), 0, v6()},
		{"dlt 12", capture.LinkTypeDLTRaw12, ipPacket4(t), 0, v4()},
		{"dlt 14", capture.LinkTypeDLTRaw14, ipPacket6(t), 0, v6()},
		{"linktype ipv4", capture.LinkTypeIPv4, ipPacket4(t), 0, v4()},
		{"linktype ipv6", capture.LinkTypeIPv6, ipPacket6(t), 0, v6()},
		{"gre ipv4 with key and seq", capture.LinkTypeEthernet, gre4Frame, 0, tunneled(v4())},
		{"gre ipv6", capture.LinkTypeEthernet, gre6Frame, 0, tunneled(v6())},
		{"gre ethernet vlan", capture.LinkTypeEthernet, greTEBFrame, 0, withVLAN(tunneled(v4()), 33)},
		{"ip in ip", capture.LinkTypeEthernet, ipip, 0, tunneled(v4())},
		{"ipv6 in ipv4", capture.LinkTypeEthernet, sixin4, 0, tunneled(v6())},
		{"snaplen cut payload", capture.LinkTypeEthernet, tcp4(t)[:14+20+20+5], 14 + 20 + 20 + len(body),
			want{ok: true, src: addr4src, dst: addr4dst, proto: protoTCP, truncated: true, payload: body[:5]}},

		{"arp", capture.LinkTypeEthernet, arp, 0, drop(func(s *Stats) uint64 { return s.NonIP })},
		{"icmp", capture.LinkTypeEthernet, icmpFrame, 0, drop(func(s *Stats) uint64 { return s.NonTCP })},
		{"unknown link", capture.LinkType(147), ipPacket4(t), 0, drop(func(s *Stats) uint64 { return s.UnsupportedLink })},
		{"raw bad nibble", capture.LinkTypeRaw, []byte{0x50, 1, 2, 3}, 0, drop(func(s *Stats) uint64 { return s.NonIP })},
		{"short ethernet", capture.LinkTypeEthernet, tcp4(t)[:10], 0, drop(func(s *Stats) uint64 { return s.Truncated })},
		{"short sll", capture.LinkTypeLinuxSLL, make([]byte, 15), 0, drop(func(s *Stats) uint64 { return s.Truncated })},
		{"short sll2", capture.LinkTypeLinuxSLL2, make([]byte, 19), 0, drop(func(s *Stats) uint64 { return s.Truncated })},
		{"short loopback", capture.LinkTypeNull, []byte{2, 0}, 0, drop(func(s *Stats) uint64 { return s.Truncated })},
		{"loopback unknown family", capture.LinkTypeNull, prepend(loopHeader(binary.LittleEndian, 7), ipPacket4(t)), 0, drop(func(s *Stats) uint64 { return s.NonIP })},
		{"cut tcp header", capture.LinkTypeEthernet, shortFrame, 200, drop(func(s *Stats) uint64 { return s.Truncated })},
		{"cut vlan tag", capture.LinkTypeEthernet, vlanFrame(nil, etherTypeVLAN, []byte{0}), 0, drop(func(s *Stats) uint64 { return s.Truncated })},
		{"ipv4 bad version", capture.LinkTypeEthernet, badVersion, 0, drop(func(s *Stats) uint64 { return s.DecodeErrors })},
		{"ipv4 bad ihl", capture.LinkTypeEthernet, badIHL, 0, drop(func(s *Stats) uint64 { return s.DecodeErrors })},
		{"too many vlan tags", capture.LinkTypeEthernet, vlanFrame(manyTags(maxVLANTags+1), etherTypeIPv4, ipPacket4(t)), 0, drop(func(s *Stats) uint64 { return s.DecodeErrors })},
		{"gre pptp", capture.LinkTypeEthernet, grePPTP, 0, drop(func(s *Stats) uint64 { return s.NonIP })},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var st Stats
			d := NewDecoder(nil, &st)
			d.setRecover(false)
			wire := tc.wireLen
			if wire == 0 {
				wire = len(tc.frame)
			}
			p, ok := d.Decode(tc.link, tc.frame, t0, 9, wire)
			checkAccounting(t, &st)
			if ok != tc.want.ok {
				t.Fatalf("ok = %v, want %v; stats %+v", ok, tc.want.ok, st)
			}
			if !ok {
				if p != nil {
					t.Error("non-nil packet with ok == false")
				}
				if tc.want.reason(&st) != 1 {
					t.Errorf("expected reason not counted: %+v", st)
				}
				return
			}
			w := tc.want
			if p.SrcIP != w.src || p.DstIP != w.dst || p.IPProto != w.proto || p.Num != 9 || !p.Timestamp.Equal(t0) || p.Length != wire {
				t.Errorf("got %v -> %v proto %d num %d len %d", p.SrcIP, p.DstIP, p.IPProto, p.Num, p.Length)
			}
			if !bytes.Equal(p.Payload, w.payload) || p.Truncated != w.truncated || p.Tunneled != w.tunneled {
				t.Errorf("payload %q truncated %v tunneled %v", p.Payload, p.Truncated, p.Tunneled)
			}
			if w.truncated && p.PayloadLen != len(body) {
				t.Errorf("PayloadLen = %d, want %d", p.PayloadLen, len(body))
			}
			if !w.truncated && p.PayloadLen != len(p.Payload) {
				t.Errorf("PayloadLen = %d, want %d", p.PayloadLen, len(p.Payload))
			}
			if p.VLANCount != len(w.vlans) || (len(w.vlans) > 0 && !equalVLANs(p.VLAN[:p.VLANCount], w.vlans)) {
				t.Errorf("VLAN %v count %d, want %v", p.VLAN, p.VLANCount, w.vlans)
			}
			if w.proto == protoTCP && (p.SrcPort != 40000 || p.DstPort != 80 || p.Seq != 1000 || p.Ack != 2000 ||
				!p.ACK || !p.PSH || p.SYN || p.FIN || p.RST || p.Window != 512) {
				t.Errorf("tcp fields %+v", p)
			}
			if w.tunneled && st.Tunnels != 1 {
				t.Errorf("Tunnels = %d", st.Tunnels)
			}
		})
	}
}

// manyTags returns n 802.1Q tags with ids 1..n.
func manyTags(n int) [][2]uint16 {
	tags := make([][2]uint16, n)
	for i := range tags {
		tags[i] = [2]uint16{etherTypeVLAN, uint16(i + 1)}
	}
	return tags
}

func equalVLANs(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fixTCPChecksum6 recomputes the TCP checksum of an IPv6 packet whose TCP
// header starts at off.
func fixTCPChecksum6(pkt []byte, off int) {
	seg := pkt[off:]
	seg[16], seg[17] = 0, 0
	src, _ := netip.AddrFromSlice(pkt[8:24])
	dst, _ := netip.AddrFromSlice(pkt[24:40])
	s := onesSum(0, src.AsSlice())
	s = onesSum(s, dst.AsSlice())
	s += protoTCP + uint64(len(seg))
	binary.BigEndian.PutUint16(seg[16:18], ^fold(onesSum(s, seg)))
}

func TestChecksums(t *testing.T) {
	good := tcp4(t)
	badTCP := tcp4(t)
	badTCP[len(badTCP)-1] ^= 0xff
	badIP := tcp4(t)
	badIP[14+8]-- // TTL
	good6 := prepend(vlanFrame(nil, etherTypeIPv6, nil), ipPacket6(t))
	bad6 := append([]byte(nil), good6...)
	bad6[len(bad6)-1] ^= 1
	cases := []struct {
		name     string
		frame    []byte
		validate bool
		ok       bool
	}{
		{"good validated", good, true, true},
		{"good ipv6 validated", good6, true, true},
		{"bad tcp validated", badTCP, true, false},
		{"bad ipv6 tcp validated", bad6, true, false},
		{"bad ip validated", badIP, true, false},
		{"bad tcp not validated", badTCP, false, true},
		{"bad ip not validated", badIP, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.ValidateChecksums = tc.validate
			var st Stats
			d := NewDecoder(&cfg, &st)
			_, ok := d.Decode(capture.LinkTypeEthernet, tc.frame, t0, 1, len(tc.frame))
			if ok != tc.ok || (!ok && st.BadChecksum != 1) {
				t.Errorf("ok = %v, stats %+v", ok, st)
			}
			checkAccounting(t, &st)
		})
	}
}

func TestTunnelTooDeep(t *testing.T) {
	frame := ipPacket4(t)
	for range maxNesting + 1 {
		outer := ipv4(layers.IPProtocolGRE)
		frame = serialize(t, outer, &layers.GRE{Protocol: layers.EthernetTypeIPv4}, gopacket.Payload(frame))
	}
	var st Stats
	d := NewDecoder(nil, &st)
	if _, ok := d.Decode(capture.LinkTypeRaw, frame, t0, 1, len(frame)); ok || st.TunnelTooDeep != 1 {
		t.Errorf("ok = %v, stats %+v", ok, st)
	}
	checkAccounting(t, &st)
}

func TestDecodeAllocs(t *testing.T) {
	syn := ipv4(layers.IPProtocolTCP)
	synTCP := tcpFor(syn)
	synTCP.SYN, synTCP.ACK, synTCP.PSH = true, false, false
	synTCP.Options = []layers.TCPOption{
		{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{5, 0xb4}},
		{OptionType: layers.TCPOptionKindNop}, {OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
		{OptionType: layers.TCPOptionKindNop}, {OptionType: layers.TCPOptionKindNop},
		{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: make([]byte, 8)},
		{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
	}
	frames := map[string][]byte{
		"plain tcp":        tcp4(t),
		"syn with options": serialize(t, ethernet(layers.EthernetTypeIPv4), syn, synTCP),
		"vlan ipv6":        vlanFrame([][2]uint16{{etherTypeVLAN, 5}}, etherTypeIPv6, ipPacket6(t)),
		"gre":              greFrame(t, &layers.GRE{Protocol: layers.EthernetTypeIPv4}, ipPacket4(t)),
	}
	for name, frame := range frames {
		t.Run(name, func(t *testing.T) {
			d := NewDecoder(nil, nil)
			d.Decode(capture.LinkTypeEthernet, frame, t0, 1, len(frame)) // warm-up grows reused slices
			n := testing.AllocsPerRun(200, func() {
				if _, ok := d.Decode(capture.LinkTypeEthernet, frame, t0, 2, len(frame)); !ok {
					t.Fatal("not decoded")
				}
			})
			if n != 0 {
				t.Errorf("%v allocations per packet", n)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	ip := ipv4(layers.IPProtocolTCP)
	frame := serialize(b, ethernet(layers.EthernetTypeIPv4), ip, tcpFor(ip), gopacket.Payload(make([]byte, 1400)))
	d := NewDecoder(nil, nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for i := 0; b.Loop(); i++ {
		if _, ok := d.Decode(capture.LinkTypeEthernet, frame, t0, uint64(i), len(frame)); !ok {
			b.Fatal("not decoded")
		}
	}
}
