package report

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll drains a source into "line" strings and "!pos: damage" strings.
func readAll(t *testing.T, src Source) []string {
	t.Helper()
	var out []string
	for i := 0; i < 1000; i++ {
		line, err := src.Next()
		if err == io.EOF {
			return out
		}
		var de *DamageError
		switch {
		case errors.As(err, &de):
			out = append(out, "!"+de.Error())
		case err != nil:
			t.Fatalf("source failed: %v", err)
		default:
			out = append(out, src.Pos()+" "+string(line))
		}
	}
	t.Fatal("source never ended")
	return nil
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func TestLineSource(t *testing.T) {
	long := strings.Repeat("x", 100)
	cases := []struct {
		name  string
		input func(t *testing.T) []byte
		max   int
		want  []string
	}{
		{"lines", func(*testing.T) []byte { return []byte("{a}\n{b}\n") }, 0, []string{"f:1 {a}", "f:2 {b}"}},
		{"crlf", func(*testing.T) []byte { return []byte("{a}\r\n{b}\r\n") }, 0, []string{"f:1 {a}", "f:2 {b}"}},
		{"last line without newline", func(*testing.T) []byte { return []byte("{a}\n{b") }, 0, []string{"f:1 {a}", "f:2 {b"}},
		{"empty lines kept for numbering", func(*testing.T) []byte { return []byte("\n{a}\n") }, 0, []string{"f:1 ", "f:2 {a}"}},
		{"empty input", func(*testing.T) []byte { return nil }, 0, nil},
		{"line at the limit", func(*testing.T) []byte { return []byte(long + "\n{b}\n") }, 100, []string{"f:1 " + long, "f:2 {b}"}},
		{"line over the limit is skipped", func(*testing.T) []byte { return []byte(long + "y\n{b}\n") }, 100,
			[]string{"!f:1: line longer than 100 bytes (skipped)", "f:2 {b}"}},
		{"last line over the limit", func(*testing.T) []byte { return []byte("{a}\n" + long + "y") }, 100,
			[]string{"f:1 {a}", "!f:2: line longer than 100 bytes (skipped)"}},
		{"gzip", func(t *testing.T) []byte { return gz(t, "{a}\n{b}\n") }, 0, []string{"f:1 {a}", "f:2 {b}"}},
		{"gzip members concatenated (rotated logs)", func(t *testing.T) []byte { return append(gz(t, "{a}\n"), gz(t, "{b}\n")...) }, 0,
			[]string{"f:1 {a}", "f:2 {b}"}},
		{"truncated gzip", func(t *testing.T) []byte {
			z := gz(t, strings.Repeat("{\"event_type\":\"flow\"}\n", 2000))
			return z[:len(z)/2]
		}, 0, nil}, // checked below: lines, then one damage naming the line
		{"gzip header cut", func(t *testing.T) []byte { return gz(t, "{a}\n")[:5] }, 0,
			[]string{"!f:1: gzip: compressed stream is truncated (the rest of the file is lost)"}},
		{"gzip followed by garbage", func(t *testing.T) []byte { return append(gz(t, "{a}\n"), "garbage! not a gzip member"...) }, 0,
			[]string{"f:1 {a}", "!f:2: gzip: invalid header (not gzip, or damaged)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.input(t)
			for _, feeder := range []struct {
				name string
				r    func() io.Reader
			}{
				{"whole", func() io.Reader { return bytes.NewReader(data) }},
				{"byte at a time", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }},
			} {
				src, err := NewLineSource("f", io.NopCloser(feeder.r()), tc.max)
				if err != nil {
					t.Fatal(err)
				}
				got := readAll(t, src)
				if tc.name == "truncated gzip" {
					if len(got) < 2 || !strings.HasPrefix(got[len(got)-1], "!f:") ||
						!strings.Contains(got[len(got)-1], "gzip: compressed stream is truncated") {
						t.Fatalf("%s: want lines then a truncation damage, got %d items ending %q", feeder.name, len(got), got[len(got)-1])
					}
					wantPos := "!f:" + strconv.Itoa(len(got)) + ":"
					if !strings.HasPrefix(got[len(got)-1], wantPos) {
						t.Fatalf("%s: damage %q, want it at the line after the last whole one (%s)", feeder.name, got[len(got)-1], wantPos)
					}
					continue
				}
				if strings.Join(got, "|") != strings.Join(tc.want, "|") {
					t.Fatalf("%s:\n got %q\nwant %q", feeder.name, got, tc.want)
				}
			}
		})
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "eve.json")
	os.WriteFile(plain, []byte("{a}\n"), 0o644)
	zipped := filepath.Join(dir, "eve.json.1") // gzip is known by content, not name
	os.WriteFile(zipped, gz(t, "{b}\n"), 0o644)
	for _, tc := range []struct{ path, want string }{{plain, plain + ":1 {a}"}, {zipped, zipped + ":1 {b}"}} {
		src, err := Open(tc.path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, src); len(got) != 1 || got[0] != tc.want {
			t.Fatalf("got %q, want %q", got, tc.want)
		}
		src.Close()
	}
	src, err := Open("-", strings.NewReader("{c}\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, src); len(got) != 1 || got[0] != "stdin:1 {c}" {
		t.Fatalf("stdin: got %q", got)
	}
	if _, err := Open(filepath.Join(dir, "missing.json"), nil, 0); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := Open(dir, nil, 0); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("directory: %v", err)
	}
}

// failingReader fails after its data: an I/O error is not damage.
type failingReader struct{ data []byte }

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestLineSourceIOError(t *testing.T) {
	src, _ := NewLineSource("f", io.NopCloser(&failingReader{data: []byte("{a}\n{b")}), 0)
	if line, err := src.Next(); err != nil || string(line) != "{a}" {
		t.Fatalf("first line: %q %v", line, err)
	}
	_, err := src.Next()
	var de *DamageError
	if err == nil || errors.As(err, &de) || !strings.Contains(err.Error(), "f:2: disk on fire") {
		t.Fatalf("want a source failure naming f:2, got %v", err)
	}
	if _, again := src.Next(); again == nil || again.Error() != err.Error() {
		t.Fatalf("failure is not sticky: %v", again)
	}
}
