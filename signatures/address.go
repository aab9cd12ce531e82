package signatures

import (
	"fmt"
	"net/netip"
)

// AddressSet is an address expression as written in a rule header: "any",
// an address, a CIDR, a $VARIABLE, "!" negation and "[...]" groups, nested.
// Other packages use it to read addresses in the same grammar as the rules
// (threshold.config's suppress ip lists). It is immutable and safe for
// concurrent use.
type AddressSet struct{ set addrSet }

// ParseAddress parses expr, resolving $NAME through vars (keys with or
// without the "$", values are address expressions). Unlike a rule header,
// where an undefined variable means "any", an undefined variable here is an
// error: a list meant to narrow something must not silently widen to
// every address.
func ParseAddress(expr string, vars map[string]string) (AddressSet, error) {
	if name := undefinedVar(expr, vars, map[string]bool{}, 0); name != "" {
		return AddressSet{}, fmt.Errorf("undefined variable %s", truncate(name))
	}
	s, err := parseAddr(expr, vars, 0)
	return AddressSet{s}, err
}

// Contains reports whether ip is in the set. IPv4-mapped IPv6 addresses
// match as IPv4; an invalid address matches only "any".
func (a *AddressSet) Contains(ip netip.Addr) bool { return a.set.match(ip) }

// IsAny reports whether the expression is "any", or a group holding "any"
// and no negation: it matches every address.
func (a *AddressSet) IsAny() bool {
	s := &a.set
	if s.any {
		return !s.neg
	}
	if !s.group || s.neg {
		return false
	}
	any := false
	for i := range s.kids {
		k := &s.kids[i]
		if k.neg {
			return false
		}
		any = any || (k.any && !k.neg)
	}
	return any
}

// undefinedVar returns the first $NAME in expr (or in the values of the
// variables it uses) that vars does not define, "" when all are defined.
// seen keeps each variable's value from being walked twice.
func undefinedVar(expr string, vars map[string]string, seen map[string]bool, depth int) string {
	if depth > maxVarDepth {
		return ""
	}
	for i := 0; i < len(expr); i++ {
		if expr[i] != '$' {
			continue
		}
		j := i + 1
		for j < len(expr) && isVarByte(expr[j]) {
			j++
		}
		name := expr[i+1 : j]
		i = j - 1
		if seen[name] {
			continue
		}
		seen[name] = true
		v, ok := vars[name]
		if !ok {
			v, ok = vars["$"+name]
		}
		if !ok {
			return "$" + name
		}
		if u := undefinedVar(v, vars, seen, depth+1); u != "" {
			return u
		}
	}
	return ""
}

func isVarByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
