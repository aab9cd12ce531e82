package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// liveNSPrefix starts the names of the namespaces these tests create; the
// PID after it keeps parallel runs apart and lets a later run remove what a
// killed run left.
const liveNSPrefix = "wscap"

// liveNetSeq numbers the namespace pairs of this process and picks the third
// octet of their 10.198.x.0/30 network.
var liveNetSeq atomic.Int32

// liveNet is two network namespaces joined by a veth pair. Its addresses
// exist only inside the two namespaces, so test traffic never leaves them.
type liveNet struct {
	nsA, nsB string // namespace names
	ifA, ifB string // veth ends
	ipA, ipB string // 10.198.x.1 and 10.198.x.2
}

// newLiveNet creates a namespace pair and registers its removal. It skips t
// when the machine can't (not root, no iproute2, no namespaces).
func newLiveNet(t *testing.T) *liveNet {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("capture: live capture tests need root (network namespaces and AF_PACKET)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("capture: live capture tests need iproute2's ip command")
	}
	removeStaleLiveNets()
	n := liveNetSeq.Add(1)
	base := fmt.Sprintf("%s%d-%d", liveNSPrefix, os.Getpid(), n)
	ln := &liveNet{
		nsA: base + "a", nsB: base + "b", ifA: "wcapa", ifB: "wcapb",
		ipA: fmt.Sprintf("10.198.%d.1", n%250), ipB: fmt.Sprintf("10.198.%d.2", n%250),
	}
	for _, ns := range []string{ln.nsA, ln.nsB} {
		if err := ipCmd("netns", "add", ns); err != nil {
			t.Skipf("capture: can't create a network namespace: %v", err)
		}
		t.Cleanup(func() { _ = ipCmd("netns", "del", ns) })
	}
	// The veth ends are made inside the namespaces: no name is ever taken
	// in the host's namespace.
	steps := [][]string{
		{"link", "add", "name", ln.ifA, "netns", ln.nsA, "type", "veth", "peer", "name", ln.ifB, "netns", ln.nsB},
		{"-n", ln.nsA, "addr", "add", ln.ipA + "/30", "dev", ln.ifA},
		{"-n", ln.nsB, "addr", "add", ln.ipB + "/30", "dev", ln.ifB},
		{"-n", ln.nsA, "link", "set", ln.ifA, "up"},
		{"-n", ln.nsB, "link", "set", ln.ifB, "up"},
	}
	for _, s := range steps {
		if err := ipCmd(s...); err != nil {
			t.Fatal(err)
		}
	}
	return ln
}

// ipCmd runs iproute2's ip with a bounded run time.
func ipCmd(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// removeStaleLiveNets deletes the namespaces of earlier runs whose process
// is gone (a run killed by a timeout never runs its cleanups).
func removeStaleLiveNets() {
	entries, _ := os.ReadDir("/var/run/netns")
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), liveNSPrefix)
		pidText, _, dash := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if ok && dash && err == nil && pid != os.Getpid() && syscall.Kill(pid, 0) == syscall.ESRCH {
			_ = ipCmd("netns", "del", e.Name())
		}
	}
}

