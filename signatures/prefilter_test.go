package signatures

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cloudflare/ahocorasick"
	"github.com/wirescan/wirescan/signatures/mpm"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// forceAutomaton compiles every Set's matcher without the prefilter (all
// patterns in the automaton) until the test ends.
func forceAutomaton(t *testing.T) {
	old := testFilter
	testFilter = mpm.FilterNever
	t.Cleanup(func() { testFilter = old })
}

// TestAutomatonMatcherSuite reruns the matcher tests with every pattern in
// the automaton (the prefilter off).
func TestAutomatonMatcherSuite(t *testing.T) {
	forceAutomaton(t)
	for name, f := range map[string]func(*testing.T){
		"MatcherTable": TestMatcherTable, "DifferentialDictionary": TestDifferentialDictionary,
		"DifferentialRules": TestDifferentialRules, "ClamAVVersusRegexp": TestClamAVVersusRegexp,
		"Gap": TestGap, "HashSignatures": TestHashSignatures, "ConformanceCorpus": TestConformanceCorpus,
	} {
		t.Run(name, f)
	}
}

// longRules renders random long patterns (4..maxLen bytes over alpha) as rules:
// single contents (nocase or exact) and two-content chains with distance/within.
func longRules(rng *rand.Rand, alpha string, n, maxLen int) ([]string, [][]byte, []bool) {
	var rules []string
	var pats [][]byte
	var nocase []bool
	for i := 0; i < n; i++ {
		p := randBytes(rng, alpha, 4+rng.IntN(maxLen-3))
		nc := rng.IntN(2) == 0
		mod := ""
		if nc {
			mod = " nocase;"
		}
		body := fmt.Sprintf(`file_data; content:"%s";%s`, hexContent(p), mod)
		if rng.IntN(4) == 0 {
			q := randBytes(rng, alpha, 1+rng.IntN(maxLen))
			body += fmt.Sprintf(` content:"%s"; distance:%d; within:%d;`, hexContent(q), rng.IntN(5)-2, len(q)+rng.IntN(8))
			p = nil // not a plain dictionary entry
		}
		rules = append(rules, r(fmt.Sprintf(`%s sid:%d;`, body, i+1)))
		pats = append(pats, p)
		nocase = append(nocase, nc)
	}
	return rules, pats, nocase
}

// TestPrefilterEqualsAutomaton compares Sets whose matcher uses the prefilter
// with the same Sets walking the automaton only, on long patterns dense in matches, including matches that
// straddle Writes, under every chunking: matches and offsets must be
// identical, and plain dictionary entries must agree with a naive search.
// (signatures/mpm tests the matcher alone the same way.)
func TestPrefilterEqualsAutomaton(t *testing.T) {
	t.Logf("seed %d", testSeed)
	rng := rand.New(rand.NewPCG(testSeed, 77))
	alphabets := []string{"ab", "aAbB", "abc\x00", "xyzXYZ\x00\xff", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123"}
	old := testFilter
	defer func() { testFilter = old }()
	for iter := 0; iter < 120; iter++ {
		alpha := alphabets[iter%len(alphabets)]
		rules, pats, nocase := longRules(rng, alpha, 1+rng.IntN(30), 4+rng.IntN(20))
		if iter%5 == 0 { // some short patterns too: exercises the short automaton
			rules = append(rules, r(fmt.Sprintf(`file_data; content:"%s"; sid:%d;`, hexContent(randBytes(rng, alpha, 1+rng.IntN(3))), 1000)))
		}
		testFilter = mpm.FilterNever
		plain := mustSet(t, Options{}, rules...)
		testFilter = mpm.FilterAuto
		filtered := mustSet(t, Options{}, rules...)
		testFilter = old
		for k := 0; k < 3; k++ {
			text := randBytes(rng, alpha, rng.IntN(400))
			// Plant some pattern occurrences.
			for _, p := range pats {
				if p != nil && rng.IntN(3) == 0 && len(p) < len(text) {
					copy(text[rng.IntN(len(text)-len(p)):], p)
				}
			}
			want := scan(plain, FileData, anyCtx(), text, []int{len(text)}, nil)
			var naive []int
			for i, p := range pats {
				if p == nil {
					continue
				}
				hay, pat := text, p
				if nocase[i] {
					hay, pat = foldBytes(text), foldBytes(p)
				}
				if bytes.Contains(hay, pat) {
					naive = append(naive, i)
				}
			}
			var gotDict []int
			for _, id := range sidSet(want) {
				if id < len(pats) && pats[id] != nil {
					gotDict = append(gotDict, id)
				}
			}
			if !slices.Equal(gotDict, naive) {
				t.Fatalf("iter %d: automaton %v, naive %v", iter, gotDict, naive)
			}
			for name, c := range chunkings(len(text), rng.Uint64()) {
				if got := scan(filtered, FileData, anyCtx(), text, c, nil); !slices.Equal(got, want) {
					t.Fatalf("iter %d %s: prefilter %v, automaton %v\nrules %q\ntext %q", iter, name, got, want, rules, text)
				}
			}
		}
	}
}

// TestPrefilterGeneratedSets checks a 2k generated AV-like set over the benign
// and 1%-match corpora against cloudflare/ahocorasick in 64 KiB, odd and 1 byte
// Writes.
func TestPrefilterGeneratedSets(t *testing.T) {
	pats := sigtest.Patterns(11, 2000)
	s := mustSet(t, Options{}, sigtest.Rules(pats, 1)...)
	cf := ahocorasick.NewMatcher(pats)
	for _, name := range []string{"benign", "matches"} {
		data := sigtest.Corpus(5, 1<<20)
		if name == "matches" {
			data = sigtest.WithMatches(6, data, pats, 0.01)
		}
		want := len(cf.Match(data))
		for _, chunk := range []int{64 << 10, 4099, 1} {
			if chunk == 1 {
				data = data[:64<<10]
				want = len(cf.Match(data))
			}
			sc := s.NewScanner(FileData, &Context{})
			got := 0
			for off := 0; off < len(data); off += chunk {
				got += len(sc.Write(data[off:min(off+chunk, len(data))]))
			}
			if got != want {
				t.Errorf("%s chunk %d: %d matches, cloudflare %d", name, chunk, got, want)
			}
			if name == "matches" && want == 0 {
				t.Errorf("%s: corpus has no matches", name)
			}
		}
	}
}

// TestPrefilterStrides runs the prefilter-versus-automaton comparison with each
// stride forced, so every unrolled scan loop is covered.
func TestPrefilterStrides(t *testing.T) {
	for s := 1; s <= 16; s++ {
		t.Run(fmt.Sprint("stride", s), func(t *testing.T) {
			testStride = s
			defer func() { testStride = 0 }()
			TestPrefilterEqualsAutomaton(t)
		})
	}
}
