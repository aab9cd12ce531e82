package report

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	shaA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	shaB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// brief is an incident in one line, for table tests.
func brief(inc *Incident) string {
	s := fmt.Sprintf("%d sha=%.4s c=%s s=%s n=%d h=%d fan=%d", inc.SignatureID, inc.SHA256,
		strings.Join(inc.Clients, ","), strings.Join(inc.Servers, ","), inc.Count, inc.Hits, inc.Fanout)
	if inc.ClientsMore > 0 || inc.ServersMore > 0 {
		s += fmt.Sprintf(" more=%d/%d", inc.ClientsMore, inc.ServersMore)
	}
	if inc.Overflow {
		s += " overflow"
	}
	return s
}

func briefs(rep *Report) []string {
	out := []string{}
	for i := range rep.Incidents {
		out = append(out, brief(&rep.Incidents[i]))
	}
	return out
}

func TestGrouping(t *testing.T) {
	srv, c1, c2, c3 := "10.0.0.1", "10.0.1.1", "10.0.1.2", "10.0.1.3"
	down := func(sid int, client, sha string) A { // a download: the server sends the file
		return A{SID: sid, Src: srv, Dst: client, Dir: "to_client", File: "agent.exe", SHA: sha, Size: 100}
	}
	cases := []struct {
		name  string
		by    string
		lines []string
		want  []string
	}{
		{"identical alerts are one incident", "", []string{down(1, c1, shaA).line(), down(1, c1, shaA).line(), down(1, c1, shaA).line()},
			[]string{"1 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=3 h=3 fan=1"}},
		{"another file is another incident", "", []string{down(1, c1, shaA).line(), down(1, c1, shaB).line(), down(1, c1, shaB).line()},
			[]string{"1 sha=bbbb c=10.0.1.1 s=10.0.0.1 n=2 h=2 fan=1", "1 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}},
		{"another signature is another incident", "", []string{down(1, c1, shaA).line(), down(2, c1, shaA).line()},
			[]string{"1 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1", "2 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}},
		{"alerts without a file group under an empty hash", "", []string{
			A{SID: 5, Src: c1, Dst: srv, Dir: "to_server"}.line(), A{SID: 5, Src: c1, Dst: srv, Dir: "to_server"}.line()},
			[]string{"5 sha= c=10.0.1.1 s=10.0.0.1 n=2 h=2 fan=1"}},
		{"fanout counts the clients of a signature and file across incidents", "", []string{
			down(1, c1, shaA).line(), down(1, c2, shaA).line(), down(1, c2, shaA).line(), down(1, c3, shaA).line(), down(1, c1, shaB).line()},
			[]string{"1 sha=aaaa c=10.0.1.2 s=10.0.0.1 n=2 h=2 fan=3", "1 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=3",
				"1 sha=aaaa c=10.0.1.3 s=10.0.0.1 n=1 h=1 fan=3", "1 sha=bbbb c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}},
		{"--by sid,sha256 collapses hosts into lists", "sid,sha256", []string{
			down(1, c1, shaA).line(), down(1, c2, shaA).line(), down(1, c3, shaA).line(), down(1, c1, shaB).line()},
			[]string{"1 sha=aaaa c=10.0.1.1,10.0.1.2,10.0.1.3 s=10.0.0.1 n=3 h=3 fan=3", "1 sha=bbbb c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}},
		{"--by sid counts clients over every file", "sid", []string{down(1, c1, shaA).line(), down(1, c2, shaB).line()},
			[]string{"1 sha= c=10.0.1.1,10.0.1.2 s=10.0.0.1 n=2 h=2 fan=2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.by != "" {
				keys, err := ParseKeys(tc.by)
				if err != nil {
					t.Fatal(err)
				}
				cfg.By = keys
			}
			rep, damage := aggregate(t, cfg, tc.lines...)
			if len(damage) > 0 {
				t.Fatalf("damage: %v", damage)
			}
			if got := briefs(rep); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// TestOrientation: client and server come from Suricata 7's flow object,
// else from direction, else the source is the client.
func TestOrientation(t *testing.T) {
	srv, cli := "192.0.2.10", "198.51.100.7"
	cases := []struct {
		name string
		a    A
	}{
		{"ours to_client: the source is the server", A{Src: srv, Dst: cli, Dir: "to_client"}},
		{"ours to_server: the source is the client", A{Src: cli, Dst: srv, Dir: "to_server"}},
		{"no direction: the source is the client", A{Src: cli, Dst: srv}},
		{"Suricata flow object, to_client", A{Src: srv, Dst: cli, Dir: "to_client", Suricata: true}},
		{"Suricata flow object, to_server", A{Src: cli, Dst: srv, Dir: "to_server", Suricata: true}},
		{"Suricata flow object wins over a missing direction", A{Src: srv, Dst: cli, Suricata: true, Client: cli}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.a.SID = 9
			rep, _ := aggregate(t, DefaultConfig(), tc.a.line())
			inc := rep.Incidents[0]
			if inc.Clients[0] != cli || inc.Servers[0] != srv {
				t.Fatalf("client %v server %v, want %s %s", inc.Clients, inc.Servers, cli, srv)
			}
		})
	}
	// Both directions of one connection are one incident.
	rep, _ := aggregate(t, DefaultConfig(),
		A{SID: 9, Src: srv, Dst: cli, Dir: "to_client"}.line(), A{SID: 9, Src: cli, Dst: srv, Dir: "to_server"}.line())
	if len(rep.Incidents) != 1 || rep.Incidents[0].Count != 2 {
		t.Fatalf("two directions gave %v", briefs(rep))
	}
}

// TestIncidentDetails: the fields an analyst reads besides the key.
func TestIncidentDetails(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxListed = 2
	base := A{SID: 7, Src: "10.0.0.1", Dst: "10.0.1.1", Dir: "to_client", SHA: shaA, Size: 5000, Proto: "smb"}
	var lines []string
	for i, name := range []string{`share\agent.exe`, `c$\agent.exe`, `d$\agent.exe`, `share\agent.exe`} {
		a := base
		a.At, a.File, a.Host, a.Evidence = time.Duration(i)*time.Minute, name, []string{"s1", "s2"}[i%2], fmt.Sprintf("%d.pcap", i%3)
		a.Rev = 1 + i/3
		lines = append(lines, a.line())
	}
	http := base
	http.At, http.File, http.Proto, http.Host = 10*time.Minute, "/agent.exe", "http", "s1"
	lines = append(lines, http.line())
	rep, _ := aggregate(t, cfg, lines...)
	if len(rep.Incidents) != 1 {
		t.Fatalf("want one incident, got %v", briefs(rep))
	}
	inc := rep.Incidents[0]
	want := Incident{GID: 1, SignatureID: 7, Rev: 2, Revs: []int{1, 2}, Signature: "TEST signature 7", SHA256: shaA,
		Filenames: []string{`c$\agent.exe`, `share\agent.exe`}, FilenamesMore: 2, Size: 5000, Count: 5, Hits: 5,
		FirstSeen: "2026-03-01T12:00:00.000000Z", LastSeen: "2026-03-01T12:10:00.000000Z",
		Clients: []string{"10.0.1.1"}, ClientsMore: 0, Servers: []string{"10.0.0.1"}, Fanout: 1,
		Evidence: []string{"0.pcap", "1.pcap"}, EvidenceMore: 1, Rule: "test.rules:7",
		Sensors: []string{"s1", "s2"}, Protocols: []string{"http", "smb"}}
	if !reflect.DeepEqual(inc, want) {
		t.Fatalf("got  %+v\nwant %+v", inc, want)
	}
	if rep.Signatures != 1 || rep.Files != 1 || rep.FirstSeen != want.FirstSeen || rep.LastSeen != want.LastSeen {
		t.Fatalf("summary: %+v", rep.Summary)
	}
	// With sensor in the key, the two sensors are two incidents.
	cfg.By = []Key{KeySID, KeySHA256, KeyClient, KeyServer, KeySensor}
	rep, _ = aggregate(t, cfg, lines...)
	if len(rep.Incidents) != 2 || rep.Incidents[0].Sensors[0] != "s1" || rep.Incidents[0].Count != 3 {
		t.Fatalf("by sensor: %v", briefs(rep))
	}
}

// TestPendingHash: alerts on open files get their hash from the fileinfo
// event of the same sensor, flow, transaction and file name.
func TestPendingHash(t *testing.T) {
	open := func(at time.Duration, host string, flow, tx uint64, file string) A {
		return A{At: at, SID: 3, Src: "10.0.0.1", Dst: "10.0.1.1", Dir: "to_client", Host: host, Flow: flow, Tx: tx, File: file, Size: 10}
	}
	cases := []struct {
		name       string
		maxPending int
		lines      []string
		want       []string
		unhashed   uint64
		evicted    uint64
	}{
		{"fileinfo gives the hash", 0, []string{
			open(0, "", 1, 2, "a.exe").line(), fileinfoLine(time.Second, "", 1, 2, "a.exe", shaA, 4096, 3)},
			[]string{"3 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}, 0, 0},
		{"another transaction, file or sensor does not", 0, []string{
			open(0, "s1", 1, 2, "a.exe").line(),
			fileinfoLine(time.Second, "s1", 1, 3, "a.exe", shaB, 1, 3), // other tx
			fileinfoLine(time.Second, "s1", 1, 2, "b.exe", shaB, 1, 3), // other name
			fileinfoLine(time.Second, "s2", 1, 2, "a.exe", shaB, 1, 3), // other sensor
			fileinfoLine(time.Second, "s1", 1, 2, "a.exe", shaB, 1, 4), // other signature
			fileinfoLine(2*time.Second, "s1", 1, 2, "a.exe", shaA, 1, 3)},
			[]string{"3 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}, 0, 0},
		{"the flow's end gives up", 0, []string{
			open(0, "", 1, 2, "a.exe").line(), flowLine(time.Second, "", 1), fileinfoLine(2*time.Second, "", 1, 2, "a.exe", shaA, 1, 3)},
			[]string{"3 sha= c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}, 1, 0},
		{"the flow's end of a sensor with an escaped name", 0, []string{
			open(0, `s"1`, 1, 2, "a.exe").line(), flowLine(time.Second, `s"1`, 1), fileinfoLine(2*time.Second, `s"1`, 1, 2, "a.exe", shaA, 1, 3)},
			[]string{"3 sha= c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}, 1, 0},
		{"another sensor's flow end does not", 0, []string{
			open(0, "s1", 1, 2, "a.exe").line(), flowLine(time.Second, "s2", 1), flowLine(time.Second, "", 1), fileinfoLine(2*time.Second, "s1", 1, 2, "a.exe", shaA, 1, 3)},
			[]string{"3 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}, 0, 0},
		{"the input's end gives up", 0, []string{open(0, "", 1, 2, "a.exe").line()},
			[]string{"3 sha= c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}, 1, 0},
		{"the pending limit evicts the oldest", 1, []string{
			open(0, "", 1, 2, "a.exe").line(), open(0, "", 2, 2, "a.exe").line(),
			fileinfoLine(time.Second, "", 1, 2, "a.exe", shaA, 1, 3), fileinfoLine(time.Second, "", 2, 2, "a.exe", shaA, 1, 3)},
			[]string{"3 sha= c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1", "3 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.MaxPending = tc.maxPending
			rep, damage := aggregate(t, cfg, tc.lines...)
			if len(damage) > 0 {
				t.Fatal(damage)
			}
			if got := briefs(rep); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if rep.Unhashed != tc.unhashed || rep.PendingEvicted != tc.evicted {
				t.Fatalf("unhashed %d evicted %d, want %d %d", rep.Unhashed, rep.PendingEvicted, tc.unhashed, tc.evicted)
			}
		})
	}
}

// TestIncidentSummaries: count is alert lines; hits adds incident_count-1
// per summary of wirescan's alert policy.
func TestIncidentSummaries(t *testing.T) {
	opener := A{SID: 4, Src: "10.0.0.1", Dst: "10.0.1.1", Dir: "to_client", File: "x.exe", SHA: shaA, Incident: 17}
	summary := A{At: time.Hour, SID: 4, Src: "10.0.0.1", Dst: "10.0.1.1", Incident: 17, Summary: 2700, SumFirst: 0, SumLast: time.Hour}
	cases := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"summary joins its opening alert", []string{opener.line(), summary.line()},
			[]string{"4 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=2700 fan=1"}},
		{"summary without its alert keys on its own fields", []string{summary.line()},
			[]string{"4 sha= c=10.0.0.1 s=10.0.1.1 n=0 h=2699 fan=1"}},
		{"a count of 1 adds nothing", []string{opener.line(), func() string { s := summary; s.Summary = 1; return s.line() }()},
			[]string{"4 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}},
		{"another sensor's id is another incident", []string{opener.line(), func() string { s := summary; s.Host = "other"; return s.line() }()},
			[]string{"4 sha= c=10.0.0.1 s=10.0.1.1 n=0 h=2699 fan=1", "4 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=1 fan=1"}},
		{"summary of an alert still waiting for its hash", []string{
			func() string { o := opener; o.SHA, o.Flow, o.Tx = "", 9, 1; return o.line() }(),
			summary.line(), fileinfoLine(2*time.Hour, "", 9, 1, "x.exe", shaA, 1, 4)},
			[]string{"4 sha=aaaa c=10.0.1.1 s=10.0.0.1 n=1 h=2700 fan=1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, damage := aggregate(t, DefaultConfig(), tc.lines...)
			if len(damage) > 0 {
				t.Fatal(damage)
			}
			if got := briefs(rep); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if rep.Summaries != 1 {
				t.Fatalf("summaries %d, want 1", rep.Summaries)
			}
		})
	}
	rep, _ := aggregate(t, DefaultConfig(), opener.line(), summary.line())
	if inc := rep.Incidents[0]; inc.LastSeen != "2026-03-01T13:00:00.000000Z" || rep.Alerts != 1 || rep.Hits != 2700 {
		t.Fatalf("last seen %s, alerts %d, hits %d", inc.LastSeen, rep.Alerts, rep.Hits)
	}
	var tl uint64
	for _, c := range rep.Timeline.Series[0].Counts {
		tl += c
	}
	if tl != 2700 {
		t.Fatalf("timeline holds %d hits, want 2700", tl)
	}
}

func TestTimeWindow(t *testing.T) {
	var lines []string
	for i := 0; i < 4; i++ {
		lines = append(lines, A{At: time.Duration(i) * time.Hour, SID: 1, Src: "10.0.0.1", Dst: "10.0.0.2"}.line())
	}
	lines = append(lines, A{At: 3 * time.Hour, SID: 1, Src: "10.0.0.1", Dst: "10.0.0.2", Incident: 5, Summary: 10, SumFirst: 0, SumLast: 3 * time.Hour}.line())
	cases := []struct {
		name         string
		since, until time.Duration // after t0; -1 for none
		alerts, hits uint64
		out          uint64
	}{
		{"no window", -1, -1, 4, 13, 0},
		{"since", 90 * time.Minute, -1, 2, 11, 2},
		{"until is exclusive", -1, 2 * time.Hour, 2, 2, 3},
		{"both", time.Hour, 2 * time.Hour, 1, 1, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.since >= 0 {
				cfg.Since = t0.Add(tc.since)
			}
			if tc.until >= 0 {
				cfg.Until = t0.Add(tc.until)
			}
			rep, _ := aggregate(t, cfg, lines...)
			if rep.Alerts != tc.alerts || rep.Hits != tc.hits || rep.OutOfWindow != tc.out {
				t.Fatalf("alerts %d hits %d out %d, want %d %d %d", rep.Alerts, rep.Hits, rep.OutOfWindow, tc.alerts, tc.hits, tc.out)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 5, 5, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "90m", want: now.Add(-90 * time.Minute)},
		{in: "24h", want: now.Add(-24 * time.Hour)},
		{in: "7d", want: now.Add(-7 * 24 * time.Hour)},
		{in: "2026-01-02T03:04:05Z", want: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{in: "2026-01-02T03:04:05+02:00", want: time.Date(2026, 1, 2, 1, 4, 5, 0, time.UTC)},
		{in: "2026-01-02T03:04:05.000000+0000", want: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{in: "2026-01-02", want: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		{in: "-5m", bad: true},
		{in: "yesterday", bad: true},
		{in: "", bad: true},
	}
	for _, tc := range cases {
		got, err := ParseTime(tc.in, now)
		if tc.bad != (err != nil) || (!tc.bad && !got.Equal(tc.want)) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestParseKeys(t *testing.T) {
	for in, want := range map[string]string{
		"sid,sha256": "[sid sha256]", " SID , client ": "[sid client]", "sid,sensor": "[sid sensor]",
		"sha256": "error", "sid,sid": "error", "sid,port": "error", "sid,": "error",
	} {
		keys, err := ParseKeys(in)
		got := fmt.Sprint(keys)
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("ParseKeys(%q) = %s (%v), want %s", in, got, err, want)
		}
	}
}

// TestOverflow: past MaxIncidents new keys fold into one overflow incident
// per signature, past MaxSignatures into one catch-all; sums stay exact.
func TestOverflow(t *testing.T) {
	var lines []string
	for i := 0; i < 50; i++ {
		client := fmt.Sprintf("10.1.0.%d", i%20)
		lines = append(lines, A{At: time.Duration(i) * time.Second, SID: 1 + i%3, Src: client, Dst: "10.0.0.1", Dir: "to_server"}.line())
	}
	cfg := DefaultConfig()
	cfg.MaxIncidents = 10
	rep, _ := aggregate(t, cfg, lines...)
	overflow := 0
	for _, inc := range rep.Incidents {
		if inc.Overflow {
			overflow++
			if inc.Count == 0 || len(inc.Clients)+inc.ClientsMore < 2 {
				t.Errorf("overflow incident %s holds too little", brief(&inc))
			}
		}
	}
	// 60 distinct keys (20 clients x 3 sids, but only i%20 with i%3: 50
	// alerts give 50 keys (20 and 3 are coprime), 10 kept, 40 folded.
	if len(rep.Incidents) != 13 || overflow != 3 || rep.OverflowIncidents != 3 || rep.Folded != 40 {
		t.Fatalf("%d incidents, %d overflow (%d), %d folded:\n%s", len(rep.Incidents), overflow, rep.OverflowIncidents, rep.Folded, strings.Join(briefs(rep), "\n"))
	}
	cfg.MaxSignatures = 1
	rep, _ = aggregate(t, cfg, lines...)
	if rep.OverflowIncidents != 2 || rep.Signatures != 3 {
		t.Fatalf("with one overflow signature: %d overflow incidents, %d signatures:\n%s", rep.OverflowIncidents, rep.Signatures, strings.Join(briefs(rep), "\n"))
	}
	last := rep.Incidents[len(rep.Incidents)-1]
	catchAll := false
	for _, inc := range rep.Incidents {
		catchAll = catchAll || (inc.Overflow && inc.SignatureID == 0 && inc.Signature == "(other signatures)")
	}
	if !catchAll {
		t.Fatalf("no catch-all overflow incident; last %s", brief(&last))
	}
	if n := len(rep.Timeline.Series); n != 2 || rep.Timeline.Series[1].Label != "other signatures" {
		t.Fatalf("timeline series %+v", rep.Timeline.Series)
	}
}

// TestDistinctCap: a full distinct table makes counts lower bounds, marked.
func TestDistinctCap(t *testing.T) {
	var lines []string
	for i := 0; i < 30; i++ {
		lines = append(lines, A{SID: 1, Src: fmt.Sprintf("10.1.0.%d", i), Dst: "10.0.0.1", File: fmt.Sprintf("f%d", i), SHA: shaA}.line())
	}
	cfg := DefaultConfig()
	cfg.By, _ = ParseKeys("sid,sha256")
	cfg.MaxListed, cfg.MaxDistinct = 5, 10
	rep, _ := aggregate(t, cfg, lines...)
	inc := rep.Incidents[0]
	if !inc.Capped || len(inc.Clients)+inc.ClientsMore >= 30 || len(inc.Clients) != 5 {
		t.Fatalf("capped %v, clients %d+%d", inc.Capped, len(inc.Clients), inc.ClientsMore)
	}
	cfg.MaxDistinct = 0 // default: exact
	rep, _ = aggregate(t, cfg, lines...)
	if inc := rep.Incidents[0]; inc.Capped || len(inc.Clients)+inc.ClientsMore != 30 || inc.FilenamesMore != 25 || inc.Fanout != 30 {
		t.Fatalf("exact: capped %v clients %d+%d files +%d fanout %d", inc.Capped, len(inc.Clients), inc.ClientsMore, inc.FilenamesMore, inc.Fanout)
	}
}

// TestDamagedLines: damage is reported with NAME:LINE and skipped; the rest
// is counted.
func TestDamagedLines(t *testing.T) {
	good := A{SID: 1, Src: "10.0.0.1", Dst: "10.0.0.2"}.line()
	lines := []string{
		good,
		"garbage from a syslog relay",
		`{"timestamp":"2026-03-01T12:00:00.000000+0000","event_type":"alert"}`,
		`{"timestamp":"yesterday","event_type":"alert","alert":{"signature_id":1}}`,
		`{"timestamp":"2026-03-01T12:00:00.000000+0000","event_type":"alert","alert":{"signature_id":"one"}}`,
		`{"event_type":"incident","timestamp":"2026-03-01T12:00:00.000000+0000","alert":{"signature_id":1}}`,
		"",
		good,
		good[:len(good)/2], // truncated last line (a writer killed mid-line)
	}
	rep, damage := aggregate(t, DefaultConfig(), lines...)
	want := []string{
		"eve.json:2: not a JSON object",
		`eve.json:3: alert event without an "alert" object`,
		`eve.json:4: alert: bad or missing timestamp "yesterday"`,
		`eve.json:5: alert: field "alert.signature_id" has the wrong type (string, want int)`,
		"eve.json:6: incident: no wirescan.incident_id",
		"eve.json:9: truncated line: unterminated string",
	}
	if !reflect.DeepEqual(damage, want) {
		t.Fatalf("damage\n  %s\nwant\n  %s", strings.Join(damage, "\n  "), strings.Join(want, "\n  "))
	}
	if rep.Alerts != 2 || rep.Damaged != 6 || rep.Lines != 9 {
		t.Fatalf("alerts %d damaged %d lines %d", rep.Alerts, rep.Damaged, rep.Lines)
	}
}

// TestDeterministic: the same lines give the same JSON, and the incident
// order does not depend on the order distinct incidents were met.
func TestDeterministic(t *testing.T) {
	var lines []string
	for i := 0; i < 40; i++ {
		lines = append(lines, A{At: time.Duration(i) * time.Minute, SID: 1 + i%4, Src: fmt.Sprintf("10.0.0.%d", i%7), Dst: "10.9.9.9", SHA: []string{shaA, shaB}[i%2], File: "f"}.line())
	}
	render := func(lines []string) string {
		rep, _ := aggregate(t, DefaultConfig(), lines...)
		var b bytes.Buffer
		rep.WriteJSON(&b)
		return b.String()
	}
	first := render(lines)
	if again := render(lines); again != first {
		t.Fatal("two runs differ")
	}
	reversed := make([]string, len(lines))
	for i, l := range lines {
		reversed[len(lines)-1-i] = l
	}
	if render(reversed) != first {
		t.Fatal("reversed input gives another report")
	}
}
