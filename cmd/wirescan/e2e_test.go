package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/eve/evetest"
	"github.com/wirescan/wirescan/internal/pcapgen"
)

// These tests replay the project's own captures (testdata/, made by
// `make testdata`) through the command exactly as a user runs it.

const testdataDir = "../../testdata"

func loadExpected(t *testing.T) map[string][]pcapgen.ExpectedFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdataDir, pcapgen.ExpectedName))
	if err != nil {
		t.Fatalf("reading expectations: %v (run make testdata)", err)
	}
	var exp map[string][]pcapgen.ExpectedFile
	if err := json.Unmarshal(data, &exp); err != nil {
		t.Fatalf("parsing expectations: %v", err)
	}
	return exp
}

// replay runs `wirescan replay` with args plus -l into a temp dir and returns
// the EVE lines, stderr and the exit code.
func replay(t *testing.T, args ...string) (lines [][]byte, stderr string, code int) {
	t.Helper()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code = run(append([]string{"replay", "-l", dir}, args...), strings.NewReader(""), &out, &errb)
	data, err := os.ReadFile(filepath.Join(dir, "eve.json"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	return lines, errb.String(), code
}

type event struct {
	EventType string `json:"event_type"`
	AppProto  string `json:"app_proto"`
	Alert     *struct {
		SignatureID int `json:"signature_id"`
	} `json:"alert"`
	FileInfo *struct {
		Filename string `json:"filename"`
		Size     int64  `json:"size"`
		State    string `json:"state"`
		SHA256   string `json:"sha256"`
	} `json:"fileinfo"`
	Files []struct {
		Filename string `json:"filename"`
	} `json:"files"`
}

func decodeEvents(t *testing.T, lines [][]byte) []event {
	t.Helper()
	evs := make([]event, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal(l, &evs[i]); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", i+1, err, l)
		}
	}
	return evs
}

func TestReplayTestdataFindsEveryFileAndOnlyEICARAlerts(t *testing.T) {
	exp := loadExpected(t)
	var validator *evetest.Validator
	if path, ok := evetest.SchemaPath(); ok {
		v, err := evetest.LoadSchema(path)
		if err != nil {
			t.Fatal(err)
		}
		validator = v
	} else {
		t.Log("EVE schema (../shared/eve-schema) not found: schema validation skipped")
	}
	names := make([]string, 0, len(exp))
	for n := range exp {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			lines, stderr, code := replay(t, "-r", filepath.Join(testdataDir, name))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if validator != nil {
				for i, l := range lines {
					if err := validator.ValidateLine(l); err != nil {
						t.Errorf("line %d fails the EVE schema: %v\n%s", i+1, err, l)
					}
				}
			}
			evs := decodeEvents(t, lines)
			seen := map[string]int{} // sha256 -> closed fileinfo count
			alerted := map[string]int{}
			for _, ev := range evs {
				switch ev.EventType {
				case "fileinfo":
					if ev.FileInfo.State == "CLOSED" {
						seen[ev.FileInfo.SHA256]++
					}
				case "alert":
					if len(ev.Files) > 0 {
						alerted[ev.Files[0].Filename]++
					} else {
						alerted[""]++
					}
				}
			}
			wantAlerts := map[string]int{}
			for _, f := range exp[name] {
				if seen[f.SHA256] == 0 {
					t.Errorf("file %q (%d bytes, sha256 %s…) not reported as a CLOSED fileinfo", f.Filename, f.Size, f.SHA256[:12])
				}
				if f.Alert {
					wantAlerts[f.Filename]++
				}
			}
			if !reflect.DeepEqual(alerted, wantAlerts) {
				t.Errorf("alerts by file %v, want %v", alerted, wantAlerts)
			}
		})
	}
}

func TestReplayIsDeterministic(t *testing.T) {
	a, _, _ := replay(t, "-r", filepath.Join(testdataDir, "mixed-impaired.pcap"))
	b, _, _ := replay(t, "-r", filepath.Join(testdataDir, "mixed-impaired.pcap"))
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("two replays differ (%d vs %d lines)", len(a), len(b))
	}
}

// TestWorkersGiveTheSameEvents: N workers give the same set of events as one
// (order and flow ids may differ).
func TestWorkersGiveTheSameEvents(t *testing.T) {
	summarize := func(lines [][]byte) []string {
		var out []string
		for _, ev := range decodeEvents(t, lines) {
			s := ev.EventType
			if ev.FileInfo != nil {
				s += " " + ev.FileInfo.Filename + " " + ev.FileInfo.SHA256 + " " + ev.FileInfo.State
			}
			if ev.Alert != nil {
				s += " sid " + jsonInt(ev.Alert.SignatureID)
			}
			out = append(out, s)
		}
		sort.Strings(out)
		return out
	}
	for _, name := range []string{"http-eicar.pcap", "smb2-eicar.pcap", "mixed-impaired.pcap"} {
		one, _, _ := replay(t, "-r", filepath.Join(testdataDir, name))
		two, _, _ := replay(t, "-r", filepath.Join(testdataDir, name), "--workers", "2")
		if a, b := summarize(one), summarize(two); !reflect.DeepEqual(a, b) {
			t.Errorf("%s: 1 worker and 2 workers differ:\n%v\n%v", name, a, b)
		}
	}
}

