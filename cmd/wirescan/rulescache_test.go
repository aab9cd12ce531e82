package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/wirescan/wirescan/signatures"
)

// cacheTestRules writes a rule file and a ClamAV file that alert on the
// testdata captures (EICAR in files, HTTP URIs, SMB shares, stream bytes).
func cacheTestRules(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	rules := `alert http any any -> any any (msg:"eicar in http"; file_data; content:"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"; sid:9000001;)
alert smb any any -> any any (msg:"eicar in smb, long nocase"; file_data; content:"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"; nocase; sid:9000002;)
alert file any any -> any any (msg:"eicar anywhere, flowbit"; file_data; content:"eicar"; nocase; flowbits:set,eicar; sid:9000003;)
alert http any any -> any any (msg:"any uri"; http.uri; content:"/"; sid:9000004;)
alert tcp any any -> any any (msg:"stream"; content:"EICAR"; sid:9000005;)
alert file any any -> any any (msg:"lowercased"; file_data; to_lowercase; content:"antivirus-test"; sid:9000006;)
alert file any any -> any any (msg:"bad"; nosuchkeyword; sid:9000007;)
`
	ndb := "Eicar.Hex:0:*:4549434152{-4}5354414e44415244\n"
	rp, np := filepath.Join(dir, "local.rules"), filepath.Join(dir, "eicar.ndb")
	if err := os.WriteFile(rp, []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(np, []byte(ndb), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"-S", rp, "-S", np}
}

// TestRulesCacheGivesIdenticalEvents replays every testdata capture with the
// cache off, with an empty cache (compile and write) and with the entry
// written (read): the EVE output must be byte for byte the same.
func TestRulesCacheGivesIdenticalEvents(t *testing.T) {
	rules := cacheTestRules(t)
	cache := t.TempDir()
	caps, _ := filepath.Glob(filepath.Join(testdataDir, "*.pcap"))
	if len(caps) == 0 {
		t.Fatal("no testdata captures")
	}
	for _, pcap := range caps {
		off, offErr, code := replay(t, append(rules, "--rules-cache", "off", "-r", pcap)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", pcap, code, offErr)
		}
		for _, pass := range []string{"miss", "hit"} {
			got, stderr, code := replay(t, append(rules, "--rules-cache", cache, "-r", pcap)...)
			if code != exitOK || warnings(stderr) != warnings(offErr) {
				t.Fatalf("%s %s: exit %d, stderr %q; without cache %q", pcap, pass, code, stderr, offErr)
			}
			if !reflect.DeepEqual(got, off) {
				t.Fatalf("%s %s: %d events differ from %d without the cache", pcap, pass, len(got), len(off))
			}
		}
		alerts := 0
		for _, ev := range decodeEvents(t, off) {
			if ev.EventType == "alert" {
				alerts++
			}
		}
		if alerts == 0 && !strings.Contains(pcap, "impaired") {
			t.Errorf("%s: no alert: the test rules should fire", pcap)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(cache, "*.wsc")); len(m) != 1 {
		t.Fatalf("%d cache entries, want 1", len(m))
	}
}

// warnings returns the warning lines of stderr (the summary line has timings).
func warnings(stderr string) string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "warning:") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestRulesCacheFlag: rules stats says where the set came from; a damaged
// entry is replaced with a warning; off writes nothing.
func TestRulesCacheFlag(t *testing.T) {
	rules := cacheTestRules(t)[1:2]
	cache := t.TempDir()
	stats := func(args ...string) (string, string) {
		var out, errb bytes.Buffer
		if code := run(append(append([]string{"rules", "stats"}, args...), rules...), strings.NewReader(""), &out, &errb); code != exitOK {
			t.Fatalf("rules stats %v: exit %d: %s", args, code, errb.String())
		}
		return out.String(), errb.String()
	}
	if out, _ := stats("--rules-cache", cache); !strings.Contains(out, "compile time") {
		t.Fatalf("first load:\n%s", out)
	}
	if out, _ := stats("--rules-cache", cache); !strings.Contains(out, "from the rules cache") {
		t.Fatalf("second load:\n%s", out)
	}
	m, _ := filepath.Glob(filepath.Join(cache, "*.wsc"))
	if len(m) != 1 {
		t.Fatalf("%d entries", len(m))
	}
	data, _ := os.ReadFile(m[0])
	os.WriteFile(m[0], data[:len(data)/2], 0o600)
	if out, errs := stats("--rules-cache", cache); !strings.Contains(out, "compile time") || !strings.Contains(errs, "damaged entry") {
		t.Fatalf("damaged entry: stdout\n%s\nstderr %s", out, errs)
	}
	offDir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", offDir)
	stats("--rules-cache", "off")
	if ents, _ := os.ReadDir(offDir); len(ents) != 0 {
		t.Fatalf("--rules-cache off wrote %d entries", len(ents))
	}
	stats() // the default: under XDG_CACHE_HOME
	if m, _ := filepath.Glob(filepath.Join(offDir, "wirescan", "*.wsc")); len(m) != 1 {
		t.Fatalf("default cache: %d entries", len(m))
	}
}

// TestRulesCacheMetrics: the cache's counters are Prometheus counters that
// pass promlint and follow the loads.
func TestRulesCacheMetrics(t *testing.T) {
	rules := cacheTestRules(t)[1:2]
	l := ruleLoader{cache: signatures.NewCache(t.TempDir(), 0)}
	reg := prometheus.NewRegistry()
	registerCacheMetrics(reg, l.cache)
	for range 2 {
		if _, _, err := l.load(rules, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
	want := `
# HELP wirescan_rules_cache_hits_total Rule loads answered from the compiled-set cache.
# TYPE wirescan_rules_cache_hits_total counter
wirescan_rules_cache_hits_total 1
# HELP wirescan_rules_cache_misses_total Rule loads that found no cache entry and compiled.
# TYPE wirescan_rules_cache_misses_total counter
wirescan_rules_cache_misses_total 1
# HELP wirescan_rules_cache_writes_total Compiled-set cache entries written.
# TYPE wirescan_rules_cache_writes_total counter
wirescan_rules_cache_writes_total 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "wirescan_rules_cache_hits_total",
		"wirescan_rules_cache_misses_total", "wirescan_rules_cache_writes_total"); err != nil {
		t.Fatal(err)
	}
	registerCacheMetrics(prometheus.NewRegistry(), nil) // no cache: nothing, no panic
}
