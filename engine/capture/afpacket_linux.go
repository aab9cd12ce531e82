package capture

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"unsafe"

	"github.com/gopacket/gopacket/afpacket"
	"golang.org/x/sys/unix"
)

// LiveSource reads packets from one AF_PACKET socket with a TPACKET_V3 ring
// (Linux only). Next and Close must be called from one goroutine (the
// worker that owns the socket); Stats and KernelStats are safe to call from
// any goroutine, also after Close.
type LiveSource struct {
	tp      *afpacket.TPacket // nil after Close
	iface   string
	link    LinkType
	snaplen int
	num     uint64 // packets returned by Next on this socket
	c       counters

	mu       sync.Mutex // guards tp against Close for KernelStats, and below
	kPackets uint64     // kernel counters, accumulated since open
	kDrops   uint64
	lastP    uint32 // afpacket's own (uint32) running totals at the last read
	lastD    uint32
}

var _ Source = (*LiveSource)(nil)
var _ StatsReporter = (*LiveSource)(nil)

// OpenLive opens an AF_PACKET socket on the interface iface of the caller's
// network namespace, with a TPACKET_V3 ring of opts.NumBlocks blocks of
// opts.BlockSize bytes, the optional filter, promiscuous mode and fanout
// group. Frames come with their link-layer header (Ethernet for Ethernet
// and loopback devices, none for layer-3 devices such as tun or WireGuard);
// VLAN tags stripped by the NIC are put back into Data.
//
// Errors: a missing interface gives `capture: interface "eth9" not found`
// (wrapping ErrNoInterface); a process without CAP_NET_RAW gets `capture:
// opening eth0 needs CAP_NET_RAW (run as root or grant the capability)`,
// which matches os.ErrPermission through errors.Is; bad options or filters
// are reported before any socket is made.
//
// With fanout, the socket sees every frame of the interface between its ring
// being set up and its joining the group (microseconds), so a frame there
// may reach two sockets. Open all sockets of a group before relying on
// exactly-once delivery.
func OpenLive(iface string, opts LiveOptions) (*LiveSource, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	hatype, err := linkHardwareType(iface)
	if err != nil {
		return nil, err
	}
	link, ok := linkTypeOfHardware(hatype)
	if !ok {
		return nil, fmt.Errorf("capture: %s has hardware type %d (ARPHRD), which live capture does not decode", iface, hatype)
	}
	tp, err := afpacket.NewTPacket(
		afpacket.OptInterface(iface),
		afpacket.OptTPacketVersion(afpacket.TPacketVersion3),
		afpacket.OptBlockSize(opts.BlockSize),
		afpacket.OptNumBlocks(opts.NumBlocks),
		afpacket.OptPollTimeout(opts.PollTimeout),
		afpacket.OptAddVLANHeader(true),
	)
	if err != nil {
		return nil, openErr(iface, "opening", err)
	}
	s := &LiveSource{tp: tp, iface: iface, link: link, snaplen: opts.Snaplen}
	if opts.BPF != nil {
		if err := tp.SetBPF(opts.BPF); err != nil {
			tp.Close()
			return nil, &liveError{fmt.Sprintf("capture: the kernel rejected the bpf filter on %s: %v", iface, err), ErrBadBPF}
		}
	}
	if opts.Promiscuous {
		if err := tp.SetPromiscuous(true); err != nil {
			tp.Close()
			return nil, openErr(iface, "making promiscuous", err)
		}
	}
	if opts.FanoutGroup != 0 {
		if err := tp.SetFanout(afpacket.FanoutHash|afpacket.FanoutHashWithDefrag, opts.FanoutGroup); err != nil {
			tp.Close()
			return nil, fmt.Errorf("capture: joining fanout group %d on %s (another capture may use the group with other settings): %w", opts.FanoutGroup, iface, err)
		}
	}
	return s, nil
}

// openErr words a failed socket operation, naming the capability when the
// kernel refused it.
func openErr(iface, what string, err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return &liveError{fmt.Sprintf("capture: %s %s needs CAP_NET_RAW (run as root or grant the capability)", what, iface), err}
	}
	return fmt.Errorf("capture: %s %s: %w", what, iface, err)
}

