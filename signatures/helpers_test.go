package signatures

import (
	"encoding/hex"
	"fmt"
	"sort"
	"testing"

	"github.com/wirescan/wirescan/signatures/sigtest"
)

// testSeed is the one seed all randomized tests derive from; it is logged.
const testSeed = 20240601

// mustSet compiles rule texts or fails the test.
func mustSet(t testing.TB, opts Options, rules ...string) *Set {
	t.Helper()
	var rs []*Rule
	for i, line := range rules {
		r, err := parseRule(line, &parseCtx{dir: ".", opts: opts.withDefaults()})
		if err != nil {
			t.Fatalf("rule %d %q: %v", i, line, err)
		}
		rs = append(rs, r)
	}
	s, err := Compile(rs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// chunkings returns the feeders every matcher test runs under: whole, one byte at
// a time, split at every position (short inputs) and seeded random splits.
func chunkings(n int, seed uint64) map[string][]int {
	out := map[string][]int{"whole": {n}}
	if n == 0 {
		return out
	}
	one := make([]int, n)
	for i := range one {
		one[i] = 1
	}
	out["1byte"] = one
	if n <= 160 {
		for i := 1; i < n; i++ {
			out[fmt.Sprintf("split%d", i)] = []int{i, n - i}
		}
	}
	for k := 0; k < 4; k++ {
		out[fmt.Sprintf("random%d", k)] = sigtest.Splits(seed+uint64(k), n, 1+n/3)
	}
	return out
}

// scan feeds data in chunks and returns sorted "sid@offset" strings (Write and End).
func scan(s *Set, kind Kind, ctx *Context, data []byte, chunks []int, facts *FileFacts) []string {
	sc := s.NewScanner(kind, ctx)
	var got []string
	add := func(ms []Match) {
		for _, m := range ms {
			got = append(got, fmt.Sprintf("%d@%d", m.Rule.SID, m.Offset))
		}
	}
	off := 0
	for _, c := range chunks {
		add(sc.Write(data[off : off+c]))
		off += c
	}
	f := FileFacts{Size: int64(len(data)), Complete: true}
	if facts != nil {
		f = *facts
	}
	add(sc.End(f))
	sort.Strings(got)
	return got
}

// anyCtx is a context every header matches.
func anyCtx() *Context {
	return &Context{Proto: "http", Established: true}
}

// hexDecode decodes a hex string.
func hexDecode(s string) ([]byte, error) { return hex.DecodeString(s) }
