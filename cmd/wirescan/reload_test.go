package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/output"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/eve"
)

func TestReloadSwapsRulesAndKeepsOldOnFailure(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "local.rules")
	write := func(s string) {
		if err := os.WriteFile(rules, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`alert http any any -> any any (msg:"one"; file_data; content:"aaa"; sid:1;)` + "\n")
	var logs bytes.Buffer
	set, err := loadRules([]string{rules}, ruleLoader{}, &logs)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.DefaultConfig(), set, eve.NewWriter(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	logf := func(f string, a ...any) { fmt.Fprintf(&logs, f+"\n", a...) }
	rl := &reloader{eng: eng, paths: []string{rules}, logf: logf}
	v1 := eng.Rules().Version()

	write(`alert http any any -> any any (msg:"one"; file_data; content:"aaa"; sid:1;)` + "\n" +
		`alert http any any -> any any (msg:"two"; file_data; content:"bbb"; sid:2;)` + "\n")
	if err := rl.reload(); err != nil {
		t.Fatal(err)
	}
	v2 := eng.Rules().Version()
	if v2 == v1 || len(eng.Rules().Rules()) != 2 {
		t.Fatalf("reload did not take: %s -> %s, %d rules", v1, v2, len(eng.Rules().Rules()))
	}
	os.Remove(rules)
	if err := rl.reload(); err == nil {
		t.Fatal("reload of a missing file succeeded")
	}
	if eng.Rules().Version() != v2 {
		t.Fatal("a failed reload replaced the rules")
	}
	snap := eng.Snapshot()
	if snap.ReloadsOK != 1 || snap.ReloadsFailed != 1 || !strings.Contains(logs.String(), "keeping the previous rules") {
		t.Fatalf("reloads ok %d failed %d, log %q", snap.ReloadsOK, snap.ReloadsFailed, logs.String())
	}
}

func TestMetricsEndpointAndHTTPReload(t *testing.T) {
	eng, err := engine.New(engine.DefaultConfig(), nil, eve.NewWriter(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rules := filepath.Join(dir, "r.rules")
	os.WriteFile(rules, []byte(`alert http any any -> any any (msg:"x"; file_data; content:"xyz"; sid:9;)`+"\n"), 0o644)
	var logs bytes.Buffer
	rl := &reloader{eng: eng, paths: []string{rules}, logf: func(f string, a ...any) { fmt.Fprintf(&logs, f+"\n", a...) }}
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("s3cret-reload-token-0123456789\n"), 0o600)
	guard, err := newReloadGuard(engine.ReloadAPIConfig{Enabled: true, TokenFile: tokenFile})
	if err != nil {
		t.Fatal(err)
	}
	// A bare port binds to loopback; bind a known free port for the client side.
	stop, err := serveMetrics(":39719", eng, noOutputs{}, rl, guard, &logs)
	if err != nil {
		t.Skipf("cannot bind a local port: %v", err)
	}
	defer stop()
	resp, err := http.Get("http://127.0.0.1:39719/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, name := range []string{"wirescan_capture_packets_total", "wirescan_ruleset_rules", "go_goroutines"} {
		if !strings.Contains(string(body), name) {
			t.Errorf("metrics lack %s", name)
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"reload", "--metrics", "127.0.0.1:39719"}, nil, &out, &errb); code != exitError || !strings.Contains(errb.String(), "401") {
		t.Fatalf("reload without the token: exit %d: %s", code, errb.String())
	}
	wrong := filepath.Join(dir, "wrong")
	os.WriteFile(wrong, []byte("not-the-reload-token-0123456789"), 0o600)
	if code := run([]string{"reload", "--metrics", "127.0.0.1:39719", "--token-file", wrong}, nil, &out, &errb); code != exitError {
		t.Fatalf("reload with a wrong token: exit %d", code)
	}
	if eng.Rules() != nil {
		t.Fatal("an unauthenticated reload took effect")
	}
	errb.Reset()
	if code := run([]string{"reload", "--metrics", ":39719", "--token-file", tokenFile}, nil, &out, &errb); code != 0 {
		t.Fatalf("reload exit %d: %s", code, errb.String())
	}
	if len(eng.Rules().Rules()) != 1 {
		t.Fatalf("rules after HTTP reload: %d", len(eng.Rules().Rules()))
	}
}

// TestReloadIntoEmptySetFails: a reload in which no rule loads keeps the
// old rules instead of silently stopping detection.
func TestReloadIntoEmptySetFails(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "r.rules")
	os.WriteFile(rules, []byte(`alert http any any -> any any (msg:"x"; file_data; content:"xyz"; sid:9;)`+"\n"), 0o644)
	var logs bytes.Buffer
	set, err := loadRules([]string{rules}, ruleLoader{}, &logs)
	if err != nil {
		t.Fatal(err)
	}
	eng, _ := engine.New(engine.DefaultConfig(), set, eve.NewWriter(io.Discard))
	rl := &reloader{eng: eng, paths: []string{rules}, logf: func(f string, a ...any) { fmt.Fprintf(&logs, f+"\n", a...) }}
	os.WriteFile(rules, []byte("alert http any any -> any any (msg:\"x\"; nosuchkeyword; sid:9;)\n"), 0o644)
	if err := rl.reload(); err == nil {
		t.Fatal("reload into an empty set succeeded")
	}
	if len(eng.Rules().Rules()) != 1 || eng.Snapshot().ReloadsFailed != 1 {
		t.Fatalf("rules %d, failures %d", len(eng.Rules().Rules()), eng.Snapshot().ReloadsFailed)
	}
}

// noOutputs is a metrics.OutputSource without outputs.
type noOutputs struct{}

func (noOutputs) Stats() []output.Stats { return nil }
