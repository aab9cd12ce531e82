package decode

import (
	"net/netip"
	"time"

	"github.com/wirescan/wirescan/engine/capture"
)

// Packet is a decoded TCP or UDP packet. The Decoder reuses one Packet and
// its Payload on every Decode call, so it is valid only until the next call.
type Packet struct {
	// Timestamp is the capture time passed to Decode.
	Timestamp time.Time
	// Num is the packet number passed to Decode (EVE pcap_cnt).
	Num uint64
	// VLAN holds the 12-bit ids of the first VLANCount tags, outermost first.
	VLAN [2]uint16
	// VLANCount is the number of valid entries in VLAN (0..2).
	VLANCount int
	// SrcIP and DstIP are the innermost IP header's addresses.
	SrcIP, DstIP netip.Addr
	// IPProto is the transport protocol number: 6 TCP, 17 UDP.
	IPProto uint8
	// SrcPort and DstPort are the transport ports.
	SrcPort, DstPort uint16
	// Seq and Ack are the TCP sequence and acknowledgment numbers.
	Seq, Ack uint32
	// TCP flags.
	SYN, FIN, RST, ACK, PSH bool
	// Window is the TCP window field (unscaled).
	Window uint16
	// HasTS is set when the TCP header carries a well-formed timestamp
	// option (RFC 7323 §3: kind 8, length 10); TSVal and TSEcr are its
	// two fields. Reassembly uses them for PAWS.
	HasTS bool
	// TSVal and TSEcr are the timestamp option's value and echo reply;
	// zero when !HasTS.
	TSVal, TSEcr uint32
	// Payload is the transport payload. It aliases the frame passed to
	// Decode or a Decoder-owned reassembly buffer; valid until the next call.
	Payload []byte
	// PayloadLen is the payload length the IP header declares; it is larger
	// than len(Payload) when Truncated.
	PayloadLen int
	// Raw is the frame as captured (the data passed to Decode), link-layer
	// header included, for evidence pcaps. It aliases the caller's frame and
	// is valid as long as Payload. For a packet rebuilt from IP fragments it
	// is the frame of the fragment that completed it.
	Raw []byte
	// LinkType is the link type Raw was captured with.
	LinkType capture.LinkType
	// Length is the frame's length on the wire.
	Length int
	// Truncated is set when the payload was cut short: the capture's snap
	// length (or a lying length field) left fewer bytes than the IP header
	// declares. Reassembly should treat the missing bytes as a gap.
	Truncated bool
	// Tunneled is set when the packet was decapsulated (GRE, IP-in-IP).
	Tunneled bool
	// Reassembled is set when the packet was rebuilt from IP fragments.
	Reassembled bool
}
