package main

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestSharedCapturesUnderStarvedLimits replays every capture of the shared
// conformance suite (third-party traffic of every shape: gaps, evasions,
// odd link types) as one capture, once with the defaults and once for each
// set of starved limits: limits may cut files short, never crash the
// process or make it fail. Skipped when ../shared is not there.
func TestSharedCapturesUnderStarvedLimits(t *testing.T) {
	pcaps, _ := filepath.Glob("../../../shared/conformance/cases/*/input.pcap")
	if len(pcaps) == 0 {
		t.Skip("../shared/conformance not found: no third-party captures to stress with")
	}
	sort.Strings(pcaps)
	var args []string
	for _, p := range pcaps {
		args = append(args, "-r", p)
	}
	for _, sets := range [][]string{
		nil,
		{"--workers", "2"},
		{"--set", "stream.max-buffered-bytes=100", "--set", "stream.max-buffered-segments=2", "--set", "stream-memcap=20000"},
		{"--set", "files.max-window-bytes=1", "--set", "files.max-buffered-bytes=10", "--set", "app-layer-memcap=1"},
		{"--set", "http.max-header-bytes=64", "--set", "http.max-chunk-line=8", "--set", "http.decompress-layers=1", "--set", "http.max-decompress-ratio=2"},
		{"--set", "probe-bytes=4", "--set", "anomalies-per-flow=0", "--set", "flow.max-flows=1"},
	} {
		var out, errb bytes.Buffer
		all := append(append([]string{"replay", "-q", "--set", "event-types=[alert,fileinfo]"}, args...), sets...)
		if code := run(all, nil, &out, &errb); code != 0 {
			t.Errorf("%v: exit %d: %s", sets, code, lastLine(errb.String()))
		}
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
