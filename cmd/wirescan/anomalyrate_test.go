package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

// TestAnomalyRateLimit: 300 hostile connections each trip the same
// anomalies (an app-layer memcap starved to one byte); per anomaly name the
// log holds at most anomaly-rate.burst events and one summary counting the
// rest, so the log grows with the number of names, not of flows.
func TestAnomalyRateLimit(t *testing.T) {
	var buf bytes.Buffer
	if err := pcapgen.WriteDownloadUnderFlood(&buf, 0, 300); err != nil {
		t.Fatal(err)
	}
	capture := filepath.Join(t.TempDir(), "halfopen.pcap")
	os.WriteFile(capture, buf.Bytes(), 0o644)
	lines, stderr, code := replay(t, "-r", capture, "--set", "app-layer-memcap=1", "--set", "anomaly-rate.burst=5", "--set", "event-types=[anomaly]")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	logged, summarised := map[string]int{}, map[string]uint64{}
	for _, l := range lines {
		var ev struct {
			Anomaly struct {
				Event string `json:"event"`
			}
			Wirescan struct {
				Suppressed uint64 `json:"anomaly_suppressed"`
			}
		}
		if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Wirescan.Suppressed > 0 {
			summarised[ev.Anomaly.Event] += ev.Wirescan.Suppressed
		} else {
			logged[ev.Anomaly.Event]++
		}
	}
	if len(logged) == 0 {
		t.Fatal("no anomaly logged")
	}
	for name, n := range logged {
		if n > 5 {
			t.Errorf("%s: %d events, want at most 5", name, n)
		}
	}
	if summarised["http.memcap"] < 100 {
		t.Errorf("http.memcap summary counts %d held-back events, want the ~300 flows' worth", summarised["http.memcap"])
	}
}
