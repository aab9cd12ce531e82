package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/output/file"
	"github.com/wirescan/wirescan/engine/output/redis"
	"github.com/wirescan/wirescan/internal/testservers"
)

func TestOutputFullSpoolCountsDropsAndNextRunDeliversFirst(t *testing.T) {
	rs := testservers.Redis(t)
	data := manyEventsCapture(t, 300)
	dir, spoolDir := t.TempDir(), filepath.Join(t.TempDir(), "spool")
	url := "redis://" + rs.Addr + "/eve?queue=10&spool=" + spoolDir + "&spool-max=64KB"
	in, wait := pipedReplay(t, data, "-q", "-l", dir, "--drain-timeout", "500ms", "--output", url)
	ctx := context.Background()
	llen := func() int64 {
		r, err := redis.OpenReader(ctx, "redis://"+rs.Addr+"/eve", time.Second)
		if err != nil {
			return 0
		}
		defer r.Close()
		return r.Len()
	}
	// A first part small enough for the 64 KB spool (a burst larger than
	// the spool drops events even while Redis is up: they are counted too,
	// but this test wants the drops at the end).
	in.feed(t, len(data)/40)
	waitCond(t, "events reaching redis", func() bool { return llen() > 0 })
	rs.Kill()
	in.feed(t, len(data))
	code, stderr := wait()
	if code != 1 {
		t.Fatalf("exit %d, want 1 (events left undelivered): %s", code, stderr)
	}
	m := regexp.MustCompile(`output redis0: (\d+) events not delivered, kept in (\S+) `).FindStringSubmatch(stderr)
	d := regexp.MustCompile(`output redis0: (\d+) events dropped`).FindStringSubmatch(stderr)
	if m == nil || d == nil || m[2] != spoolDir {
		t.Fatalf("the exit message does not name the spool, the count and the drops:\n%s", stderr)
	}
	spooled, _ := strconv.Atoi(m[1])
	dropped, _ := strconv.Atoi(d[1])
	rs.Start()
	want := fileLines(t, filepath.Join(dir, "eve.json"))
	if dropped == 0 || spooled == 0 || dropped+spooled > len(want) {
		t.Fatalf("spooled %d, dropped %d of %d events", spooled, dropped, len(want))
	}
	// The next run sends the spooled events first, then its own (with room
	// in the spool: this run's events queue behind the old ones).
	dir2 := t.TempDir()
	url2 := strings.Replace(url, "spool-max=64KB", "spool-max=1MB", 1)
	code, stderr = runReplay(t, nil, "-q", "-r", filepath.Join(testdataDir, "http-eicar.pcap"), "-l", dir2, "--output", url2)
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	// Exactly the newest `dropped` events of the first run are missing:
	// everything before them arrived in order, then the second run's.
	kept := append(append([]string(nil), want[:len(want)-dropped]...), fileLines(t, filepath.Join(dir2, "eve.json"))...)
	r, err := redis.OpenReader(ctx, "redis://"+rs.Addr+"/eve", time.Second)
	got := readSource(t, r, err)
	dups := subsequence(t, "redis after the second run", got, kept)
	if len(got) != len(kept)+dups {
		t.Fatalf("%d events in redis, %d kept + %d repeats", len(got), len(kept), dups)
	}
	// A batch in flight when Redis died may have been applied and is sent
	// again (at-least-once); nothing dropped shows up.
	keptSet := map[string]bool{}
	for _, l := range kept {
		keptSet[l] = true
	}
	for _, l := range got {
		if !keptSet[l] {
			t.Fatalf("an event counted as dropped reached redis: %.200s", l)
		}
	}
	if dups > 10 {
		t.Fatalf("%d repeats: more than the one batch in flight at the crash", dups)
	}
}

