package decode

import "github.com/gopacket/gopacket/layers"

// fragment4 files an IPv4 fragment and, when it completes its datagram,
// decodes the datagram's transport.
func (d *Decoder) fragment4(depth int) verdict {
	ip := &d.ip4
	if d.pkt.Truncated || int(ip.Length) != len(ip.Contents)+len(ip.Payload) {
		d.stats.Fragments++
		return vFragDrop // bytes missing from the capture: cannot reassemble
	}
	key := fragKey{src: d.pkt.SrcIP, dst: d.pkt.DstIP, id: uint32(ip.Id), proto: uint8(ip.Protocol)}
	more := ip.Flags&layers.IPv4MoreFragments != 0
	data, proto, v := d.frags.add(key, int(ip.FragOffset)*8, more, ip.Payload, uint8(ip.Protocol), maxDatagramLen-ipv4MinHeaderLen, d.pkt.Timestamp)
	if v != vOK {
		return v
	}
	return d.reassembled(proto, data, depth)
}

// fragment6 files an IPv6 fragment (the last decoded layer was its
// fragment header) and, when it completes its datagram, decodes it.
func (d *Decoder) fragment6(depth int) verdict {
	f := &d.frag6
	if d.pkt.Truncated {
		d.stats.Fragments++
		return vFragDrop
	}
	key := fragKey{src: d.pkt.SrcIP, dst: d.pkt.DstIP, id: f.Identification, v6: true}
	data, proto, v := d.frags.add(key, int(f.FragmentOffset)*8, f.MoreFragments, f.Payload, uint8(f.NextHeader), maxDatagramLen-ipv6FragmentHeaderLen, d.pkt.Timestamp)
	if v != vOK {
		return v
	}
	return d.reassembled(proto, data, depth)
}

// reassembled decodes a complete datagram payload.
func (d *Decoder) reassembled(proto uint8, data []byte, depth int) verdict {
	d.pkt.Reassembled = true
	d.pkt.PayloadLen = len(data)
	if len(data) == 0 {
		return vDecodeError
	}
	return d.transport(proto, data, depth)
}
