package lines

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readLines describes every line Next returns from in.
func readLines(in io.Reader, max int) string {
	r := NewReader(in, max)
	var b strings.Builder
	for {
		line, n, long, err := r.Next()
		if err != nil {
			fmt.Fprintf(&b, "end %v\n", err)
			return b.String()
		}
		fmt.Fprintf(&b, "%d %v %q\n", n, long, line)
	}
}

// naiveLines is the reader's twin: split at '\n', drop one trailing '\r',
// cut at max bytes and say so.
func naiveLines(data []byte, max int) string {
	var b strings.Builder
	parts := bytes.Split(data, []byte("\n"))
	if len(parts[len(parts)-1]) == 0 {
		parts = parts[:len(parts)-1] // data ends with a newline (or is empty)
	}
	for i, p := range parts {
		p = bytes.TrimSuffix(p, []byte("\r"))
		long := len(p) > max
		if long {
			p = p[:max]
		}
		fmt.Fprintf(&b, "%d %v %q\n", i+1, long, p)
	}
	b.WriteString("end EOF\n")
	return b.String()
}

// FuzzReader: lines, numbers and the long flag are those of the naive twin,
// whether the input arrives whole or one byte per Read, for line limits
// below, at and above the reader's 4 KiB buffer.
func FuzzReader(f *testing.F) {
	f.Add([]byte("suppress gen_id 1, sig_id 2\r\n\n# c\nx"), uint16(8))
	f.Add([]byte(strings.Repeat("a", 5000)+"\nb\n"), uint16(4096))
	f.Add([]byte("aaa\r\r\n\r\n"), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, max uint16) {
		m := 1 + int(max)%6000
		want := naiveLines(data, m)
		if got := readLines(bytes.NewReader(data), m); got != want {
			t.Fatalf("max %d:\n%s\nwant:\n%s", m, got, want)
		}
		if got := readLines(iotest.OneByteReader(bytes.NewReader(data)), m); got != want {
			t.Fatalf("one byte at a time, max %d:\n%s\nwant:\n%s", m, got, want)
		}
	})
}
