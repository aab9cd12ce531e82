package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/internal/testservers"
	"github.com/wirescan/wirescan/triage/report"
)

// replayInto replays captures into dir/eve.json (appending) and returns its path.
func replayInto(t *testing.T, dir string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(append([]string{"replay", "-q", "-l", dir}, args...), nil, &out, &errb); code != 0 {
		t.Fatalf("replay %v: exit %d: %s", args, code, errb.String())
	}
	return filepath.Join(dir, "eve.json")
}

// runReport runs `wirescan report` and returns stdout, stderr and the code.
func runReport(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"report"}, args...), bytes.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// countAlertLines counts alert lines the slow way, as the report's check.
func countAlertLines(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range bytes.Split(data, []byte("\n")) {
		var ev struct {
			EventType string `json:"event_type"`
		}
		if len(l) > 0 && json.Unmarshal(l, &ev) == nil && ev.EventType == "alert" {
			n++
		}
	}
	return n
}

// TestReportOnReplayedCaptures replays the HTTP capture twice and the SMB2
// capture once (as a sensor would log the same downloads again), then
// reports: the repeated EICAR download is one incident of two alerts, the
// SMB read another, both on the EICAR hash (from the fileinfo events, as
// the alerts fired while the files were open), fanout 2.
func TestReportOnReplayedCaptures(t *testing.T) {
	dir := t.TempDir()
	http, smb := filepath.Join(testdataDir, "http-eicar.pcap"), filepath.Join(testdataDir, "smb2-eicar.pcap")
	replayInto(t, dir, "-r", http, "--evidence")
	replayInto(t, dir, "-r", http, "--evidence")
	eve := replayInto(t, dir, "-r", smb, "--evidence")

	stdout, stderr, code := runReport(t, nil, "--json", eve)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, stdout)
	}
	alerts := countAlertLines(t, eve)
	if int(rep.Alerts) != alerts || alerts != 3 || len(rep.Incidents) != 2 || rep.Damaged != 0 {
		t.Fatalf("report: %d alerts (file has %d), %d incidents, %d damaged", rep.Alerts, alerts, len(rep.Incidents), rep.Damaged)
	}
	var sum uint64
	for _, inc := range rep.Incidents {
		sum += inc.Count
		if inc.SignatureID != 1990001 || inc.GID != 1 || inc.SHA256 != eicarSHA256 || inc.Size != 68 || inc.Fanout != 2 ||
			inc.Rule != "builtin" || len(inc.Clients) != 1 || len(inc.Servers) != 1 || len(inc.Evidence) == 0 {
			t.Errorf("incident %+v", inc)
		}
		for _, pcap := range inc.Evidence {
			if _, err := os.Stat(filepath.Join(dir, "evidence", pcap)); err != nil {
				t.Errorf("evidence %s: %v", pcap, err)
			}
		}
	}
	if sum != rep.Alerts {
		t.Fatalf("counts sum to %d, alerts %d", sum, rep.Alerts)
	}
	httpInc, smbInc := rep.Incidents[0], rep.Incidents[1]
	if httpInc.Count != 2 || httpInc.Filenames[0] != "/downloads/eicar.com" || httpInc.Clients[0] != "192.168.56.10" ||
		httpInc.Servers[0] != "192.168.56.20" || httpInc.Protocols[0] != "http" {
		t.Errorf("HTTP incident %+v", httpInc)
	}
	if smbInc.Count != 1 || smbInc.Filenames[0] != `tools\eicar.com` || smbInc.Clients[0] != "192.168.56.11" ||
		smbInc.Servers[0] != "192.168.56.30" || smbInc.Protocols[0] != "smb" {
		t.Errorf("SMB incident %+v", smbInc)
	}

	// The table: both incidents and the total line.
	stdout, _, _ = runReport(t, nil, eve)
	if !strings.Contains(stdout, "3 alerts in 2 incidents (1 signature, 1 file)\n") || strings.Count(stdout, "WIRESCAN EICAR test file") != 2 {
		t.Fatalf("table:\n%s", stdout)
	}
	// --by sid,sha256: one incident, both clients.
	stdout, _, _ = runReport(t, nil, "--json", "--by", "sid,sha256", eve)
	rep = report.Report{}
	json.Unmarshal([]byte(stdout), &rep)
	if len(rep.Incidents) != 1 || len(rep.Incidents[0].Clients) != 2 || rep.Incidents[0].Count != 3 {
		t.Fatalf("--by sid,sha256: %+v", rep.Incidents)
	}
	// A window after every event counts nothing (the captures' packet
	// times are in 2026-01-01).
	stdout, _, code = runReport(t, nil, "--since", "2026-01-02T00:00:00Z", eve, "--json")
	rep = report.Report{}
	json.Unmarshal([]byte(stdout), &rep)
	if code != 0 || rep.Alerts != 0 || rep.OutOfWindow != 3 {
		t.Fatalf("--since after the capture: exit %d, %d alerts, %d out of window", code, rep.Alerts, rep.OutOfWindow)
	}
	// --html writes a page with charts.
	page := filepath.Join(dir, "report.html")
	if _, stderr, code := runReport(t, nil, "--html", page, eve); code != 0 {
		t.Fatalf("--html: exit %d: %s", code, stderr)
	}
	if data, err := os.ReadFile(page); err != nil || !bytes.Contains(data, []byte("<svg")) || !bytes.Contains(data, []byte("/downloads/eicar.com")) {
		t.Fatalf("html page: %v", err)
	}
}

