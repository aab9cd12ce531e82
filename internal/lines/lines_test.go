package lines

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

type got struct {
	line string
	n    int
	long bool
}

func readAll(t *testing.T, r io.Reader, max int) []got {
	t.Helper()
	lr := NewReader(r, max)
	var out []got
	for {
		line, n, long, err := lr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got{string(line), n, long})
	}
}

func TestReader(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		max      int
		want     []got
	}{
		{"plain", "a\nbb\n", 8, []got{{"a", 1, false}, {"bb", 2, false}}},
		{"no final newline", "a\nbb", 8, []got{{"a", 1, false}, {"bb", 2, false}}},
		{"crlf", "a\r\n\r\nb\r\n", 8, []got{{"a", 1, false}, {"", 2, false}, {"b", 3, false}}},
		{"empty", "", 8, nil},
		{"exactly max", "abcd\n", 4, []got{{"abcd", 1, false}}},
		{"exactly max with crlf", "abcd\r\n", 4, []got{{"abcd", 1, false}}},
		{"one over", "abcde\nx\n", 4, []got{{"abcd", 1, true}, {"x", 2, false}}},
		{"far over, no newline", strings.Repeat("y", 10000), 4, []got{{"yyyy", 1, true}}},
		{"far over across buffers", strings.Repeat("z", 10000) + "\nok\n", 16, []got{{strings.Repeat("z", 16), 1, true}, {"ok", 2, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, r := range map[string]io.Reader{"whole": strings.NewReader(tc.in), "byte at a time": iotest.OneByteReader(strings.NewReader(tc.in))} {
				out := readAll(t, r, tc.max)
				if len(out) != len(tc.want) {
					t.Fatalf("%s: got %v, want %v", name, out, tc.want)
				}
				for i := range out {
					if out[i] != tc.want[i] {
						t.Fatalf("%s: line %d: got %+v, want %+v", name, i, out[i], tc.want[i])
					}
				}
			}
		})
	}
}

func TestReaderError(t *testing.T) {
	lr := NewReader(iotest.ErrReader(io.ErrUnexpectedEOF), 8)
	if _, _, _, err := lr.Next(); err != io.ErrUnexpectedEOF {
		t.Fatalf("got %v", err)
	}
}

func TestCollector(t *testing.T) {
	c := NewCollector("pkg", "f", 2)
	if c.Err() != nil {
		t.Fatal("error without problems")
	}
	for i := 1; i <= 5; i++ {
		c.Add(i, "bad %d", i)
	}
	want := "pkg: f:1: bad 1\npkg: f:2: bad 2 (and 3 more errors)"
	if err := c.Err(); err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}
