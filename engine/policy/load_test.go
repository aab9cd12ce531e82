package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The sample policy shipped in configs/ loads and passes Check.
func TestLoadSample(t *testing.T) {
	p, err := Load("../../configs/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := p.Config()
	if len(cfg.Rules) != 2 || cfg.MaxIncidents != 100000 || cfg.DefaultAggregate != 0 {
		t.Fatalf("%+v", cfg)
	}
	r := cfg.Rules[0]
	if r.Action != ActionSuppress || r.SIDs[0] != 9000101 || r.Hosts[0].String() != "10.1.2.3/32" || r.Comment == "" ||
		!r.Expires.Equal(time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)) || r.Line != 33 {
		t.Errorf("rule 0 = %+v", r)
	}
	if r := cfg.Rules[1]; r.Window != 30*time.Minute || len(r.DstHosts) != 2 || r.SrcHosts[0].Bits() != 32 {
		t.Errorf("rule 1 = %+v", r)
	}
	if probs := p.check(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)); len(probs) != 0 {
		t.Errorf("Check: %q", probs)
	}
	// The scanner's flood on the installer is silenced, a real hit on the same host is not.
	h := r.SHA256[0]
	if d := p.Decide(alert(9000101, h, "10.1.2.3", "10.5.5.5", t0)); !d.Suppressed {
		t.Errorf("scanner alert not suppressed: %+v", d)
	}
	if d := p.Decide(alert(9000101, hashB, "10.1.2.3", "10.5.5.5", t0)); !d.Emit || d.Suppressed {
		t.Errorf("other file suppressed: %+v", d)
	}
}

