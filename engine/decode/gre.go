package decode

import (
	"encoding/binary"

	"github.com/gopacket/gopacket/layers"
)

// decodeGRE decapsulates a GRE packet (version 0) and decodes the inner
// IPv4, IPv6 or Ethernet frame. depth already counts this tunnel level.
func (d *Decoder) decodeGRE(data []byte, depth int) verdict {
	if depth > maxNesting {
		return vTooDeep
	}
	d.greTrunc = false
	if err := d.gre.DecodeFromBytes(data, d); err != nil {
		if d.greTrunc {
			return vTruncated
		}
		return vDecodeError
	}
	if d.gre.Version != 0 {
		return vNonIP // PPTP's enhanced GRE carries PPP
	}
	d.stats.Tunnels++
	d.pkt.Tunneled = true
	inner := d.gre.Payload
	switch d.gre.Protocol {
	case layers.EthernetTypeIPv4:
		return d.network(layers.LayerTypeIPv4, inner, depth)
	case layers.EthernetTypeIPv6:
		return d.network(layers.LayerTypeIPv6, inner, depth)
	case etherTypeTEB:
		if len(inner) < ethernetHeaderLen {
			return vTruncated
		}
		return d.ether(binary.BigEndian.Uint16(inner[12:14]), inner[ethernetHeaderLen:], depth)
	}
	return vNonIP
}
