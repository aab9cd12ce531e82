package file

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func line(i int) []byte { return fmt.Appendf(nil, `{"event_type":"flow","n":%d}`+"\n", i) }

// readAll concatenates the rotated files (decompressing .gz) and the
// current file, oldest first.
func readAll(t *testing.T, path string) []byte {
	t.Helper()
	files, err := Rotated(path)
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, f := range append(files, path) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		all = append(all, data...)
	}
	return all
}

func TestRotateBySizeKeepsEveryLineInOrder(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "eve.json")
			s, err := Open(Config{Path: path, RotateBytes: 1000, Gzip: gz})
			if err != nil {
				t.Fatal(err)
			}
			var want []byte
			for i := range 300 {
				want = append(want, line(i)...)
				if err := s.Write(line(i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := readAll(t, path); !bytes.Equal(got, want) {
				t.Fatalf("rotated files do not add up to what was written (%d vs %d bytes)", len(got), len(want))
			}
			files, _ := Rotated(path)
			if st := s.Stats(); st.Rotations != uint64(len(files)) || len(files) < 5 {
				t.Fatalf("%d rotations, %d files", st.Rotations, len(files))
			}
			for _, f := range files {
				if strings.HasSuffix(f, ".gz") != gz {
					t.Fatalf("%s: compressed=%v, want %v", f, !gz, gz)
				}
				if st, _ := os.Stat(f); !gz && st.Size() > 1000 {
					t.Fatalf("%s is %d bytes, over the 1000 limit", f, st.Size())
				}
			}
		})
	}
}

func TestRotateKeep(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eve.json")
	s, err := Open(Config{Path: path, RotateBytes: 100, Keep: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if err := s.Write(line(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	files, _ := Rotated(path)
	if len(files) != 2 {
		t.Fatalf("%d rotated files kept, want 2: %v", len(files), files)
	}
	// The newest two are kept: the last rotated file ends just before
	// what the current file starts with.
	last, _ := os.ReadFile(files[1])
	cur, _ := os.ReadFile(path)
	if !bytes.Contains(append(last, cur...), append(line(48), line(49)...)) {
		t.Fatal("the newest lines are not in the newest files")
	}
}

func TestRotateByTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eve.json")
	now := time.Date(2026, 1, 1, 10, 59, 0, 0, time.UTC)
	s, err := Open(Config{Path: path, RotateEvery: time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	s.Write(line(1))
	now = now.Add(30 * time.Second)
	s.Write(line(2))
	now = now.Add(31 * time.Second) // 11:00:01
	s.Write(line(3))
	now = now.Add(time.Hour)
	if err := s.Flush(); err != nil { // an idle sensor rotates on the periodic flush
		t.Fatal(err)
	}
	s.Close(context.Background())
	files, _ := Rotated(path)
	if len(files) != 2 {
		t.Fatalf("%d rotated files, want 2 (at 11:00 and 12:00): %v", len(files), files)
	}
	if !strings.HasSuffix(files[0], ".20260101T110001.000000000") {
		t.Fatalf("rotated file named %s", files[0])
	}
	first, _ := os.ReadFile(files[0])
	if !bytes.Equal(first, append(line(1), line(2)...)) {
		t.Fatalf("first hour holds %q", first)
	}
}

func TestReopenAfterLogrotate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "eve.json")
	s, err := Open(Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	s.Write(line(1))
	s.Flush()
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	s.Write(line(2)) // still goes to the renamed file (as logrotate expects until HUP)
	if err := s.Reopen(); err != nil {
		t.Fatal(err)
	}
	s.Write(line(3))
	s.Close(context.Background())
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if !bytes.Equal(old, append(line(1), line(2)...)) || !bytes.Equal(cur, line(3)) {
		t.Fatalf("old %q, new %q", old, cur)
	}
}
