package threshold

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ts "github.com/wirescan/wirescan/signatures/thresholdspec"
)

var testVars = map[string]string{"HOME_NET": "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"}

func parseOne(t *testing.T, line string) Entry {
	t.Helper()
	cfg, err := Parse(strings.NewReader(line), "threshold.config", testVars)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Entries) != 1 {
		t.Fatalf("%d entries", len(cfg.Entries))
	}
	return cfg.Entries[0]
}

// The examples of Suricata's "Global-Thresholds" page, one table per form.

func TestParseSuppressDocumented(t *testing.T) {
	for _, tc := range []struct {
		line     string
		gid, sid uint32
		track    ts.Track
		in, out  string // an address the list contains, one it does not
	}{
		{"suppress gen_id 1, sig_id 2002087, track by_src, ip 209.132.180.67", 1, 2002087, ts.BySrc, "209.132.180.67", "209.132.180.68"},
		{"suppress gen_id 1, sig_id 2003614, track by_src, ip 217.110.97.128/25", 1, 2003614, ts.BySrc, "217.110.97.129", "217.110.97.1"},
		{"suppress gen_id 1, sig_id 2003614, track by_src, ip [192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]", 1, 2003614, ts.BySrc, "10.0.0.1", "8.8.8.8"},
		{"suppress gen_id 1, sig_id 2003614, track by_src, ip $HOME_NET", 1, 2003614, ts.BySrc, "192.168.3.4", "8.8.8.8"},
		{"suppress gen_id 1, sig_id 2003614, track by_either, ip 217.110.97.128/25", 1, 2003614, ts.ByEither, "217.110.97.200", "1.1.1.1"},
		{"suppress gen_id 0, sig_id 0, track by_src, ip 209.132.180.67", 0, 0, ts.BySrc, "209.132.180.67", "1.1.1.1"},
		{"suppress gen_id 1, sig_id 0, track by_src, ip 209.132.180.67", 1, 0, ts.BySrc, "209.132.180.67", "1.1.1.1"},
		{"suppress gen_id 1, sig_id 2000328, track by_src, ip fe80::/10", 1, 2000328, ts.BySrc, "fe80::1", "2001:db8::1"},
		{"suppress gen_id 1, sig_id 1, track by_dst, ip [10.0.0.0/8, !10.1.0.0/16]", 1, 1, ts.ByDst, "10.2.0.1", "10.1.0.1"},
		{"suppress gen_id 1, sig_id 2002087", 1, 2002087, ts.TrackNone, "", ""},
	} {
		t.Run(tc.line, func(t *testing.T) {
			e := parseOne(t, tc.line)
			if e.Kind != Suppress || e.GID != tc.gid || e.SID != tc.sid || e.Spec.Track != tc.track || e.Line != 1 {
				t.Fatalf("got %+v", e)
			}
			if tc.in != "" {
				if !e.Addrs.Contains(netip.MustParseAddr(tc.in)) || e.Addrs.Contains(netip.MustParseAddr(tc.out)) {
					t.Fatalf("ip %q: contains %s %v, %s %v", e.IP, tc.in, e.Addrs.Contains(netip.MustParseAddr(tc.in)), tc.out, e.Addrs.Contains(netip.MustParseAddr(tc.out)))
				}
			} else if e.Addrs != nil {
				t.Fatal("addresses without track")
			}
			if got := parseOne(t, e.String()); got.String() != e.String() {
				t.Fatalf("String does not round-trip: %q → %q", e.String(), got.String())
			}
		})
	}
}

func TestParseThresholdDocumented(t *testing.T) {
	for _, tc := range []struct {
		line string
		kw   string
		want ts.Spec
	}{
		{"threshold gen_id 1, sig_id 2002087, type both, track by_src, count 3, seconds 5", "threshold", ts.Spec{Type: ts.Both, Track: ts.BySrc, Count: 3, Seconds: 5}},
		{"threshold gen_id 1, sig_id 2002087, type threshold, track by_src, count 10, seconds 60", "threshold", ts.Spec{Type: ts.Threshold, Track: ts.BySrc, Count: 10, Seconds: 60}},
		{"threshold gen_id 1, sig_id 2002087, type limit, track by_src, count 1, seconds 15", "threshold", ts.Spec{Type: ts.Limit, Track: ts.BySrc, Count: 1, Seconds: 15}},
		{"threshold gen_id 0, sig_id 0, type threshold, track by_src, count 10, seconds 10", "threshold", ts.Spec{Type: ts.Threshold, Track: ts.BySrc, Count: 10, Seconds: 10}},
		{"threshold gen_id 1, sig_id 2404000, type threshold, track by_dst, count 1, seconds 10", "threshold", ts.Spec{Type: ts.Threshold, Track: ts.ByDst, Count: 1, Seconds: 10}},
		{"event_filter gen_id 1, sig_id 5, type limit, track by_rule, count 2, seconds 30", "event_filter", ts.Spec{Type: ts.Limit, Track: ts.ByRule, Count: 2, Seconds: 30}},
		{"event_filter gen_id 1, sig_id 5, type both, track by_both, count 2, seconds 30", "event_filter", ts.Spec{Type: ts.Both, Track: ts.ByBoth, Count: 2, Seconds: 30}},
		{"threshold gen_id 1, sig_id 5, type limit, track by_flow, count 1, seconds 3600", "threshold", ts.Spec{Type: ts.Limit, Track: ts.ByFlow, Count: 1, Seconds: 3600}},
	} {
		t.Run(tc.line, func(t *testing.T) {
			e := parseOne(t, tc.line)
			if e.Kind != Threshold || e.Keyword != tc.kw || e.Spec != tc.want {
				t.Fatalf("got %+v", e)
			}
			if got := parseOne(t, e.String()); got.Spec != e.Spec || got.String() != e.String() {
				t.Fatalf("String does not round-trip: %q", e.String())
			}
		})
	}
}

