package signatures

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestLdbExprEval(t *testing.T) {
	cases := []struct {
		expr   string
		counts []uint32
		want   bool
	}{
		// BASICS
		{"0", []uint32{1}, true},
		{"0", []uint32{0}, false},
		{"0&1", []uint32{1, 1}, true},
		{"0&1", []uint32{1, 0}, false},
		{"0|1", []uint32{0, 3}, true},
		{"(0|1)&2", []uint32{1, 0, 1}, true},
		{"(0|1)&2", []uint32{0, 0, 1}, false},
		// Leaf modifiers compare the subsignature's count.
		{"0>2", []uint32{3}, true},
		{"0>2", []uint32{2}, false},
		{"0<2", []uint32{1}, true},
		{"0<2", []uint32{0}, true}, // no match is fewer than 2
		{"0=0", []uint32{0}, true},
		{"0=0", []uint32{1}, false},
		{"0=2", []uint32{2}, true},
		{"0=2,5", []uint32{2}, true}, // ",Y" on a leaf is ignored
		// Block modifiers compare the block's summed count; ",Y" needs Y
		// distinct subsignatures (the docs' Sig2).
		{"((0|1|2)>5,2)&(3|1)", []uint32{6, 0, 0, 1}, false},
		{"((0|1|2)>5,2)&(3|1)", []uint32{5, 0, 1, 1}, true},
		{"((0|1|2)>5,2)&(3|1)", []uint32{3, 3, 0, 0}, true},
		{"((0|1|2|3)=2)&(4|1)", []uint32{1, 0, 1, 0, 1}, true},
		{"((0|1|2|3)=2)&(4|1)", []uint32{1, 1, 1, 0, 1}, false},
		{"(0&1)=0", []uint32{1, 0}, true}, // a false block counts 0
		{"(0|1)<1", []uint32{0, 0}, true},
		// A leaf with a modifier that holds counts as matched for ",Y",
		// even when its count is 0 (as libclamav does).
		{"(0=0|1)>0,2", []uint32{0, 1}, true},
		{"(0|1)>0,2", []uint32{0, 1}, false},
		// No precedence: the first top-level operator splits; inside a
		// block the last one does.
		{"0&1|2", []uint32{0, 0, 1}, false},  // 0 & (1|2)
		{"(0&1|2)", []uint32{0, 0, 1}, true}, // (0&1) | 2
		{"((0|1))", []uint32{0, 1}, true},
		{"(0)", []uint32{1}, true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s%v", tc.expr, tc.counts), func(t *testing.T) {
			n, _, err := parseLdbExpr(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got, _, _ := n.eval(tc.counts); got != tc.want {
				t.Errorf("eval = %v, want %v (parsed as %s)", got, tc.want, n)
			}
		})
	}
}

func TestLdbExprErrors(t *testing.T) {
	cases := []struct{ expr, msg string }{
		{"", "missing operand"},
		{"0&", "missing operand"},
		{"&1", "missing operand"},
		{"(0&1", "missing ')'"},
		{"0&1)", "')' without '('"},
		{"a", "expected a subsignature index"},
		{"64", "out of range"},
		{"0>", "missing number"},
		{"0>x", "bad count"},
		{"0=1,", "missing number"},
		{"(0)>2", "modifier after a parenthesised single subsignature"},
		{"(0|1)2", "unexpected"},
		{"0 & 1", "unexpected"},
		{"0>99999999999", "out of range"},
		{strings.Repeat("(", 600) + "0" + strings.Repeat(")", 600), "more than 512 nodes"},
		{strings.Repeat("0&", 600) + "0", "more than 512 nodes"},
	}
	for _, tc := range cases {
		t.Run(truncate(tc.expr), func(t *testing.T) {
			_, _, err := parseLdbExpr(tc.expr)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want one containing %q", err, tc.msg)
			}
		})
	}
	if _, _, err := parseLdbExpr(strings.Repeat("0&", 600) + "0"); !errors.Is(err, ErrLimit) {
		t.Errorf("node limit is not ErrLimit: %v", err)
	}
}

// TestLdbExprStringRoundTrip checks that printing an expression and parsing
// it again gives the same verdicts, and that monotone expressions never turn
// false as counts grow, on random expressions and counts.
func TestLdbExprStringRoundTrip(t *testing.T) {
	t.Logf("seed %d", testSeed)
	rng := rand.New(rand.NewPCG(testSeed, 11))
	var gen func(depth int) string
	gen = func(depth int) string {
		if depth == 0 || rng.IntN(3) == 0 {
			s := fmt.Sprint(rng.IntN(4))
			if rng.IntN(3) == 0 {
				s += string("=<>"[rng.IntN(3)]) + fmt.Sprint(rng.IntN(3))
			}
			return s
		}
		s := "(" + gen(depth-1) + string("&|"[rng.IntN(2)]) + gen(depth-1) + ")"
		if rng.IntN(3) == 0 {
			s += string("=<>"[rng.IntN(3)]) + fmt.Sprint(rng.IntN(4))
			if rng.IntN(2) == 0 {
				s += "," + fmt.Sprint(rng.IntN(3))
			}
		}
		return s
	}
	for i := 0; i < 2000; i++ {
		src := gen(4)
		n, _, err := parseLdbExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		m, _, err := parseLdbExpr(n.String())
		if err != nil {
			t.Fatalf("%s printed as %s: %v", src, n, err)
		}
		counts := make([]uint32, 4)
		for k := 0; k < 8; k++ {
			a, _, _ := n.eval(counts)
			b, _, _ := m.eval(counts)
			if a != b {
				t.Fatalf("%s and its print %s disagree on %v", src, n, counts)
			}
			next := append([]uint32(nil), counts...)
			next[rng.IntN(4)] += uint32(rng.IntN(3))
			if c, _, _ := n.eval(next); n.monotone() && a && !c {
				t.Fatalf("monotone %s turned false from %v to %v", src, counts, next)
			}
			counts = next
		}
	}
}
