package signatures

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/signatures/thresholdspec"
)

func TestRuleThresholdKeywords(t *testing.T) {
	for _, tc := range []struct {
		name, line, err string
		want            *thresholdspec.Spec
	}{
		{name: "limit", line: `alert http any any -> any any (file_data; content:"MZ"; threshold: type limit, track by_src, count 1, seconds 60; sid:1;)`,
			want: &thresholdspec.Spec{Type: thresholdspec.Limit, Track: thresholdspec.BySrc, Count: 1, Seconds: 60}},
		{name: "ET spambot", line: `alert tcp !$HOME_NET any -> $HOME_NET 25 (msg:"ET POLICY Inbound Frequent Emails - Possible Spambot Inbound"; flow:established; content:"mail from|3a|"; nocase; threshold: type threshold, track by_src, count 10, seconds 60; classtype:misc-activity; sid:2002087; rev:10;)`,
			want: &thresholdspec.Spec{Type: thresholdspec.Threshold, Track: thresholdspec.BySrc, Count: 10, Seconds: 60}},
		{name: "detection_filter", line: `alert http any any -> any any (http.uri; content:"WebResource.axd"; nocase; detection_filter:track by_src,count 15,seconds 2; sid:2011807; rev:5;)`,
			want: &thresholdspec.Spec{Type: thresholdspec.DetectionFilter, Track: thresholdspec.BySrc, Count: 15, Seconds: 2}},
		{name: "none", line: `alert tcp any any -> any any (content:"a"; sid:1;)`},
		{name: "two thresholds", line: `alert tcp any any -> any any (content:"a"; threshold: type limit, track by_src, count 1, seconds 60; detection_filter: track by_src, count 1, seconds 1; sid:1;)`,
			err: `keyword "detection_filter": the rule already has threshold`},
		{name: "bad track", line: `alert tcp any any -> any any (content:"a"; threshold: type limit, track by_host, count 1, seconds 60; sid:1;)`,
			err: `keyword "threshold": unknown track "by_host"`},
		{name: "unique_on", line: `alert tcp any any -> any any (content:"a"; detection_filter: track by_dst, count 10, seconds 60, unique_on dst_port; sid:1;)`,
			err: `keyword "detection_filter" option "unique_on" not supported`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRule(tc.line)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (r.Threshold == nil) != (tc.want == nil) || r.Threshold != nil && *r.Threshold != *tc.want {
				t.Fatalf("Threshold %+v, want %+v", r.Threshold, tc.want)
			}
		})
	}
}

// TestThresholdRuleLoadsWithoutWarnings: a rule with a threshold keyword is
// no longer skipped as unsupported (what `rules check` reports).
func TestThresholdRuleLoadsWithoutWarnings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.rules")
	rule := `alert http any any -> any any (msg:"limited"; file_data; content:"X5O!P%@AP"; threshold: type limit, track by_src, count 1, seconds 60; sid:9000001;)` + "\n"
	if err := os.WriteFile(path, []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	set, warnings, err := Load([]string{path}, Options{Strict: true})
	if err != nil || len(warnings) != 0 {
		t.Fatalf("err %v, warnings %v", err, warnings)
	}
	if rs := set.Rules(); len(rs) != 1 || rs[0].Threshold == nil || rs[0].Threshold.Count != 1 {
		t.Fatalf("rules %+v", rs)
	}
}

func TestParseAddress(t *testing.T) {
	vars := map[string]string{"HOME_NET": "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]", "$DMZ": "[$HOME_NET,!10.9.0.0/16]"}
	for _, tc := range []struct {
		expr     string
		in, out  []string
		any, err bool
	}{
		{expr: "209.132.180.67", in: []string{"209.132.180.67", "::ffff:209.132.180.67"}, out: []string{"209.132.180.68"}},
		{expr: "217.110.97.128/25", in: []string{"217.110.97.200"}, out: []string{"217.110.97.1"}},
		{expr: "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]", in: []string{"10.1.1.1", "172.16.5.5"}, out: []string{"8.8.8.8"}},
		{expr: "$HOME_NET", in: []string{"192.168.1.1"}, out: []string{"8.8.8.8"}},
		{expr: "$DMZ", in: []string{"10.1.0.1"}, out: []string{"10.9.0.1", "8.8.8.8"}},
		{expr: "[10.0.0.0/8,!10.1.0.0/16]", in: []string{"10.2.0.1"}, out: []string{"10.1.0.1"}},
		{expr: "fe80::/10", in: []string{"fe80::1"}, out: []string{"2001:db8::1", "10.0.0.1"}},
		{expr: "any", in: []string{"1.2.3.4", "::1"}, any: true},
		{expr: "[any]", in: []string{"1.2.3.4"}, any: true},
		{expr: "!10.0.0.1", in: []string{"10.0.0.2"}, out: []string{"10.0.0.1"}},
		{expr: "$NOPE", err: true},
		{expr: "[10.0.0.1,$HOME_NET,$ALSO_NOPE]", err: true},
		{expr: "10.0.0.300", err: true},
	} {
		a, err := ParseAddress(tc.expr, vars)
		if tc.err {
			if err == nil {
				t.Errorf("%q: no error", tc.expr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if a.IsAny() != tc.any {
			t.Errorf("%q: IsAny %v", tc.expr, a.IsAny())
		}
		for _, s := range tc.in {
			if !a.Contains(netip.MustParseAddr(s)) {
				t.Errorf("%q should contain %s", tc.expr, s)
			}
		}
		for _, s := range tc.out {
			if a.Contains(netip.MustParseAddr(s)) {
				t.Errorf("%q should not contain %s", tc.expr, s)
			}
		}
	}
}
