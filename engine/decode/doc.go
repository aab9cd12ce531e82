// Package decode turns captured link-layer frames into the few fields the
// engine needs: addresses, ports, TCP sequence state and the transport
// payload.
//
// It sits between engine/capture (frames with a link type) and engine/flow
// (5-tuples and TCP segments). A Decoder handles Ethernet (802.1Q and
// QinQ/802.1ad, first two VLAN ids recorded), Linux SLL and SLL2, raw IPv4/
// IPv6, BSD/OpenBSD loopback; IPv4 options; IPv6 extension headers; GRE
// tunnels carrying IPv4, IPv6 or Ethernet (the inner packet is decoded);
// IP-in-IP; TCP and UDP. IPv4 and IPv6 fragments are reassembled before the
// transport header is read.
//
// # Decoding without allocation
//
// Network and transport headers are decoded by gopacket DecodingLayerParsers
// over preallocated layers owned by the Decoder (STYLE.md section 2). Link
// headers are fixed-size and decoded by hand, because the parser reuses one
// Dot1Q value per packet and so cannot report two VLAN tags. A plain TCP
// frame decodes without allocating (BenchmarkDecode, TestDecodeAllocs).
// The Packet returned by Decode, and its Payload, are reused by the next
// call: copy anything that must outlive it. A Decoder is not safe for
// concurrent use; the engine keeps one per worker.
//
// # Limits
//
// Config.MaxFragmentBytes bounds the bytes held in fragment queues (payload
// plus a fixed overhead per piece and per queue), Config.MaxFragmentQueues
// the number of datagrams being reassembled and Config.MaxFragmentsPerDatagram
// the pieces of one datagram. At a limit the oldest queues are evicted
// (Stats.FragmentEvictions). Queues older than Config.FragmentTimeout, in
// packet time, are dropped (Stats.FragmentTimeouts). Overlapping fragments
// keep the bytes that arrived first (Stats.FragmentOverlaps); datagrams over
// 65535 bytes are dropped (Stats.FragmentOversize). Memory is allocated by
// bytes actually received, never by a fragment offset. Tunnels nest at most
// maxNesting deep (Stats.TunnelTooDeep).
//
// # Metrics
//
// Stats counts every packet exactly once in Decoded or in one reason for not
// processing it (NonIP, NonTCP, Truncated, BadChecksum, DecodeErrors,
// UnsupportedLink, TunnelTooDeep, FragmentsHeld, FragmentDrops); the other
// fields are informational. engine/metrics mirrors them into Prometheus.
//
// # Not handled yet
//
// MPLS, PPPoE, VXLAN/Geneve, IPsec, GRE version 1 (PPTP), checksums of
// tunnel outer headers in IP-in-IP, UDP checksums.
//
// # Example
//
// See Example in example_test.go: it runs with the tests, so it stays true.
package decode
