package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runExplain(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := run(append([]string{"explain"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// TestExplainFromEvidence: an alert logged without an explanation is
// explained by replaying its evidence pcap with its rule file: both
// contents of the walkthrough's over-broad rule, at their file offsets,
// with the bytes around them.
func TestExplainFromEvidence(t *testing.T) {
	dir := t.TempDir()
	eve := replayInto(t, dir, "-r", filepath.Join(testdataDir, "inventory-flood.pcap"),
		"-S", filepath.Join(testdataDir, "rules", "walkthrough-v1.rules"), "--evidence")
	out, stderr, code := runExplain(eve, "--alert", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{`content "RemoteAdmin"  at 23001..23012`, `content "ServiceInstall"  distance:0; within:20  at 23014..23028`,
		"|RemoteAdmin::Ser|", "walkthrough-v1.rules:3", "every content located", "evidence"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The same alert, chosen by its file's hash, as JSON.
	out, _, code = runExplain(eve, "--sha256", "ba05b4c30d4308f80ee7ea342c35de697cca2b87b4b603f0bcda2c2a07e30938", "--json")
	var got struct {
		Alert struct {
			Alert struct {
				SignatureID int `json:"signature_id"`
			}
		}
		Explain struct {
			Located bool
			Parts   []struct{ Start, End int64 }
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if got.Alert.Alert.SignatureID != 9100001 || !got.Explain.Located || len(got.Explain.Parts) != 2 || got.Explain.Parts[1].End != 23028 {
		t.Fatalf("json %+v", got)
	}
}

// TestExplainLoggedWithTheAlert: replay --explain logs the explanation in
// the alert, and explain shows it without replaying anything.
func TestExplainLoggedWithTheAlert(t *testing.T) {
	dir := t.TempDir()
	eve := replayInto(t, dir, "-r", filepath.Join(testdataDir, "smb2-eicar.pcap"), "--explain")
	out, stderr, code := runExplain(eve, "--flow-id", flowIDOfFirstAlert(t, eve))
	if code != 0 || !strings.Contains(out, "logged with the alert") || !strings.Contains(out, "at 0..68") {
		t.Fatalf("exit %d (%s):\n%s", code, stderr, out)
	}
}

// TestExplainErrors: no such alert, nothing to replay and bad usage.
func TestExplainErrors(t *testing.T) {
	dir := t.TempDir()
	eve := replayInto(t, dir, "-r", filepath.Join(testdataDir, "http-eicar.pcap"))
	if _, stderr, code := runExplain(eve, "--alert", "5"); code != exitError || !strings.Contains(stderr, "no such alert") {
		t.Errorf("missing alert: exit %d, %q", code, stderr)
	}
	if out, _, code := runExplain(eve, "--alert", "1"); code != exitError || !strings.Contains(out, "no explanation: the alert has no evidence pcap") {
		t.Errorf("nothing to replay: exit %d, %q", code, out)
	}
	if out, stderr, code := runExplain(eve, "--alert", "1", "-r", filepath.Join(testdataDir, "http-eicar.pcap")); code != 0 || !strings.Contains(out, "at 0..68") {
		t.Errorf("with the capture: exit %d, %q %s", code, out, stderr)
	}
	for _, args := range [][]string{{eve}, {eve, "--alert", "1", "--flow-id", "3"}, {"--alert", "1"}, {eve, "--alert", "-2"}} {
		if _, _, code := runExplain(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if _, _, code := runExplain(filepath.Join(dir, "missing.json"), "--alert", "1"); code != exitError {
		t.Errorf("missing log: exit %d", code)
	}
}

func flowIDOfFirstAlert(t *testing.T, eve string) string {
	data, err := os.ReadFile(eve)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, `"event_type":"alert"`) {
			var ev struct {
				FlowID json.Number `json:"flow_id"`
			}
			json.Unmarshal([]byte(l), &ev)
			return ev.FlowID.String()
		}
	}
	t.Fatal("no alert")
	return ""
}
