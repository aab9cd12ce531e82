package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// hostile names a file and a signature the way an attacker would.
const (
	hostileFile = "\x1b[2J\x07" + `<script>alert(1)</script>"><svg onload=alert(2)>.exe`
	hostileSig  = `ET <img src=x onerror=alert(3)> & "quotes"`
)

func sampleReport(t *testing.T) *Report {
	t.Helper()
	var lines []string
	for i := 0; i < 30; i++ {
		lines = append(lines, A{At: time.Duration(i) * time.Minute, SID: 100 + i%3, Src: "10.0.0.1", Dst: fmt.Sprintf("10.0.1.%d", i%5),
			Dir: "to_client", File: `share\agent.exe`, SHA: shaA, Size: 1234, Proto: "smb", Evidence: fmt.Sprintf("%d.pcap", i)}.line())
	}
	lines = append(lines, A{At: time.Hour, SID: 666, Msg: hostileSig, Src: "10.0.0.66", Dst: "10.0.1.66", Dir: "to_client",
		File: hostileFile, SHA: shaB, Host: "<b>sensor</b>"}.line())
	rep, _ := aggregate(t, DefaultConfig(), lines...)
	return rep
}

func TestWriteText(t *testing.T) {
	rep := sampleReport(t)
	var b bytes.Buffer
	if err := rep.WriteText(&b, 4); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "HITS  COUNT  FANOUT  SIGNATURE") {
		t.Fatalf("want header, 4 rows and a total line:\n%s", out)
	}
	if want := "31 alerts in 16 incidents (4 signatures, 2 files); showing top 4"; lines[5] != want {
		t.Fatalf("total line %q, want %q", lines[5], want)
	}
	if !strings.Contains(lines[1], "[1:100] TEST signature 100") || !strings.Contains(lines[1], `share\agent.exe`) {
		t.Fatalf("first row: %q", lines[1])
	}
	b.Reset()
	rep.WriteText(&b, 0)
	if strings.ContainsAny(b.String(), "\x1b\x07") || !strings.Contains(b.String(), `\x1b[2J\a`) {
		t.Fatalf("control characters not escaped:\n%s", b.String())
	}
	if n := strings.Count(b.String(), "\n"); n != 18 {
		t.Fatalf("--top 0 shows %d lines, want all 16 incidents + header + total", n)
	}
}

func TestWriteJSON(t *testing.T) {
	rep := sampleReport(t)
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if len(back.Incidents) != 16 || back.Alerts != 31 || back.Timeline.Buckets == 0 {
		t.Fatalf("round trip: %d incidents, %d alerts, %d buckets", len(back.Incidents), back.Alerts, back.Timeline.Buckets)
	}
	var sum uint64
	for _, inc := range back.Incidents {
		sum += inc.Count
	}
	if sum != back.Alerts {
		t.Fatalf("counts sum to %d, alerts %d", sum, back.Alerts)
	}
	if !strings.HasPrefix(b.String(), "{\"incidents\": [\n  {\"gid\":1,") {
		t.Fatalf("layout: %.80q", b.String())
	}
}

func TestWriteHTML(t *testing.T) {
	rep := sampleReport(t)
	var b bytes.Buffer
	if err := rep.WriteHTML(&b, 20, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"<svg", "<table>", "Hits over time", "Top incidents", "Hosts per incident",
		"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(3)&gt; &amp; &#34;quotes&#34;", "&lt;b&gt;sensor&lt;/b&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Nothing hostile survives unescaped, and nothing is fetched.
	for _, bad := range []string{"<script", "<img", "<svg onload", "<b>sensor", "\x1b", "@import", "url(", "<link", "<iframe"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if m := regexp.MustCompile(`<[a-z]+\s[^>]*\b(src|href|on[a-z]+)=`).FindString(page); m != "" {
		t.Errorf("page has an element that fetches or runs something: %q", m)
	}
	if !strings.Contains(page, `\x1b[2J\a&lt;script&gt;`) {
		t.Errorf("control characters in names are not shown escaped")
	}
	if strings.Count(page, "<svg") != 2 || strings.Count(page, "<rect") < 20 {
		t.Errorf("%d charts, %d bars", strings.Count(page, "<svg"), strings.Count(page, "<rect"))
	}
	// An empty report still makes a page.
	empty, _ := aggregate(t, DefaultConfig())
	b.Reset()
	if err := empty.WriteHTML(&b, 20, time.Time{}); err != nil || !strings.Contains(b.String(), "no alerts") {
		t.Fatalf("empty report: %v\n%s", err, b.String())
	}
}
