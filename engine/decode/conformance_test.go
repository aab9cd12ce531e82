package decode

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/wirescan/wirescan/engine/capture"
)

// TestConformanceCapturesDecode decodes every packet of every conformance
// capture (skipped when the suite is absent; WIRESCAN_CONFORMANCE overrides
// its location). No packet may be malformed or of an unknown link type, and
// every packet must be accounted for.
func TestConformanceCapturesDecode(t *testing.T) {
	dir := os.Getenv("WIRESCAN_CONFORMANCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "conformance")
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "cases", "*", "*.pcap*"))
	if len(paths) == 0 {
		t.Skipf("no conformance captures under %s", dir)
	}
	cfg := DefaultConfig() // many captures carry offloaded (invalid) checksums
	var st Stats
	d := NewDecoder(&cfg, &st)
	d.setRecover(false)
	src := capture.Concat(paths, capture.Options{})
	defer src.Close()
	for {
		p, err := src.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, capture.ErrTruncated) {
			continue // a capture cut short upstream; the capture tests cover it
		}
		if err != nil {
			t.Fatal(err)
		}
		d.Decode(p.LinkType, p.Data, p.Timestamp, p.Num, p.Length)
	}
	checkAccounting(t, &st)
	t.Logf("%+v", st)
	if st.Decoded == 0 || st.UnsupportedLink != 0 || st.DecodeErrors != 0 || st.BadChecksum != 0 {
		t.Errorf("stats %+v", st)
	}
}
