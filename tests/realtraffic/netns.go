//go:build realtraffic

package realtraffic

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// nsPrefix starts the name of every namespace these tests create; the PID
// after it keeps parallel runs apart and lets a later run remove the
// namespaces of a run that was killed before its cleanups ran.
const nsPrefix = "wsrt"

// pairSeq numbers the namespace pairs of this process; it also picks the
// third octet of the pair's 10.199.x.0/30 network.
var pairSeq atomic.Int32

// netPair is two network namespaces joined by a veth pair: a client side
// (where tcpdump captures) and a server side. The addresses exist only
// inside the two namespaces.
type netPair struct {
	Client, Server     string // namespace names
	ClientIf, ServerIf string // veth ends, one in each namespace
	ClientIP, ServerIP string // 10.199.x.1 and 10.199.x.2 (/30)
	ClientIP6          string // fd00:199::1 (/64)
	ServerIP6          string // fd00:199::2 (/64)
}

// newNetPair creates a namespace pair and registers its removal. It skips t
// when namespaces can't be created here.
func newNetPair(t *testing.T, ctx context.Context) *netPair {
	t.Helper()
	removeStaleNamespaces(ctx)
	n := pairSeq.Add(1)
	base := fmt.Sprintf("%s%d-%d", nsPrefix, os.Getpid(), n)
	p := &netPair{
		Client: base + "-c", Server: base + "-s",
		ClientIf: "wsc", ServerIf: "wss",
		ClientIP: fmt.Sprintf("10.199.%d.1", n%250), ServerIP: fmt.Sprintf("10.199.%d.2", n%250),
		ClientIP6: "fd00:199::1", ServerIP6: "fd00:199::2",
	}
	if _, err := run(ctx, "", "ip", "netns", "add", p.Client); err != nil {
		t.Skipf("realtraffic: can't create a network namespace: %v", err)
	}
	t.Cleanup(func() { deleteNamespace(p.Client) })
	if _, err := run(ctx, "", "ip", "netns", "add", p.Server); err != nil {
		t.Skipf("realtraffic: can't create a network namespace: %v", err)
	}
	t.Cleanup(func() { deleteNamespace(p.Server) })

	// The veth ends are created directly inside the namespaces, so no name
	// is ever taken in the host's namespace.
	mustRun(t, ctx, "", "ip", "link", "add", "name", p.ClientIf, "netns", p.Client,
		"type", "veth", "peer", "name", p.ServerIf, "netns", p.Server)
	for _, side := range []struct{ ns, dev, ip, ip6 string }{
		{p.Client, p.ClientIf, p.ClientIP, p.ClientIP6},
		{p.Server, p.ServerIf, p.ServerIP, p.ServerIP6},
	} {
		mustRun(t, ctx, side.ns, "ip", "link", "set", "lo", "up")
		mustRun(t, ctx, side.ns, "ip", "addr", "add", side.ip+"/30", "dev", side.dev)
		mustRun(t, ctx, side.ns, "ip", "-6", "addr", "add", side.ip6+"/64", "dev", side.dev, "nodad")
		mustRun(t, ctx, side.ns, "ip", "link", "set", "dev", side.dev, "up")
		mustRun(t, ctx, side.ns, append([]string{"tc", "qdisc", "replace", "dev", side.dev}, shaping...)...)
	}
	return p
}

// shaping is the veth's root qdisc when no impairment is on: 1 Gbit/s, so
// that tcpdump keeps up with the traffic on a small, busy machine.
var shaping = []string{"root", "tbf", "rate", "1gbit", "burst", "1mb", "latency", "50ms"}

// segment sets whether connections opened from now on send MTU-sized TCP
// segments (on) or GSO super-packets of up to 64 KiB (off, the kernel's
// default on veth). With it on, a capture looks like one from a wire tap and
// impairments act on single segments; with it off, like one taken on an end
// host.
func (p *netPair) segment(t *testing.T, ctx context.Context, on bool) {
	t.Helper()
	segs := "65535"
	if on {
		segs = "1"
	}
	mustRun(t, ctx, p.Client, "ip", "link", "set", "dev", p.ClientIf, "gso_max_segs", segs)
	mustRun(t, ctx, p.Server, "ip", "link", "set", "dev", p.ServerIf, "gso_max_segs", segs)
}

// deleteNamespace removes namespace ns, ending first any process still in
// it (all of them were started by these tests).
func deleteNamespace(ns string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := run(ctx, "", "ip", "netns", "pids", ns); err == nil {
		for _, f := range strings.Fields(out) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	_, _ = run(ctx, "", "ip", "netns", "del", ns)
}

// removeStaleNamespaces deletes namespaces left by an earlier run of these
// tests whose process no longer exists (a run killed by a timeout never runs
// its cleanups).
func removeStaleNamespaces(ctx context.Context) {
	out, err := run(ctx, "", "ip", "netns", "list")
	if err != nil {
		return
	}
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.HasPrefix(fields[0], nsPrefix) {
			continue
		}
		name := fields[0]
		pidText, _, ok := strings.Cut(strings.TrimPrefix(name, nsPrefix), "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			deleteNamespace(name)
		}
	}
}

