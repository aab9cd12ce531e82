package report

import "sort"

// Roles separate the namespaces of the distinct table: the same owner id
// counts clients, servers, file names, ... independently.
const (
	roleClient uint8 = iota + 1
	roleServer
	roleFilename
	roleSensor
	roleProto
	roleEvidence
	roleHash
	roleFanout
	roleGlobalFile
	roleGlobalSig
)

// distinctKey is one (owner, role, value) triple; the value is hashed so a
// key is 16 bytes whatever the value's length.
type distinctKey struct {
	owner uint32
	role  uint8
	h     uint64
}

// distinctTable counts distinct values of every owner past the values the
// owner lists itself. It is bounded: once full, new values can't be told
// from seen ones, and the adder is told so (its counts become lower bounds).
type distinctTable struct {
	seen map[distinctKey]struct{}
	max  int
}

func newDistinctTable(max int) *distinctTable {
	return &distinctTable{seen: map[distinctKey]struct{}{}, max: max}
}

// add records a value; isNew reports whether it was not seen before, and
// full that the table had no room left to tell.
func (t *distinctTable) add(k distinctKey) (isNew, full bool) {
	if _, ok := t.seen[k]; ok {
		return false, false
	}
	if len(t.seen) >= t.max {
		return false, true
	}
	t.seen[k] = struct{}{}
	return true, false
}

// fnv64 is FNV-1a: a fixed hash, so counts don't depend on a process seed.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// valueSet lists the first distinct values it sees (up to a bound) and
// counts all distinct values, using the shared distinctTable for those past
// the list. The empty string is not a value.
type valueSet struct {
	vals   []string
	total  int32
	capped bool
}

// add adds v, listing at most max values; owner and role name the set in t.
func (s *valueSet) add(v string, max int, owner uint32, role uint8, t *distinctTable) {
	if v == "" {
		return
	}
	for _, x := range s.vals {
		if x == v {
			return
		}
	}
	if len(s.vals) < max {
		s.vals = append(s.vals, v)
		s.total++
		return
	}
	isNew, full := t.add(distinctKey{owner: owner, role: role, h: fnv64(v)})
	if isNew {
		s.total++
	}
	s.capped = s.capped || full
}

// sorted returns a sorted copy of the listed values (never nil) and how
// many more distinct values there were.
func (s *valueSet) sorted() (vals []string, more int) {
	vals = append([]string{}, s.vals...)
	sort.Strings(vals)
	return vals, int(s.total) - len(s.vals)
}

// count is the number of distinct values seen (a lower bound when capped).
func (s *valueSet) count() int { return int(s.total) }

// interner shares one copy of strings that repeat across incidents
// (signatures, hashes, hosts, rule origins): every decoded alert brings its
// own copies. It is bounded; past its limit strings are kept as they come.
type interner struct {
	m   map[string]string
	max int
}

// maxInternedLen keeps long, rarely repeated strings out of the interner.
const maxInternedLen = 256

func (in *interner) intern(s string) string {
	if s == "" || len(s) > maxInternedLen {
		return s
	}
	if c, ok := in.m[s]; ok {
		return c
	}
	if len(in.m) < in.max {
		in.m[s] = s
	}
	return s
}
