package eve_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/engine/eve/evetest"
)

func loadValidator(t *testing.T) *evetest.Validator {
	t.Helper()
	path, ok := evetest.SchemaPath()
	if !ok {
		t.Skip("shared/eve-schema/schema.json not found above the working directory; clone shared/ beside the repository to run schema tests")
	}
	v, err := evetest.LoadSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func encode(t *testing.T, ev *eve.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := eve.NewWriter(&buf)
	if err := w.Write(ev); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestEventsValidateAgainstSchema(t *testing.T) {
	v := loadValidator(t)
	events := sampleEvents()
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range events {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			line := encode(t, events[name])
			if err := v.ValidateLine(line); err != nil {
				t.Fatalf("%v\nline: %s", err, line)
			}
		})
	}
}

func TestSchemaRejectsUnknownKeys(t *testing.T) {
	v := loadValidator(t)
	base := encode(t, sampleEvents()["fileinfo_http"])
	cases := []struct {
		name string
		edit func(m map[string]any)
	}{
		{"top_level", func(m map[string]any) { m["wirescan_extra"] = map[string]any{} }},
		{"top_level_scalar_wirescan", func(m map[string]any) { m["wirescan"] = 1 }},
		{"inside_fileinfo", func(m map[string]any) { m["fileinfo"].(map[string]any)["match_offsets"] = []int{1} }},
		{"inside_http", func(m map[string]any) { m["http"].(map[string]any)["rule_file"] = "x" }},
		{"wrong_type", func(m map[string]any) { m["flow_id"] = "1" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(base, &m); err != nil {
				t.Fatal(err)
			}
			c.edit(m)
			line, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.ValidateLine(line); err == nil {
				t.Fatalf("line validated, want schema error: %s", line)
			}
		})
	}
}

func TestValidateLineRejectsSeveralLines(t *testing.T) {
	v := loadValidator(t)
	line := encode(t, sampleEvents()["anomaly"])
	if err := v.ValidateLine(append(slices.Clone(line), line...)); !errors.Is(err, evetest.ErrNotOneLine) {
		t.Fatalf("two lines: got %v, want ErrNotOneLine", err)
	}
}

// TestGoldenAlertLine pins the exact bytes of one alert line: key order,
// omitted keys, the timestamp layout and unescaped '&'.
func TestGoldenAlertLine(t *testing.T) {
	f := eve.FileInfo{Filename: "/a&b.exe", State: eve.StateClosed, Size: 68, TxID: 0,
		SHA256: "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"}
	a := sampleAlert()
	a.Metadata = nil
	ev := tuple(&eve.Event{
		EventType: "alert", Direction: "to_client", TxID: u64(0), Alert: &a,
		AppProto: "http", Files: []eve.FileInfo{f},
		Wirescan: &eve.Extra{MatchOffsets: []int64{0, 33}, RuleFile: "eicar.rules", RuleLine: 1},
	})
	want := `{"timestamp":"2026-01-01T00:00:01.234567+0000","flow_id":1234567890123456,"pcap_cnt":17,` +
		`"event_type":"alert","src_ip":"10.0.0.2","src_port":80,"dest_ip":"10.0.0.1","dest_port":49152,` +
		`"proto":"TCP","direction":"to_client","tx_id":0,"alert":{"action":"allowed","gid":1,` +
		`"signature_id":1000001,"rev":2,"signature":"WIRESCAN EICAR test file","category":"Misc activity",` +
		`"severity":2},"app_proto":"http","files":[{"filename":"/a&b.exe","gaps":false,"state":"CLOSED",` +
		`"sha256":"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f","stored":false,` +
		`"size":68,"tx_id":0}],"wirescan":{"match_offsets":[0,33],"rule_file":"eicar.rules","rule_line":1}}` + "\n"
	if got := string(encode(t, ev)); got != want {
		t.Fatalf("line mismatch\n got: %s\nwant: %s", got, want)
	}
	// json.Marshal gives the same JSON value (it escapes '&', the Writer does not).
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var gotV, wantV any
	if err := json.Unmarshal(b, &gotV); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &wantV); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotV, wantV) {
		t.Fatalf("MarshalJSON differs from Writer:\n%s", b)
	}
}

