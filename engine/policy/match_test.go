package policy

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

var (
	t0    = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	hashA = strings.Repeat("a", 64)
	hashB = strings.Repeat("b", 64)
)

func pfx(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		p, err := parseHost(s)
		if err != nil {
			panic(err)
		}
		out[i] = p
	}
	return out
}

func alert(sid int, sha, src, dst string, at time.Time) Alert {
	return Alert{SID: sid, SHA256: sha, Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Time: at}
}

func mustNew(t *testing.T, cfg Config) *Policy {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runCase runs f as the subtest name; a name used twice in a table fails.
func runCase(t *testing.T, seen map[string]bool, name string, f func(*testing.T)) {
	t.Helper()
	if seen[name] {
		t.Fatalf("duplicate case name %q", name)
	}
	seen[name] = true
	t.Run(name, f)
}

func suppress(r Rule) Rule { r.Action = ActionSuppress; return r }

// MATCHING: which entry (if any) decides an alert.
func TestMatch(t *testing.T) {
	cases := []struct {
		name  string
		rules []Rule
		a     Alert
		want  int // entry index, -1 none
	}{
		{"sid only: match", []Rule{suppress(Rule{SIDs: []int{7, 9}})}, alert(9, "", "10.0.0.1", "10.0.0.2", t0), 0},
		{"sid only: other sid", []Rule{suppress(Rule{SIDs: []int{7}})}, alert(8, "", "10.0.0.1", "10.0.0.2", t0), -1},
		{"hash only: match", []Rule{suppress(Rule{SHA256: []string{hashA}})}, alert(1, hashA, "10.0.0.1", "10.0.0.2", t0), 0},
		{"hash only: other hash", []Rule{suppress(Rule{SHA256: []string{hashA}})}, alert(1, hashB, "10.0.0.1", "10.0.0.2", t0), -1},
		{"hash only: alert without hash never matches", []Rule{suppress(Rule{SHA256: []string{hashA}})}, alert(1, "", "10.0.0.1", "10.0.0.2", t0), -1},
		{"hosts v4: source", []Rule{suppress(Rule{Hosts: pfx("10.1.2.3/32")})}, alert(1, "", "10.1.2.3", "10.9.9.9", t0), 0},
		{"hosts v4: destination", []Rule{suppress(Rule{Hosts: pfx("10.1.2.3")})}, alert(1, "", "10.9.9.9", "10.1.2.3", t0), 0},
		{"hosts v4: CIDR", []Rule{suppress(Rule{Hosts: pfx("10.1.0.0/16")})}, alert(1, "", "10.1.200.7", "8.8.8.8", t0), 0},
		{"hosts v4: outside", []Rule{suppress(Rule{Hosts: pfx("10.1.0.0/16")})}, alert(1, "", "10.2.0.1", "8.8.8.8", t0), -1},
		{"hosts v4: mapped alert address", []Rule{suppress(Rule{Hosts: pfx("10.1.2.3")})}, alert(1, "", "::ffff:10.1.2.3", "::ffff:10.9.9.9", t0), 0},
		{"hosts v6: CIDR", []Rule{suppress(Rule{Hosts: pfx("2001:db8:1::/48")})}, alert(1, "", "2001:db8:2::1", "2001:db8:1:ff::9", t0), 0},
		{"hosts v6: outside", []Rule{suppress(Rule{Hosts: pfx("2001:db8:1::/48")})}, alert(1, "", "2001:db8:2::1", "2001:db8:3::9", t0), -1},
		{"hosts v4 prefix, v6 alert", []Rule{suppress(Rule{Hosts: pfx("0.0.0.0/1")})}, alert(1, "", "::1", "::2", t0), -1},
		{"src-hosts: as source", []Rule{suppress(Rule{SrcHosts: pfx("10.1.2.3")})}, alert(1, "", "10.1.2.3", "10.0.0.2", t0), 0},
		{"src-hosts: as destination", []Rule{suppress(Rule{SrcHosts: pfx("10.1.2.3")})}, alert(1, "", "10.0.0.2", "10.1.2.3", t0), -1},
		{"dst-hosts: as destination", []Rule{suppress(Rule{DstHosts: pfx("10.1.2.3")})}, alert(1, "", "10.0.0.2", "10.1.2.3", t0), 0},
		{"dst-hosts: as source", []Rule{suppress(Rule{DstHosts: pfx("10.1.2.3")})}, alert(1, "", "10.1.2.3", "10.0.0.2", t0), -1},
		{"src and dst: both", []Rule{suppress(Rule{SrcHosts: pfx("10.0.0.0/8"), DstHosts: pfx("192.168.0.0/16")})}, alert(1, "", "10.0.0.1", "192.168.1.1", t0), 0},
		{"src and dst: reversed", []Rule{suppress(Rule{SrcHosts: pfx("10.0.0.0/8"), DstHosts: pfx("192.168.0.0/16")})}, alert(1, "", "192.168.1.1", "10.0.0.1", t0), -1},
		{"sid+hash+host: all match", []Rule{suppress(Rule{SIDs: []int{5}, SHA256: []string{hashA}, Hosts: pfx("10.1.2.3")})}, alert(5, hashA, "10.1.2.3", "10.0.0.2", t0), 0},
		{"sid+hash+host: wrong sid", []Rule{suppress(Rule{SIDs: []int{5}, SHA256: []string{hashA}, Hosts: pfx("10.1.2.3")})}, alert(6, hashA, "10.1.2.3", "10.0.0.2", t0), -1},
		{"sid+hash+host: wrong hash", []Rule{suppress(Rule{SIDs: []int{5}, SHA256: []string{hashA}, Hosts: pfx("10.1.2.3")})}, alert(5, hashB, "10.1.2.3", "10.0.0.2", t0), -1},
		{"sid+hash+host: wrong host", []Rule{suppress(Rule{SIDs: []int{5}, SHA256: []string{hashA}, Hosts: pfx("10.1.2.3")})}, alert(5, hashA, "10.1.2.4", "10.0.0.2", t0), -1},
		{"first match wins", []Rule{suppress(Rule{SIDs: []int{5}}), suppress(Rule{SIDs: []int{5}, Hosts: pfx("10.1.2.3")})}, alert(5, "", "10.1.2.3", "10.0.0.2", t0), 0},
		{"later entry when earlier misses", []Rule{suppress(Rule{SIDs: []int{4}}), suppress(Rule{SIDs: []int{5}})}, alert(5, "", "10.1.2.3", "10.0.0.2", t0), 1},
		{"expiry: before", []Rule{suppress(Rule{SIDs: []int{5}, Expires: t0.Add(time.Second)})}, alert(5, "", "10.0.0.1", "10.0.0.2", t0), 0},
		{"expiry: at (packet time)", []Rule{suppress(Rule{SIDs: []int{5}, Expires: t0})}, alert(5, "", "10.0.0.1", "10.0.0.2", t0), -1},
		{"expiry: falls through to next", []Rule{suppress(Rule{SIDs: []int{5}, Expires: t0.Add(-time.Hour)}), {SIDs: []int{5}, Action: ActionAggregate, Window: time.Minute}}, alert(5, "", "10.0.0.1", "10.0.0.2", t0), 1},
		{"empty non-nil lists mean any", []Rule{suppress(Rule{SIDs: []int{5}, Hosts: []netip.Prefix{}, SHA256: []string{}})}, alert(5, "", "10.0.0.1", "10.0.0.2", t0), 0},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		runCase(t, seen, c.name, func(t *testing.T) {
			p := mustNew(t, Config{Rules: c.rules})
			d := p.Decide(c.a)
			if d.RuleIndex != c.want {
				t.Fatalf("RuleIndex = %d, want %d", d.RuleIndex, c.want)
			}
			wantSuppressed := c.want >= 0 && c.rules[c.want].Action == ActionSuppress
			if d.Suppressed != wantSuppressed || d.Emit == wantSuppressed {
				t.Errorf("Suppressed=%v Emit=%v, want suppressed=%v", d.Suppressed, d.Emit, wantSuppressed)
			}
		})
	}
}

func TestSuppressCounts(t *testing.T) {
	p := mustNew(t, Config{Rules: []Rule{
		suppress(Rule{Hosts: pfx("10.1.2.3"), SHA256: []string{hashA}}),
		suppress(Rule{SIDs: []int{7}}),
	}})
	for i := range 5 {
		p.Decide(alert(100+i%2, hashA, "10.1.2.3", "10.0.0.9", t0))
	}
	p.Decide(alert(7, "", "10.0.0.8", "10.0.0.9", t0))
	p.Decide(alert(8, "", "10.0.0.8", "10.0.0.9", t0)) // no entry
	s := p.Stats()
	if s.Suppressed != 6 || s.BySID[100] != 3 || s.BySID[101] != 2 || s.BySID[7] != 1 || len(s.BySID) != 3 {
		t.Errorf("Suppressed=%d BySID=%v", s.Suppressed, s.BySID)
	}
	if s.ByRule[0] != 5 || s.ByRule[1] != 1 {
		t.Errorf("ByRule=%v", s.ByRule)
	}
	if s.Incidents != 0 || s.Open != 0 {
		t.Errorf("suppression opened incidents: %+v", s)
	}
}