func TestParseRateFilterDocumented(t *testing.T) {
	for _, tc := range []struct {
		line    string
		track   ts.Track
		count   uint32
		seconds uint32
		action  string
		timeout uint32
	}{
		{"rate_filter gen_id 1, sig_id 1000, track by_rule, count 100, seconds 60, \\\n    new_action alert, timeout 30", ts.ByRule, 100, 60, "alert", 30},
		{"rate_filter gen_id 1, sig_id 888, track by_src, count 10, seconds 60, \\\n    new_action drop, timeout 300", ts.BySrc, 10, 60, "drop", 300},
		{"rate_filter gen_id 1, sig_id 888, track by_both, count 1, seconds 1, new_action pass, timeout 1", ts.ByBoth, 1, 1, "pass", 1},
		{"rate_filter gen_id 1, sig_id 888, track by_dst, count 1, seconds 1, new_action sdrop, timeout 1", ts.ByDst, 1, 1, "sdrop", 1},
	} {
		t.Run(tc.line, func(t *testing.T) {
			e := parseOne(t, tc.line)
			if e.Kind != RateFilter || e.Spec.Track != tc.track || e.Spec.Count != tc.count || e.Spec.Seconds != tc.seconds || e.NewAction != tc.action || e.Timeout != tc.timeout {
				t.Fatalf("got %+v", e)
			}
			if got := parseOne(t, e.String()); got.String() != e.String() {
				t.Fatalf("String does not round-trip: %q", e.String())
			}
		})
	}
}

// TestParseFileLayout: comments, blank lines and continuations, with each
// entry reporting the line it starts on.
func TestParseFileLayout(t *testing.T) {
	src := "# threshold.config\n" +
		"\n" +
		"   # indented comment\n" +
		"suppress gen_id 1, sig_id 1 # trailing comment\n" +
		"threshold gen_id 1, sig_id 2, \\\n" +
		"  type limit, track by_src, \\\r\n" +
		"  count 1, seconds 60\r\n" +
		"\t\n" +
		"rate_filter gen_id 1, sig_id 3, track by_rule, count 1, seconds 1, new_action log, timeout 5"
	cfg, err := Parse(strings.NewReader(src), "t.config", nil)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, e := range cfg.Entries {
		lines = append(lines, e.Line)
	}
	if len(lines) != 3 || lines[0] != 4 || lines[1] != 5 || lines[2] != 9 {
		t.Fatalf("entry lines %v, want [4 5 9]", lines)
	}
	if cfg.Entries[1].Spec.Seconds != 60 {
		t.Fatalf("continued entry %+v", cfg.Entries[1])
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		line, want string
	}{
		{"supress gen_id 1, sig_id 1", `t.config:1: unknown keyword "supress" (want suppress, threshold, event_filter or rate_filter)`},
		{"suppress gen_id 1, sig_id 1, track by_host, ip 1.2.3.4", `t.config:1: suppress: unknown track "by_host" (want by_src, by_dst, by_either)`},
		{"threshold gen_id 1, sig_id 1, type limit, track by_host, count 1, seconds 1", `unknown track "by_host"`},
		{"threshold gen_id 1, sig_id 1, type backoff, track by_flow, count 1, seconds 1", `unknown type "backoff" (want limit, threshold, both)`},
		{"threshold gen_id 1, sig_id 1, type limit, track by_src, count 1", `threshold: missing field "seconds"`},
		{"threshold sig_id 1, type limit, track by_src, count 1, seconds 1", `threshold: missing field "gen_id"`},
		{"suppress gen_id 1", `suppress: missing field "sig_id"`},
		{"suppress gen_id 1, sig_id 1, track by_src", `missing field "ip"`},
		{"suppress gen_id 1, sig_id 1, ip 1.2.3.4", `missing field "track"`},
		{"suppress gen_id 1, sig_id 1, track by_src, ip $NOPE", `bad ip "$NOPE": undefined variable $NOPE`},
		{"suppress gen_id 1, sig_id 1, track by_src, ip 1.2.3.300", `bad ip "1.2.3.300"`},
		{"suppress gen_id 1, sig_id x", `bad sig_id "x": want a whole number from 0 to 2147483647`},
		{"suppress gen_id 1, sig_id 1, sig_id 2", `suppress: field "sig_id" given twice`},
		{"suppress gen_id 0, sig_id 5", `sig_id 5 with gen_id 0`},
		{"threshold gen_id 1, sig_id 1, type limit, track by_src, count 1, seconds 1, new_action drop", `unknown field "new_action"`},
		{"rate_filter gen_id 1, sig_id 1, track by_src, count 1, seconds 1, new_action block, timeout 1", `unknown new_action "block" (want alert, drop, pass, reject, sdrop, log)`},
		{"rate_filter gen_id 1, sig_id 1, track by_either, count 1, seconds 1, new_action drop, timeout 1", `unknown track "by_either"`},
		{"rate_filter gen_id 1, sig_id 1, track by_src, count 1, seconds 1, new_action drop", `missing field "timeout"`},
		{"rate_filter gen_id 1, sig_id 1, track by_src, count 1, seconds 1, new_action drop, timeout 0", `bad timeout "0"`},
		{"suppress gen_id 1, sig_id 1,", `empty field`},
		{"suppress", `missing field "gen_id"`},
	} {
		_, err := Parse(strings.NewReader(tc.line), "t.config", testVars)
		var errs Errors
		if !errors.As(err, &errs) || len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) || !strings.HasPrefix(errs[0].Error(), "threshold: t.config:1: ") {
			t.Errorf("%q: got %v, want %q", tc.line, err, tc.want)
		}
	}
}

