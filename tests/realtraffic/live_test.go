//go:build realtraffic

package realtraffic

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestRealTrafficLive runs `wirescan live` on the client end of a
// 100 Mbit/s veth while curl ↔ nginx and smbclient ↔ smbd (SMB3 and SMB1)
// move benign files and EICAR both ways across it, then stops it with
// SIGTERM. It checks the exit status, that every file has a CLOSED fileinfo
// with the right SHA-256, that exactly the EICAR transfers alert, that stats
// events were written, and that a scrape taken before SIGTERM shows the
// capture, file, alert and kernel-drop counters.
func TestRealTrafficLive(t *testing.T) {
	requireRoot(t)
	requireTools(t, "ip", "ss", "tc", "sysctl", "nginx", "curl", "smbd", "smbclient", "smbpasswd")
	bin := requireLiveBin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	// Cancelled last (cleanups run in reverse order), after the daemons
	// were stopped gently.
	t.Cleanup(cancel)
	h := newHTTPEnv(t, ctx)
	s := newSMBEnv(t, ctx)
	// smbd lives in another pair's server namespace; route the SMB traffic
	// through the HTTP pair's veth, so that one sensor sees both, and run
	// smbclient on that pair's client side.
	routeThrough(t, ctx, h.pair, s.pair)
	shapeLive(t, ctx, h.pair)
	smb := *s
	smb.pair = &netPair{Client: h.pair.Client, ClientIf: h.pair.ClientIf, Server: s.pair.Server, ServerIP: s.pair.ServerIP}

	sensor := startLive(t, ctx, bin, h.pair.Client, h.pair.ClientIf)
	exp := &expectations{}
	start := time.Now()
	h.get(t, exp, h.base, nil, "/bin/random.bin", "/bin/one-mib.bin", "/eicar.com")
	_, hdr := h.get(t, exp, h.base, []string{"--compressed"}, "/text/big.txt", "/text/eicar.txt")
	requireHeader(t, "gzip download", hdr, "Content-Encoding: gzip")
	httpPutExpect(t, h, exp)
	smb.run(t, smbSession{
		dialect: "SMB3",
		gets:    []string{"bench.bin", "eicar.com", `docs\report.txt`},
		puts:    []smbPut{{"live-up.bin", randomBytes(31, 1<<20)}, {"eicar-live-up.com", []byte(eicar)}},
	}, exp)
	smb.run(t, smbSession{
		dialect: "NT1",
		gets:    []string{"www.example.com_download.php_id=1.exe"},
		puts:    []smbPut{{"smb1-up.bin", randomBytes(32, 256*1024)}},
	}, exp)
	var total int64
	want := map[string]float64{}
	for _, f := range exp.files {
		total += f.Size
		want[f.Proto]++
	}
	t.Logf("moved %d files (%d bytes) in %v", len(exp.files), total, time.Since(start).Round(time.Millisecond))

	// Workers publish their counters twice a second: wait until the files
	// are counted, then check the scrape taken before SIGTERM.
	m, _ := sensor.waitMetrics(ctx, 10*time.Second, func(m promSamples) bool {
		return m[`wirescan_files_total{proto="http"}`] >= want["http"] && m[`wirescan_files_total{proto="smb"}`] >= want["smb"] &&
			m[`wirescan_alerts_by_signature_total{sid="1990001"}`] >= 1 &&
			m["wirescan_capture_kernel_packets_total"] >= m["wirescan_capture_packets_total"]
	})
	if m == nil {
		t.Fatal("wirescan live: no /metrics scrape succeeded")
	}
	t.Logf("metrics before SIGTERM:\n%s", m.describe("wirescan_capture_", "wirescan_files_total", "wirescan_alerts"))
	for _, c := range []struct {
		sample string
		min    float64
	}{
		{"wirescan_capture_packets_total", 1},
		{`wirescan_files_total{proto="http"}`, 1},
		{`wirescan_files_total{proto="smb"}`, 1},
		{`wirescan_alerts_by_signature_total{sid="1990001"}`, 1},
	} {
		if v := m[c.sample]; v < c.min {
			t.Errorf("metrics before SIGTERM: %s = %g, want >= %g", c.sample, v, c.min)
		}
	}
	// The kernel counts every packet it hands a socket (dropped or not),
	// so its count lagging behind the packets read means the kernel
	// counters, drops included, are not being reported.
	if k, p := m["wirescan_capture_kernel_packets_total"], m["wirescan_capture_packets_total"]; k < p {
		t.Errorf("metrics before SIGTERM: wirescan_capture_kernel_packets_total = %g < %g packets read: the kernel counters (and drops) are stale", k, p)
	}
	mode := complete
	drops, ok := m["wirescan_capture_kernel_drops_total"]
	switch {
	case !ok:
		t.Errorf("metrics before SIGTERM: no wirescan_capture_kernel_drops_total")
	case drops > 0:
		// The kernel, not the engine, lost packets: files may be
		// incomplete, so they are checked as after capture loss.
		t.Logf("the kernel dropped %g packets at 100 Mbit/s: checked as lossy", drops)
		mode = lossy
	}

	events := sensor.terminate(t)
	t.Logf("events: %s", eventSummary(events))
	checkFiles(t, events, exp, mode)
	if n := countEvents(events, "stats"); n == 0 {
		t.Errorf("no stats event (--stats-interval 1s, and one at shutdown)")
	}
}

