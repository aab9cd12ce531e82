package policy

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// yamlLines counts the lines of data as the YAML parser numbers them: CR,
// LF and CRLF end a line, and so do NEL, LS and PS (YAML 1.1).
func yamlLines(data []byte) int {
	n := 1
	for i := 0; i < len(data); i++ {
		switch {
		case data[i] == '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			n++
		case data[i] == '\n':
			n++
		case bytes.HasPrefix(data[i:], []byte("\u0085")), bytes.HasPrefix(data[i:], []byte("\u2028")), bytes.HasPrefix(data[i:], []byte("\u2029")):
			n++
		}
	}
	return n
}

// FuzzParse: a policy either loads, or fails with an *Error that names the
// file and a line of it (0 when the YAML parser gives none, one past the
// last when the file ends inside a value) and says what is wrong. A loaded policy's configuration goes through New again unchanged
// (the checks do not depend on the YAML that carried the values), and each
// entry keeps the line it came from.
func FuzzParse(f *testing.F) {
	if sample, err := os.ReadFile("../../configs/policy.yaml"); err == nil {
		f.Add(sample)
	}
	for _, s := range []string{
		"rules:\n  - action: suppress\n    sids: [1, 2]\n    comment: x\n",
		"rules:\n  - action: aggregate\n    window: 10m\n    sha256: [" + strings.Repeat("a", 64) + "]\n",
		"max-incidents: 5\ndefault-aggregate: 1m\nrules: a: b\n",
		"rules:\n  - action: suppress\n    hosts: [10.1.2.300/32]\n",
		"a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
		"rules:\n  - action: suppress\n    sids: [1]\n    expires: 2027-06-30\n    src-hosts: ['::1']\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		p, err := Parse(name, data)
		lines := yamlLines(data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *policy.Error", err)
			}
			if pe.File != name || pe.Line < 0 || pe.Line > lines+1 || pe.Msg == "" {
				t.Fatalf("error %q names line %d of a %d-line file", err, pe.Line, lines)
			}
			return
		}
		cfg := p.Config()
		for _, r := range cfg.Rules {
			if r.Line < 1 || r.Line > lines {
				t.Fatalf("entry at line %d of a %d-line file", r.Line, lines)
			}
		}
		if _, err := New(cfg); err != nil {
			t.Fatalf("a loaded policy's configuration fails New: %v", err)
		}
	})
}
