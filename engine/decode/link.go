package decode

import (
	"encoding/binary"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wirescan/wirescan/engine/capture"
)

// decodeLink strips the link header by hand and hands the network packet on.
func (d *Decoder) decodeLink(link capture.LinkType, data []byte) verdict {
	switch link {
	case capture.LinkTypeEthernet:
		if len(data) < ethernetHeaderLen {
			return vTruncated
		}
		return d.ether(binary.BigEndian.Uint16(data[12:14]), data[ethernetHeaderLen:], 0)
	case capture.LinkTypeLinuxSLL:
		if len(data) < sllHeaderLen {
			return vTruncated
		}
		return d.ether(binary.BigEndian.Uint16(data[sllProtocolOffset:sllHeaderLen]), data[sllHeaderLen:], 0)
	case capture.LinkTypeLinuxSLL2:
		if len(data) < sll2HeaderLen {
			return vTruncated
		}
		return d.ether(binary.BigEndian.Uint16(data[0:2]), data[sll2HeaderLen:], 0)
	case capture.LinkTypeNull, capture.LinkTypeLoop:
		if len(data) < loopbackHeaderLen {
			return vTruncated
		}
		// The family is in the capturing host's byte order (Null) or network
		// order (Loop); families are small, so the order is evident.
		family := binary.LittleEndian.Uint32(data[0:4])
		if family > 0xffff {
			family = binary.BigEndian.Uint32(data[0:4])
		}
		switch family {
		case afInet:
			return d.network(layers.LayerTypeIPv4, data[loopbackHeaderLen:], 0)
		case afInet6BSD, afInet6BSD2, afInet6BSD3:
			return d.network(layers.LayerTypeIPv6, data[loopbackHeaderLen:], 0)
		}
		return vNonIP
	case capture.LinkTypeRaw, capture.LinkTypeDLTRaw12, capture.LinkTypeDLTRaw14:
		return d.rawIP(data, 0)
	case capture.LinkTypeIPv4:
		return d.network(layers.LayerTypeIPv4, data, 0)
	case capture.LinkTypeIPv6:
		return d.network(layers.LayerTypeIPv6, data, 0)
	}
	return vUnsupportedLink
}

// rawIP decodes a bare IP packet, choosing the version by its first nibble.
func (d *Decoder) rawIP(data []byte, depth int) verdict {
	if len(data) == 0 {
		return vTruncated
	}
	switch data[0] >> 4 {
	case 4:
		return d.network(layers.LayerTypeIPv4, data, depth)
	case 6:
		return d.network(layers.LayerTypeIPv6, data, depth)
	}
	return vNonIP
}

// ether dispatches on an ethertype, skipping and recording VLAN tags.
func (d *Decoder) ether(etype uint16, rest []byte, depth int) verdict {
	for range maxVLANTags + 1 {
		switch etype {
		case etherTypeIPv4:
			return d.network(layers.LayerTypeIPv4, rest, depth)
		case etherTypeIPv6:
			return d.network(layers.LayerTypeIPv6, rest, depth)
		case etherTypeVLAN, etherTypeQinQ, etherTypeQinQ2:
			if len(rest) < vlanTagLen {
				return vTruncated
			}
			p := &d.pkt
			if p.VLANCount < len(p.VLAN) {
				p.VLAN[p.VLANCount] = binary.BigEndian.Uint16(rest[0:2]) & 0x0fff
				p.VLANCount++
			}
			etype = binary.BigEndian.Uint16(rest[2:4])
			rest = rest[vlanTagLen:]
		default:
			return vNonIP
		}
	}
	return vDecodeError // more VLAN tags than any real network stacks
}

// firstLayer maps an IP protocol number to the layer type a parser starts
// from, for payloads that begin after an IP header (reassembled datagrams).
func firstLayer(proto uint8) gopacket.LayerType {
	return layers.IPProtocol(proto).LayerType()
}
