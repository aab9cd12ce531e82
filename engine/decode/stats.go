package decode

// Stats counts what a Decoder saw. Every Decode call increments Packets and
// exactly one of Decoded, NonIP, NonTCP, Truncated, BadChecksum,
// DecodeErrors, UnsupportedLink, TunnelTooDeep, FragmentsHeld or
// FragmentDrops; the remaining fields are informational. The struct is
// written by the Decoder's goroutine only; the engine copies it from there
// before mirroring it into metrics.
type Stats struct {
	// Packets is the number of Decode calls.
	Packets uint64
	// Decoded counts packets returned with ok == true (TCP and UDP).
	Decoded uint64
	// NonIP counts frames that carry no IP (ARP, LLC, unknown ethertype,
	// unsupported GRE payload, bad version nibble on raw links).
	NonIP uint64
	// NonTCP counts IP packets with a transport other than TCP or UDP.
	NonTCP uint64
	// Truncated counts packets dropped because the capture cut a header.
	// Packets whose payload alone was cut are delivered with
	// Packet.Truncated set and not counted here.
	Truncated uint64
	// BadChecksum counts packets dropped for a bad IPv4 header or TCP
	// checksum (only with Config.ValidateChecksums).
	BadChecksum uint64
	// DecodeErrors counts malformed packets (impossible lengths, bad
	// header fields, too many VLAN tags).
	DecodeErrors uint64
	// UnsupportedLink counts frames of a link type the Decoder does not know.
	UnsupportedLink uint64
	// TunnelTooDeep counts packets nested deeper than maxNesting
	// tunnel or reassembly levels.
	TunnelTooDeep uint64
	// Tunnels counts decapsulations (GRE, IP-in-IP).
	Tunnels uint64
	// Fragments counts IP fragments seen.
	Fragments uint64
	// FragmentsHeld counts fragments kept for reassembly whose datagram was
	// not yet complete.
	FragmentsHeld uint64
	// Reassembled counts datagrams completed from fragments.
	Reassembled uint64
	// FragmentDrops counts fragments discarded on arrival: malformed, cut
	// by the capture, inconsistent with their datagram, over a limit.
	FragmentDrops uint64
	// FragmentOversize counts fragments dropped because their datagram
	// would exceed 65535 bytes (also counted in FragmentDrops).
	FragmentOversize uint64
	// FragmentOverlaps counts fragments that overlapped bytes already held;
	// the earlier bytes are kept.
	FragmentOverlaps uint64
	// FragmentTimeouts counts incomplete datagrams dropped at
	// Config.FragmentTimeout.
	FragmentTimeouts uint64
	// FragmentEvictions counts incomplete datagrams dropped to stay within
	// Config.MaxFragmentQueues or Config.MaxFragmentBytes.
	FragmentEvictions uint64
	// FragmentQueues is a gauge: datagrams currently being reassembled.
	FragmentQueues uint64
	// FragmentBytes is a gauge: bytes currently charged to fragment queues.
	FragmentBytes uint64
}
