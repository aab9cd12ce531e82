package pcapgen

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// SYN writes one bare SYN from client to server (no handshake follows): the
// packet of a SYN flood or of a port scan.
func (c *Capture) SYN(client, server Endpoint, seq uint32) error {
	tcp := &layers.TCP{SrcPort: layers.TCPPort(client.Port), DstPort: layers.TCPPort(server.Port), Seq: seq, SYN: true, Window: 1024}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, Id: c.nextIPID(),
		SrcIP: client.IP.AsSlice(), DstIP: server.IP.AsSlice()}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		return fmt.Errorf("pcapgen: tcp checksum: %w", err)
	}
	eth := &layers.Ethernet{SrcMAC: client.mac(), DstMAC: server.mac(), EthernetType: layers.EthernetTypeIPv4}
	return c.writeFrame(eth, ip, tcp, gopacket.Payload(nil))
}

// SynFlood writes n SYNs to server from n distinct sources (spoofed
// addresses in 10.0.0.0/8 and random ports, drawn from seed), one every
// step of the capture clock: the attack a sensor's flow table must survive.
func SynFlood(c *Capture, n int, server Endpoint, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range n {
		a := uint32(10)<<24 | uint32(i+1)&0xffffff
		src := Endpoint{IP: netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), Port: uint16(1024 + r.IntN(64000))}
		if err := c.SYN(src, server, r.Uint32()); err != nil {
			return err
		}
	}
	return nil
}

// WriteSynFlood writes a capture of n SYNs (see SynFlood) to w, 1 µs apart.
func WriteSynFlood(w io.Writer, n int, seed uint64) error {
	c, err := NewCapture(w, epoch())
	if err != nil {
		return err
	}
	c.step = 1000 // 1 µs: a million SYNs in one second of packet time
	if err := SynFlood(c, n, EP("192.0.2.80", 80), seed); err != nil {
		return err
	}
	return c.Err()
}
