package pcapgen

import (
	"net"
	"net/netip"
)

// Endpoint is one side of a TCP connection.
type Endpoint struct {
	// IP is an IPv4 or IPv6 address; both endpoints of a conversation must
	// use the same family.
	IP netip.Addr
	// Port is the TCP port.
	Port uint16
	// MAC is the Ethernet address; nil derives a locally administered
	// address from IP, so captures stay deterministic without configuration.
	MAC net.HardwareAddr
}

// EP returns an Endpoint for a textual IP address and port. It panics on a
// malformed address: it is meant for literals in scenarios and tests.
func EP(ip string, port uint16) Endpoint {
	return Endpoint{IP: netip.MustParseAddr(ip), Port: port}
}

// mac returns e.MAC or a locally administered MAC derived from the last four
// bytes of the IP address.
func (e Endpoint) mac() net.HardwareAddr {
	if e.MAC != nil {
		return e.MAC
	}
	a := e.IP.As16()
	return net.HardwareAddr{0x02, 0x00, a[12], a[13], a[14], a[15]}
}
