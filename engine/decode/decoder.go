package decode

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wirescan/wirescan/engine/capture"
)

// parserFirsts are the layer types a packet or reassembled payload can start
// with; the Decoder keeps one DecodingLayerParser per entry.
var parserFirsts = [...]gopacket.LayerType{
	layers.LayerTypeIPv4,
	layers.LayerTypeIPv6,
	layers.LayerTypeTCP,
	layers.LayerTypeUDP,
	layers.LayerTypeIPv6HopByHop,
	layers.LayerTypeIPv6Routing,
	layers.LayerTypeIPv6Destination,
	layers.LayerTypeIPv6Fragment,
}

// Decoder decodes frames into Packets. It owns preallocated gopacket layers
// and reassembly state, so it is not safe for concurrent use: keep one per
// worker. After a decode error the layers are in an undefined state, which
// does not matter because every Decode call starts afresh.
type Decoder struct {
	cfg   Config
	stats *Stats

	ip4   layers.IPv4
	ip6   layers.IPv6
	ext   layers.IPv6ExtensionSkipper
	frag6 layers.IPv6Fragment
	tcp   layers.TCP
	udp   layers.UDP
	gre   layers.GRE

	parsers  [len(parserFirsts)]*gopacket.DecodingLayerParser
	decoded  []gopacket.LayerType
	greTrunc bool // set by SetTruncated while decoding GRE

	frags fragTable
	pkt   Packet
}

// NewDecoder returns a Decoder with the limits in cfg (nil or non-positive
// fields take DefaultConfig values) counting into stats (nil: a private
// Stats). The Decoder writes *stats; read it from the same goroutine.
func NewDecoder(cfg *Config, stats *Stats) *Decoder {
	d := &Decoder{stats: stats, decoded: make([]gopacket.LayerType, 0, 16)}
	if cfg != nil {
		d.cfg = *cfg
	}
	d.cfg = d.cfg.withDefaults()
	if d.stats == nil {
		d.stats = &Stats{}
	}
	var dlc gopacket.DecodingLayerContainer = gopacket.DecodingLayerSparse(nil)
	// ext registers for every IPv6 extension type; frag6 then takes over the
	// fragment header, whose fields reassembly needs.
	for _, l := range []gopacket.DecodingLayer{&d.ip4, &d.ip6, &d.ext, &d.frag6, &d.tcp, &d.udp} {
		dlc = dlc.Put(l)
	}
	for i, first := range parserFirsts {
		p := gopacket.NewDecodingLayerParser(first)
		p.SetDecodingLayerContainer(dlc)
		p.IgnoreUnsupported = true
		d.parsers[i] = p
	}
	d.frags.init(&d.cfg, d.stats)
	return d
}

// Decode decodes one frame of the given link type. data is the captured
// bytes, wireLen the original length, ts the packet time (which also drives
// fragment timeouts) and num the packet number. ok is false for packets the
// engine does not process: non-IP, neither TCP nor UDP, a fragment held for
// reassembly, truncated headers, malformed, a bad checksum; each is counted
// in Stats and p is nil. Otherwise p is the Decoder's reused Packet, valid
// (with its Payload) until the next call.
func (d *Decoder) Decode(link capture.LinkType, data []byte, ts time.Time, num uint64, wireLen int) (p *Packet, ok bool) {
	d.stats.Packets++
	d.frags.expire(ts)
	d.pkt = Packet{Timestamp: ts, Num: num, Length: max(wireLen, len(data)), Raw: data, LinkType: link}
	d.frags.resetOutput()
	v := d.decodeLink(link, data)
	d.stats.count(v)
	d.stats.FragmentQueues = uint64(d.frags.count)
	d.stats.FragmentBytes = uint64(d.frags.bytes)
	if v != vOK {
		return nil, false
	}
	return &d.pkt, true
}

// SetTruncated implements gopacket.DecodeFeedback for the GRE layer, which
// the Decoder drives directly.
func (d *Decoder) SetTruncated() { d.greTrunc = true }

