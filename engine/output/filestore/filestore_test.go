package filestore

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// TestCommitNamesFilesByHash: a committed file is kept as DIR/xx/<sha256>
// whatever it was called on the wire, a second copy is not written twice,
// an aborted or oversized one leaves nothing behind.
func TestCommitNamesFilesByHash(t *testing.T) {
	dir := t.TempDir()
	s := New(Config{Dir: dir, MaxFileBytes: 10})
	data := []byte("0123456789")
	sum := sha256.Sum256(data)
	for range 2 {
		sp, err := s.Begin()
		if err != nil {
			t.Fatal(err)
		}
		sp.Write(5, data[5:]) // out of order: the spool is written at offsets
		sp.Write(0, data[:5])
		if _, err := s.Commit(sp, sum[:]); err != nil {
			t.Fatal(err)
		}
	}
	name := hex.EncodeToString(sum[:])
	got, err := os.ReadFile(filepath.Join(dir, name[:2], name))
	if err != nil || string(got) != string(data) {
		t.Fatalf("stored %q, %v", got, err)
	}
	big, _ := s.Begin()
	big.Write(0, append(data, '!'))
	if _, err := s.Commit(big, sum[:]); err == nil {
		t.Fatal("a file over max-file-bytes was kept")
	}
	aborted, _ := s.Begin()
	aborted.Write(0, data)
	aborted.Abort()
	left, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	if len(left) != 0 {
		t.Fatalf("%d temporary files left", len(left))
	}
	if st := s.Stats(); st.Stored != 2 || st.Bytes != 20 {
		t.Fatalf("stats %+v", st)
	}
}