// impairment describes what the network does to the IPv4 TCP segments that
// carry data, leaving the connection set-up and tear-down alone so that no
// test waits for SYN or FIN retransmission timers. Each field is "one
// segment in N" (0: never), picked at random by nftables.
type impairment struct {
	// Reorder sends the segment through a slow htb class, so that later
	// segments overtake it.
	Reorder int
	// Dup sends the segment twice.
	Dup int
	// Drop drops the segment when it arrives, after tcpdump (which sees a
	// received packet before netfilter) captured it, so the capture holds
	// it and then its retransmission. (A segment dropped on the way out
	// would never be lost: TCP sees the local drop and just sends it again.)
	Drop int
}

// String describes the impairment for logs.
func (im impairment) String() string {
	var parts []string
	for _, f := range []struct {
		name string
		n    int
	}{{"reorder", im.Reorder}, {"dup", im.Dup}, {"drop", im.Drop}} {
		if f.n > 0 {
			parts = append(parts, fmt.Sprintf("%s 1/%d", f.name, f.n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// impair applies im to the traffic both namespaces send (so uploads and
// downloads are both affected) and returns a function that removes it.
func (p *netPair) impair(ctx context.Context, im impairment) (func(), error) {
	type side struct{ ns, dev, peer string }
	sides := []side{{p.Client, p.ClientIf, p.ServerIP}, {p.Server, p.ServerIf, p.ClientIP}}
	for _, s := range sides {
		if err := impairSide(ctx, s.ns, s.dev, s.peer, im); err != nil {
			return nil, fmt.Errorf("impair %s: %w", s.ns, err)
		}
	}
	return func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, s := range sides {
			_, _ = run(cctx, s.ns, "nft", "delete", "table", "ip", "wsrt")
			_, _ = run(cctx, s.ns, append([]string{"tc", "qdisc", "replace", "dev", s.dev}, shaping...)...)
		}
	}, nil
}

// impairSide installs the htb qdisc and the nftables rules of im on dev in
// namespace ns; peer is the address duplicates are sent to.
func impairSide(ctx context.Context, ns, dev, peer string, im impairment) error {
	if im.Reorder > 0 {
		// Class 1:10 is the fast path; 1:20 is slow, so a segment put there
		// leaves after the ones sent just behind it.
		for _, argv := range [][]string{
			{"tc", "qdisc", "replace", "dev", dev, "root", "handle", "1:", "htb", "default", "10"},
			{"tc", "class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb", "rate", "1gbit", "quantum", "60000"},
			{"tc", "class", "add", "dev", dev, "parent", "1:", "classid", "1:20", "htb", "rate", "40mbit", "ceil", "40mbit", "prio", "7"},
		} {
			if _, err := run(ctx, ns, argv...); err != nil {
				return err
			}
		}
	}
	// Only data segments: SYN, FIN and RST go untouched.
	data := "tcp flags & (syn | fin | rst) == 0 ip length > 120"
	rules := []string{"table ip wsrt {", "chain in {", "type filter hook prerouting priority 0; policy accept;"}
	if im.Drop > 0 {
		rules = append(rules, fmt.Sprintf("%s numgen random mod %d == 0 drop", data, im.Drop))
	}
	rules = append(rules, "}", "chain out {", "type filter hook output priority 0; policy accept;")
	if im.Dup > 0 {
		rules = append(rules, fmt.Sprintf("%s numgen random mod %d == 0 dup to %s device %q", data, im.Dup, peer, dev))
	}
	if im.Reorder > 0 {
		rules = append(rules, fmt.Sprintf("%s numgen random mod %d == 0 meta priority set 1:20", data, im.Reorder))
	}
	rules = append(rules, "}", "}")
	script := strings.Join(rules, "\n") + "\n"
	cmd := nsCommand(ctx, ns, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("nft -f: %w\n%s\n%s", err, out, script)
	}
	return nil
}

// shape applies one test case's link settings — segmentation offload on or
// off and an impairment (reordering, duplication, loss) — and removes the
// impairment when the test ends.
func (p *netPair) shape(t *testing.T, ctx context.Context, segment bool, im impairment) {
	t.Helper()
	if im != (impairment{}) {
		requireTools(t, "tc", "nft")
	}
	p.segment(t, ctx, segment)
	if im != (impairment{}) {
		undo, err := p.impair(ctx, im)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(undo)
	}
}