// TestParseCollectsAllErrors: every bad entry of a file is reported with its
// line, and the good ones are kept.
func TestParseCollectsAllErrors(t *testing.T) {
	src := "suppress gen_id 1, sig_id 1\nbogus line\nsuppress gen_id 1, sig_id 2\n\nthreshold gen_id 1, sig_id 3, type limit\n"
	cfg, err := Parse(strings.NewReader(src), "f", nil)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Line != 2 || errs[1].Line != 5 {
		t.Fatalf("errors %v", err)
	}
	if len(cfg.Entries) != 2 {
		t.Fatalf("%d good entries, want 2", len(cfg.Entries))
	}
	want := "threshold: f:2: unknown keyword \"bogus\" (want suppress, threshold, event_filter or rate_filter)\nthreshold: f:5: threshold: missing field \"track\" (by_src, by_dst, by_rule, by_both, by_flow)"
	if err.Error() != want {
		t.Fatalf("message\n%s\nwant\n%s", err, want)
	}
}

func TestParseLimits(t *testing.T) {
	// An entry just under the line limit parses; one over it is an error
	// naming its line, and the next entry still parses.
	pad := strings.Repeat(" ", MaxLineBytes-len("suppress gen_id 1, sig_id 1")-2)
	ok := "suppress gen_id 1, sig_id 1" + pad + "\n"
	if _, err := Parse(strings.NewReader(ok), "f", nil); err != nil {
		t.Fatalf("entry under the limit: %v", err)
	}
	long := "suppress gen_id 1, sig_id 1" + strings.Repeat(" ", MaxLineBytes) + "\nsuppress gen_id 1, sig_id 2\n"
	cfg, err := Parse(strings.NewReader(long), "f", nil)
	if err == nil || !strings.Contains(err.Error(), "f:1: entry longer than") || len(cfg.Entries) != 1 || cfg.Entries[0].Line != 2 {
		t.Fatalf("over the limit: %v, %+v", err, cfg.Entries)
	}
	// A long comment is only a comment.
	comment := "#" + strings.Repeat("x", 3*MaxLineBytes) + "\nsuppress gen_id 1, sig_id 2\n"
	cfg, err = Parse(strings.NewReader(comment), "f", nil)
	if err != nil || len(cfg.Entries) != 1 || cfg.Entries[0].Line != 2 {
		t.Fatalf("long comment: %v, %+v", err, cfg.Entries)
	}
	// Errors stop being collected at MaxErrors; the last says how many more.
	bad := strings.Repeat("bogus\n", MaxErrors+5)
	_, err = Parse(strings.NewReader(bad), "f", nil)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != MaxErrors || !strings.HasSuffix(errs[MaxErrors-1].Msg, "(and 5 more errors)") {
		t.Fatalf("many errors: %d, last %v", len(errs), errs[len(errs)-1])
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "threshold.config")
	if err := os.WriteFile(path, []byte("suppress gen_id 1, sig_id 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, nil)
	if err != nil || len(cfg.Entries) != 1 || cfg.Entries[0].Where() != path+":1" {
		t.Fatalf("%v %+v", err, cfg)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing"), nil); err == nil || !strings.HasPrefix(err.Error(), "threshold: ") {
		t.Fatalf("missing file: %v", err)
	}
}
