package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffCanary: the walkthrough's v2 set fixes the over-broad sid 9100001;
// diff lists exactly that signature's alerts as removed, nothing added or
// changed, and exits 1; the same set against itself exits 0; errors exit 2.
func TestDiffCanary(t *testing.T) {
	flood := filepath.Join(testdataDir, "inventory-flood.pcap")
	v1 := filepath.Join(testdataDir, "rules", "walkthrough-v1.rules")
	v2 := filepath.Join(testdataDir, "rules", "walkthrough-v2.rules")

	var out, errb bytes.Buffer
	code := run([]string{"diff", "-S", v1, "--vs", v2, "-r", flood, "--json"}, strings.NewReader(""), &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (sets differ); stderr %s", code, errb.String())
	}
	var res struct {
		Added, Removed, Changed []struct {
			SignatureID int      `json:"signature_id"`
			Count       int      `json:"count"`
			SHA256      []string `json:"sha256"`
		}
		OldAlerts int `json:"old_alerts"`
		NewAlerts int `json:"new_alerts"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out.String())
	}
	if len(res.Added) != 0 || len(res.Changed) != 0 || len(res.Removed) != 1 {
		t.Fatalf("added %v changed %v removed %v", res.Added, res.Changed, res.Removed)
	}
	rm := res.Removed[0]
	if rm.SignatureID != 9100001 || rm.Count != res.OldAlerts-res.NewAlerts || rm.Count != 48 || len(rm.SHA256) != 1 {
		t.Fatalf("removed %+v (old %d, new %d alerts)", rm, res.OldAlerts, res.NewAlerts)
	}

	out.Reset()
	if code := run([]string{"diff", "-S", v1, "--vs", v1, "-r", flood}, strings.NewReader(""), &out, &errb); code != 0 || !strings.Contains(out.String(), "identical: 49 alerts") {
		t.Fatalf("same set: exit %d, output %q", code, out.String())
	}

	bad := filepath.Join(t.TempDir(), "bad.rules")
	os.WriteFile(bad, []byte("alert file any any -> any any (msg:\"x\"; frobnicate; sid:1;)\n"), 0o644)
	for _, args := range [][]string{
		{"diff", "-S", v1, "-r", flood},
		{"diff", "-S", v1, "--vs", filepath.Join(t.TempDir(), "missing.rules"), "-r", flood},
		{"diff", "-S", v1, "--vs", v2, "-r", filepath.Join(t.TempDir(), "missing.pcap")},
		{"diff", "-S", v1, "--vs", bad, "--strict", "-r", flood},
		{"diff", "-S", v1, "--vs", v2, "-r", "-"},
	} {
		errb.Reset()
		if code := run(args, strings.NewReader(""), &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("%v: exit %d (want 2), stderr %q", args[1:], code, errb.String())
		}
	}
}
