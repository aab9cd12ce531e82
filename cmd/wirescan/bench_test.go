package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/signatures"
)

// benchJSON runs `wirescan bench --json` with args and decodes the report.
func benchJSON(t *testing.T, args ...string) (benchReport, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(append([]string{"bench", "--json"}, args...), strings.NewReader(""), &out, &errb); code != exitOK {
		t.Fatalf("bench %v: exit %d, stderr:\n%s", args, code, errb.String())
	}
	var rep benchReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("bench --json output is not the report: %v\n%s", err, out.String())
	}
	return rep, errb.String()
}

func hitsOf(rep benchReport, sid int) uint64 {
	for _, h := range rep.Hits {
		if h.SID == sid {
			return h.Hits
		}
	}
	return 0
}

func TestBenchBuiltinJSON(t *testing.T) {
	pcap := filepath.Join(testdataDir, "http-eicar.pcap")
	rep, _ := benchJSON(t, "-r", pcap)
	eicar := signatures.BuiltinSIDBase + 1
	if r := rep.Rules; len(r.Files) != 0 || r.Rules != 1 || r.Patterns == 0 || r.MemoryBytes <= 0 || r.Warnings != 0 {
		t.Errorf("rules = %+v, want the built-in set (1 rule, no warnings)", r)
	}
	if c := rep.Capture; len(c.Files) != 1 || c.Files[0] != pcap || c.Packets == 0 || c.Bytes == 0 || c.FileCount != 5 || c.FileBytes == 0 {
		t.Errorf("capture = %+v, want %s with its 5 files", c, pcap)
	}
	if rep.Workers != 1 || rep.Passes != 1 {
		t.Errorf("workers, passes = %d, %d; want 1, 1", rep.Workers, rep.Passes)
	}
	if rep.DecodeOnly.Alerts != 0 || rep.WithRules.Alerts == 0 {
		t.Errorf("alerts: decode only %d, with rules %d; want 0 and some", rep.DecodeOnly.Alerts, rep.WithRules.Alerts)
	}
	if rep.DecodeOnly.Seconds <= 0 || rep.WithRules.Seconds <= 0 || rep.Ratio <= 0 {
		t.Errorf("timings missing: %+v %+v ratio %v", rep.DecodeOnly, rep.WithRules, rep.Ratio)
	}
	if n := hitsOf(rep, eicar); n != 1 {
		t.Errorf("hits for sid %d = %d, want 1 (hits %+v)", eicar, n, rep.Hits)
	}
	if len(rep.Costliest) == 0 || rep.Costliest[0].SID != eicar || rep.Costliest[0].Matches == 0 {
		t.Errorf("costliest = %+v, want the EICAR rule with its match", rep.Costliest)
	}
}

func TestBenchRulesFile(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "local.rules")
	text := `alert http any any -> any any (msg:"EICAR in a file"; file_data; content:"EICAR-STANDARD-ANTIVIRUS"; sid:1000001; rev:1;)
alert http any any -> any any (msg:"never seen"; file_data; content:"no such bytes anywhere"; sid:1000002; rev:1;)
alert http any any -> any any (msg:"bad"; nosuchkeyword; sid:1000003; rev:1;)
`
	if err := os.WriteFile(rules, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, stderr := benchJSON(t, "-S", rules, "-r", filepath.Join(testdataDir, "http-eicar.pcap"), "-r", filepath.Join(testdataDir, "smb2-eicar.pcap"), "--workers", "2")
	if rep.Rules.Rules != 2 || rep.Rules.Warnings != 1 || !strings.Contains(stderr, "nosuchkeyword") {
		t.Errorf("rules = %+v, stderr %q; want 2 rules and the bad one warned about", rep.Rules, stderr)
	}
	if len(rep.Capture.Files) != 2 || rep.Capture.FileCount != 8 || rep.Workers != 2 {
		t.Errorf("capture = %+v, workers %d; want both captures' 8 files, 2 workers", rep.Capture, rep.Workers)
	}
	if n := hitsOf(rep, 1000001); n != 1 {
		t.Errorf("hits for sid 1000001 = %d, want 1 (the HTTP EICAR download): %+v", n, rep.Hits)
	}
	if len(rep.Hits) != 1 || rep.Hits[0].Msg != "EICAR in a file" {
		t.Errorf("hits = %+v, want only sid 1000001 with its msg", rep.Hits)
	}
}

func TestBenchText(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"bench", "-r", filepath.Join(testdataDir, "smb2-eicar.pcap"), "--top", "3"}, strings.NewReader(""), &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"built-in set", "decode only", "with rules", "ratio", "WIRESCAN EICAR test file", "costliest rules"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestBenchErrors(t *testing.T) {
	dir := t.TempDir()
	notPcap := filepath.Join(dir, "x.pcap")
	if err := os.WriteFile(notPcap, []byte("not a capture at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"--nosuchflag"}, exitUsage},
		{[]string{"--workers", "0"}, exitUsage},
		{[]string{"extra"}, exitUsage},
		{[]string{"-r", notPcap, "--bytes", "1000"}, exitUsage},
		{nil, exitUsage}, // no capture
		{[]string{"-r", filepath.Join(dir, "missing.pcap")}, exitError},
		{[]string{"-r", notPcap}, exitError},
		{[]string{"-S", filepath.Join(dir, "missing.rules"), "-r", notPcap}, exitError},
	} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"bench"}, tc.args...), strings.NewReader(""), &out, &errb); code != tc.code {
			t.Errorf("bench %v: exit %d, want %d (stderr %q)", tc.args, code, tc.code, errb.String())
		}
	}
}
