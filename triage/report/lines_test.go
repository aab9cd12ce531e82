package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/eve/evetest"
)

// These helpers write EVE lines for tests: wirescan's layout by default,
// Suricata 7's when Suricata is set (flow object with client/server, host).

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func evets(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000-0700") }

// A is an alert (or, with Summary set, an incident summary) to write.
type A struct {
	At        time.Duration // after t0
	SID, Rev  int
	Msg       string
	Src, Dst  string
	Dir       string // "to_client", "to_server" or ""
	Suricata  bool   // add Suricata 7's flow object with the client and server
	Client    string // for Suricata: the flow's src_ip (default: derived from Dir)
	Host      string
	Proto     string
	Flow      uint64
	Tx        uint64
	File      string
	SHA       string
	Size      int64
	Evidence  string
	Incident  uint64
	Summary   uint64 // incident_count of a summary line
	SumFirst  time.Duration
	SumLast   time.Duration
	NoFileSID bool
}

func (a A) line() string {
	ev := map[string]any{
		"timestamp": evets(t0.Add(a.At)), "event_type": "alert",
		"src_ip": a.Src, "dest_ip": a.Dst, "proto": "TCP",
	}
	if a.Flow != 0 {
		ev["flow_id"] = a.Flow
	}
	if a.Dir != "" {
		ev["direction"] = a.Dir
	}
	if a.Host != "" {
		ev["host"] = a.Host
	}
	if a.Proto != "" {
		ev["app_proto"] = a.Proto
	}
	msg := a.Msg
	if msg == "" {
		msg = "TEST signature " + itoa(a.SID)
	}
	rev := a.Rev
	if rev == 0 {
		rev = 1
	}
	ev["alert"] = map[string]any{"action": "allowed", "gid": 1, "signature_id": a.SID, "rev": rev, "signature": msg, "severity": 3}
	ev["tx_id"] = a.Tx
	if a.File != "" {
		f := map[string]any{"filename": a.File, "gaps": false, "state": "OPEN", "stored": false, "size": a.Size, "tx_id": a.Tx}
		if a.SHA != "" {
			f["sha256"], f["state"] = a.SHA, "CLOSED"
		}
		if !a.NoFileSID {
			f["sid"] = []int{a.SID}
		}
		ev["files"] = []any{f}
	}
	if a.Suricata {
		client, server := a.Src, a.Dst
		if a.Dir == "to_client" {
			client, server = a.Dst, a.Src
		}
		if a.Client != "" {
			client = a.Client
			if client == a.Dst {
				server = a.Src
			} else {
				server = a.Dst
			}
		}
		ev["flow"] = map[string]any{"pkts_toserver": 5, "pkts_toclient": 4, "bytes_toserver": 500, "bytes_toclient": 900,
			"start": evets(t0), "src_ip": client, "dest_ip": server, "src_port": 49152, "dest_port": 445}
	} else {
		w := map[string]any{"rule_file": "test.rules", "rule_line": a.SID % 100}
		if a.Evidence != "" {
			w["evidence_pcap"] = a.Evidence
		}
		if a.Incident != 0 {
			w["incident_id"] = a.Incident
		}
		ev["wirescan"] = w
	}
	if a.Summary != 0 {
		ev["event_type"] = "incident"
		delete(ev, "files")
		delete(ev, "direction")
		ev["wirescan"] = map[string]any{"incident_id": a.Incident, "incident_count": a.Summary,
			"incident_first": evets(t0.Add(a.SumFirst)), "incident_last": evets(t0.Add(a.SumLast))}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// fileinfoLine is the fileinfo event that closes a file.
func fileinfoLine(at time.Duration, host string, flow, tx uint64, name, sha string, size int64, sids ...int) string {
	ev := map[string]any{"timestamp": evets(t0.Add(at)), "flow_id": flow, "event_type": "fileinfo", "tx_id": tx,
		"fileinfo": map[string]any{"filename": name, "sid": sids, "gaps": false, "state": "CLOSED", "sha256": sha, "stored": false, "size": size, "tx_id": tx}}
	if host != "" {
		ev["host"] = host
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

// flowLine is the flow event that ends a flow.
func flowLine(at time.Duration, host string, flow uint64) string {
	ev := map[string]any{"timestamp": evets(t0.Add(at)), "flow_id": flow, "event_type": "flow",
		"flow": map[string]any{"pkts_toserver": 1, "pkts_toclient": 1, "start": evets(t0), "end": evets(t0.Add(at)), "age": 1}}
	if host != "" {
		ev["host"] = host
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// aggregate runs lines through an Aggregator with cfg and returns the
// report and the damage messages; it checks the count invariant.
func aggregate(t *testing.T, cfg Config, lines ...string) (*Report, []string) {
	t.Helper()
	a, err := NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := NewLineSource("eve.json", nopCloser{strings.NewReader(strings.Join(lines, "\n") + "\n")}, 0)
	var damage []string
	if err := a.Feed(src, func(d *DamageError) { damage = append(damage, d.Error()) }); err != nil {
		t.Fatal(err)
	}
	rep := a.Report()
	checkSums(t, rep)
	return rep, damage
}

// checkSums: incident counts sum to the alerts read, hits to the hits.
func checkSums(t *testing.T, rep *Report) {
	t.Helper()
	var count, hits uint64
	for _, inc := range rep.Incidents {
		count += inc.Count
		hits += inc.Hits
	}
	if count != rep.Alerts || hits != rep.Hits {
		t.Fatalf("incidents sum to %d alerts / %d hits, report says %d / %d", count, hits, rep.Alerts, rep.Hits)
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// TestFixturesFollowTheSchema: the test lines, Suricata-style ones
// included, are valid EVE by Suricata's published schema, so the tests
// exercise what real sensors write.
func TestFixturesFollowTheSchema(t *testing.T) {
	path, ok := evetest.SchemaPath()
	if !ok {
		t.Skip("EVE schema (../shared/eve-schema) not found")
	}
	v, err := evetest.LoadSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		A{SID: 1, Src: "10.0.0.1", Dst: "10.0.0.2", Dir: "to_client", Suricata: true, Host: "sensor-1", Proto: "smb", Flow: 5, Tx: 2, File: `a\b.exe`, SHA: shaA, Size: 9}.line(),
		A{SID: 1, Src: "10.0.0.1", Dst: "10.0.0.2", Dir: "to_server", Proto: "http", Flow: 5, Tx: 2, File: "/a.exe", Evidence: "5.pcap", Incident: 3}.line(),
		fileinfoLine(0, "sensor-1", 5, 2, `a\b.exe`, shaA, 9, 1),
		flowLine(0, "sensor-1", 5),
	} {
		if err := v.ValidateLine([]byte(line)); err != nil {
			t.Errorf("%v\n%s", err, line)
		}
	}
}
