package decode

// Specification constants: wire values from IEEE, IANA and the pcap link
// type registry.
const (
	etherTypeIPv4  = 0x0800
	etherTypeIPv6  = 0x86dd
	etherTypeVLAN  = 0x8100 // IEEE 802.1Q
	etherTypeQinQ  = 0x88a8 // IEEE 802.1ad service tag
	etherTypeQinQ2 = 0x9100 // pre-standard QinQ
	etherTypeTEB   = 0x6558 // transparent Ethernet bridging (Ethernet in GRE)

	ethernetHeaderLen = 14
	vlanTagLen        = 4
	sllHeaderLen      = 16
	sllProtocolOffset = 14
	sll2HeaderLen     = 20
	loopbackHeaderLen = 4

	afInet      = 2
	afInet6BSD  = 24 // NetBSD, OpenBSD, BSD/OS
	afInet6BSD2 = 28 // FreeBSD, DragonFly
	afInet6BSD3 = 30 // Darwin

	protoIPv4 = 4
	protoTCP  = 6
	protoUDP  = 17
	protoIPv6 = 41
	protoGRE  = 47

	maxDatagramLen        = 65535 // IPv4 total length, IPv6 payload length
	ipv4MinHeaderLen      = 20
	ipv6FragmentHeaderLen = 8
)

// Implementation limits.
const (
	// maxVLANTags bounds the VLAN tags skipped in one Ethernet header.
	maxVLANTags = 8
	// maxNesting bounds tunnel and reassembly nesting in one packet.
	maxNesting = 8
)
