package signatures

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// ruleExts are the file kinds FuzzLoad writes its input as.
var ruleExts = []string{".rules", ".ndb", ".hdb", ".hsb", ".ign2"}

// FuzzLoad writes the input as a rule file of a kind picked by ext and loads
// it, strict or not, under small limits. Properties: no panic; an error is
// a *LoadError naming the file and a line of it (or a limit); every warning
// names the file and a line of it; strict loading fails exactly when lenient
// loading warned about a line; and the logical lines the loader hands out
// (comments, blank lines, continuations, over-long lines) are the same
// whether the file is read whole or one byte at a time.
func FuzzLoad(f *testing.F) {
	f.Add(uint8(0), []byte("alert http any any -> any any (msg:\"a\"; content:\"x\"; sid:1;)\n# c\n\nalert tcp any any -> any any \\\n (msg:\"b\"; sid:2;)\n"))
	f.Add(uint8(0), []byte("alert http any any -> any any (msg:\"dup\"; sid:1;)\nalert http any any -> any any (msg:\"dup\"; sid:1;)\r\nbad line\n"))
	f.Add(uint8(1), []byte("Eicar.Test:0:*:58354f2150254041505b345c505a58353428505e2937434329377d2445494341520a\nbroken:0\n"))
	f.Add(uint8(2), []byte("44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\nzz:1:x\n"))
	f.Add(uint8(4), []byte("Eicar.Test:1\n"))
	f.Add(uint8(0), []byte(strings.Repeat("x", 300)+"\nalert ip any any -> any any (sid:5;)"))
	f.Fuzz(func(t *testing.T, ext uint8, data []byte) {
		path := filepath.Join(t.TempDir(), "f"+ruleExts[int(ext)%len(ruleExts)])
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		inFile := func(file string, line int) bool { return file == path && line >= 1 && line <= lines }
		opts := Options{MaxLineBytes: 256, MaxWarnings: 1 << 20, MaxRules: 64}
		_, warns, err := Load([]string{path}, opts)
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) || !inFile(le.File, le.Line) {
				if !errors.Is(err, ErrLimit) {
					t.Fatalf("error %v is not a LoadError for a line of the file", err)
				}
			}
			return
		}
		for _, w := range warns {
			if !inFile(w.File, w.Line) {
				t.Fatalf("warning %v names no line of the file (%d lines)", w, lines)
			}
		}
		lineWarns := 0
		for _, w := range warns {
			if !strings.Contains(w.Msg, "duplicate signature") && !strings.Contains(w.Msg, "longer than") {
				lineWarns++
			}
		}
		opts.Strict = true
		if _, _, serr := Load([]string{path}, opts); (serr != nil) != (lineWarns > 0) {
			t.Fatalf("strict load: %v, lenient load warned %d times: %v", serr, lineWarns, warns)
		}

		// The logical lines, read whole and one byte at a time.
		record := func(rd func() *bytes.Reader, one bool) string {
			var b strings.Builder
			l := &loader{opts: opts.withDefaults(), ignore: map[string]bool{}, seen: map[[2]int]bool{}}
			l.opts.Strict = false
			parse := func(line string, n int) (*Rule, error) { fmt.Fprintf(&b, "%d %q\n", n, line); return nil, nil }
			var err error
			if one {
				err = l.lines(path, iotest.OneByteReader(rd()), true, parse)
			} else {
				err = l.lines(path, rd(), true, parse)
			}
			fmt.Fprintf(&b, "%v %v", err, l.warns)
			return b.String()
		}
		src := func() *bytes.Reader { return bytes.NewReader(data) }
		if w, o := record(src, false), record(src, true); w != o {
			t.Fatalf("one byte at a time:\n%s\nwhole:\n%s", o, w)
		}
	})
}

// FuzzParseHashSig: a .hdb/.hsb line either fails or gives a file rule
// with a lowercase hex digest of an MD5, SHA-1 or SHA-256 length, a size of
// at least -1 (any) and a trimmed, non-empty name.
func FuzzParseHashSig(f *testing.F) {
	f.Add("44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature")
	f.Add("275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F:*:Eicar-SHA256:73")
	f.Add("3395856ce81f2b7382dee72602f798b642f14140:68: name ")
	f.Add("00:1:x")
	f.Fuzz(func(t *testing.T, line string) {
		r, err := parseHashSig(line)
		if err != nil {
			return
		}
		h := r.file.clamHash
		if h == nil {
			t.Fatal("hash rule without a hash")
		}
		want := map[string]int{"md5": 32, "sha1": 40, "sha256": 64}[h.algo]
		if len(h.sum) != want || strings.ToLower(h.sum) != h.sum || h.size < -1 {
			t.Fatalf("hash %q (%s, %d hex digits), size %d", h.sum, h.algo, len(h.sum), h.size)
		}
		if r.Msg == "" || strings.TrimSpace(r.Msg) != r.Msg {
			t.Fatalf("name %q", r.Msg)
		}
		if _, err := Compile([]*Rule{r}, Options{}); err != nil {
			t.Fatalf("an accepted hash signature does not compile: %v", err)
		}
	})
}
