package explain

import (
	"io"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/triage/report"
)

const log = `{"timestamp":"2026-01-01T00:00:00.000000+0000","flow_id":1,"event_type":"flow","src_ip":"10.0.0.1"}
{"timestamp":"2026-01-01T00:00:01.000000+0000","flow_id":5,"event_type":"alert","src_ip":"10.0.0.2","src_port":80,"dest_ip":"10.0.0.1","dest_port":4000,"tx_id":0,"alert":{"action":"allowed","gid":1,"signature_id":7,"rev":1,"signature":"a","severity":3},"files":[{"filename":"/x.exe","gaps":false,"state":"OPEN","size":10,"tx_id":0}]}
not json at all
{"timestamp":"2026-01-01T00:00:02.000000+0000","flow_id":5,"event_type":"fileinfo","src_ip":"10.0.0.2","src_port":80,"tx_id":0,"fileinfo":{"filename":"/x.exe","gaps":false,"state":"CLOSED","sha256":"cafe","size":12,"tx_id":0}}
{"timestamp":"2026-01-01T00:00:03.000000+0000","flow_id":6,"event_type":"alert","src_ip":"10.0.0.3","alert":{"action":"allowed","gid":1,"signature_id":8,"rev":2,"signature":"b","severity":3}}
`

func open(t *testing.T) report.Source {
	t.Helper()
	src, err := report.Open("-", strings.NewReader(log), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestFind(t *testing.T) {
	for _, tc := range []struct {
		sel       Selector
		sid, num  int
		sha256    string
		wantError bool
	}{
		{Selector{Index: 1}, 7, 1, "cafe", false}, // the hash comes from the fileinfo line further on
		{Selector{Index: 2}, 8, 2, "", false},
		{Selector{FlowID: 6}, 8, 2, "", false},
		{Selector{SHA256: "cafe"}, 7, 1, "cafe", false},
		{Selector{Index: 3}, 0, 0, "", true},
		{Selector{SHA256: "beef"}, 0, 0, "", true},
	} {
		a, err := Find(open(t), tc.sel)
		if tc.wantError {
			if err == nil {
				t.Errorf("%v: found %+v", tc.sel, a)
			}
			continue
		}
		if err != nil || a.Alert.SignatureID != tc.sid || a.Number != tc.num {
			t.Fatalf("%v: %+v, %v", tc.sel, a, err)
		}
		if f := a.File(); tc.sha256 != "" && (f == nil || f.SHA256 != tc.sha256) {
			t.Errorf("%v: file %+v, want sha256 %s", tc.sel, f, tc.sha256)
		}
	}
}

func TestSame(t *testing.T) {
	a := &eve.Event{SrcIP: "1", DestIP: "2", SrcPort: 3, DestPort: 4, Alert: &eve.Alert{GID: 1, SignatureID: 9},
		Files: []eve.FileInfo{{Filename: "f"}}, Wirescan: &eve.Extra{MatchOffsets: []int64{68}}}
	b := *a
	b.FlowID = 99 // a replay numbers flows anew
	if !Same(a, &b) {
		t.Fatal("same alert not recognised")
	}
	c := b
	c.Wirescan = &eve.Extra{MatchOffsets: []int64{70}}
	d := b
	d.Files = []eve.FileInfo{{Filename: "g"}}
	e := b
	e.Alert = &eve.Alert{GID: 1, SignatureID: 10}
	for _, x := range []*eve.Event{&c, &d, &e} {
		if Same(a, x) {
			t.Errorf("%+v taken for %+v", x, a)
		}
	}
}

func TestWriteTextMarksTheMatch(t *testing.T) {
	start, end, ctx := int64(20), int64(24), int64(16)
	a := &Alert{Event: eve.Event{Alert: &eve.Alert{GID: 1, SignatureID: 1, Signature: "s"}}, Pos: "eve.json:3", Number: 1}
	ex := &eve.Explanation{Rule: "r.rules:1", Located: true, Parts: []eve.ExplainPart{{Buffer: "file_data", Kind: "content",
		Pattern: "evil", Start: &start, End: &end, ContextStart: &ctx, Context: "000000006576696c0000"}}}
	var b strings.Builder
	if err := WriteText(&b, a, ex, "test"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "00000010  00 00 00 00 65 76 69 6c 00 00") || !strings.Contains(out, "|....evil..|") ||
		!strings.Contains(out, "            ^^ ^^ ^^ ^^") {
		t.Fatalf("dump:\n%s", out)
	}
	if err := WriteText(io.Discard, a, nil, "why not"); err != nil {
		t.Fatal(err)
	}
}
