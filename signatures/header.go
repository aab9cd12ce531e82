package signatures

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// header is a rule header's address and port part.
type header struct {
	src, dst     addrSet
	sport, dport portSet
	bidir        bool // "<>"
}

// addrSet is an address expression: a leaf (any or prefix) or a group of children,
// possibly negated. A group matches when some positive child matches (or it has no
// positive child) and no negative child matches.
type addrSet struct {
	neg    bool
	any    bool
	prefix netip.Prefix
	group  bool
	kids   []addrSet
}

// portSet is a port expression with the same structure as addrSet.
type portSet struct {
	neg    bool
	any    bool
	lo, hi uint16
	group  bool
	kids   []portSet
}

// Limits on hostile headers.
const (
	maxVarDepth   = 8
	maxGroupItems = 4096
)

// match reports whether ip is in the set. An invalid (unknown) address only
// matches "any".
func (a *addrSet) match(ip netip.Addr) bool {
	var m bool
	switch {
	case a.any:
		m = true
	case a.group:
		pos, hit := false, false
		for i := range a.kids {
			k := &a.kids[i]
			if k.neg {
				if !k.match(ip) { // negative child matched the address
					return a.neg
				}
				continue
			}
			pos = true
			if !hit && k.match(ip) {
				hit = true
			}
		}
		m = hit || !pos
	default:
		m = ip.IsValid() && a.prefix.Contains(ip.Unmap())
	}
	return m != a.neg
}

// match reports whether port p is in the set.
func (s *portSet) match(p uint16) bool {
	var m bool
	switch {
	case s.any:
		m = true
	case s.group:
		pos, hit := false, false
		for i := range s.kids {
			k := &s.kids[i]
			if k.neg {
				if !k.match(p) {
					return s.neg
				}
				continue
			}
			pos = true
			if !hit && k.match(p) {
				hit = true
			}
		}
		m = hit || !pos
	default:
		m = p >= s.lo && p <= s.hi
	}
	return m != s.neg
}

// splitGroup splits "a,[b,c],d" at top-level commas.
func splitGroup(s string) ([]string, error) {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced ']' in %q", s)
			}
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
		if len(out) > maxGroupItems {
			return nil, fmt.Errorf("more than %d items in %q", maxGroupItems, truncate(s))
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced '[' in %q", truncate(s))
	}
	return append(out, strings.TrimSpace(s[start:])), nil
}

// expandVar resolves $NAME through vars (default "any").
func expandVar(s string, vars map[string]string, depth int) (string, error) {
	if !strings.HasPrefix(s, "$") {
		return s, nil
	}
	if depth > maxVarDepth {
		return "", fmt.Errorf("variable %s nested too deeply", s)
	}
	if v, ok := vars[s[1:]]; ok {
		return v, nil
	}
	if v, ok := vars[s]; ok {
		return v, nil
	}
	return "any", nil
}

// parseAddr parses an address expression.
func parseAddr(s string, vars map[string]string, depth int) (addrSet, error) {
	s = strings.TrimSpace(s)
	if depth > maxVarDepth {
		return addrSet{}, fmt.Errorf("address %q nested too deeply", truncate(s))
	}
	neg := false
	for strings.HasPrefix(s, "!") {
		neg = !neg
		s = strings.TrimSpace(s[1:])
	}
	if strings.HasPrefix(s, "$") {
		v, err := expandVar(s, vars, depth)
		if err != nil {
			return addrSet{}, err
		}
		a, err := parseAddr(v, vars, depth+1)
		a.neg = a.neg != neg
		return a, err
	}
	if strings.HasPrefix(s, "[") {
		if !strings.HasSuffix(s, "]") {
			return addrSet{}, fmt.Errorf("unbalanced '[' in address %q", truncate(s))
		}
		parts, err := splitGroup(s[1 : len(s)-1])
		if err != nil {
			return addrSet{}, err
		}
		g := addrSet{neg: neg, group: true}
		for _, p := range parts {
			k, err := parseAddr(p, vars, depth+1)
			if err != nil {
				return addrSet{}, err
			}
			g.kids = append(g.kids, k)
		}
		return g, nil
	}
	if s == "any" {
		return addrSet{neg: neg, any: true}, nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return addrSet{}, fmt.Errorf("bad address %q", truncate(s))
		}
		return addrSet{neg: neg, prefix: p.Masked()}, nil
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return addrSet{}, fmt.Errorf("bad address %q", truncate(s))
	}
	return addrSet{neg: neg, prefix: netip.PrefixFrom(ip, ip.BitLen())}, nil
}

// parsePort parses a port expression.
func parsePort(s string, vars map[string]string, depth int) (portSet, error) {
	s = strings.TrimSpace(s)
	if depth > maxVarDepth {
		return portSet{}, fmt.Errorf("port %q nested too deeply", truncate(s))
	}
	neg := false
	for strings.HasPrefix(s, "!") {
		neg = !neg
		s = strings.TrimSpace(s[1:])
	}
	if strings.HasPrefix(s, "$") {
		v, err := expandVar(s, vars, depth)
		if err != nil {
			return portSet{}, err
		}
		p, err := parsePort(v, vars, depth+1)
		p.neg = p.neg != neg
		return p, err
	}
	if strings.HasPrefix(s, "[") {
		if !strings.HasSuffix(s, "]") {
			return portSet{}, fmt.Errorf("unbalanced '[' in port %q", truncate(s))
		}
		parts, err := splitGroup(s[1 : len(s)-1])
		if err != nil {
			return portSet{}, err
		}
		g := portSet{neg: neg, group: true}
		for _, p := range parts {
			k, err := parsePort(p, vars, depth+1)
			if err != nil {
				return portSet{}, err
			}
			g.kids = append(g.kids, k)
		}
		return g, nil
	}
	if s == "any" {
		return portSet{neg: neg, any: true}, nil
	}
	lo, hi := s, s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		lo, hi = s[:i], s[i+1:]
		if lo == "" {
			lo = "0"
		}
		if hi == "" {
			hi = "65535"
		}
	}
	l, err1 := strconv.ParseUint(lo, 10, 16)
	h, err2 := strconv.ParseUint(hi, 10, 16)
	if err1 != nil || err2 != nil || l > h {
		return portSet{}, fmt.Errorf("bad port %q", truncate(s))
	}
	return portSet{neg: neg, lo: uint16(l), hi: uint16(h)}, nil
}

// truncate shortens hostile input quoted in messages.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
