package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/eve/evetest"
)

// TestReplayEvidencePcap: --evidence writes LOGDIR/evidence/<flow_id>.pcap for
// the alerting flow only, the alert names it (and still validates), and
// replaying the evidence pcap raises the same alert again.
func TestReplayEvidencePcap(t *testing.T) {
	var validator *evetest.Validator
	if path, ok := evetest.SchemaPath(); ok {
		v, err := evetest.LoadSchema(path)
		if err != nil {
			t.Fatal(err)
		}
		validator = v
	}
	type alert struct {
		FlowID uint64 `json:"flow_id"`
		Alert  struct {
			SignatureID int `json:"signature_id"`
		} `json:"alert"`
		Wirescan struct {
			EvidencePcap string `json:"evidence_pcap"`
		} `json:"wirescan"`
	}
	alerts := func(lines [][]byte) []alert {
		var out []alert
		for i, l := range lines {
			if validator != nil {
				if err := validator.ValidateLine(l); err != nil {
					t.Errorf("line %d fails the EVE schema: %v\n%s", i+1, err, l)
				}
			}
			if bytes.Contains(l, []byte(`"event_type":"alert"`)) {
				var a alert
				if err := json.Unmarshal(l, &a); err != nil {
					t.Fatal(err)
				}
				out = append(out, a)
			}
		}
		return out
	}

	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"replay", "-r", filepath.Join(testdataDir, "http-eicar.pcap"), "-l", dir, "--evidence"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	data, _ := os.ReadFile(filepath.Join(dir, "eve.json"))
	first := alerts(bytes.Split(bytes.TrimSpace(data), []byte("\n")))
	if len(first) != 1 {
		t.Fatalf("%d alerts, want 1", len(first))
	}
	want := strconv.FormatUint(first[0].FlowID, 10) + ".pcap"
	if first[0].Wirescan.EvidencePcap != want {
		t.Fatalf("evidence_pcap %q, want %q", first[0].Wirescan.EvidencePcap, want)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "evidence"))
	if len(entries) != 1 || entries[0].Name() != want {
		t.Fatalf("evidence directory holds %v, want only %s", entries, want)
	}

	lines, stderr, code := replay(t, "-r", filepath.Join(dir, "evidence", want))
	if code != 0 {
		t.Fatalf("replaying the evidence: exit %d: %s", code, stderr)
	}
	again := alerts(lines)
	if len(again) != 1 || again[0].Alert.SignatureID != first[0].Alert.SignatureID {
		t.Fatalf("replaying the evidence gave %+v, want the alert %+v again", again, first[0])
	}

	errb.Reset()
	if code := run([]string{"replay", "-r", filepath.Join(testdataDir, "http-eicar.pcap"), "--evidence"}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--evidence needs") {
		t.Fatalf("--evidence without -l: exit %d, %s", code, errb.String())
	}
}
