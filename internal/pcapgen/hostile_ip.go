package pcapgen

import (
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Hostile IP: datagrams whose reassembly never completes. A sensor that
// kept every one would hold n datagrams' worth of fragments.

// fragmentSources is how many source addresses the fragment flood uses:
// with 16-bit IP ids, 16 sources give a million distinct datagrams.
const fragmentSources = 16

// fragmentSize is the payload of each flood fragment (a multiple of 8).
const fragmentSize = 1024

// writeFragment writes one IPv4 fragment of a TCP datagram from src to
// dst: payload at byte offset off, with More Fragments set.
func (c *Capture) writeFragment(src, dst Endpoint, id uint16, off int, payload []byte) error {
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, Id: id,
		Flags: layers.IPv4MoreFragments, FragOffset: uint16(off / 8),
		SrcIP: src.IP.AsSlice(), DstIP: dst.IP.AsSlice()}
	eth := &layers.Ethernet{SrcMAC: src.mac(), DstMAC: dst.mac(), EthernetType: layers.EthernetTypeIPv4}
	return c.writeFrame(eth, ip, gopacket.Payload(payload))
}

// writeFragmentFlood writes n datagrams of which only the first fragment
// and a second one overlapping half of it (with other bytes) arrive; the
// last fragment never does.
func writeFragmentFlood(c *Capture, n int) error {
	dst := EP("192.0.2.80", 80)
	first, second := make([]byte, fragmentSize), make([]byte, fragmentSize)
	for i := range first {
		first[i], second[i] = 'A', 'B'
	}
	// The first fragment starts like a TCP segment to port 80.
	copy(first, []byte{0x9c, 0x40, 0, 80})
	for i := range n {
		src := Endpoint{IP: netip.AddrFrom4([4]byte{198, 51, 100, byte(1 + i%fragmentSources)})}
		id := uint16(i / fragmentSources)
		if err := c.writeFragment(src, dst, id, 0, first); err != nil {
			return err
		}
		if err := c.writeFragment(src, dst, id, fragmentSize/2, second); err != nil {
			return err
		}
	}
	return nil
}
