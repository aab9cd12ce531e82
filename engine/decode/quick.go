package decode

import (
	"encoding/binary"
	"net/netip"

	"github.com/wirescan/wirescan/engine/capture"
)

// Endpoints are the addresses and ports of a TCP segment as QuickTCP reads
// them from a raw frame.
type Endpoints struct {
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
}

// QuickTCP reads the endpoints of a plain TCP segment straight from a raw
// frame, without decoding it: enough to pick the worker a frame belongs to
// so that the worker, not the reader, decodes it. It handles the common
// shapes (Ethernet with up to two VLAN tags, Linux SLL/SLL2, BSD loopback,
// raw IP; IPv4 without fragmentation, IPv6 with TCP as next header) and
// reports false for anything else (tunnels, fragments, extension headers,
// truncation, non-TCP), which the caller then decodes in full. The
// endpoints it reports are those Decode reports for the same frame.
func QuickTCP(link capture.LinkType, data []byte) (ep Endpoints, ok bool) {
	var etype uint16
	switch link {
	case capture.LinkTypeEthernet:
		if len(data) < ethernetHeaderLen {
			return ep, false
		}
		etype, data = binary.BigEndian.Uint16(data[12:14]), data[ethernetHeaderLen:]
	case capture.LinkTypeLinuxSLL:
		if len(data) < sllHeaderLen {
			return ep, false
		}
		etype, data = binary.BigEndian.Uint16(data[sllProtocolOffset:sllHeaderLen]), data[sllHeaderLen:]
	case capture.LinkTypeLinuxSLL2:
		if len(data) < sll2HeaderLen {
			return ep, false
		}
		etype, data = binary.BigEndian.Uint16(data[0:2]), data[sll2HeaderLen:]
	case capture.LinkTypeRaw, capture.LinkTypeDLTRaw12, capture.LinkTypeDLTRaw14, capture.LinkTypeIPv4, capture.LinkTypeIPv6:
		return quickIP(data)
	default:
		return ep, false
	}
	for range 3 {
		switch etype {
		case etherTypeIPv4, etherTypeIPv6:
			return quickIP(data)
		case etherTypeVLAN, etherTypeQinQ, etherTypeQinQ2:
			if len(data) < vlanTagLen {
				return ep, false
			}
			etype, data = binary.BigEndian.Uint16(data[2:4]), data[vlanTagLen:]
		default:
			return ep, false
		}
	}
	return ep, false
}

// quickIP reads an IP header and the TCP ports after it.
func quickIP(data []byte) (ep Endpoints, ok bool) {
	if len(data) == 0 {
		return ep, false
	}
	var tcp []byte
	switch data[0] >> 4 {
	case 4:
		if len(data) < 20 || data[9] != 6 {
			return ep, false
		}
		ihl := int(data[0]&0x0f) * 4
		flagsFrag := binary.BigEndian.Uint16(data[6:8])
		if ihl < 20 || len(data) < ihl || flagsFrag&0x3fff != 0 { // MF or an offset: a fragment
			return ep, false
		}
		ep.Src = netip.AddrFrom4([4]byte(data[12:16]))
		ep.Dst = netip.AddrFrom4([4]byte(data[16:20]))
		tcp = data[ihl:]
	case 6:
		if len(data) < 40 || data[6] != 6 {
			return ep, false
		}
		ep.Src = netip.AddrFrom16([16]byte(data[8:24]))
		ep.Dst = netip.AddrFrom16([16]byte(data[24:40]))
		tcp = data[40:]
	default:
		return ep, false
	}
	if len(tcp) < 20 {
		return ep, false
	}
	ep.SrcPort, ep.DstPort = binary.BigEndian.Uint16(tcp[0:2]), binary.BigEndian.Uint16(tcp[2:4])
	return ep, true
}
