package decode

import (
	"encoding/binary"
	"net/netip"
)

// onesSum adds b to the ones'-complement running sum s (RFC 1071).
func onesSum(s uint64, b []byte) uint64 {
	for len(b) >= 8 {
		s += uint64(binary.BigEndian.Uint32(b[0:4])) + uint64(binary.BigEndian.Uint32(b[4:8]))
		b = b[8:]
	}
	for len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}

// fold reduces a running sum to 16 bits.
func fold(s uint64) uint16 {
	for s > 0xffff {
		s = (s >> 16) + (s & 0xffff)
	}
	return uint16(s)
}

// ipv4HeaderOK reports whether an IPv4 header's checksum verifies.
func ipv4HeaderOK(hdr []byte) bool { return fold(onesSum(0, hdr)) == 0xffff }

// transportOK reports whether a TCP or UDP segment's checksum verifies
// against the pseudo-header of src, dst and proto.
func transportOK(src, dst netip.Addr, proto uint8, seg []byte) bool {
	var s uint64
	if src.Is4() {
		a, b := src.As4(), dst.As4()
		s = onesSum(s, a[:])
		s = onesSum(s, b[:])
	} else {
		a, b := src.As16(), dst.As16()
		s = onesSum(s, a[:])
		s = onesSum(s, b[:])
	}
	s += uint64(proto) + uint64(len(seg))
	return fold(onesSum(s, seg)) == 0xffff
}
