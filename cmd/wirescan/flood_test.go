package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

// TestDetectionSurvivesAFlood: an EICAR download whose request and response
// are separated by 50,000 spoofed SYNs and 5,000 half-open HTTP responses
// is still alerted, with the default limits, with a flow memcap starved
// so far that the download's own flow is evicted before its response (it
// is picked up again midstream), and with an app-layer memcap that the
// half-open connections would exhaust if they kept their header buffers.
// The flood writes no event of its own.
func TestDetectionSurvivesAFlood(t *testing.T) {
	var buf bytes.Buffer
	if err := pcapgen.WriteDownloadUnderFlood(&buf, 50_000, 5_000); err != nil {
		t.Fatal(err)
	}
	capture := filepath.Join(t.TempDir(), "flood.pcap")
	os.WriteFile(capture, buf.Bytes(), 0o644)
	for _, limits := range [][]string{
		nil,
		{"--set", "flow.memcap=8388608", "--set", "flow.embryonic-memcap=1048576"},
		// 5,000 connections in mid-response must not hold the parsers'
		// shared budget the download needs for its headers.
		{"--set", "app-layer-memcap=1048576"},
	} {
		args := append([]string{"-r", capture, "--set", "event-types=[alert,anomaly,flow]"}, limits...)
		lines, stderr, code := replay(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", limits, code, stderr)
		}
		n := countTypes(t, lines)
		if n["alert"] != 1 {
			t.Errorf("%v: %d alerts, want the EICAR download's 1", limits, n["alert"])
		}
		if n["flow"] > 5_002*2 || n["anomaly"] > 100 {
			t.Errorf("%v: %d flow and %d anomaly events for 55,001 flows: the flood amplifies into the log", limits, n["flow"], n["anomaly"])
		}
	}
}
