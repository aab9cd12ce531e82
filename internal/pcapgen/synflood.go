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

// HalfOpenHTTP writes n HTTP connections that never finish: handshake,
// GET, and a response announcing Content-Length 1 MiB of which only the
// first 1000 bytes come. Each leaves a sensor holding a connection, a
// parser and an open file: the state an attacker can make a sensor keep.
func HalfOpenHTTP(c *Capture, n int, server Endpoint) error {
	body := make([]byte, 1000)
	for i := range n {
		a := uint32(172)<<24 | uint32(16)<<16 | uint32(i+1)&0xffff
		client := Endpoint{IP: netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), Port: uint16(10000 + i/65536)}
		cv, err := c.Open(client, server, ConnOptions{ClientISN: uint32(i)*7919 + 1, ServerISN: uint32(i)*104729 + 1})
		if err != nil {
			return err
		}
		if err := cv.FromClient([]byte("GET /big/" + fmt.Sprint(i) + ".bin HTTP/1.1\r\nHost: mirror.example\r\n\r\n")); err != nil {
			return err
		}
		if err := cv.FromServer(append([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n"), body...)); err != nil {
			return err
		}
	}
	return nil
}

// WriteDownloadUnderFlood writes an EICAR download over HTTP whose request
// and response are separated by syns spoofed SYNs and halfOpen half-open
// HTTP responses (see SynFlood, HalfOpenHTTP): detection of an established
// flow must survive a flood of new ones.
func WriteDownloadUnderFlood(w io.Writer, syns, halfOpen int) error {
	c, err := NewCapture(w, epoch())
	if err != nil {
		return err
	}
	c.step = 1000
	cv, err := c.Open(EP("192.168.7.10", 51000), EP("192.168.7.80", 80), ConnOptions{})
	if err != nil {
		return err
	}
	x := HTTPExchange{URI: "/dl/eicar.com", Host: "files.example.org", RespBody: []byte(EICAR),
		RespHeaders: []Header{{"Content-Type", "application/octet-stream"}}}
	if err := cv.FromClient(x.Request()); err != nil {
		return err
	}
	if err := SynFlood(c, syns/2, EP("192.0.2.80", 80), 7); err != nil {
		return err
	}
	if err := HalfOpenHTTP(c, halfOpen, EP("192.168.7.81", 80)); err != nil {
		return err
	}
	if err := SynFlood(c, syns-syns/2, EP("192.0.2.80", 80), 8); err != nil {
		return err
	}
	resp, err := x.Response(c.Now())
	if err != nil {
		return err
	}
	if err := cv.FromServer(resp); err != nil {
		return err
	}
	if err := cv.Close(); err != nil {
		return err
	}
	return c.Err()
}

// IdleConnections writes n connections that complete their handshake and
// then stay silent: what a sensor holds for every idle keep-alive client.
func IdleConnections(c *Capture, n int, server Endpoint) error {
	for i := range n {
		a := uint32(172)<<24 | uint32(20)<<16 | uint32(i+1)&0xffff
		client := Endpoint{IP: netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), Port: uint16(20000 + i/65536)}
		if _, err := c.Open(client, server, ConnOptions{ClientISN: uint32(i)*7919 + 1, ServerISN: uint32(i)*104729 + 1}); err != nil {
			return err
		}
	}
	return nil
}

// WriteIdleConnections writes a capture of n idle connections (see
// IdleConnections).
func WriteIdleConnections(w io.Writer, n int) error {
	c, err := NewCapture(w, epoch())
	if err != nil {
		return err
	}
	c.step = 1000
	if err := IdleConnections(c, n, EP("192.168.7.82", 445)); err != nil {
		return err
	}
	return c.Err()
}
