package policy

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Check lists problems that don't stop the policy from loading, one
// human-readable line each, for `wirescan policy check`: entries that can
// never match (no common address family, or an earlier entry matches all
// they match), entries already expired by the wall clock (they still apply to
// older packets in a replay), suppressions without an expiry or a comment,
// and suppressions that silence every signature for their hosts.
func (p *Policy) Check() []string { return p.check(time.Now()) }

func (p *Policy) check(now time.Time) []string {
	var out []string
	say := func(i int, format string, args ...any) {
		out = append(out, p.where(i)+": "+fmt.Sprintf(format, args...))
	}
	for j := range p.entries {
		e := &p.entries[j]
		if !e.Expires.IsZero() && !now.Before(e.Expires) {
			say(j, "expired %s: it no longer applies to current traffic; remove or renew it", e.Expires.Format(time.RFC3339))
		}
		if families(e.Rule) == 0 {
			say(j, "can never match: its host lists share no address family (IPv4 vs IPv6)")
			continue
		}
		for i := range j {
			if covers(&p.entries[i], e) {
				say(j, "can never match: %s comes first and matches every alert this entry matches", p.where(i))
				break
			}
		}
		if e.Action != ActionSuppress {
			continue
		}
		if len(e.SIDs) == 0 && len(e.SHA256) == 0 {
			say(j, "suppresses every signature for its hosts, real attacks included; name sids or sha256 if you can")
		}
		if e.Expires.IsZero() {
			say(j, "suppression has no expires: it lasts forever")
		}
		if strings.TrimSpace(e.Comment) == "" {
			say(j, "suppression has no comment: say why it exists")
		}
	}
	return out
}

// where names entry i: "file:line: rules[i] (summary)".
func (p *Policy) where(i int) string {
	r := p.entries[i].Rule
	var b strings.Builder
	if p.name != "" {
		b.WriteString(p.name + ":")
	}
	if r.Line > 0 {
		fmt.Fprintf(&b, "%d:", r.Line)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "rules[%d] (%s)", i, r)
	return b.String()
}

// String summarises the entry in one line, as Check and logs show it.
func (r *Rule) String() string {
	parts := []string{r.Action}
	if len(r.SIDs) > 0 {
		parts = append(parts, fmt.Sprintf("sids %v", r.SIDs))
	}
	if len(r.SHA256) > 0 {
		hs := make([]string, len(r.SHA256))
		for i, h := range r.SHA256 {
			hs[i] = h[:min(len(h), 12)] + "…"
		}
		parts = append(parts, fmt.Sprintf("sha256 %v", hs))
	}
	for _, l := range []struct {
		name string
		ps   []netip.Prefix
	}{{"hosts", r.Hosts}, {"src-hosts", r.SrcHosts}, {"dst-hosts", r.DstHosts}} {
		if len(l.ps) > 0 {
			parts = append(parts, fmt.Sprintf("%s %v", l.name, l.ps))
		}
	}
	if r.Window > 0 {
		parts = append(parts, "window "+r.Window.String())
	}
	if r.Comment != "" {
		parts = append(parts, fmt.Sprintf("%q", r.Comment))
	}
	return strings.Join(parts, ", ")
}

// families returns the address families (bit 0 IPv4, bit 1 IPv6) an alert
// matching r can have. Both endpoints of a flow share one family.
func families(r *Rule) int {
	fam := 3
	for _, ps := range [][]netip.Prefix{r.Hosts, r.SrcHosts, r.DstHosts} {
		if len(ps) == 0 {
			continue
		}
		m := 0
		for _, p := range ps {
			if p.Addr().Is4() {
				m |= 1
			} else {
				m |= 2
			}
		}
		fam &= m
	}
	return fam
}

// covers reports whether every alert b matches is also matched by a (a
// conservative test: false means "not proven").
func covers(a, b *entry) bool {
	if !a.Expires.IsZero() && (b.Expires.IsZero() || a.Expires.Before(b.Expires)) {
		return false
	}
	if a.sids != nil && (b.sids == nil || !subset(b.SIDs, a.sids)) {
		return false
	}
	if a.hashes != nil && (b.hashes == nil || !subset(b.SHA256, a.hashes)) {
		return false
	}
	if len(a.Hosts) > 0 && !within(b.Hosts, a.Hosts) && !within(b.SrcHosts, a.Hosts) && !within(b.DstHosts, a.Hosts) {
		return false
	}
	if len(a.SrcHosts) > 0 && !within(b.SrcHosts, a.SrcHosts) {
		return false
	}
	return len(a.DstHosts) == 0 || within(b.DstHosts, a.DstHosts)
}

func subset[T comparable](xs []T, set map[T]bool) bool {
	for _, x := range xs {
		if !set[x] {
			return false
		}
	}
	return true
}

// within reports whether the non-empty list inner lies inside outer.
func within(inner, outer []netip.Prefix) bool {
	if len(inner) == 0 {
		return false
	}
	for _, q := range inner {
		ok := false
		for _, p := range outer {
			if p.Bits() <= q.Bits() && p.Contains(q.Addr()) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