func TestTimestampIsUTC(t *testing.T) {
	loc := sampleTime().In(time.FixedZone("CET", 3600))
	if got, want := eve.FormatTime(loc), "2026-01-01T00:00:01.234567+0000"; got != want {
		t.Fatalf("FormatTime = %q, want %q", got, want)
	}
}

func TestFlowTimes(t *testing.T) {
	line := encode(t, sampleEvents()["flow"])
	for _, want := range []string{`"start":"2026-01-01T00:00:00.234567+0000"`, `"end":"2026-01-01T00:00:01.234567+0000"`} {
		if !strings.Contains(string(line), want) {
			t.Errorf("flow line lacks %s: %s", want, line)
		}
	}
}

func TestWriteRequiresEventType(t *testing.T) {
	w := eve.NewWriter(io.Discard)
	if err := w.Write(&eve.Event{}); !errors.Is(err, eve.ErrNoEventType) {
		t.Fatalf("got %v, want ErrNoEventType", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterErrorIsSticky(t *testing.T) {
	w := eve.NewWriter(failWriter{})
	ev := sampleEvents()["anomaly"]
	if err := w.Write(ev); err != nil {
		t.Fatalf("buffered write failed early: %v", err)
	}
	if err := w.Flush(); err == nil || !strings.HasPrefix(err.Error(), "eve: ") {
		t.Fatalf("flush: got %v, want eve-prefixed error", err)
	}
	if err := w.Flush(); err == nil {
		t.Fatal("second flush succeeded after a failed one")
	}
}

func TestFileWriterAppendReopenClose(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "eve.json")
	if err := os.WriteFile(path, []byte("{\"event_type\":\"old\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fw, err := eve.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ev := sampleEvents()["anomaly"]
	if err := fw.Write(ev); err != nil {
		t.Fatal(err)
	}
	// logrotate: move the file away, then Reopen.
	rotated := path + ".1"
	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	if err := fw.Reopen(); err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(ev); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(ev); !errors.Is(err, eve.ErrClosed) {
		t.Fatalf("write after close: got %v, want ErrClosed", err)
	}
	if err := fw.Close(); !errors.Is(err, eve.ErrClosed) {
		t.Fatalf("second close: got %v, want ErrClosed", err)
	}
	old, _ := os.ReadFile(rotated)
	cur, _ := os.ReadFile(path)
	if n := bytes.Count(old, []byte("\n")); n != 2 {
		t.Errorf("rotated file has %d lines, want 2 (appended, not truncated): %s", n, old)
	}
	if n := bytes.Count(cur, []byte("\n")); n != 1 {
		t.Errorf("new file has %d lines, want 1: %s", n, cur)
	}
}

func BenchmarkWrite(b *testing.B) {
	events := sampleEvents()
	for _, name := range []string{"alert_http_files", "fileinfo_smb", "flow"} {
		ev := events[name]
		n := int64(len(mustEncode(b, ev)))
		b.Run(name, func(b *testing.B) {
			w := eve.NewWriter(io.Discard)
			b.ReportAllocs()
			b.SetBytes(n)
			for b.Loop() {
				if err := w.Write(ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func mustEncode(b *testing.B, ev *eve.Event) []byte {
	b.Helper()
	out, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// TestEventRoundTrip: a line Writer wrote decodes back into the same event.
func TestEventRoundTrip(t *testing.T) {
	tx := uint64(2)
	ts := time.Date(2026, 1, 2, 3, 4, 5, 678000, time.UTC)
	in := &eve.Event{Timestamp: ts, FlowID: 7, EventType: "alert", SrcIP: "10.0.0.1", SrcPort: 80, TxID: &tx,
		Alert: &eve.Alert{Action: "allowed", GID: 1, SignatureID: 9, Signature: "x"},
		Flow:  &eve.Flow{Start: ts, End: ts.Add(time.Second)},
		Files: []eve.FileInfo{{Filename: "a.exe", SHA256: "ab"}}, Wirescan: &eve.Extra{MatchOffsets: []int64{68}}}
	line, err := in.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var out eve.Event
	if err := json.Unmarshal(line, &out); err != nil {
		t.Fatal(err)
	}
	again, _ := out.MarshalJSON()
	if string(again) != string(line) || !out.Timestamp.Equal(ts) || !out.Flow.End.Equal(ts.Add(time.Second)) {
		t.Fatalf("round trip:\n%s\n%s", line, again)
	}
}
