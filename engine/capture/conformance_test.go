package capture

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// conformancePcaps returns the conformance suite's captures, or skips the
// test when the suite is not checked out next to the repository. The
// directory can be overridden with WIRESCAN_CONFORMANCE.
func conformancePcaps(t *testing.T) []string {
	dir := os.Getenv("WIRESCAN_CONFORMANCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "conformance")
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "cases", "*", "*.pcap*"))
	if len(paths) == 0 {
		t.Skipf("no conformance captures under %s", dir)
	}
	return paths
}

// TestConformanceCapturesRead reads every conformance capture to the end
// through one Concat source. A capture may end with a truncated record (some
// upstream captures do), but none may be corrupt.
func TestConformanceCapturesRead(t *testing.T) {
	paths := conformancePcaps(t)
	src := Concat(paths, Options{})
	defer src.Close()
	var last, damaged uint64
	for {
		p, err := src.Next()
		if err == io.EOF {
			break
		}
		var de *DamageError
		if errors.As(err, &de) && errors.Is(err, ErrTruncated) {
			t.Logf("%v", err)
			damaged++
			continue
		}
		if err != nil {
			t.Fatalf("%v", err)
		}
		if p.Num != last+1 || p.Length < len(p.Data) {
			t.Fatalf("packet %d after %d: length %d < %d", p.Num, last, p.Length, len(p.Data))
		}
		last = p.Num
	}
	st := src.(StatsReporter).Stats()
	if st.Files != uint64(len(paths)) || st.Damaged != damaged || st.Packets != last {
		t.Errorf("stats = %+v over %d files", st, len(paths))
	}
	t.Logf("%d files, %d packets, %d bytes, %d truncated", st.Files, st.Packets, st.Bytes, damaged)
}
