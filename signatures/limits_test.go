package signatures

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLimits(t *testing.T) {
	// Short patterns are the automaton's (longer ones the prefilter's):
	// 7 states, root + 3 + 3.
	rules := []string{r(`file_data; content:"abc"; sid:1;`), r(`file_data; content:"ghi"; sid:2;`)}
	if _, err := Compile(parseAll(t, rules), Options{MaxStates: 7}); err != nil {
		t.Fatalf("at the state limit: %v", err)
	}
	if _, err := Compile(parseAll(t, rules), Options{MaxStates: 6}); !errors.Is(err, ErrLimit) {
		t.Fatalf("over the state limit: %v", err)
	}
	if _, err := Compile(parseAll(t, rules), Options{MaxRules: 1}); !errors.Is(err, ErrLimit) {
		t.Fatalf("over the rule limit: %v", err)
	}
	if _, err := ParseRule(r(`content:"` + strings.Repeat("a", maxContentLen) + `"; sid:1;`)); err != nil {
		t.Fatalf("content at the limit: %v", err)
	}
	if _, err := ParseRule(r(`content:"` + strings.Repeat("a", maxContentLen+1) + `"; sid:1;`)); !errors.Is(err, ErrLimit) {
		t.Fatalf("content over the limit: %v", err)
	}
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&b, "alert tcp any any -> any any (bogus; sid:%d;)\n", i+1)
	}
	p := filepath.Join(dir, "w.rules")
	os.WriteFile(p, []byte(b.String()), 0o600)
	_, warns, err := Load([]string{p}, Options{MaxWarnings: 3})
	if err != nil || len(warns) != 4 || !strings.Contains(warns[3].Msg, "2 more warnings suppressed") {
		t.Fatalf("warning cap: %v %v", warns, err)
	}
}

// TestOverflowCounted checks the per-rule position bound: beyond it candidates
// are dropped and counted, never unbounded.
func TestOverflowCounted(t *testing.T) {
	s := mustSet(t, Options{}, r(`file_data; content:"a"; content:"b"; distance:500; within:1; sid:1;`))
	sc := s.NewScanner(FileData, anyCtx())
	sc.Write([]byte(strings.Repeat("a", 1000)))
	if sc.Overflow == 0 {
		t.Fatal("expected overflow to be counted")
	}
	if p := sc.progressOf(0); len(p.chains[0].stage[0]) > defaultPositions {
		t.Fatalf("stage grew to %d", len(p.chains[0].stage[0]))
	}
}

// TestScannerAllocs checks that steady-state scanning without candidates does not
// allocate.
func TestScannerAllocs(t *testing.T) {
	s := mustSet(t, Options{}, r(`file_data; content:"zzzz"; sid:1;`))
	sc := s.NewScanner(FileData, anyCtx())
	buf := []byte(strings.Repeat("abcdefgh", 512))
	if n := testing.AllocsPerRun(100, func() { sc.Write(buf) }); n != 0 {
		t.Fatalf("%v allocs per Write", n)
	}
}

func parseAll(t testing.TB, lines []string) []*Rule {
	var out []*Rule
	for _, l := range lines {
		rl, err := ParseRule(l)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rl)
	}
	return out
}
