//go:build realtraffic

package realtraffic

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// capture is a running tcpdump writing a pcap file.
type capture struct {
	// Path is the pcap file.
	Path string
	d    *daemon
	// Captured and KernelDrops are tcpdump's closing counters (valid after
	// stop).
	Captured, KernelDrops int
	// Holes and Missing count the TCP byte ranges absent from the capture
	// for good, and their bytes (valid after stop).
	Holes   int
	Missing int64
}

// capLossFilter is a BPF filter that leaves out of the capture every IPv4
// TCP segment with payload whose sequence number falls in a window of 256
// bytes out of every 4096: about one data segment in 16, and (as 1448-byte
// segments step through that pattern) surely some of every file longer than
// a few dozen segments. Retransmissions carry the same sequence number, so
// those bytes are missing from the capture for good: real capture loss,
// while the endpoints see every byte.
const capLossFilter = "not (ip and tcp and (ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) > 0 and (tcp[6] & 0x0f) = 0x05)"

// startCapture starts tcpdump on dev in namespace ns, writing every packet
// in full to dir/name.pcap, and returns once tcpdump is listening. filter is
// a BPF filter ("" for all packets).
func startCapture(t *testing.T, ctx context.Context, ns, dev, dir, name, filter string) *capture {
	t.Helper()
	c := &capture{Path: filepath.Join(dir, name+".pcap")}
	// -Z root: Debian's tcpdump drops to the tcpdump user after opening the
	// interface, and then could not write into the test's 0700 temp dir.
	// --immediate-mode: without it, packets still in a ring block that the
	// kernel hasn't handed over when SIGINT comes are lost. No -U: writing
	// each packet with its own system call makes tcpdump fall behind (and
	// the kernel drop packets) on a busy machine; SIGINT flushes the file.
	argv := []string{"tcpdump", "-i", dev, "-n", "--immediate-mode", "-s", "0", "-B", "65536", "-Z", "root", "-w", c.Path}
	if filter != "" {
		argv = append(argv, filter)
	}
	c.d = startDaemon(t, ctx, ns, "tcpdump-"+name, argv...)
	if err := c.d.waitLine(ctx, "listening on", 10*time.Second); err != nil {
		t.Fatalf("capture: %v", err)
	}
	return c
}

var tcpdumpCounter = regexp.MustCompile(`(\d+) packets? (captured|dropped by kernel)`)

// stop lets the last packets arrive, stops tcpdump with SIGINT so that it
// flushes the file, and reads its counters. A capture that lost packets in
// the kernel is reported, since the files in it are then incomplete.
func (c *capture) stop(t *testing.T) {
	t.Helper()
	time.Sleep(300 * time.Millisecond)
	if !c.d.signal(syscall.SIGINT, 10*time.Second) {
		t.Fatalf("capture: tcpdump did not stop on SIGINT")
	}
	c.d.mu.Lock()
	out := strings.Join(c.d.lines, "\n")
	c.d.mu.Unlock()
	for _, m := range tcpdumpCounter.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		if m[2] == "captured" {
			c.Captured = n
		} else {
			c.KernelDrops = n
		}
	}
	if c.Captured == 0 {
		t.Fatalf("capture %s: tcpdump captured no packets:\n%s", c.Path, out)
	}
	if c.KernelDrops > 0 {
		t.Logf("capture %s: tcpdump reports %d packets dropped by the kernel: files may be TRUNCATED", c.Path, c.KernelDrops)
	}
	var err error
	if c.Holes, c.Missing, err = captureHoles(c.Path); err != nil {
		t.Fatal(err)
	}
}

// String summarises the capture for logs.
func (c *capture) String() string {
	return fmt.Sprintf("%s (%d packets, %d kernel drops, %d holes of %d bytes)", filepath.Base(c.Path), c.Captured, c.KernelDrops, c.Holes, c.Missing)
}