// Next blocks until the ring holds a packet or PollTimeout passes, and then
// returns the packet or ErrTimeout. Packet.Data points into the ring: it is
// valid until the next Next or Close call, which hand the ring block back to
// the kernel. Packet.Num counts the packets of this socket only, so in a
// fanout group the EVE pcap_cnt is per worker. Timestamp is the kernel's
// receive time; LinkType is the interface's. Any other error (the
// interface went away, a poll error) means the socket is no longer usable.
// While blocked, Next holds an OS thread in poll(2).
func (s *LiveSource) Next() (Packet, error) {
	if s.tp == nil {
		return Packet{}, fmt.Errorf("capture: reading %s: %w", s.iface, net.ErrClosed)
	}
	data, ci, err := s.tp.ZeroCopyReadPacketData()
	if err != nil {
		if errors.Is(err, afpacket.ErrTimeout) {
			return Packet{}, ErrTimeout
		}
		return Packet{}, fmt.Errorf("capture: reading %s: %w", s.iface, err)
	}
	if len(data) > s.snaplen {
		data = data[:s.snaplen]
	}
	length := max(ci.Length, len(data))
	s.num++
	s.c.packets.Add(1)
	s.c.bytes.Add(uint64(len(data)))
	return Packet{Data: data, Timestamp: ci.Timestamp.UTC(), LinkType: s.link, Length: length, Num: s.num}, nil
}

// Close reads the kernel counters a last time, releases the ring and closes
// the socket (which also ends promiscuous mode and fanout membership for
// it). Calling it again is a no-op. It must not run while Next does.
func (s *LiveSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tp == nil {
		return nil
	}
	err := s.readKernelStats()
	s.tp.Close()
	s.tp = nil
	return err
}

// Stats returns the packets and bytes Next delivered (Damaged and Files stay
// 0). It is safe to call from any goroutine.
func (s *LiveSource) Stats() Stats { return s.c.snapshot() }

// KernelStats returns the kernel's counters for this socket since it was
// opened: packets the kernel passed to it (after the BPF filter and the
// fanout split, and including the drops) and drops (frames lost because
// the ring was full: the reader is too slow). The kernel resets its counters
// on every read, so this LiveSource is their only reader and keeps the
// totals; after Close it returns the last totals. Safe to call from any
// goroutine.
func (s *LiveSource) KernelStats() (packets, drops uint64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tp != nil {
		err = s.readKernelStats()
	}
	return s.kPackets, s.kDrops, err
}

// readKernelStats adds the kernel counters read since the last call to the
// totals. afpacket keeps uint32 running totals, which wrap after 4 Gi
// packets; the differences are taken modulo 2^32, so only a gap of 4 Gi
// packets between two reads would be miscounted. Callers hold s.mu.
func (s *LiveSource) readKernelStats() error {
	_, v3, err := s.tp.SocketStats()
	if err != nil {
		return fmt.Errorf("capture: reading kernel stats of %s: %w", s.iface, err)
	}
	p, d := uint32(v3.Packets()), uint32(v3.Drops())
	s.kPackets += uint64(p - s.lastP)
	s.kDrops += uint64(d - s.lastD)
	s.lastP, s.lastD = p, d
	return nil
}

// linkHardwareType returns the ARPHRD type of the interface named iface in
// the calling thread's network namespace, asking the kernel over rtnetlink
// (sysfs may show another namespace).
func linkHardwareType(iface string) (uint16, error) {
	rib, err := syscall.NetlinkRIB(syscall.RTM_GETLINK, syscall.AF_UNSPEC)
	if err != nil {
		return 0, fmt.Errorf("capture: listing interfaces: %w", err)
	}
	msgs, err := syscall.ParseNetlinkMessage(rib)
	if err != nil {
		return 0, fmt.Errorf("capture: listing interfaces: %w", err)
	}
	for _, m := range msgs {
		if m.Header.Type != syscall.RTM_NEWLINK || len(m.Data) < syscall.SizeofIfInfomsg {
			continue
		}
		info := (*syscall.IfInfomsg)(unsafe.Pointer(&m.Data[0]))
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			continue
		}
		for _, a := range attrs {
			if a.Attr.Type == syscall.IFLA_IFNAME && nulTerminated(a.Value) == iface {
				return info.Type, nil
			}
		}
	}
	return 0, &liveError{fmt.Sprintf("capture: interface %q not found", iface), ErrNoInterface}
}

// nulTerminated returns b up to its first NUL byte as a string.
func nulTerminated(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// linkTypeOfHardware maps an ARPHRD type to the link type of the frames an
// AF_PACKET SOCK_RAW socket reads on it: Ethernet where the device has an
// Ethernet header (loopback has one with zero addresses), raw IP on layer-3
// devices, which have no link header at all.
func linkTypeOfHardware(hatype uint16) (LinkType, bool) {
	switch hatype {
	case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		return LinkTypeEthernet, true
	case unix.ARPHRD_NONE, unix.ARPHRD_RAWIP, unix.ARPHRD_PPP, unix.ARPHRD_TUNNEL, unix.ARPHRD_TUNNEL6:
		return LinkTypeRaw, true
	}
	return 0, false
}