// TestReportPolicySummaries: with the alert policy aggregating, repeated
// hits are not logged as alerts but summarised; the report counts them as
// hits of the incident whose alert opened it.
func TestReportPolicySummaries(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.yaml")
	os.WriteFile(pol, []byte("default-aggregate: 1h\n"), 0o644)
	http := filepath.Join(testdataDir, "http-eicar.pcap")
	eve := replayInto(t, dir, "-r", http, "-r", http, "--policy", pol)
	stdout, stderr, code := runReport(t, nil, "--json", eve)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep report.Report
	json.Unmarshal([]byte(stdout), &rep)
	if rep.Alerts != 1 || rep.Summaries != 1 || rep.Hits != 2 || len(rep.Incidents) != 1 ||
		rep.Incidents[0].Count != 1 || rep.Incidents[0].Hits != 2 || rep.Incidents[0].SHA256 != eicarSHA256 {
		t.Fatalf("alerts %d summaries %d hits %d incidents %+v", rep.Alerts, rep.Summaries, rep.Hits, rep.Incidents)
	}
}

// TestReportDamage: missing files and damaged lines are warnings naming
// FILE:LINE, the report is still printed from everything readable, and the
// exit status is 1.
func TestReportDamage(t *testing.T) {
	dir := t.TempDir()
	eve := replayInto(t, dir, "-r", filepath.Join(testdataDir, "http-eicar.pcap"))
	good, _ := os.ReadFile(eve)
	lines := bytes.Count(good, []byte("\n"))
	damaged := filepath.Join(dir, "damaged.json")
	os.WriteFile(damaged, append(append(append([]byte{}, good...), "garbage\n"...), good[:len(good)-40]...), 0o644)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(good)
	zw.Close()
	cut := filepath.Join(dir, "cut.json.gz")
	os.WriteFile(cut, z.Bytes()[:z.Len()-12], 0o644) // the data, not the trailer: the end of the stream is lost
	missing := filepath.Join(dir, "missing.json")

	stdout, stderr, code := runReport(t, nil, "--json", eve, damaged, cut, missing)
	if code != exitError {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	for _, want := range []string{
		damaged + ":" + itoa(lines+1) + ": not a JSON object\n",
		damaged + ":" + itoa(2*lines+1) + ": truncated line: ",
		cut + ":",
		": gzip: compressed stream is truncated",
		"missing.json: no such file or directory",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("no report on stdout: %v", err)
	}
	// eve.json and damaged.json hold the alert once each; the truncated gzip
	// file too unless the cut took the alert's line.
	if rep.Alerts < 2 || rep.Damaged != 3 {
		t.Fatalf("%d alerts, %d damaged lines", rep.Alerts, rep.Damaged)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestReportUsage(t *testing.T) {
	dir := t.TempDir()
	eve := filepath.Join(dir, "eve.json")
	os.WriteFile(eve, nil, 0o644)
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{nil, exitUsage, "no EVE file"},
		{[]string{"--by", "client", eve}, exitUsage, "must include sid"},
		{[]string{"--by", "sid,port", eve}, exitUsage, `unknown field "port"`},
		{[]string{"--since", "last tuesday", eve}, exitUsage, "--since"},
		{[]string{"--since", "1h", "--until", "2h", eve}, exitUsage, "not after"},
		{[]string{"--top", "-1", eve}, exitUsage, "--top"},
		{[]string{"--frobnicate", eve}, exitUsage, "frobnicate"},
		{[]string{eve, "--json"}, exitOK, ""},           // flags after the file
		{[]string{"--", "--json"}, exitError, "--json"}, // after --, a file name
		{[]string{"--html", filepath.Join(dir, "no", "x.html"), eve}, exitError, "x.html"},
	}
	for _, tc := range cases {
		_, stderr, code := runReport(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", tc.args, code, tc.code, stderr, tc.msg)
		}
	}
}

// TestReportBinary runs the built binary on standard input (a gzip stream
// cut short, piped as a user would): exit status 1 from the process, the
// damage named as stdin:LINE, the report still printed.
func TestReportBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "wirescan")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	eve := replayInto(t, dir, "-r", filepath.Join(testdataDir, "smb2-eicar.pcap"))
	data, _ := os.ReadFile(eve)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(data)
	zw.Write(data[:len(data)/2])
	zw.Flush() // no Close: the stream ends without its trailer, mid-line
	cmd := exec.Command(bin, "report", "-")
	cmd.Stdin = &z
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 1 {
		t.Fatalf("want exit status 1, got %v; stderr %s", err, errb.String())
	}
	if !strings.HasPrefix(errb.String(), "stdin:") || !strings.Contains(errb.String(), "gzip: compressed stream is truncated") {
		t.Fatalf("stderr %q", errb.String())
	}
	if !strings.Contains(out.String(), "WIRESCAN EICAR test file") || !strings.Contains(out.String(), "alerts in") {
		t.Fatalf("no report on stdout:\n%s", out.String())
	}
}

