package policy

import (
	"strings"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	later := now.AddDate(0, 1, 0)
	good := func(r Rule) Rule {
		r.Comment = "why"
		if r.Expires.IsZero() {
			r.Expires = later
		}
		return r
	}
	cases := []struct {
		name  string
		rules []Rule
		want  []string // one substring per problem, in order
	}{
		{"clean", []Rule{good(suppress(Rule{SIDs: []int{1}, Hosts: pfx("10.1.2.3")})), aggregate(time.Minute, Rule{SIDs: []int{2}})}, nil},
		{"expired", []Rule{good(suppress(Rule{SIDs: []int{1}, Expires: now.Add(-time.Hour)}))},
			[]string{"rules[0] (suppress, sids [1], \"why\"): expired 2026-12-31T23:00:00Z"}},
		{"no common family", []Rule{aggregate(time.Minute, Rule{SrcHosts: pfx("10.0.0.0/8"), DstHosts: pfx("2001:db8::/32")})},
			[]string{"rules[0] (aggregate, src-hosts [10.0.0.0/8], dst-hosts [2001:db8::/32], window 1m0s): can never match: its host lists share no address family"}},
		{"shadowed by broader sid list", []Rule{good(suppress(Rule{SIDs: []int{1, 2}})), good(suppress(Rule{SIDs: []int{2}, Hosts: pfx("10.0.0.1")}))},
			[]string{"rules[1] (suppress, sids [2], hosts [10.0.0.1/32], \"why\"): can never match: rules[0] (suppress, sids [1 2], \"why\") comes first"}},
		{"shadowed: hosts covers src-hosts", []Rule{aggregate(time.Minute, Rule{Hosts: pfx("10.0.0.0/8")}), aggregate(time.Hour, Rule{SIDs: []int{3}, SrcHosts: pfx("10.2.0.0/16")})},
			[]string{"rules[1] (aggregate, sids [3], src-hosts [10.2.0.0/16], window 1h0m0s): can never match: rules[0]"}},
		{"not shadowed: earlier one expires first", []Rule{good(suppress(Rule{SIDs: []int{1}, Expires: later})), good(suppress(Rule{SIDs: []int{1}, Hosts: pfx("10.0.0.1"), Expires: later.Add(time.Hour)}))}, nil},
		{"not shadowed: narrower hash list", []Rule{good(suppress(Rule{SHA256: []string{hashA}})), good(suppress(Rule{SHA256: []string{hashA, hashB}}))}, nil},
		{"not shadowed: src-hosts vs hosts", []Rule{good(suppress(Rule{SrcHosts: pfx("10.0.0.1")})), good(suppress(Rule{Hosts: pfx("10.0.0.1")}))},
			[]string{"rules[0]", "rules[1]"}}, // both only warn that they silence every signature
		{"host-only suppress, no expiry, no comment", []Rule{suppress(Rule{Hosts: pfx("10.0.0.1")})},
			[]string{"suppresses every signature for its hosts", "suppression has no expires", "suppression has no comment"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustNew(t, Config{Rules: c.rules})
			got := p.check(now)
			if len(got) != len(c.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(c.want), strings.Join(got, "\n"))
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d:\n got %q\nwant substring %q", i, got[i], w)
				}
			}
		})
	}
}

func TestCheckNamesFileAndLine(t *testing.T) {
	p, err := Parse("site.yaml", []byte("rules:\n  - action: suppress\n    sids: [7]\n    comment: old\n    expires: 2020-01-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := p.Check()
	if len(got) != 1 || !strings.HasPrefix(got[0], `site.yaml:2: rules[0] (suppress, sids [7], "old"): expired 2020-01-01T00:00:00Z`) {
		t.Errorf("%q", got)
	}
}
