package report

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestScanLine(t *testing.T) {
	cases := []struct {
		name, line string
		eventType  string
		flowID     uint64
		txID       uint64
		problem    string // "" for sound
		blank      bool
	}{
		{name: "alert", line: `{"timestamp":"x","flow_id":42,"event_type":"alert","alert":{"signature_id":1}}`, eventType: "alert", flowID: 42},
		{name: "spaces around colon", line: ` { "event_type" : "flow" , "flow_id" : 7, "tx_id": 3 } `, eventType: "flow", flowID: 7, txID: 3},
		{name: "nested tx_id is not top level", line: `{"fileinfo":{"tx_id":9},"event_type":"fileinfo"}`, eventType: "fileinfo"},
		{name: "nested event_type is not top level", line: `{"alert":{"event_type":"alert"},"event_type":"http"}`, eventType: "http"},
		{name: "event_type inside a string value", line: `{"http":{"url":"/\"event_type\":\"alert\""},"event_type":"http"}`, eventType: "http"},
		{name: "escaped backslash before quote", line: `{"a":"c:\\","event_type":"smb"}`, eventType: "smb"},
		{name: "brackets inside strings", line: `{"a":"}}]]{{","event_type":"fileinfo"}`, eventType: "fileinfo"},
		{name: "arrays", line: `{"a":[1,[2,{"b":[]}]],"event_type":"stats"}`, eventType: "stats"},
		{name: "no event_type", line: `{"a":1}`},
		{name: "CRLF tail", line: "{\"event_type\":\"alert\"}\r", eventType: "alert"},
		{name: "blank", line: "   ", blank: true},
		{name: "empty", line: "", blank: true},
		{name: "truncated in a string", line: `{"event_type":"alert","alert":{"signature":"WIRES`, problem: "truncated line: unterminated string"},
		{name: "truncated after a value", line: `{"event_type":"alert","alert":{"gid":1}`, problem: "truncated line: JSON object not closed"},
		{name: "truncated after an escape", line: `{"a":"\"`, problem: "truncated line: unterminated string"},
		{name: "garbage", line: `Jan 12 10:00:01 sensor suricata[123]: starting`, problem: "not a JSON object"},
		{name: "array line", line: `[1,2]`, problem: "not a JSON object"},
		{name: "two objects", line: `{"event_type":"alert"}{"event_type":"flow"}`, problem: "text after the JSON object (two events on one line?)"},
		{name: "mismatched", line: `{"a":[1}`, problem: "unbalanced brackets"},
		{name: "too deep", line: `{"a":` + string(bytes.Repeat([]byte("["), maxNesting)) + `}`, problem: "nested deeper than 512 levels"},
	}
	var sc scanner
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, problem := sc.scan([]byte(tc.line))
			if problem != tc.problem {
				t.Fatalf("problem %q, want %q", problem, tc.problem)
			}
			if problem != "" {
				return // facts of a damaged line are not used
			}
			if string(f.eventType) != tc.eventType || f.flowID != tc.flowID || f.txID != tc.txID || f.blank != tc.blank {
				t.Fatalf("got event_type %q flow_id %d tx_id %d blank %v, want %q %d %d %v", f.eventType, f.flowID, f.txID, f.blank, tc.eventType, tc.flowID, tc.txID, tc.blank)
			}
		})
	}
}

// TestScanAllocatesNothing: the fast path runs on every line of a file.
func TestScanAllocatesNothing(t *testing.T) {
	line := []byte(`{"timestamp":"2026-01-01T00:00:00.000000+0000","flow_id":1,"event_type":"flow","flow":{"pkts_toserver":3,"start":"x"},"tcp":{"syn":true}}`)
	var sc scanner
	sc.scan(line)
	if n := testing.AllocsPerRun(100, func() { sc.scan(line) }); n != 0 {
		t.Fatalf("%v allocations per scan, want 0", n)
	}
}

