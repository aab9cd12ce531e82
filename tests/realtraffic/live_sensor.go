//go:build realtraffic

package realtraffic

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// liveMetricsPort is the port of wirescan's --metrics listener. It is bound
// on 127.0.0.1 of the namespace wirescan runs in, a namespace the test made
// and in which nothing else listens, so the port is always free.
const liveMetricsPort = "19719"

// liveShaping is the root qdisc of both veth ends in the live tests: a
// 100 Mbit/s link, slow enough that two workers on a small machine keep up.
var liveShaping = []string{"root", "tbf", "rate", "100mbit", "burst", "256kb", "latency", "50ms"}

// liveSensor is a running `wirescan live` in a namespace of the test.
type liveSensor struct {
	d    *daemon
	ns   string // namespace wirescan (and every scrape) runs in
	addr string // its --metrics address, inside ns
	dir  string // its -l directory
	bin  string
	// token is the reload-api token file.
	token string
}

// requireLiveBin returns the wirescan binary, skipping t when there is none
// (a live test has nothing to do without it).
func requireLiveBin(t *testing.T) string {
	t.Helper()
	bin := optionalBin(t)
	if bin == "" {
		t.Skip("realtraffic: no wirescan binary (set WIRESCAN_BIN or run make build): live tests need one")
	}
	return bin
}

// shapeLive limits both ends of the pair's veth to 100 Mbit/s.
func shapeLive(t *testing.T, ctx context.Context, p *netPair) {
	t.Helper()
	mustRun(t, ctx, p.Client, append([]string{"tc", "qdisc", "replace", "dev", p.ClientIf}, liveShaping...)...)
	mustRun(t, ctx, p.Server, append([]string{"tc", "qdisc", "replace", "dev", p.ServerIf}, liveShaping...)...)
}