// countEvents counts the events of one type.
func countEvents(events []eveEvent, eventType string) int {
	n := 0
	for _, ev := range events {
		if ev.EventType == eventType {
			n++
		}
	}
	return n
}

// TestRealTrafficLiveReload reloads the rules of a running `wirescan live`
// while a loop of curl downloads (one connection each) runs: first from a
// set that does not match the marker files to one that does (SIGHUP), then
// to another that does under another sid (`wirescan reload`), then to a
// broken file (`wirescan reload`, which must fail). It checks that every
// download has its fileinfo, that downloads started after a reload alert
// with the new set and those before with the old one, that an upload
// running across the reloads stays on the set it started with, and the
// reload counters.
func TestRealTrafficLiveReload(t *testing.T) {
	ctx, h, bin := newLiveHTTPEnv(t, 60*time.Second)
	rules := filepath.Join(t.TempDir(), "live.rules")
	writeRules := func(text string) {
		t.Helper()
		if err := os.WriteFile(rules, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeRules(rulesNoMatch)
	// --strict: a rule that doesn't load fails the load (and so the reload).
	sensor := startLive(t, ctx, bin, h.pair.Client, h.pair.ClientIf, "-S", rules, "--strict")

	// The steady traffic: back-to-back downloads for 6s, and one slow
	// upload that starts before the first reload and ends after the
	// second.
	begin := time.Now()
	var (
		wg    sync.WaitGroup
		loop  []liveDownload
		slow  liveDownload
		phase = func(d time.Duration) { time.Sleep(time.Until(begin.Add(d))) }
	)
	wg.Add(2)
	defer wg.Wait() // also when the test stops early
	go func() {
		defer wg.Done()
		for i := 0; time.Since(begin) < 6*time.Second && ctx.Err() == nil; i++ {
			loop = append(loop, h.download(ctx, fmt.Sprintf("/reload/m-%03d.bin", i), markerFile(i, reloadMarkerLen)))
		}
	}()
	go func() {
		defer wg.Done()
		slow = h.slowUpload(ctx, "/dav/reload-slow.bin", markerFile(999, 640*1024), "150k")
	}()

	phase(1500 * time.Millisecond)
	writeRules(rulesReload1)
	reload1Sent := time.Now()
	if err := sensor.d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatalf("SIGHUP: %v", err)
	}
	if m, ok := sensor.waitMetrics(ctx, 10*time.Second, func(m promSamples) bool { return m["wirescan_ruleset_reloads_total"] >= 1 }); !ok {
		t.Fatalf("SIGHUP: no reload counted within 10s:\n%s", m.describe("wirescan_ruleset_"))
	}
	reload1Done := time.Now()

	phase(3 * time.Second)
	writeRules(rulesReload2)
	reload2Sent := time.Now()
	if out, err := sensor.reloadCmd(ctx); err != nil {
		t.Fatalf("wirescan reload: %v", err)
	} else {
		t.Logf("wirescan reload: %s", strings.TrimSpace(out))
	}
	reload2Done := time.Now()

	phase(4500 * time.Millisecond)
	writeRules(rulesBroken)
	out, err := sensor.reloadCmd(ctx)
	if err == nil {
		t.Errorf("wirescan reload of a broken rule file (--strict) succeeded: %s", out)
	} else {
		t.Logf("wirescan reload of the broken file failed as it should: %s", strings.TrimSpace(out))
	}
	wg.Wait()

	// Wait until the sensor counted every download, so that SIGTERM cuts
	// none of them (that is TestRealTrafficLiveSIGTERM's subject).
	m, _ := sensor.waitMetrics(ctx, 10*time.Second, func(m promSamples) bool {
		return m["wirescan_ruleset_reload_failures_total"] >= 1 && m[`wirescan_files_total{proto="http"}`] >= float64(len(loop)+1)
	})
	t.Logf("metrics after the reloads:\n%s", m.describe("wirescan_ruleset_", "wirescan_alerts", "wirescan_files_total"))
	if v := m["wirescan_ruleset_reloads_total"]; v != 2 {
		t.Errorf("wirescan_ruleset_reloads_total = %g, want 2 (SIGHUP and wirescan reload)", v)
	}
	if v := m["wirescan_ruleset_reload_failures_total"]; v != 1 {
		t.Errorf("wirescan_ruleset_reload_failures_total = %g, want 1 (the broken file)", v)
	}

	events := sensor.terminate(t)
	t.Logf("events: %s", eventSummary(events))
	t.Logf("timeline: reload 1 (SIGHUP) %v..%v, reload 2 (wirescan reload) %v..%v, broken reload at 4.5s, %d downloads, slow upload %v..%v",
		reload1Sent.Sub(begin).Round(time.Millisecond), reload1Done.Sub(begin).Round(time.Millisecond),
		reload2Sent.Sub(begin).Round(time.Millisecond), reload2Done.Sub(begin).Round(time.Millisecond),
		len(loop), slow.start.Sub(begin).Round(time.Millisecond), slow.end.Sub(begin).Round(time.Millisecond))

	// Which set each download must have been scanned with: the one in
	// force when the sensor saw its connection start. Downloads that
	// overlap a reload, or end less than sensorLag before it, may have
	// either set.
	allowed := func(d liveDownload) []int {
		switch {
		case d.end.Before(reload1Sent.Add(-sensorLag)):
			return []int{0}
		case d.start.After(reload1Done) && d.end.Before(reload2Sent.Add(-sensorLag)):
			return []int{sidReload1}
		case d.start.After(reload2Done):
			return []int{sidReload2}
		case d.start.Before(reload1Done):
			return []int{0, sidReload1}
		default:
			return []int{sidReload1, sidReload2}
		}
	}
	checkReloadDownloads(t, events, append(loop, slow), allowed)
	if !slow.start.Before(reload1Sent) || !slow.end.After(reload2Done) {
		t.Errorf("harness: the slow upload (%v..%v) does not span both reloads", slow.start.Sub(begin), slow.end.Sub(begin))
	} else if got := alertSIDs(events, slow.name); len(got) != 0 {
		t.Errorf("%s: started under the set that doesn't match, running across both reloads: alerts %v, want none (flows finish on the set they started with)", slow.name, got)
	}
	perPhase := map[string]int{}
	for _, d := range loop {
		a := allowed(d)
		if len(a) == 1 {
			perPhase[fmt.Sprint(a[0])]++
		}
	}
	t.Logf("downloads per rule set (sid, 0 = no match): %v", perPhase)
	for _, sid := range []int{0, sidReload1, sidReload2} {
		if perPhase[fmt.Sprint(sid)] < 2 {
			t.Errorf("harness: only %d downloads ran wholly under the set of sid %d: the loop is too slow to test the reload", perPhase[fmt.Sprint(sid)], sid)
		}
	}
	var after int
	for _, d := range loop {
		if d.start.After(reload2Done.Add(1500 * time.Millisecond)) {
			after++
		}
	}
	if after == 0 {
		t.Errorf("harness: no download started after the failed reload")
	}
}

// TestRealTrafficLiveSIGTERM stops `wirescan live` with SIGTERM in the
// middle of a slow 5 MB download, right after a short download ended:
// wirescan must exit 0, log the slow file as TRUNCATED and the short one as
// CLOSED with its SHA-256 (its packets were captured before the signal).
func TestRealTrafficLiveSIGTERM(t *testing.T) {
	ctx, h, bin := newLiveHTTPEnv(t, 60*time.Second)
	// curl's --limit-rate paces its reads; a small receive buffer makes
	// TCP pace the wire to them (with the default one, autotuning takes
	// the whole file in while curl has read a third of it).
	mustRun(t, ctx, h.pair.Client, "sysctl", "-qw", "net.ipv4.tcp_rmem=4096 65536 131072")
	const name, size = "/slow/five-mb.bin", 5 << 20
	content := randomBytes(41, size)
	if _, err := writeFile(h.docroot, name, content); err != nil {
		t.Fatal(err)
	}
	sensor := startLive(t, ctx, bin, h.pair.Client, h.pair.ClientIf)

	dlCtx, stopDownload := context.WithCancel(ctx)
	defer stopDownload()
	out := filepath.Join(h.work, "five-mb")
	done := make(chan error, 1)
	go func() {
		_, err := run(dlCtx, h.pair.Client, "curl", "-sS", "--fail", "--max-time", "60", "--limit-rate", "200k", "-o", out, h.base+name)
		done <- err
	}()
	// Wait until a good part of the file, but far from all of it, arrived.
	var got int64
	for deadline := time.Now().Add(15 * time.Second); got < 400*1024; time.Sleep(100 * time.Millisecond) {
		if st, err := os.Stat(out); err == nil {
			got = st.Size()
		}
		select {
		case err := <-done:
			t.Fatalf("harness: the slow download ended early (%v) after %d bytes", err, got)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("harness: the slow download got only %d bytes in 15s", got)
		}
	}
	// A short download that ends just before SIGTERM: its packets crossed
	// the veth before the signal, so the shutdown must not lose its file.
	quick := h.download(ctx, "/slow/quick.bin", randomBytes(42, 100*1024))
	if quick.err != nil {
		t.Fatal(quick.err)
	}
	gap := time.Since(quick.end)
	events := sensor.terminate(t)
	t.Logf("SIGTERM when curl had %d of %d bytes, %v after a short download ended; events: %s",
		got, size, gap.Round(100*time.Microsecond), eventSummary(events))
	stopDownload()

	infos := map[string][]*eveFile{}
	for _, ev := range events {
		switch {
		case ev.EventType == "fileinfo" && ev.FileInfo != nil:
			if ev.FileInfo.Filename == name || ev.FileInfo.Filename == quick.name {
				infos[ev.FileInfo.Filename] = append(infos[ev.FileInfo.Filename], ev.FileInfo)
			} else {
				t.Errorf("unexpected fileinfo: %s", tail(ev.Raw, 400))
			}
		case ev.EventType == "alert":
			t.Errorf("unexpected alert: %s", tail(ev.Raw, 400))
		}
	}
	if q := infos[quick.name]; len(q) != 1 || q[0].State != "CLOSED" || q[0].SHA256 != sha256Hex(quick.content) {
		var seen []string
		for _, fi := range q {
			seen = append(seen, describeFile(fi))
		}
		t.Errorf("%s, downloaded just before SIGTERM: want one CLOSED fileinfo with sha256 %.12s, got %d: %v (packets the kernel captured before the signal were not processed)",
			quick.name, sha256Hex(quick.content), len(q), seen)
	}
	if len(infos[name]) != 1 {
		t.Fatalf("%s: %d fileinfos, want 1 (TRUNCATED by the shutdown)", name, len(infos[name]))
	}
	fi := infos[name][0]
	t.Logf("%s: %s", name, describeFile(fi))
	if fi.State != "TRUNCATED" {
		t.Errorf("%s cut by SIGTERM: state %s, want TRUNCATED", name, fi.State)
	}
	if fi.Size <= 0 || fi.Size >= size {
		t.Errorf("%s cut by SIGTERM: size %d, want between 0 and %d", name, fi.Size, size)
	}
}
