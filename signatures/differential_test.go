package signatures

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cloudflare/ahocorasick"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// hexContent renders b as a content value.
func hexContent(b []byte) string {
	var s strings.Builder
	s.WriteByte('|')
	for i, c := range b {
		if i > 0 {
			s.WriteByte(' ')
		}
		fmt.Fprintf(&s, "%02x", c)
	}
	s.WriteByte('|')
	return s.String()
}

// randBytes draws n bytes from alphabet.
func randBytes(rng *rand.Rand, alphabet string, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return b
}

// sids returns the sorted distinct SIDs of matches minus base.
func sidSet(ms []string) []int {
	var out []int
	for _, m := range ms {
		var sid, off int
		fmt.Sscanf(m, "%d@%d", &sid, &off)
		out = append(out, sid-1)
	}
	sort.Ints(out)
	return slices.Compact(out)
}

// TestDifferentialDictionary compares the matcher with a naive bytes.Index loop and
// with cloudflare/ahocorasick on random dictionaries and texts split randomly.
func TestDifferentialDictionary(t *testing.T) {
	t.Logf("seed %d", testSeed)
	rng := rand.New(rand.NewPCG(testSeed, 1))
	alphabets := []string{"ab", "abcA", "xyzXYZ\x00\xff", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"}
	for iter := 0; iter < 300; iter++ {
		alpha := alphabets[iter%len(alphabets)]
		n := 1 + rng.IntN(40)
		nocase := iter%3 == 0
		var pats [][]byte
		var rules []string
		for i := 0; i < n; i++ {
			p := randBytes(rng, alpha, 1+rng.IntN(8))
			pats = append(pats, p)
			mod := ""
			if nocase {
				mod = " nocase;"
			}
			rules = append(rules, r(fmt.Sprintf(`file_data; content:"%s";%s sid:%d;`, hexContent(p), mod, i+1)))
		}
		dense := []int{0, 1}[iter%2] // default or only the root row dense
		s := mustSet(t, Options{DenseBytes: dense}, rules...)
		var cf *ahocorasick.Matcher
		if !nocase {
			cf = ahocorasick.NewMatcher(pats)
		}
		for k := 0; k < 5; k++ {
			text := randBytes(rng, alpha, rng.IntN(200))
			var want []int
			for i, p := range pats {
				hay, pat := text, p
				if nocase {
					hay, pat = foldBytes(text), foldBytes(p)
				}
				if bytes.Contains(hay, pat) {
					want = append(want, i)
				}
			}
			got := sidSet(scan(s, FileData, anyCtx(), text, randChunks(rng, len(text), 20), nil))
			if !slices.Equal(got, want) {
				t.Fatalf("iter %d: naive %v, got %v\npatterns %q\ntext %q", iter, want, got, pats, text)
			}
			if cf != nil {
				cfIDs := cf.Match(text)
				// cloudflare reports each distinct pattern once; duplicates in the
				// dictionary share one id there, so compare by pattern bytes.
				var cfSet []string
				for _, id := range cfIDs {
					cfSet = append(cfSet, string(pats[id]))
				}
				var mine []string
				for _, id := range got {
					mine = append(mine, string(pats[id]))
				}
				sort.Strings(cfSet)
				sort.Strings(mine)
				if !slices.Equal(slices.Compact(cfSet), slices.Compact(mine)) {
					t.Fatalf("iter %d: cloudflare %q, got %q", iter, cfSet, mine)
				}
			}
		}
	}
}

// randChunks splits n bytes randomly (nil for n == 0).
func randChunks(rng *rand.Rand, n, maxChunk int) []int {
	if n == 0 {
		return nil
	}
	return sigtest.Splits(rng.Uint64(), n, 1+rng.IntN(maxChunk))
}

// randRule builds a random file_data rule of contents with modifiers.
func randRule(rng *rand.Rand, alpha string, sid int) string {
	var b strings.Builder
	b.WriteString("file_data; ")
	n := 1 + rng.IntN(4)
	for i := 0; i < n; i++ {
		p := randBytes(rng, alpha, 1+rng.IntN(3))
		neg := rng.IntN(6) == 0 && i == n-1
		if neg {
			fmt.Fprintf(&b, `content:!"%s"; `, hexContent(p))
		} else {
			fmt.Fprintf(&b, `content:"%s"; `, hexContent(p))
		}
		if rng.IntN(3) == 0 {
			b.WriteString("nocase; ")
		}
		switch x := rng.IntN(6); {
		case i > 0 && x <= 2:
			fmt.Fprintf(&b, "distance:%d; ", rng.IntN(6)-3)
			if x == 1 {
				fmt.Fprintf(&b, "within:%d; ", len(p)+rng.IntN(6))
			}
		case i > 0 && x == 3:
			fmt.Fprintf(&b, "within:%d; ", len(p)+rng.IntN(6))
		case x == 4:
			fmt.Fprintf(&b, "offset:%d; depth:%d; ", rng.IntN(5), len(p)+rng.IntN(10))
		case x == 5 && !neg:
			if rng.IntN(2) == 0 {
				b.WriteString("startswith; ")
			} else if i == n-1 {
				b.WriteString("endswith; ")
			}
		}
	}
	if rng.IntN(5) == 0 {
		fmt.Fprintf(&b, "isdataat:%s%d,relative; ", []string{"", "!"}[rng.IntN(2)], rng.IntN(4))
	}
	fmt.Fprintf(&b, "sid:%d;", sid)
	return r(b.String())
}

// TestDifferentialRules compares streaming verification (any chunking) with the
// exact whole-buffer evaluator on random rules.
func TestDifferentialRules(t *testing.T) {
	t.Logf("seed %d", testSeed)
	rng := rand.New(rand.NewPCG(testSeed, 2))
	skipped, matched, total := 0, 0, 0
	for iter := 0; iter < 3000; iter++ {
		line := randRule(rng, "abAB", 1)
		s, cb, ok := compileWithReference(t, line)
		if !ok {
			skipped++
			continue
		}
		for k := 0; k < 4; k++ {
			text := randBytes(rng, "abAB-", rng.IntN(40))
			want := cb.match(text)
			got := len(scan(s, FileData, anyCtx(), text, randChunks(rng, len(text), 8), nil)) > 0
			if want {
				matched++
			}
			total++
			if got != want {
				t.Fatalf("iter %d: rule %s\ntext %q: streaming %v, whole %v", iter, line, text, got, want)
			}
		}
	}
	t.Logf("%d random rules rejected by the parser; %d of %d texts matched", skipped, matched, total)
	if matched < total/10 || matched > total*9/10 {
		t.Fatalf("generator out of balance: %d of %d matched", matched, total)
	}
}

// compileWithReference compiles one streamed rule and its whole-buffer
// reference evaluator; false when the parser rejects the rule.
func compileWithReference(t *testing.T, line string) (*Set, cbuf, bool) {
	t.Helper()
	rule, err := parseRule(line, &parseCtx{dir: ".", opts: Options{}.withDefaults()})
	if err != nil {
		return nil, cbuf{}, false
	}
	s, err := Compile([]*Rule{rule}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s, cbuf{chains: compileItems(rule.data, false)}, true
}