func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	notCapture := filepath.Join(dir, "notes.txt")
	os.WriteFile(notCapture, []byte("this is not a capture file\n"), 0o644)
	badSize := filepath.Join(dir, "bad-size.yaml")
	os.WriteFile(badSize, []byte("workers: 1\nflow:\n  memcap: 64XB\n"), 0o644)
	badKey := filepath.Join(dir, "bad-key.yaml")
	os.WriteFile(badKey, []byte("wrokers: 1\n"), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no command", nil, exitUsage, "usage"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "unknown command"},
		{"replay without -r", []string{"replay"}, exitUsage, "no capture"},
		{"bad flag", []string{"replay", "--nope"}, exitUsage, "nope"},
		{"bad --set", []string{"replay", "-r", "x", "--set", "nosuchkey=1"}, exitUsage, "nosuchkey"},
		{"negative limit", []string{"replay", "-r", "x", "--set", "stream.max-buffered-bytes=-5"}, exitUsage, `stream.max-buffered-bytes: bad size "-5": must not be negative`},
		{"zero limit", []string{"replay", "-r", "x", "--set", "stream.max-buffered-bytes=0"}, exitUsage, "max buffered bytes 0"},
		{"unknown size unit", []string{"replay", "-r", "x", "--set", "flow.memcap=64XB"}, exitUsage, `flow.memcap: bad size "64XB": unknown unit "XB"`},
		{"size overflow", []string{"replay", "-r", "x", "--set", "stream-memcap=8388608TiB"}, exitUsage, `stream-memcap: bad size "8388608TiB": more than 9223372036854775807 bytes`},
		{"bad size in -c", []string{"replay", "-r", "x", "-c", badSize}, exitUsage, badSize + `:3: flow.memcap: bad size "64XB"`},
		{"unknown key in -c", []string{"replay", "-r", "x", "-c", badKey}, exitUsage, "wrokers"},
		{"missing -c", []string{"replay", "-r", "x", "-c", filepath.Join(dir, "none.yaml")}, exitError, "none.yaml"},
		{"zero timeout", []string{"replay", "-r", "x", "--set", "flow.new-timeout=0s"}, exitUsage, "timeouts must be positive"},
		{"unknown event type", []string{"replay", "-r", "x", "--set", "event-types=[alrt]"}, exitUsage, `unknown event type "alrt"`},
		{"missing capture", []string{"replay", "-r", filepath.Join(dir, "missing.pcap")}, exitError, "missing.pcap"},
		{"not a capture", []string{"replay", "-r", notCapture}, exitError, "notes.txt"},
		{"missing rules", []string{"replay", "-r", filepath.Join(testdataDir, "http-eicar.pcap"), "-S", filepath.Join(dir, "none.rules")}, exitError, "none.rules"},
		{"live without interface", []string{"live", "--metrics", ""}, exitUsage, "no interface"},
		{"live on a missing interface", []string{"live", "-i", "nosuch0wscan", "--metrics", ""}, exitError, "nosuch0wscan"},
		{"policy without check", []string{"policy"}, exitUsage, "policy check"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, strings.NewReader(""), &out, &errb)
			if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
				t.Fatalf("exit %d (want %d), stderr %q (want mention of %q)", code, tc.code, errb.String(), tc.msg)
			}
			if tc.code == exitError && strings.Count(strings.TrimSpace(errb.String()), "\n") > 0 {
				t.Errorf("want a one-line error, got %q", errb.String())
			}
		})
	}
}

// TestTruncatedCaptureIsProcessedUpToTheDamage cuts a capture in the middle of
// a record: the packets before the cut are processed, a warning names the
// packet and the byte offset, and the exit status is 0.
func TestTruncatedCaptureIsProcessedUpToTheDamage(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdataDir, "http-eicar.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.pcap")
	os.WriteFile(cut, data[:len(data)*2/3+7], 0o644)
	lines, stderr, code := replay(t, "-r", cut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "warning") || !strings.Contains(stderr, "packet") || !strings.Contains(stderr, "offset") {
		t.Fatalf("no damage warning naming packet and offset: %q", stderr)
	}
	if len(lines) == 0 {
		t.Fatalf("nothing processed before the damage")
	}
}

// TestStdinAndConcatenation: "-r -" reads standard input; several -r read as one capture.
func TestStdinAndConcatenation(t *testing.T) {
	path := filepath.Join(testdataDir, "http-eicar.pcap")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"replay", "-r", "-", "-l", dir}, bytes.NewReader(data), &out, &errb); code != 0 {
		t.Fatalf("stdin replay exit %d: %s", code, errb.String())
	}
	fromStdin, _ := os.ReadFile(filepath.Join(dir, "eve.json"))
	fromFile, _, _ := replay(t, "-r", path)
	if got := bytes.Count(fromStdin, []byte("\n")); got != len(fromFile) {
		t.Fatalf("stdin gave %d events, file %d", got, len(fromFile))
	}
	both, stderr, code := replay(t, "-r", path, "-r", filepath.Join(testdataDir, "smb2-eicar.pcap"))
	if code != 0 {
		t.Fatalf("concatenated replay exit %d: %s", code, stderr)
	}
	alerts := 0
	for _, ev := range decodeEvents(t, both) {
		if ev.EventType == "alert" {
			alerts++
		}
	}
	if alerts < 2 {
		t.Fatalf("concatenated replay gave %d alerts, want both captures' EICAR alerts", alerts)
	}
}
