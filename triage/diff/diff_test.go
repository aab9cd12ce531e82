package diff

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/eve"
)

func alert(sid, rev int, flow uint64, tx int64, file string, off int64) Alert {
	return Alert{GID: 1, SID: sid, Rev: rev, Signature: "sig", FlowID: flow, TxID: tx, Direction: "to_client",
		Src: "10.0.0.1:445", Dst: "10.0.0.2:50000", SHA256: file, Offset: off}
}

func TestCompare(t *testing.T) {
	base := []Alert{alert(1, 1, 7, 0, "aa", 68), alert(1, 1, 8, 0, "aa", 68), alert(2, 1, 7, 1, "bb", 10), alert(3, 1, 9, -1, "", 5)}
	cases := []struct {
		name                    string
		new                     []Alert
		added, removed, changed map[int]int // sid -> count
	}{
		{"identical", base, nil, nil, nil},
		{"signature removed", []Alert{base[0], base[1], base[3]}, nil, map[int]int{2: 1}, nil},
		{"signature added", append(append([]Alert{}, base...), alert(4, 1, 7, 0, "aa", 68)), map[int]int{4: 1}, nil, nil},
		{"rev change", []Alert{alert(1, 2, 7, 0, "aa", 68), alert(1, 2, 8, 0, "aa", 68), base[2], base[3]}, nil, nil, map[int]int{1: 2}},
		{"offset change", []Alert{base[0], base[1], alert(2, 1, 7, 1, "bb", 12), base[3]}, nil, nil, map[int]int{2: 1}},
		{"fires on fewer flows", []Alert{base[0], base[2], base[3]}, nil, map[int]int{1: 1}, nil},
		{"fires twice on one flow", append(append([]Alert{}, base...), alert(3, 1, 9, -1, "", 5)), map[int]int{3: 1}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Compare(base, tc.new)
			check := func(what string, got []Entry, want map[int]int) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("%s: %+v, want %v", what, got, want)
				}
				for _, e := range got {
					if want[e.SignatureID] != e.Count {
						t.Fatalf("%s: sid %d count %d, want %v", what, e.SignatureID, e.Count, want)
					}
				}
			}
			check("added", r.Added, tc.added)
			check("removed", r.Removed, tc.removed)
			check("changed", r.Changed, tc.changed)
			if r.Equal() != (tc.added == nil && tc.removed == nil && tc.changed == nil) {
				t.Fatalf("Equal() = %v", r.Equal())
			}
		})
	}
}

func TestChangedSaysWhat(t *testing.T) {
	r := Compare([]Alert{alert(1, 1, 7, 0, "aa", 68)}, []Alert{alert(1, 2, 7, 0, "aa", 70)})
	if len(r.Changed) != 1 || strings.Join(r.Changed[0].Changes, "; ") != "rev 1 -> 2; match offset 68 -> 70" {
		t.Fatalf("changed %+v", r.Changed)
	}
	var b bytes.Buffer
	if err := WriteText(&b, &r); err != nil || !strings.Contains(b.String(), "change  rev 1 -> 2") || !strings.Contains(b.String(), "1 changed") {
		t.Fatalf("text %q", b.String())
	}
}

// TestCollectorFillsHashFromFileinfo: an alert on a file still streaming
// names the file's hash once the file's fileinfo event arrives.
func TestCollectorFillsHashFromFileinfo(t *testing.T) {
	tx := uint64(3)
	var c Collector
	c.Write(&eve.Event{EventType: "alert", FlowID: 5, TxID: &tx, SrcIP: "10.0.0.1", SrcPort: 80,
		Alert: &eve.Alert{GID: 1, SignatureID: 9}, Files: []eve.FileInfo{{Filename: "/a.exe"}}})
	c.Write(&eve.Event{EventType: "http", FlowID: 5})
	c.Write(&eve.Event{EventType: "fileinfo", FlowID: 5, TxID: &tx, SrcIP: "10.0.0.1", SrcPort: 80,
		FileInfo: &eve.FileInfo{Filename: "/a.exe", SHA256: "cafe"}})
	if len(c.Alerts) != 1 || c.Alerts[0].SHA256 != "cafe" || c.Alerts[0].TxID != 3 {
		t.Fatalf("alerts %+v", c.Alerts)
	}
}