func TestParseForms(t *testing.T) {
	src := `
rules:
  - action: suppress
    sids: 42
    sha256: ` + strings.ToUpper(hashA) + `
    hosts: 2001:db8::1
    expires: 2027-01-02T03:04:05+02:00
  - &agg
    action: aggregate
    window: 90s
  - *agg
`
	p, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := p.Config().Rules
	if len(r) != 3 || r[0].SIDs[0] != 42 || r[0].SHA256[0] != hashA || r[0].Hosts[0].String() != "2001:db8::1/128" ||
		!r[0].Expires.Equal(time.Date(2027, 1, 2, 1, 4, 5, 0, time.UTC)) || r[2].Window != 90*time.Second {
		t.Fatalf("%+v", r)
	}
	if p, err := Parse("empty.yaml", nil); err != nil || len(p.Config().Rules) != 0 {
		t.Fatalf("empty file: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"unknown top key", "rule:\n  - action: suppress\n", "p.yaml:1: rule: unknown key"},
		{"unknown entry key", "rules:\n  - action: suppress\n    sid: [1]\n", "p.yaml:3: rules[0].sid: unknown key"},
		{"duplicate key", "rules:\n  - action: suppress\n    sids: [1]\n    sids: [2]\n", "p.yaml:4: rules[0].sids: key given twice"},
		{"rules not a list", "rules: {}\n", "p.yaml:1: rules: want a list"},
		{"entry not a mapping", "rules:\n  - suppress\n", "p.yaml:2: rules[0]: want a mapping"},
		{"bad CIDR", "rules:\n  - action: suppress\n    hosts:\n      - 10.0.0.1\n      - 10.1.2.300/32\n", `p.yaml:5: rules[0].hosts[1]: bad host "10.1.2.300/32"`},
		{"host bits set", "rules:\n  - action: suppress\n    src-hosts: [10.1.2.3/8]\n", "p.yaml:3: rules[0].src-hosts[0]: bad host 10.1.2.3/8: host bits set; did you mean 10.0.0.0/8 or 10.1.2.3/32?"},
		{"mapped v6", "rules:\n  - action: suppress\n    dst-hosts: ['::ffff:10.0.0.1']\n", "p.yaml:3: rules[0].dst-hosts[0]: bad host ::ffff:10.0.0.1/128: write IPv4-mapped"},
		{"short hash", "rules:\n  - action: suppress\n    sha256: [abc]\n", `p.yaml:3: rules[0].sha256[0]: bad sha256 "abc": want 64 hex digits`},
		{"non-hex hash", "rules:\n  - action: suppress\n    sha256: [" + strings.Repeat("g", 64) + "]\n", "p.yaml:3: rules[0].sha256[0]: bad sha256"},
		{"bad sid", "rules:\n  - action: suppress\n    sids: [1, x]\n", `p.yaml:3: rules[0].sids[1]: bad sid "x"`},
		{"zero sid", "rules:\n  - action: suppress\n    sids: [0]\n", "p.yaml:3: rules[0].sids[0]: bad sid 0: must be positive"},
		{"nested list", "rules:\n  - action: suppress\n    sids: [[1]]\n", "p.yaml:3: rules[0].sids[0]: want a single value"},
		{"empty list", "rules:\n  - action: suppress\n    sids: []\n", "p.yaml:3: rules[0].sids: empty list"},
		{"null value", "rules:\n  - action: suppress\n    sids:\n", "p.yaml:3: rules[0].sids: empty value"},
		{"bad window", "rules:\n  - action: aggregate\n    window: 10\n", `p.yaml:3: rules[0].window: want a duration such as 90s, 10m or 1h, got "10"`},
		{"bad expires", "rules:\n  - action: suppress\n    sids: [1]\n    expires: next week\n", `p.yaml:4: rules[0].expires: bad expires "next week"`},
		{"bad max-incidents", "max-incidents: lots\n", `p.yaml:1: max-incidents: want an integer, got "lots"`},
		{"negative max-incidents", "max-incidents: -1\n", "p.yaml: max-incidents: must not be negative"},
		{"bad YAML", "max-incidents: 5\ndefault-aggregate: 1m\nrules: a: b\n", "p.yaml:3: bad YAML: mapping values are not allowed in this context"},
		{"missing action", "rules:\n  - sids: [1]\n", "p.yaml:2: rules[0].action: missing action"},
		{"unknown action", "rules:\n  - action: drop\n    sids: [1]\n", `p.yaml:2: rules[0].action: unknown action "drop"`},
		{"aggregate without window", "rules:\n  - action: aggregate\n    sids: [1]\n", "p.yaml:2: rules[0].window: aggregate entry needs a positive window"},
		{"window on suppress", "rules:\n  - action: suppress\n    sids: [1]\n    window: 1m\n", "p.yaml:2: rules[0].window: window applies only to aggregate"},
		{"suppress everything", "rules:\n  - action: aggregate\n    window: 1m\n  - action: suppress\n    comment: shh\n", "p.yaml:4: rules[1]: suppress entry names no sid, sha256 or host (other than /0): it would silence everything"},
		{"suppress everything via /0", "rules:\n  - action: suppress\n    hosts: [0.0.0.0/0, '::/0']\n", "p.yaml:2: rules[0]: suppress entry names no sid, sha256 or host (other than /0): it would silence everything"},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		runCase(t, seen, c.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(c.src))
			if err == nil {
				t.Fatal("no error")
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.File != "p.yaml" {
				t.Errorf("not an *Error naming the file: %#v", err)
			}
			if !strings.HasPrefix(err.Error(), "policy: "+c.want) {
				t.Errorf("error\n got %q\nwant %q...", err, "policy: "+c.want)
			}
		})
	}
}

func TestLoadFile(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("rules:\n  - action: suppress\n    hosts: [nope]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.HasPrefix(err.Error(), "policy: "+path+":3: rules[0].hosts[0]: bad host") {
		t.Errorf("got %v", err)
	}
}

// A Config built in code is validated like a file, without positions.
func TestNewValidates(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Rules: []Rule{{Action: ActionSuppress}}}, "policy: rules[0]: suppress entry names no sid"},
		{Config{Rules: []Rule{suppress(Rule{SHA256: []string{strings.ToUpper(hashA)}})}}, "policy: rules[0].sha256[0]: bad sha256"},
		{Config{Rules: []Rule{suppress(Rule{SIDs: []int{1}, Hosts: pfx("10.0.0.0/8")[:1]}), suppress(Rule{SIDs: []int{-3}})}}, "policy: rules[1].sids[0]: bad sid -3"},
		{Config{DefaultAggregate: -time.Second}, "policy: default-aggregate: must not be negative"},
	} {
		if _, err := New(c.cfg); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want %q", c.cfg, err, c.want)
		}
	}
}
