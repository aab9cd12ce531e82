package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/wirescan/wirescan/engine/eve/evetest"
)

const eicarSHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"

func writePolicy(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func countTypes(t *testing.T, lines [][]byte) map[string]int {
	n := map[string]int{}
	for _, ev := range decodeEvents(t, lines) {
		n[ev.EventType]++
	}
	return n
}

// TestPolicySuppressesByHashPrecisely: an entry for the EICAR file's hash
// silences its alert; an entry for another hash silences nothing.
func TestPolicySuppressesByHashPrecisely(t *testing.T) {
	capture := filepath.Join(testdataDir, "http-eicar.pcap")
	match := writePolicy(t, "rules:\n  - action: suppress\n    sids: [1990001]\n    sha256: ["+eicarSHA256+"]\n    comment: test\n")
	lines, stderr, code := replay(t, "-r", capture, "--policy", match)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := countTypes(t, lines)["alert"]; n != 0 {
		t.Fatalf("%d alerts with a matching suppression, want 0", n)
	}
	other := writePolicy(t, "rules:\n  - action: suppress\n    sids: [1990001]\n    sha256: [0000000000000000000000000000000000000000000000000000000000000000]\n    comment: test\n")
	lines, _, _ = replay(t, "-r", capture, "--policy", other)
	if n := countTypes(t, lines)["alert"]; n != 1 {
		t.Fatalf("%d alerts with a suppression for another file, want 1", n)
	}
}

// TestPolicyAggregatesFloods: the same EICAR transfer replayed three times
// gives one alert and one incident event counting three hits.
func TestPolicyAggregatesFloods(t *testing.T) {
	capture := filepath.Join(testdataDir, "http-eicar.pcap")
	pol := writePolicy(t, "rules:\n  - action: aggregate\n    sids: [1990001]\n    window: 1h\n    comment: test\n")
	lines, stderr, code := replay(t, "-r", capture, "-r", capture, "-r", capture, "--policy", pol)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if path, ok := evetest.SchemaPath(); ok {
		v, err := evetest.LoadSchema(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if err := v.ValidateLine(l); err != nil {
				t.Errorf("fails the EVE schema: %v\n%s", err, l)
			}
		}
	}
	n := countTypes(t, lines)
	if n["alert"] != 1 || n["incident"] != 1 {
		t.Fatalf("events %v, want 1 alert and 1 incident", n)
	}
}

func TestPolicyCheck(t *testing.T) {
	for _, tc := range []struct {
		body string
		code int
	}{
		{"rules:\n  - action: suppress\n    sids: [5]\n    comment: ok\n", exitOK},
		{"rules:\n  - action: suppress\n    comment: everything\n", exitError},
		{"rules:\n  - action: suppress\n    hosts: [10.0.0.300/32]\n", exitError},
	} {
		path := writePolicy(t, tc.body)
		var out, errb = new(bytesBuffer), new(bytesBuffer)
		if code := run([]string{"policy", "check", path}, nil, out, errb); code != tc.code {
			t.Errorf("policy check of %q: exit %d (want %d): %s%s", tc.body, code, tc.code, out, errb)
		}
	}
}

type bytesBuffer = bytes.Buffer
