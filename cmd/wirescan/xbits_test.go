package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

// xbitsRules: a download whose SHA-256 is listed marks the address pair
// (file match, 60 s); a request with "agent=evil" in its URI marks its client
// silently (HTTP match, noalert, 30 s); later requests for /next alert when
// their pair or client is marked.
const xbitsRules = `alert http any any -> any any (msg:"blocked download"; filesha256:blocked.sha256; xbits:set,blocked_http,track ip_pair,expire 60; sid:1; rev:1;)
alert http any any -> any any (msg:"remember bad agent"; flow:to_server; http.uri; content:"agent=evil"; xbits:set,bad_agent,track ip_src,expire 30; noalert; sid:3; rev:1;)
alert http any any -> any any (msg:"request between a blocked pair"; flow:to_server; http.uri; content:"/next"; xbits:isset,blocked_http,track ip_pair; sid:2; rev:1;)
alert http any any -> any any (msg:"request from a bad agent host"; flow:to_server; http.uri; content:"/next"; xbits:isset,bad_agent,track ip_src; sid:4; rev:1;)
`

// xbitsCapture writes the scenario: hosts A (10.9.0.10), B (10.9.0.11)
// and server S (10.9.0.20), one connection after another, each at a packet
// time (seconds from the start):
//
//	 0  A->S  GET /dl/payload.exe: the listed file (sid 1; marks A-S)
//	 1  B->S  GET /index.html?agent=evil (sid 3, silent; marks B)
//	 2  filler: an unrelated connection of about 45000 packets (see below)
//	10  A->S  GET /next: sid 2
//	11  B->S  GET /next: sid 4 only (the B-S pair is not marked)
//	12  S->A  GET /next (S is the client): sid 2 (a pair has no direction)
//	75  A->S  GET /next: nothing (the pair's bit expired at second 60)
//	76  B->S  GET /next: nothing (B's bit expired at second 31)
//
// The filler makes the two-worker replay as ordered as one worker: the
// reader hands every worker a batch at least every 4096 packets
// (engine/run.go progressEvery) and a worker's queue holds 8, so after ten
// such rounds the worker that holds the first connections has finished
// them before any later connection is dispatched.
func xbitsCapture(t *testing.T, dir string) (pcap, rules string) {
	t.Helper()
	payload, _ := pcapgen.PEFile{Sections: []pcapgen.PESection{{Name: ".text", Data: []byte("\x55\x8b\xec payload \xc3")}}}.Build()
	sum := sha256.Sum256(payload)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	c, err := pcapgen.NewCapture(&buf, start)
	if err != nil {
		t.Fatal(err)
	}
	a, b, s := "10.9.0.10", "10.9.0.11", "10.9.0.20"
	port := uint16(50000)
	get := func(sec int, client, server string, sport uint16, x pcapgen.HTTPExchange) {
		t.Helper()
		if d := start.Add(time.Duration(sec) * time.Second).Sub(c.Now()); d > 0 {
			c.Sleep(d)
		}
		if sport == 0 {
			port++
			sport = port
		}
		cv, err := c.Open(pcapgen.EP(client, sport), pcapgen.EP(server, 80), pcapgen.ConnOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if x.Host == "" {
			x.Host = "files.example.test"
		}
		if err := pcapgen.WriteHTTP(cv, []pcapgen.HTTPExchange{x}); err != nil {
			t.Fatal(err)
		}
		if err := cv.Close(); err != nil {
			t.Fatal(err)
		}
	}
	next := pcapgen.HTTPExchange{URI: "/next", RespBody: []byte("ok\n")}
	get(0, a, s, 0, pcapgen.HTTPExchange{URI: "/dl/payload.exe", RespBody: payload,
		RespHeaders: []pcapgen.Header{{Name: "Content-Type", Value: "application/x-msdownload"}}})
	get(1, b, s, 0, pcapgen.HTTPExchange{URI: "/index.html?agent=evil", RespBody: []byte("<html></html>\n")})
	// The filler: 1.2 MB in 40-byte segments on another port and pair.
	c.Sleep(time.Second)
	cv, err := c.Open(pcapgen.EP("10.77.0.1", 40000), pcapgen.EP("10.77.0.2", 9999), pcapgen.ConnOptions{MSS: 40})
	if err != nil {
		t.Fatal(err)
	}
	if err := cv.FromServer(bytes.Repeat([]byte("filler.."), 150000)); err != nil {
		t.Fatal(err)
	}
	if err := cv.Close(); err != nil {
		t.Fatal(err)
	}
	get(10, a, s, 0, next)
	get(11, b, s, 0, next)
	get(12, s, a, 0, next)
	get(75, a, s, 0, next)
	get(76, b, s, 0, next)
	if c.Packets() < 10*4096 {
		t.Fatalf("only %d packets: the filler is too short", c.Packets())
	}
	pcap = filepath.Join(dir, "xbits.pcap")
	rules = filepath.Join(dir, "xbits.rules")
	for name, data := range map[string][]byte{
		pcap:                                 buf.Bytes(),
		rules:                                []byte(xbitsRules),
		filepath.Join(dir, "blocked.sha256"): []byte(hex.EncodeToString(sum[:]) + "\n"),
	} {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pcap, rules
}

// xbitsAlerts replays the scenario and returns its alerts as
// "sid src->dst" in EVE order, and the last stats event's xbits object.
func xbitsAlerts(t *testing.T, pcap, rules string, extra ...string) (alerts []string, xb map[string]int) {
	t.Helper()
	lines, stderr, code := replay(t, append([]string{"-r", pcap, "-S", rules, "--rules-cache", "off"}, extra...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, l := range lines {
		var ev struct {
			EventType string `json:"event_type"`
			SrcIP     string `json:"src_ip"`
			DestIP    string `json:"dest_ip"`
			Alert     struct {
				SID int `json:"signature_id"`
			}
			Wirescan struct {
				XBits map[string]int `json:"xbits"`
			}
		}
		if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatal(err)
		}
		switch ev.EventType {
		case "alert":
			alerts = append(alerts, fmt.Sprintf("%d %s->%s", ev.Alert.SID, ev.SrcIP, ev.DestIP))
		case "stats":
			xb = ev.Wirescan.XBits
		}
	}
	return alerts, xb
}

// TestReplayXbits: a bit set on one connection is seen by later
// connections of the same pair (either way round) or host, not by other
// pairs, and not after it expired in packet time; with two workers the
// alerts are the same (connections are sequential and the capture keeps
// them ordered across workers).
func TestReplayXbits(t *testing.T) {
	pcap, rules := xbitsCapture(t, t.TempDir())
	want := []string{
		"1 10.9.0.20->10.9.0.10", // the listed download
		"2 10.9.0.10->10.9.0.20", // A-S at 10 s
		"4 10.9.0.11->10.9.0.20", // B at 11 s (host bit); not sid 2
		"2 10.9.0.20->10.9.0.10", // S-A at 12 s: the pair either way round
	}
	one, xb := xbitsAlerts(t, pcap, rules, "--workers", "1")
	if strings.Join(one, "\n") != strings.Join(want, "\n") {
		t.Fatalf("one worker:\n%s\nwant:\n%s", strings.Join(one, "\n"), strings.Join(want, "\n"))
	}
	// Both bits were met expired (at 75 and 76 s) and removed.
	if xb["limit"] != 65536 || xb["entries"] != 0 || xb["expired"] != 2 || xb["evicted"] != 0 {
		t.Fatalf("stats xbits %v", xb)
	}
	again, _ := xbitsAlerts(t, pcap, rules, "--workers", "1")
	if strings.Join(again, "\n") != strings.Join(one, "\n") {
		t.Fatalf("one worker not deterministic:\n%s\nthen:\n%s", strings.Join(one, "\n"), strings.Join(again, "\n"))
	}
	// Two workers log in their own order; the alerts are the same.
	two, _ := xbitsAlerts(t, pcap, rules, "--workers", "2")
	slices.Sort(two)
	sorted := slices.Sorted(slices.Values(want))
	if !slices.Equal(two, sorted) {
		t.Fatalf("two workers:\n%s\nwant (sorted):\n%s", strings.Join(two, "\n"), strings.Join(sorted, "\n"))
	}
}

// TestReplayXbitsLimit: with room for one bit, setting B's bit evicts the
// pair's (the only one held), the eviction is counted, and the pair's
// requests no longer alert; a limit of 0 is a usage error naming the key.
func TestReplayXbitsLimit(t *testing.T) {
	pcap, rules := xbitsCapture(t, t.TempDir())
	alerts, xb := xbitsAlerts(t, pcap, rules, "--set", "detect.xbits-max=1")
	want := []string{"1 10.9.0.20->10.9.0.10", "4 10.9.0.11->10.9.0.20"}
	if strings.Join(alerts, "\n") != strings.Join(want, "\n") {
		t.Fatalf("alerts:\n%s\nwant:\n%s", strings.Join(alerts, "\n"), strings.Join(want, "\n"))
	}
	if xb["limit"] != 1 || xb["evicted"] != 1 {
		t.Fatalf("stats xbits %v", xb)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"replay", "-r", pcap, "--set", "detect.xbits-max=0"}, strings.NewReader(""), &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "detect.xbits-max") {
		t.Fatalf("xbits-max=0: exit %d, stderr %q", code, errb.String())
	}
}

// TestRulesCheckXbits: rules check names file:line and what is wrong in a
// bad xbits keyword.
func TestRulesCheckXbits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.rules")
	body := strings.Join([]string{
		`alert http any any -> any any (msg:"ok"; xbits:set,a,track ip_pair,expire 60; sid:1;)`,
		`alert http any any -> any any (msg:"op"; xbits:mark,a,track ip_pair; sid:2;)`,
		`alert http any any -> any any (msg:"track"; xbits:set,a,track ip_both; sid:3;)`,
		`alert http any any -> any any (msg:"no track"; xbits:isset,a; sid:4;)`,
		`alert http any any -> any any (msg:"expire"; xbits:set,a,track ip_src,expire 0; sid:5;)`,
	}, "\n") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"rules", "check", "--rules-cache", "off", path}, strings.NewReader(""), &out, &errb); code != 1 {
		t.Fatalf("rules check exit %d, want 1: %s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{
		path + `:2: keyword "xbits": unknown operation "mark"`,
		path + `:3: keyword "xbits": unknown track "ip_both" (want ip_src, ip_dst or ip_pair)`,
		path + `:4: keyword "xbits": isset a needs "track ip_src|ip_dst|ip_pair"`,
		path + `:5: keyword "xbits": bad expire "0"`,
		"1 rules loaded, 4 skipped",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("rules check output lacks %q:\n%s", want, out.String())
		}
	}
}