// setRecover chooses whether the parsers turn panics in gopacket layers into
// decode errors (the default). Fuzz tests turn it off so a panic fails them.
func (d *Decoder) setRecover(on bool) {
	for _, p := range d.parsers {
		p.IgnorePanic = !on
	}
}

// parserFor returns the parser that starts at first, or nil.
func (d *Decoder) parserFor(first gopacket.LayerType) *gopacket.DecodingLayerParser {
	for i, t := range parserFirsts {
		if t == first {
			return d.parsers[i]
		}
	}
	return nil
}

// network decodes from an IP header (or, after reassembly, from whatever
// the datagram starts with) down to the transport.
func (d *Decoder) network(first gopacket.LayerType, data []byte, depth int) verdict {
	if depth > maxNesting {
		return vTooDeep
	}
	parser := d.parserFor(first)
	if parser == nil {
		return vNonTCP
	}
	switch first {
	case layers.LayerTypeIPv4:
		if len(data) == 0 {
			return vTruncated
		}
		if data[0]>>4 != 4 {
			return vDecodeError
		}
	case layers.LayerTypeIPv6:
		if len(data) == 0 {
			return vTruncated
		}
		if data[0]>>4 != 6 {
			return vDecodeError
		}
	}
	err := parser.DecodeLayers(data, &d.decoded)
	if parser.Truncated {
		d.pkt.Truncated = true
	}
	if err != nil {
		if parser.Truncated {
			return vTruncated
		}
		return vDecodeError
	}
	if len(d.decoded) == 0 {
		return vDecodeError
	}
	if v := d.walkIP(depth); v != vOK {
		return v
	}
	switch last := d.decoded[len(d.decoded)-1]; last {
	case layers.LayerTypeTCP:
		return d.finishTCP()
	case layers.LayerTypeUDP:
		return d.finishUDP()
	case layers.LayerTypeIPv4:
		if d.ip4.Flags&layers.IPv4MoreFragments != 0 || d.ip4.FragOffset != 0 {
			return d.fragment4(depth)
		}
		return d.beyondIP(uint8(d.ip4.Protocol), d.ip4.Payload, depth)
	case layers.LayerTypeIPv6:
		next := d.ip6.NextHeader
		if d.ip6.HopByHop != nil {
			next = d.ip6.HopByHop.NextHeader
		}
		return d.beyondIP(uint8(next), d.ip6.Payload, depth)
	case layers.LayerTypeIPv6Fragment:
		if d.frag6.MoreFragments || d.frag6.FragmentOffset != 0 {
			return d.fragment6(depth)
		}
		return d.beyondIP(uint8(d.frag6.NextHeader), d.frag6.Payload, depth)
	case layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Routing, layers.LayerTypeIPv6Destination:
		return d.beyondIP(uint8(d.ext.NextHeader), d.ext.Payload, depth)
	}
	return vNonTCP
}

// walkIP records the innermost IP header of the decoded layers, counts
// IP-in-IP tunnels and checks the IPv4 header checksum when asked to.
func (d *Decoder) walkIP(depth int) verdict {
	var last gopacket.LayerType
	ips := 0
	for _, t := range d.decoded {
		if t == layers.LayerTypeIPv4 || t == layers.LayerTypeIPv6 {
			last = t
			ips++
		}
	}
	if ips == 0 {
		return vOK // a reassembled payload: addresses are already set
	}
	if ips > 1 {
		if depth+ips-1 > maxNesting {
			return vTooDeep
		}
		d.stats.Tunnels += uint64(ips - 1)
		d.pkt.Tunneled = true
	}
	p := &d.pkt
	if last == layers.LayerTypeIPv4 {
		if d.ip4.Version != 4 || len(d.ip4.SrcIP) != 4 || len(d.ip4.DstIP) != 4 {
			return vDecodeError
		}
		p.SrcIP = netip.AddrFrom4([4]byte(d.ip4.SrcIP))
		p.DstIP = netip.AddrFrom4([4]byte(d.ip4.DstIP))
		p.IPProto = uint8(d.ip4.Protocol)
		p.PayloadLen = int(d.ip4.Length) - len(d.ip4.Contents)
		if d.cfg.ValidateChecksums && !ipv4HeaderOK(d.ip4.Contents) {
			return vBadChecksum
		}
		return vOK
	}
	if d.ip6.Version != 6 || len(d.ip6.SrcIP) != 16 || len(d.ip6.DstIP) != 16 {
		return vDecodeError
	}
	p.SrcIP = netip.AddrFrom16([16]byte(d.ip6.SrcIP))
	p.DstIP = netip.AddrFrom16([16]byte(d.ip6.DstIP))
	p.IPProto = uint8(d.ip6.NextHeader)
	p.PayloadLen = int(d.ip6.Length)
	if d.ip6.HopByHop != nil {
		p.PayloadLen -= d.ip6.HopByHop.ActualLength
	}
	return vOK
}

