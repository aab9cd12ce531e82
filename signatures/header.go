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

// leaf is the condition at the bottom of an address or port expression.
type leaf[V any] interface{ contains(v V) bool }

// set is an address or port expression: any, a leaf, or a group of children,
// each possibly negated. A group matches when some positive child matches (or
// it has no positive child) and no negative child matches.
type set[V any, L leaf[V]] struct {
	neg   bool
	any   bool
	group bool
	leaf  L
	kids  []set[V, L]
}

// addrSet is an address expression; portSet a port expression.
type (
	addrSet = set[netip.Addr, prefixLeaf]
	portSet = set[uint16, portRange]
)

// prefixLeaf is one CIDR. An invalid (unknown) address matches no prefix,
// only "any".
type prefixLeaf struct{ p netip.Prefix }

func (l prefixLeaf) contains(ip netip.Addr) bool { return ip.IsValid() && l.p.Contains(ip.Unmap()) }

// portRange is lo..hi inclusive.
type portRange struct{ lo, hi uint16 }

func (r portRange) contains(p uint16) bool { return p >= r.lo && p <= r.hi }

// Limits on hostile headers.
const (
	maxVarDepth   = 8
	maxGroupItems = 4096
)

// match reports whether v is in the set.
func (s *set[V, L]) match(v V) bool {
	var m bool
	switch {
	case s.any:
		m = true
	case s.group:
		pos, hit := false, false
		for i := range s.kids {
			k := &s.kids[i]
			if k.neg {
				if !k.match(v) { // negative child matched the value
					return s.neg
				}
				continue
			}
			pos = true
			if !hit && k.match(v) {
				hit = true
			}
		}
		m = hit || !pos
	default:
		m = s.leaf.contains(v)
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
	return parseSet(s, "address", vars, depth, func(s string) (prefixLeaf, error) {
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return prefixLeaf{}, fmt.Errorf("bad address %q", truncate(s))
			}
			return prefixLeaf{p.Masked()}, nil
		}
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return prefixLeaf{}, fmt.Errorf("bad address %q", truncate(s))
		}
		return prefixLeaf{netip.PrefixFrom(ip, ip.BitLen())}, nil
	})
}

// parsePort parses a port expression.
func parsePort(s string, vars map[string]string, depth int) (portSet, error) {
	return parseSet(s, "port", vars, depth, func(s string) (portRange, error) {
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
			return portRange{}, fmt.Errorf("bad port %q", truncate(s))
		}
		return portRange{uint16(l), uint16(h)}, nil
	})
}

// parseSet parses the structure both expressions share — negation, $VAR,
// [groups], any — and hands leaves to parseLeaf. what names the expression
// in errors.
func parseSet[V any, L leaf[V]](s, what string, vars map[string]string, depth int, parseLeaf func(string) (L, error)) (set[V, L], error) {
	s = strings.TrimSpace(s)
	if depth > maxVarDepth {
		return set[V, L]{}, fmt.Errorf("%s %q nested too deeply", what, truncate(s))
	}
	neg := false
	for strings.HasPrefix(s, "!") {
		neg = !neg
		s = strings.TrimSpace(s[1:])
	}
	if strings.HasPrefix(s, "$") {
		v, err := expandVar(s, vars, depth)
		if err != nil {
			return set[V, L]{}, err
		}
		x, err := parseSet(v, what, vars, depth+1, parseLeaf)
		x.neg = x.neg != neg
		return x, err
	}
	if strings.HasPrefix(s, "[") {
		if !strings.HasSuffix(s, "]") {
			return set[V, L]{}, fmt.Errorf("unbalanced '[' in %s %q", what, truncate(s))
		}
		parts, err := splitGroup(s[1 : len(s)-1])
		if err != nil {
			return set[V, L]{}, err
		}
		g := set[V, L]{neg: neg, group: true}
		for _, p := range parts {
			k, err := parseSet(p, what, vars, depth+1, parseLeaf)
			if err != nil {
				return set[V, L]{}, err
			}
			g.kids = append(g.kids, k)
		}
		return g, nil
	}
	if s == "any" {
		return set[V, L]{neg: neg, any: true}, nil
	}
	l, err := parseLeaf(s)
	if err != nil {
		return set[V, L]{}, err
	}
	return set[V, L]{neg: neg, leaf: l}, nil
}

// truncate shortens hostile input quoted in messages.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
