package http

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvaderDebug prints the events of the cases named in WIRESCAN_HTTP_CASES.
func TestEvaderDebug(t *testing.T) {
	names := os.Getenv("WIRESCAN_HTTP_CASES")
	if names == "" {
		t.Skip("set WIRESCAN_HTTP_CASES")
	}
	for _, n := range strings.Fields(names) {
		ops, ok := readPcapFlow(t, filepath.Join(conformanceDir, n, "input.pcap"))
		if !ok {
			continue
		}
		var req string
		for _, op := range ops {
			if op.dir == 0 && op.gap == 0 {
				req += string(op.data)
			}
		}
		sink, _ := replay(ops, nil)
		line, _, _ := strings.Cut(req, "\n")
		t.Logf("== %s %s\n%s", n, line, sink.events())
	}
}