// newLiveHTTPEnv starts an HTTP-only live test: it skips t unless root,
// the tools and the binary are there, and returns a context bounded by
// timeout (cancelled after every other cleanup), nginx on a 100 Mbit/s pair
// and the binary.
func newLiveHTTPEnv(t *testing.T, timeout time.Duration) (context.Context, *httpEnv, string) {
	t.Helper()
	requireRoot(t)
	requireTools(t, "ip", "ss", "tc", "sysctl", "nginx", "curl")
	bin := requireLiveBin(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	h := newHTTPEnv(t, ctx)
	shapeLive(t, ctx, h.pair)
	return ctx, h, bin
}

// routeThrough makes back's server reachable from front's client across
// front's veth: a second veth joins the two server namespaces, front's
// server forwards, and each side gets a host route. Traffic from front's
// client to back.ServerIP then crosses the veth a sensor on front's client
// end captures. The link's addresses (10.199.254.0/30) exist only in the two
// server namespaces.
func routeThrough(t *testing.T, ctx context.Context, front, back *netPair) {
	t.Helper()
	const fwdA, fwdB = "10.199.254.1", "10.199.254.2"
	mustRun(t, ctx, "", "ip", "link", "add", "name", "wsr", "netns", front.Server,
		"type", "veth", "peer", "name", "wsr", "netns", back.Server)
	for _, side := range []struct{ ns, ip string }{{front.Server, fwdA}, {back.Server, fwdB}} {
		mustRun(t, ctx, side.ns, "ip", "addr", "add", side.ip+"/30", "dev", "wsr")
		mustRun(t, ctx, side.ns, "ip", "link", "set", "dev", "wsr", "up")
	}
	mustRun(t, ctx, front.Server, "sysctl", "-qw", "net.ipv4.ip_forward=1")
	mustRun(t, ctx, front.Server, "ip", "route", "add", back.ServerIP+"/32", "via", fwdB)
	mustRun(t, ctx, front.Client, "ip", "route", "add", back.ServerIP+"/32", "via", front.ServerIP)
	mustRun(t, ctx, back.Server, "ip", "route", "add", front.ClientIP+"/32", "via", fwdA)
}

// startLive starts `wirescan live -i iface --workers 2` in namespace ns,
// with EVE to a temp dir, stats every second and metrics on
// 127.0.0.1:liveMetricsPort, plus extra flags; it returns once wirescan
// captures and answers on /-/healthy.
func startLive(t *testing.T, ctx context.Context, bin, ns, iface string, extra ...string) *liveSensor {
	t.Helper()
	s := &liveSensor{ns: ns, addr: "127.0.0.1:" + liveMetricsPort, dir: t.TempDir(), bin: bin}
	// The HTTP reload endpoint needs a token (reload-api): the tests reload
	// through it as an operator would.
	s.token = filepath.Join(t.TempDir(), "reload.token")
	if err := os.WriteFile(s.token, []byte("realtraffic-reload-token-0123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	argv := append([]string{bin, "live", "-i", iface, "--workers", "2", "-l", s.dir,
		"--metrics", s.addr, "--stats-interval", "1s",
		"--set", "reload-api.enabled=true", "--set", "reload-api.token-file=" + s.token}, extra...)
	s.d = startDaemon(t, ctx, ns, "wirescan-live", argv...)
	if err := s.d.waitLine(ctx, "capturing on", 15*time.Second); err != nil {
		t.Fatalf("wirescan live: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := run(ctx, ns, "curl", "-sS", "--fail", "--max-time", "2", "http://"+s.addr+"/-/healthy")
		if err == nil {
			return s
		}
		if s.d.exited() || time.Now().After(deadline) {
			t.Fatalf("wirescan live: /-/healthy does not answer: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// promSamples is one /metrics scrape: sample values by name with labels, as
// the exposition format writes them (`wirescan_files_total{proto="http"}`).
type promSamples map[string]float64

// scrape reads /metrics.
func (s *liveSensor) scrape(ctx context.Context) (promSamples, error) {
	out, err := run(ctx, s.ns, "curl", "-sS", "--fail", "--max-time", "5", "http://"+s.addr+"/metrics")
	if err != nil {
		return nil, err
	}
	return parseProm(out), nil
}

// parseProm parses the Prometheus text format (comments skipped).
func parseProm(text string) promSamples {
	m := promSamples{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			m[line[:i]] = v
		}
	}
	return m
}

// describe lists the wirescan samples whose names start with one of the
// prefixes, for logs.
func (m promSamples) describe(prefixes ...string) string {
	var lines []string
	for k, v := range m {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				lines = append(lines, fmt.Sprintf("%s %g", k, v))
				break
			}
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// waitMetrics scrapes every 250ms until ok accepts the samples or timeout
// passes, and returns the last scrape (and whether ok accepted it).
func (s *liveSensor) waitMetrics(ctx context.Context, timeout time.Duration, ok func(promSamples) bool) (promSamples, bool) {
	deadline := time.Now().Add(timeout)
	var last promSamples
	for {
		m, err := s.scrape(ctx)
		if err == nil {
			last = m
			if ok(m) {
				return m, true
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil || s.d.exited() {
			return last, false
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// terminate sends SIGTERM, fails t unless wirescan exits 0 within 30s, and
// returns the events it wrote.
func (s *liveSensor) terminate(t *testing.T) []eveEvent {
	t.Helper()
	start := time.Now()
	if !s.d.signal(syscall.SIGTERM, 30*time.Second) {
		t.Fatalf("wirescan live: still running 30s after SIGTERM")
	}
	if s.d.err != nil {
		t.Errorf("wirescan live: after SIGTERM: %v (want exit status 0)", s.d.err)
	} else {
		t.Logf("wirescan live: exit 0, %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	}
	events, err := readEVE(filepath.Join(s.dir, "eve.json"))
	if err != nil {
		t.Fatalf("wirescan live: %v", err)
	}
	return events
}

// reloadCmd runs `wirescan reload --metrics ADDR` in the sensor's
// namespace.
func (s *liveSensor) reloadCmd(ctx context.Context) (string, error) {
	return run(ctx, s.ns, s.bin, "reload", "--metrics", s.addr, "--token-file", s.token)
}