// checkScanAgainstJSON is the scanner's property: every valid JSON object is
// sound and its top-level event_type is found; a line the scanner passes
// as sound is at least balanced JSON structure.
func checkScanAgainstJSON(t *testing.T, line []byte) {
	var sc scanner
	f, problem := sc.scan(line)
	var obj map[string]json.RawMessage
	isObject := json.Unmarshal(line, &obj) == nil && obj != nil
	if isObject {
		if problem != "" {
			t.Fatalf("valid JSON object %q reported as %q", line, problem)
		}
		var et string
		raw, ok := obj["event_type"]
		once := bytes.Count(line, []byte(`"event_type"`)) == 1 // else duplicate or nested keys
		if ok && once && json.Unmarshal(raw, &et) == nil && !bytes.Contains(raw, []byte(`\`)) && utf8.Valid(raw) && string(f.eventType) != et {
			t.Fatalf("event_type %q, decoder says %q in %q", f.eventType, et, line)
		}
	}
	if json.Valid(line) && !isObject && !f.blank && problem == "" {
		t.Fatalf("valid JSON that is not an object %q passed the scan", line)
	}
}

func FuzzScanLine(f *testing.F) {
	for _, s := range []string{
		`{"timestamp":"2026-01-01T00:00:00.046850+0000","flow_id":485431338341632,"event_type":"alert","src_ip":"192.168.56.20","direction":"to_client","alert":{"gid":1,"signature_id":1990001,"rev":1,"signature":"WIRESCAN EICAR test file"},"files":[{"filename":"/downloads/eicar.com","state":"OPEN","size":68,"tx_id":2}]}`,
		`{"event_type":"fileinfo","fileinfo":{"filename":"tools\\eicar.com","sid":[1990001],"sha256":"275a"}}`,
		`{"a":"\"}{","event_type":"http"}`,
		`{"event_type":"alert"`,
		`[]`, `"x"`, `{}`, ` `, `{"a":[{"b":[]}]}`, `{"event_type":"a"}{}`,
		A{SID: 1, Src: "10.0.0.1", Dst: "10.0.0.2", Dir: "to_client", File: `a\b.exe`, Flow: 3, Tx: 1}.line(),
		A{SID: 2, Src: "10.0.0.1", Dst: "10.0.0.2", Suricata: true, Host: "s1", SHA: shaA, File: "x"}.line(),
		A{SID: 2, Src: "10.0.0.1", Dst: "10.0.0.2", Incident: 4, Summary: 9, SumLast: time.Hour}.line(),
		fileinfoLine(0, "", 3, 1, `a\b.exe`, shaB, 10, 1), flowLine(0, "", 3),
	} {
		f.Add([]byte(s))
	}
	// A multi-line seed: an alert waiting for its hash, the fileinfo giving
	// it, a summary of its incident and the flow's end.
	f.Add([]byte(strings.Join([]string{
		A{SID: 1, Src: "10.0.0.1", Dst: "10.0.0.2", Dir: "to_client", File: "a.exe", Flow: 3, Tx: 1, Incident: 7}.line(),
		A{SID: 1, Src: "10.0.0.1", Dst: "10.0.0.2", Incident: 7, Summary: 5, SumLast: time.Minute}.line(),
		fileinfoLine(0, "", 3, 1, "a.exe", shaA, 10, 1), flowLine(0, "", 3),
	}, "\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		for _, line := range lines {
			checkScanAgainstJSON(t, line)
		}
		// The aggregator takes any lines without panicking and keeps its
		// sums exact, with tiny limits so every limit path runs.
		for _, cfg := range []Config{DefaultConfig(), {MaxIncidents: 1, MaxSignatures: 1, MaxListed: 1, MaxDistinct: 1, MaxPending: 1, MaxBuckets: 4, TargetBuckets: 2}} {
			a, err := NewAggregator(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range lines {
				a.Add(line, "fuzz:"+strconv.Itoa(i+1))
			}
			rep := a.Report()
			checkSums(t, rep)
			var buf bytes.Buffer
			if err := rep.WriteJSON(&buf); err != nil || !json.Valid(buf.Bytes()) {
				t.Fatalf("JSON output invalid: %v", err)
			}
			rep.WriteText(&buf, 5)
		}
	})
}