// beyondIP handles what follows the last decoded IP or extension header
// when the parser stopped there: GRE, or a transport it could not decode.
func (d *Decoder) beyondIP(proto uint8, payload []byte, depth int) verdict {
	switch proto {
	case protoGRE:
		return d.decodeGRE(payload, depth+1)
	case protoTCP, protoUDP, protoIPv4, protoIPv6:
		// The parser stops before these only when no bytes are left.
		if d.pkt.Truncated {
			return vTruncated
		}
		return vDecodeError
	}
	d.pkt.IPProto = proto
	return vNonTCP
}

// transport decodes a reassembled datagram whose first header is proto.
func (d *Decoder) transport(proto uint8, data []byte, depth int) verdict {
	if proto == protoGRE {
		return d.decodeGRE(data, depth+1)
	}
	d.pkt.IPProto = proto
	return d.network(firstLayer(proto), data, depth+1)
}

// finishTCP copies the TCP header fields into the Packet.
func (d *Decoder) finishTCP() verdict {
	p, t := &d.pkt, &d.tcp
	p.IPProto = protoTCP
	p.SrcPort, p.DstPort = uint16(t.SrcPort), uint16(t.DstPort)
	p.Seq, p.Ack = t.Seq, t.Ack
	p.SYN, p.FIN, p.RST, p.ACK, p.PSH = t.SYN, t.FIN, t.RST, t.ACK, t.PSH
	p.Window = t.Window
	p.HasTS, p.TSVal, p.TSEcr = tcpTimestamp(t.Options)
	p.Payload = t.Payload
	p.PayloadLen = max(p.PayloadLen-len(t.Contents), len(t.Payload))
	if !p.Truncated {
		p.PayloadLen = len(t.Payload)
		if d.cfg.ValidateChecksums {
			seg := t.Contents[:len(t.Contents)+len(t.Payload)]
			if !transportOK(p.SrcIP, p.DstIP, protoTCP, seg) {
				return vBadChecksum
			}
		}
	}
	return vOK
}

// tsOptionDataLen is the data length of the TCP timestamp option: TSval and
// TSecr, 4 bytes each (RFC 7323 §3; the option is 10 bytes with kind and
// length).
const tsOptionDataLen = 8

// tcpTimestamp returns the first timestamp option in opts. An option of
// the wrong length is ignored, as a receiver does (RFC 7323 §2.2).
func tcpTimestamp(opts []layers.TCPOption) (ok bool, val, ecr uint32) {
	for i := range opts {
		o := &opts[i]
		if o.OptionType == layers.TCPOptionKindTimestamps && len(o.OptionData) == tsOptionDataLen {
			return true, binary.BigEndian.Uint32(o.OptionData[0:4]), binary.BigEndian.Uint32(o.OptionData[4:8])
		}
	}
	return false, 0, 0
}

// finishUDP copies the UDP header fields into the Packet.
func (d *Decoder) finishUDP() verdict {
	p, u := &d.pkt, &d.udp
	p.IPProto = protoUDP
	p.SrcPort, p.DstPort = uint16(u.SrcPort), uint16(u.DstPort)
	p.Payload = u.Payload
	p.PayloadLen = max(p.PayloadLen-len(u.Contents), len(u.Payload))
	if !p.Truncated {
		p.PayloadLen = len(u.Payload)
	}
	return vOK
}