// silentListener accepts connections and never answers (a firewall that
// lets the SYN through, or a hung server).
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return ln.Addr().String()
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestOutputStartupErrorsExitCodes(t *testing.T) {
	rs := testservers.Redis(t, "--requirepass", "sekrit")
	ns := testservers.NATS(t, "--user", "sensor", "--pass", "sekrit")
	capture := filepath.Join(testdataDir, "http-eicar.pcap")
	sp := "spool=" + t.TempDir()
	for _, tc := range []struct {
		name, url string
		code      int
		msg       string
	}{
		{"unknown scheme", "kafka://127.0.0.1:9092/eve", 2, `unknown scheme "kafka"`},
		{"not a URL", "redis://[::1/k", 2, "not a URL"},
		{"unknown parameter", "redis://" + rs.Addr + "/k?" + sp + "&colour=red", 2, `unknown parameter "colour"`},
		{"bad mode", "redis://" + rs.Addr + "/k?" + sp + "&mode=queue", 2, `mode="queue"`},
		{"unknown event type", "redis://" + rs.Addr + "/k?" + sp + "&types=alert,dns", 2, `unknown event type "dns"`},
		{"no spool", "redis://" + rs.Addr + "/k", 2, "no spool directory"},
		{"redis unreachable", "redis://" + closedPort(t) + "/k?" + sp, 2, "connection refused"},
		{"redis no password", "redis://" + rs.Addr + "/k?" + sp, 2, "NOAUTH"},
		{"redis wrong password", "redis://:wrong@" + rs.Addr + "/k?" + sp, 2, "WRONGPASS"},
		{"redis hangs", "redis://" + silentListener(t) + "/k?" + sp, 2, "timeout"},
		{"nats unreachable", "nats://" + closedPort(t) + "/eve?" + sp, 2, "no servers available"},
		{"nats wrong password", "nats://sensor:wrong@" + ns.Addr + "/eve?" + sp, 2, "uthorization"},
		{"syslog unreachable", "syslog://" + closedPort(t) + "?" + sp, 2, "connection refused"},
		{"unix socket missing", "unix:" + filepath.Join(t.TempDir(), "none.sock") + "?" + sp, 2, "no such file"},
		{"bad facility", "syslog://127.0.0.1:514?" + sp + "&facility=local9", 2, `facility="local9"`},
		{"file not writable", "file:/proc/wirescan/eve.json", 1, "file:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			code, stderr := runReplay(t, nil, "-q", "-r", capture, "--output", tc.url)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Fatalf("exit %d, want %d, with %q in:\n%s", code, tc.code, tc.msg, stderr)
			}
			if el := time.Since(start); el > 10*time.Second {
				t.Fatalf("took %s: a bad output must fail within the dial timeout", el)
			}
			if strings.Contains(stderr, "sekrit") || strings.Contains(stderr, ":wrong@") {
				t.Fatalf("password in the message:\n%s", stderr)
			}
		})
	}
	// The right passwords work.
	code, stderr := runReplay(t, nil, "-q", "-r", capture,
		"--output", "redis://:sekrit@"+rs.Addr+"/k?"+sp,
		"--output", "nats://sensor:sekrit@"+ns.Addr+"/eve?spool="+t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestOutputFileRotationAndReopenThroughReplay(t *testing.T) {
	capture := manyEventsCapture(t, 300)
	dir := t.TempDir()
	rotated := filepath.Join(dir, "r", "eve.json")
	zipped := filepath.Join(dir, "z", "eve.json")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	metricsAt := ln.Addr().String()
	ln.Close()
	token := filepath.Join(dir, "token")
	os.WriteFile(token, []byte("reload-token-for-the-test-0123\n"), 0o600)
	in, wait := pipedReplay(t, capture, "-q", "-l", dir, "--metrics", metricsAt,
		"--set", "reload-api.enabled=true", "--set", "reload-api.token-file="+token,
		"--output", "file:"+rotated+"?rotate=64KB",
		"--output", "file:"+zipped+"?rotate=64KB&keep=3&gzip=true")
	in.feed(t, len(capture)/2)
	waitCond(t, "the rotated output", func() bool { files, _ := file.Rotated(rotated); return len(files) > 2 })
	// logrotate moves the file away and asks wirescan to reopen it.
	if err := os.Rename(rotated, rotated+".moved"); err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	if code := run([]string{"reload", "--metrics", metricsAt, "--token-file", token}, nil, &out, &errb); code != 0 {
		t.Fatalf("reload: exit %d: %s", code, errb.String())
	}
	in.feed(t, len(capture))
	if code, stderr := wait(); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "eve.json"))
	var got []byte
	files, _ := file.Rotated(rotated)
	var before, after []string
	for _, f := range files {
		// Rotated names sort by time; the moved file sits between the
		// files rotated before and after the reload.
		if st, _ := os.Stat(rotated + ".moved"); st != nil {
			if fi, _ := os.Stat(f); fi.ModTime().After(st.ModTime()) {
				after = append(after, f)
				continue
			}
		}
		before = append(before, f)
	}
	for _, f := range append(append(before, rotated+".moved"), append(after, rotated)...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b...)
	}
	if string(got) != string(want) {
		t.Fatalf("rotated files + moved file + current file: %d bytes, eve.json %d bytes", len(got), len(want))
	}
	zfiles, _ := file.Rotated(zipped)
	if len(zfiles) != 3 {
		t.Fatalf("%d rotated files kept, want 3: %v", len(zfiles), zfiles)
	}
	for _, f := range zfiles {
		if !strings.HasSuffix(f, ".gz") {
			t.Fatalf("%s not compressed", f)
		}
	}
	resp, err := http.Get("http://" + metricsAt + "/metrics")
	if err == nil {
		resp.Body.Close()
		t.Fatal("metrics still served after the replay ended")
	}
}
