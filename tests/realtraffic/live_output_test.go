//go:build realtraffic

package realtraffic

import (
	"bufio"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRealTrafficLiveOutputs runs `wirescan live` with a unix stream
// output next to eve.json: real downloads, then SIGTERM; every event of
// eve.json must have reached the socket, in order, and the output's
// metrics must say so while it runs.
func TestRealTrafficLiveOutputs(t *testing.T) {
	ctx, h, bin := newLiveHTTPEnv(t, 60*time.Second)
	// A pathname unix socket is reachable from the sensor's namespace.
	sock := filepath.Join(t.TempDir(), "eve.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skip(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		sc := bufio.NewScanner(c)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			mu.Lock()
			got = append(got, sc.Text())
			mu.Unlock()
		}
	}()
	sensor := startLive(t, ctx, bin, h.pair.Client, h.pair.ClientIf,
		"--output", "unix:"+sock+"?type=stream&spool="+t.TempDir(), "--set", "sensor-name=span-test")
	for i, size := range []int{10 << 10, 300 << 10, 2 << 20} {
		if d := h.download(ctx, "/out/f"+string(rune('a'+i))+".bin", randomBytes(uint64(50+i), size)); d.err != nil {
			t.Fatal(d.err)
		}
	}
	if _, ok := sensor.waitMetrics(ctx, 10*time.Second, func(m promSamples) bool {
		return m[`wirescan_output_delivered_total{output="unix0"}`] >= 3 && m[`wirescan_output_connected{output="unix0"}`] == 1
	}); !ok {
		t.Fatal("the unix output's metrics do not show the fileinfo events delivered")
	}
	events := sensor.terminate(t)
	wg.Wait() // the sensor closed the socket at shutdown
	if len(events) == 0 || len(got) != len(events) {
		t.Fatalf("socket got %d events, eve.json has %d", len(got), len(events))
	}
	for i, ev := range events {
		if got[i] != ev.Raw {
			t.Fatalf("event %d differs:\n got %.200s\nwant %.200s", i, got[i], ev.Raw)
		}
		if !strings.Contains(ev.Raw, `"host":"span-test"`) {
			t.Fatalf("event %d has no host: %.200s", i, ev.Raw)
		}
	}
}
