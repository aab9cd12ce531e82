// Package capture reads packet captures and writes evidence captures.
//
// It is the first stage of the pipeline: it turns a pcap or pcapng file (or
// stdin, or several files in a row) into a stream of Packets for
// engine/decode. It replaces gopacket's pcapgo reader because that reader
// trusts the snap length a file declares and can be made to allocate up to
// 4 GiB for one record.
//
// # Inputs and outputs
//
// Open, NewReader and Concat return a Source. Source.Next yields one Packet at
// a time; Packet.Data is owned by the reader and valid until the next Next
// call. Packet numbers are 1-based and continue across the files of a Concat
// source, so they are the EVE pcap_cnt. Writer writes a classic pcap file.
//
// # Formats
//
// pcap: both byte orders, microsecond and nanosecond magic, and the
// "modified" (Kuznetzov) variant. pcapng: Section Header, Interface
// Description, Enhanced Packet, Simple Packet and the obsolete Packet block;
// several sections (each with its own byte order) and several interfaces with
// different link types and if_tsresol/if_tsoffset. Other block types are
// skipped.
//
// # Limits and damage
//
// Options.MaxRecordBytes (default 256 KiB) caps one packet record; a larger
// record is treated as damage, never allocated. pcapng blocks other than
// packet blocks are skipped without being buffered (Discard), and a section
// may describe at most maxInterfaces interfaces. When a file is truncated or
// corrupt after some good packets, Next returns a *DamageError naming the
// file, the packet number and the byte offset of the bad record. Everything
// before it was delivered. A single-file Source then returns io.EOF; a Concat
// Source moves on to the next file. A file that is not a capture at all fails
// with an error wrapping ErrNotCapture.
//
// # Metrics
//
// Every Source returned by this package also implements StatsReporter, whose
// Stats snapshot (packets, bytes, damaged files, files opened) is safe to
// call from another goroutine; engine/metrics mirrors it into Prometheus.
//
// # Live capture
//
// OpenLive (Linux only; elsewhere it fails with errors.ErrUnsupported) opens
// an AF_PACKET socket with a TPACKET_V3 ring on one interface, without cgo or
// libpcap, and returns a *LiveSource, which is a Source and a StatsReporter.
// `wirescan live -i IFACE --workers N` opens N sockets in one fanout group
// (LiveOptions.FanoutGroup, PACKET_FANOUT_HASH with defrag): the kernel
// gives each flow, both directions, to one socket, and each worker calls
// Next on its own socket. Differences from file sources:
//
//   - Next blocks up to LiveOptions.PollTimeout (default 200ms) and then
//     returns ErrTimeout, which only means "check for shutdown and call
//     again". Next never returns io.EOF. Close must not run concurrently with
//     Next: stop the worker first (it notices within one poll timeout).
//   - Packet.Data points into the kernel ring and stays valid until the next
//     Next or Close; copy what must outlive it. VLAN tags the NIC stripped
//     are put back, so Data is the frame as on the wire (one copy per tagged
//     frame). Frames are cut to LiveOptions.Snaplen; Length keeps the wire
//     length.
//   - Packet.Num counts per socket, so in live mode the EVE pcap_cnt is per
//     worker, not global. Timestamps are the kernel's receive times.
//   - Filters: LiveOptions.BPF takes a classic BPF program, which the kernel
//     runs before the ring. ParseBPF reads `tcpdump -ddd` output, so an
//     operator compiles the filter once with tcpdump for the interface's
//     link type (`tcpdump -i eth0 -ddd 'tcp port 445 or tcp port 80' > f.bpf`)
//     and passes the file (`--bpf-file f.bpf`); wirescan needs no libpcap.
//
// Limits: the ring is BlockSize*NumBlocks per socket (default 64 MiB, at most
// MaxLiveRingBytes); when the reader falls behind and the ring is full the
// kernel drops frames. KernelStats reports, per socket and cumulatively since
// open, the packets the kernel passed to the socket (after the filter and
// the fanout split, drops included) and those drops; the kernel resets its
// counters on every read, so LiveSource must be their only reader. Stats
// counts what Next delivered. Opening needs CAP_NET_RAW; a missing interface
// or capability gives an error that says so (ErrNoInterface,
// os.ErrPermission).
//
// # Not handled yet
//
// Compressed captures, pcapng Name Resolution / Interface Statistics block
// contents (skipped). Live capture: the "any" pseudo-interface, link types
// other than Ethernet, loopback and layer-3 (raw IP) devices, eBPF fanout,
// and reading from several interfaces with one socket.
//
// # Example
//
// See Example in example_test.go: it runs with the tests, so it stays true.
package capture