// inNetns runs fn on an OS thread moved into namespace ns. The thread stays
// locked and ends with its goroutine, so nothing else ever runs in ns by
// mistake. Sockets fn makes belong to ns and can be used from anywhere.
func inNetns(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		f, err := os.Open("/var/run/netns/" + ns)
		if err != nil {
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// testLiveOptions are small rings and a short poll, for tests.
func testLiveOptions() LiveOptions {
	o := DefaultLiveOptions()
	o.BlockSize = 256 << 10
	o.NumBlocks = 8
	o.PollTimeout = 100 * time.Millisecond
	return o
}

// openLiveIn opens a LiveSource on ifB inside nsB and closes it at cleanup.
func (ln *liveNet) openLiveIn(t *testing.T, opts LiveOptions) *LiveSource {
	t.Helper()
	var src *LiveSource
	err := inNetns(ln.nsB, func() (err error) {
		src, err = OpenLive(ln.ifB, opts)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// tcpConns makes conns TCP connections from nsA to ipB:port, each sending
// payload and closing; a listener in nsB reads each to the end and closes.
// It returns when every connection is closed on both sides.
func (ln *liveNet) tcpConns(t *testing.T, port, conns int, payload []byte) {
	t.Helper()
	var l net.Listener
	if err := inNetns(ln.nsB, func() (err error) {
		l, err = net.Listen("tcp4", net.JoinHostPort(ln.ipB, strconv.Itoa(port)))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var served sync.WaitGroup
	served.Add(conns)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer served.Done()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				_, _ = io.Copy(io.Discard, c)
				_ = c.Close()
			}()
		}
	}()
	for range conns {
		var c net.Conn
		if err := inNetns(ln.nsA, func() (err error) {
			c, err = net.DialTimeout("tcp4", net.JoinHostPort(ln.ipB, strconv.Itoa(port)), 5*time.Second)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write(payload); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_ = c.(*net.TCPConn).CloseWrite()
		_, _ = io.Copy(io.Discard, c) // until the server's FIN
		_ = c.Close()
	}
	served.Wait()
}

// captured is a copy of a Packet, kept after the next Next call.
type captured struct {
	Packet
	data []byte
}

// drain reads src until it has been quiet for two poll timeouts, or 10s.
func drain(t *testing.T, src *LiveSource) []captured {
	t.Helper()
	var out []captured
	quiet := 0
	for end := time.Now().Add(10 * time.Second); quiet < 2 && time.Now().Before(end); {
		p, err := src.Next()
		if errors.Is(err, ErrTimeout) {
			quiet++
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		quiet = 0
		out = append(out, captured{Packet: p, data: bytes.Clone(p.Data)})
	}
	return out
}

// tcp4Ports returns the ports of an Ethernet/IPv4/TCP frame; ok is false for
// any other frame.
func tcp4Ports(f []byte) (sport, dport uint16, ok bool) {
	if len(f) < 14+20 || binary.BigEndian.Uint16(f[12:]) != 0x0800 || f[14+9] != 6 {
		return 0, 0, false
	}
	ihl := int(f[14]&0x0f) * 4
	if len(f) < 14+ihl+4 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(f[14+ihl:]), binary.BigEndian.Uint16(f[14+ihl+2:]), true
}

func TestLiveCapture(t *testing.T) {
	ln := newLiveNet(t)
	src := ln.openLiveIn(t, testLiveOptions())
	shortOpts := testLiveOptions()
	shortOpts.Snaplen = 96
	short := ln.openLiveIn(t, shortOpts)
	allocs := ln.openLiveIn(t, testLiveOptions())

	start := time.Now()
	payload := append([]byte("wirescan-live-marker:"), bytes.Repeat([]byte{'x'}, 1000)...)
	ln.tcpConns(t, 8080, 1, payload)
	pkts := drain(t, src)

	var tcp, bytesSeen int
	marker := false
	for i, p := range pkts {
		if p.LinkType != LinkTypeEthernet {
			t.Fatalf("packet %d: link type %v, want ethernet", i, p.LinkType)
		}
		if p.Num != uint64(i+1) {
			t.Fatalf("packet %d: Num %d, want %d", i, p.Num, i+1)
		}
		if p.Length < len(p.data) || p.Timestamp.Before(start.Add(-time.Minute)) || p.Timestamp.After(time.Now().Add(time.Minute)) || p.Timestamp.Location() != time.UTC {
			t.Fatalf("packet %d: length %d for %d bytes, timestamp %v", i, p.Length, len(p.data), p.Timestamp)
		}
		if _, _, ok := tcp4Ports(p.data); ok {
			tcp++
		}
		marker = marker || bytes.Contains(p.data, payload)
		bytesSeen += len(p.data)
	}
	// SYN, SYN-ACK, ACK, data, ACK, and two FIN/ACK exchanges at the least.
	if tcp < 7 || !marker {
		t.Fatalf("saw %d packets, %d of them TCP, payload seen: %v", len(pkts), tcp, marker)
	}
	if st := src.Stats(); st.Packets != uint64(len(pkts)) || st.Bytes != uint64(bytesSeen) {
		t.Errorf("Stats() = %+v, want %d packets, %d bytes", st, len(pkts), bytesSeen)
	}
	kp, kd, err := src.KernelStats()
	if err != nil || kp < uint64(len(pkts)) {
		t.Fatalf("KernelStats() = %d packets, %d drops, %v; want at least %d packets", kp, kd, err, len(pkts))
	}
	// The kernel resets its counters on each read; the totals must not.
	kp2, kd2, err := src.KernelStats()
	if err != nil || kp2 < kp || kd2 < kd {
		t.Fatalf("second KernelStats() = %d, %d, %v after %d, %d", kp2, kd2, err, kp, kd)
	}
	t.Logf("%d packets captured, kernel: %d packets, %d drops", len(pkts), kp2, kd2)

	cut := false
	for _, p := range drain(t, short) {
		if len(p.data) > 96 {
			t.Fatalf("snaplen 96 gave %d bytes", len(p.data))
		}
		cut = cut || p.Length > 96
	}
	if !cut {
		t.Error("snaplen 96: no packet reported a wire length over 96")
	}

	// A packet read from the ring allocates nothing (untagged frames; a
	// VLAN tag put back into Data costs one copy).
	if n := testing.AllocsPerRun(5, func() {
		if _, err := allocs.Next(); err != nil {
			t.Fatalf("Next: %v", err)
		}
	}); n != 0 {
		t.Errorf("Next allocates %v times per packet", n)
	}

	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Next(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Next after Close: %v, want net.ErrClosed", err)
	}
	if kp3, kd3, err := src.KernelStats(); err != nil || kp3 < kp2 || kd3 < kd2 {
		t.Errorf("KernelStats after Close = %d, %d, %v", kp3, kd3, err)
	}
	if err := src.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestLiveFanout opens two sockets in one fanout group and a reference
// socket outside it: together the two see exactly the frames the reference
// sees, each once, and every TCP connection stays on one socket.
func TestLiveFanout(t *testing.T) {
	ln := newLiveNet(t)
	opts := testLiveOptions()
	opts.FanoutGroup = 4242
	fan := []*LiveSource{ln.openLiveIn(t, opts), ln.openLiveIn(t, opts)}
	ref := ln.openLiveIn(t, testLiveOptions())

	const conns = 24 // all on one socket by chance: 2^-23
	ln.tcpConns(t, 8080, conns, bytes.Repeat([]byte("fanout "), 300))

	want := map[string]int{}
	for _, p := range drain(t, ref) {
		if _, _, ok := tcp4Ports(p.data); ok {
			want[string(p.data)]++
		}
	}
	got := map[string]int{}
	connSocket := map[[2]uint16]map[int]bool{}
	for i, src := range fan {
		n := 0
		for _, p := range drain(t, src) {
			sp, dp, ok := tcp4Ports(p.data)
			if !ok {
				continue
			}
			n++
			got[string(p.data)]++
			key := [2]uint16{min(sp, dp), max(sp, dp)}
			if connSocket[key] == nil {
				connSocket[key] = map[int]bool{}
			}
			connSocket[key][i] = true
		}
		if n == 0 {
			t.Errorf("fanout socket %d saw no TCP frame", i)
		}
		t.Logf("fanout socket %d: %d TCP frames", i, n)
	}
	if len(want) == 0 {
		t.Fatal("reference socket saw no TCP frame")
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("a frame the reference saw %d times reached the group %d times", n, got[k])
		}
	}
	for k, n := range got {
		if want[k] == 0 {
			t.Errorf("the group saw a frame %d times that the reference never saw", n)
		}
	}
	if len(connSocket) != conns {
		t.Errorf("saw %d connections, want %d", len(connSocket), conns)
	}
	for k, socks := range connSocket {
		if len(socks) != 1 {
			t.Errorf("connection on ports %v reached sockets %v", k, socks)
		}
	}
}

// TestLiveBPF attaches tcpdump's compiled 'tcp port 80' program: only port-80
// frames come through, while an unfiltered socket sees port 81 too.
func TestLiveBPF(t *testing.T) {
	ln := newLiveNet(t)
	prog, err := ParseBPF(tcpPort80BPF)
	if err != nil {
		t.Fatal(err)
	}
	opts := testLiveOptions()
	opts.BPF = prog
	filtered := ln.openLiveIn(t, opts)
	all := ln.openLiveIn(t, testLiveOptions())

	ln.tcpConns(t, 80, 2, []byte("GET / HTTP/1.0\r\n\r\n"))
	ln.tcpConns(t, 81, 2, []byte("not http"))

	port80 := 0
	for _, p := range drain(t, filtered) {
		sp, dp, ok := tcp4Ports(p.data)
		if !ok || (sp != 80 && dp != 80) {
			t.Fatalf("filter let through a frame that is not TCP port 80: % x", p.data[:min(len(p.data), 64)])
		}
		port80++
	}
	port81 := 0
	for _, p := range drain(t, all) {
		if sp, dp, ok := tcp4Ports(p.data); ok && (sp == 81 || dp == 81) {
			port81++
		}
	}
	if port80 < 14 || port81 < 14 {
		t.Fatalf("filtered socket saw %d port-80 frames, unfiltered %d port-81 frames; want at least 14 each", port80, port81)
	}
}

func TestOpenLiveErrors(t *testing.T) {
	_, err := OpenLive("wsnosuch0", DefaultLiveOptions())
	if err == nil || err.Error() != `capture: interface "wsnosuch0" not found` || !errors.Is(err, ErrNoInterface) {
		t.Errorf("missing interface: got %v", err)
	}

	bad := DefaultLiveOptions()
	bad.BlockSize = 1000
	if _, err := OpenLive("lo", bad); err == nil || !strings.Contains(err.Error(), "not a multiple of the page size") {
		t.Errorf("bad block size: got %v", err)
	}

	// Without CAP_NET_RAW (dropped on one thread inside a test namespace,
	// so nothing is ever opened on the host).
	ln := newLiveNet(t)
	err = inNetns(ln.nsB, func() error {
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var caps [2]unix.CapUserData
		if err := unix.Capget(&hdr, &caps[0]); err != nil {
			return err
		}
		caps[0].Effective &^= 1 << unix.CAP_NET_RAW
		caps[0].Permitted &^= 1 << unix.CAP_NET_RAW
		if err := unix.Capset(&hdr, &caps[0]); err != nil {
			return err
		}
		src, err := OpenLive(ln.ifB, DefaultLiveOptions())
		if err == nil {
			_ = src.Close()
			return errors.New("OpenLive worked without CAP_NET_RAW")
		}
		want := "capture: opening " + ln.ifB + " needs CAP_NET_RAW (run as root or grant the capability)"
		if err.Error() != want || !errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("got %q (permission: %v), want %q", err, errors.Is(err, os.ErrPermission), want)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