// TestReportFromFleetSinks: three sensors' replays sent to one Redis stream
// and one NATS subject are read back by report as one fleet: the counts are
// those of the three eve.json files together, and each sensor is named.
func TestReportFromFleetSinks(t *testing.T) {
	rs := testservers.Redis(t)
	ns := testservers.NATS(t)
	redisURL := "redis://" + rs.Addr + "/fleet?mode=stream"
	natsURL := "nats://" + ns.Addr + "/fleet.eve"
	var files []string
	for i, p := range []string{"http-eicar", "smb2-eicar", "http-eicar"} {
		dir := t.TempDir()
		files = append(files, replayInto(t, dir, "-r", filepath.Join(testdataDir, p+".pcap"),
			"--set", "sensor-name=sensor-"+strconv.Itoa(i+1),
			"--output", redisURL+"&spool="+t.TempDir(), "--output", natsURL+"?spool="+t.TempDir()))
	}
	want, _, code := runReport(t, nil, append([]string{"--json"}, files...)...)
	if code != 0 {
		t.Fatalf("report of the files: exit %d", code)
	}
	for _, url := range []string{redisURL, natsURL} {
		got, stderr, code := runReport(t, nil, "--json", url)
		if code != 0 || got != want {
			t.Errorf("report %s: exit %d (%s)\n got %s\nwant %s", url, code, stderr, got, want)
		}
	}
	if !strings.Contains(want, `"sensor-1"`) || !strings.Contains(want, `"sensor-2"`) {
		t.Errorf("sensors not named: %s", want)
	}
	if _, stderr, code := runReport(t, nil, "redis://127.0.0.1:1/nothing-listens"); code != 2 || !strings.Contains(stderr, "refused") {
		t.Errorf("unreachable sink: exit %d, %q", code, stderr)
	}
}

// TestReportOnTheFlood: the walkthrough's flood (one agent pulled 48 times
// by 18 hosts over SMB and HTTP, one EICAR download): fewer incidents than
// alerts, counts adding up to the alerts, one incident with fanout 18 when
// hosts are collapsed, and an HTML page with its charts.
func TestReportOnTheFlood(t *testing.T) {
	dir := t.TempDir()
	eve := replayInto(t, dir, "-r", filepath.Join(testdataDir, "inventory-flood.pcap"),
		"-S", filepath.Join(testdataDir, "rules", "walkthrough-v1.rules"))
	for _, tc := range []struct {
		by        string
		incidents int
	}{{"sid,sha256,client,server", 19}, {"sid,sha256", 2}} {
		out, stderr, code := runReport(t, nil, "--json", "--by", tc.by, eve)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var rep struct {
			Alerts    int `json:"alerts"`
			Incidents []struct {
				Count, Fanout int
				SID           int `json:"signature_id"`
			} `json:"incidents"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, in := range rep.Incidents {
			sum += in.Count
			if in.SID == 9100001 && in.Fanout != 18 {
				t.Errorf("--by %s: fanout %d, want 18 hosts", tc.by, in.Fanout)
			}
		}
		if rep.Alerts != 49 || len(rep.Incidents) != tc.incidents || sum != rep.Alerts {
			t.Errorf("--by %s: %d alerts in %d incidents (want %d) summing to %d", tc.by, rep.Alerts, len(rep.Incidents), tc.incidents, sum)
		}
	}
	page := filepath.Join(dir, "report.html")
	if _, stderr, code := runReport(t, nil, "--html", page, eve); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	html, _ := os.ReadFile(page)
	if !strings.Contains(string(html), "<svg") || strings.Contains(string(html), "<script") || strings.Contains(strings.ReplaceAll(string(html), "http://www.w3.org/2000/svg", ""), "http://") {
		t.Errorf("the page lacks its charts or fetches something")
	}
}
