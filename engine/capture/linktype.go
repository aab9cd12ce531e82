package capture

import "strconv"

// LinkType is a LINKTYPE_ value from a capture file header: it says how to
// decode the first bytes of every packet recorded with it.
type LinkType uint32

// Link types wirescan decodes. Values are the LINKTYPE_ registry numbers used
// in pcap and pcapng files; DLTRaw12 and DLTRaw14 are the platform DLT_RAW
// values some writers store instead of LINKTYPE_RAW.
const (
	LinkTypeNull      LinkType = 0   // BSD loopback, 4-byte host-order address family
	LinkTypeEthernet  LinkType = 1   // IEEE 802.3 Ethernet
	LinkTypeDLTRaw12  LinkType = 12  // DLT_RAW on most BSDs/Linux: raw IPv4 or IPv6
	LinkTypeDLTRaw14  LinkType = 14  // DLT_RAW on OpenBSD: raw IPv4 or IPv6
	LinkTypeRaw       LinkType = 101 // raw IPv4 or IPv6, decided by the version nibble
	LinkTypeLoop      LinkType = 108 // OpenBSD loopback, 4-byte network-order address family
	LinkTypeLinuxSLL  LinkType = 113 // Linux "cooked" capture v1
	LinkTypeIPv4      LinkType = 228 // raw IPv4
	LinkTypeIPv6      LinkType = 229 // raw IPv6
	LinkTypeLinuxSLL2 LinkType = 276 // Linux "cooked" capture v2
)

// String returns a short lowercase name for known link types and
// "linktype(N)" for the others, for log messages.
func (l LinkType) String() string {
	switch l {
	case LinkTypeNull:
		return "null"
	case LinkTypeEthernet:
		return "ethernet"
	case LinkTypeDLTRaw12, LinkTypeDLTRaw14, LinkTypeRaw:
		return "raw"
	case LinkTypeLoop:
		return "loop"
	case LinkTypeLinuxSLL:
		return "linux_sll"
	case LinkTypeIPv4:
		return "ipv4"
	case LinkTypeIPv6:
		return "ipv6"
	case LinkTypeLinuxSLL2:
		return "linux_sll2"
	}
	return "linktype(" + strconv.FormatUint(uint64(l), 10) + ")"
}
