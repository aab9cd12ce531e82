package signatures

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// matchAllTx is the reference for MatchTransaction: every transaction rule
// evaluated, no prefilter.
func matchAllTx(s *Set, ctx *Context) []int {
	var out []int
	rules := slices.Clone(s.txRules)
	if ctx.FileData == FileDataAbsent {
		rules = append(rules, s.absentRules...)
	}
	for _, rid := range rules {
		cr := s.crule(rid)
		if cr.r.event != "" || !absentOK(cr.r, ctx) {
			continue
		}
		if _, ok := s.txMatch(cr, ctx); ok {
			out = append(out, cr.r.SID)
		}
	}
	return out
}

// TestTxFilterEqualsEvaluatingAll builds random transaction rules (contents
// nocase or not, negated, with pcre, absent buffers, transforms, several
// buffers, file names, rules without contents) and random transactions,
// and checks MatchTransaction gives the rules evaluating all of them gives,
// in the same order.
func TestTxFilterEqualsEvaluatingAll(t *testing.T) {
	t.Logf("seed %d", testSeed)
	rng := rand.New(rand.NewPCG(testSeed, 11))
	words := []string{"get", "admin", "login", "php", "cmd", "exe", "evil", "Mozilla", "curl", "a", "ab", "/x/y"}
	bufs := []string{"http.uri", "http.host", "http.user_agent", "http.method", "file.name", "http.request_header"}
	word := func() string { return words[rng.IntN(len(words))] }
	matched := 0
	for iter := range 40 {
		var rules []string
		for i := range 60 {
			var b strings.Builder
			for k := range 1 + rng.IntN(3) {
				buf := bufs[rng.IntN(len(bufs))]
				fmt.Fprintf(&b, "%s; ", buf)
				switch rng.IntN(10) {
				case 0:
					b.WriteString("to_lowercase; ")
				case 1:
					if k == 0 {
						fmt.Fprintf(&b, "absent; ")
						continue
					}
				}
				for range 1 + rng.IntN(2) {
					neg := ""
					if rng.IntN(6) == 0 {
						neg = "!"
					}
					fmt.Fprintf(&b, `content:%s"%s"; `, neg, word())
					if rng.IntN(3) == 0 {
						b.WriteString("nocase; ")
					}
				}
				if rng.IntN(8) == 0 {
					fmt.Fprintf(&b, `pcre:"/%s/i"; `, word())
				}
			}
			if rng.IntN(12) == 0 {
				b.Reset() // header-only rule
			}
			rules = append(rules, fmt.Sprintf(`alert http any any -> any any (msg:"r%d"; %ssid:%d;)`, i, b.String(), i+1))
		}
		var parsed []*Rule
		for _, l := range rules {
			if r, err := ParseRule(l); err == nil {
				parsed = append(parsed, r)
			}
		}
		if len(parsed) < 40 {
			t.Fatalf("iter %d: only %d of %d rules parse", iter, len(parsed), len(rules))
		}
		s, err := Compile(parsed, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for range 30 {
			tb := testBuffers{}
			for _, name := range bufs {
				if rng.IntN(4) == 0 {
					continue
				}
				var v []string
				for range rng.IntN(4) {
					v = append(v, word())
				}
				tb[name] = strings.Join(v, "\r\n")
			}
			ctx := &Context{Proto: "http", ToServer: rng.IntN(2) == 0, Established: true, Buffers: tb, Filename: tb["file.name"]}
			want := matchAllTx(s, ctx)
			got := sidsInOrder(s.MatchTransaction(ctx))
			matched += len(got)
			if !slices.Equal(got, want) {
				t.Fatalf("iter %d: MatchTransaction %v, evaluating all %v\nbuffers %q\nrules:\n%s", iter, got, want, tb, strings.Join(rules, "\n"))
			}
		}
	}
	if matched < 1000 {
		t.Fatalf("only %d matches in all: the test rules should match often", matched)
	}
}

func sidsInOrder(ms []Match) []int {
	var out []int
	for _, m := range ms {
		out = append(out, m.Rule.SID)
	}
	return out
}

// TestTxFilterSkipsRules checks the filter does its job: with many rules
// whose literal is absent, few are evaluated.
func TestTxFilterSkipsRules(t *testing.T) {
	var rules []string
	for i := range 1000 {
		rules = append(rules, fmt.Sprintf(`alert http any any -> any any (msg:"u%d"; http.uri; content:"/path%04d/"; sid:%d;)`, i, i, i+1))
	}
	rules = append(rules, `alert http any any -> any any (msg:"any"; flow:to_server; sid:5000;)`)
	s := mustSet(t, Options{}, rules...)
	ctx := &Context{Proto: "http", ToServer: true, Established: true, Buffers: testBuffers{"http.uri": "/x/path0042/y"}}
	if got := s.tx.candidates(ctx, nil); len(got) != 2 {
		t.Fatalf("%d candidates, want 2 (the matching literal and the rule without one)", len(got))
	}
	if got := sidsOf(s.MatchTransaction(ctx)); !slices.Equal(got, []int{43, 5000}) {
		t.Fatalf("matches %v", got)
	}
}

// TestDynamicGroupsEqualEvaluatingAll: the groups a Scanner uses (static
// heads plus the dynamic groups the literal filter lets through) are the
// groups whose conditions hold, for random file rules with buffer, file-name,
// address, port and flow conditions and random contexts.
func TestDynamicGroupsEqualEvaluatingAll(t *testing.T) {
	t.Logf("seed %d", testSeed)
	rng := rand.New(rand.NewPCG(testSeed, 12))
	words := []string{"get", "admin", "php", "exe", "Mozilla", "a", "/x/y", "zip"}
	word := func() string { return words[rng.IntN(len(words))] }
	heads := []string{"http any any -> any any", "smb any any -> any any", "file any any -> any any",
		"http 10.0.0.0/8 any -> any any", "http any any -> any 80", "file any any <> 192.0.2.1 any"}
	bufs := []string{"http.uri", "http.host", "file.name", "http.request_header"}
	applied := 0
	for iter := range 30 {
		var rules []*Rule
		for i := range 80 {
			var b strings.Builder
			if rng.IntN(3) == 0 {
				b.WriteString([]string{"flow:to_server; ", "flow:to_client; ", "flow:established; "}[rng.IntN(3)])
			}
			for range rng.IntN(3) {
				fmt.Fprintf(&b, `%s; content:"%s"; `, bufs[rng.IntN(len(bufs))], word())
				if rng.IntN(3) == 0 {
					b.WriteString("nocase; ")
				}
			}
			line := fmt.Sprintf(`alert %s (msg:"r"; %sfile_data; content:"%s"; sid:%d;)`, heads[rng.IntN(len(heads))], b.String(), word(), i+1)
			if r, err := ParseRule(line); err == nil {
				rules = append(rules, r)
			}
		}
		s, err := Compile(rules, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for range 40 {
			tb := testBuffers{}
			for _, name := range bufs {
				if rng.IntN(3) > 0 {
					tb[name] = word() + word()
				}
			}
			ctx := &Context{Proto: []string{"http", "smb", ""}[rng.IntN(3)], ToServer: rng.IntN(2) == 0, Established: rng.IntN(4) > 0,
				Buffers: tb, Filename: tb["file.name"], SrcPort: uint16(rng.IntN(2) * 80), DstPort: uint16(rng.IntN(2) * 80)}
			if rng.IntN(2) == 0 {
				ctx.SrcIP, ctx.DstIP = netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("192.0.2.1")
			}
			var want, got []int32
			for _, g := range s.byKind[kindFile] {
				if s.applies(s.crule(s.groups[g].rep), ctx) {
					want = append(want, g)
				}
			}
			if sc := s.NewScanner(FileData, ctx); sc != nil {
				for g := range s.groups {
					if s.groups[g].kind == kindFile && sc.groupOK(int32(g)) {
						got = append(got, int32(g))
					}
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("iter %d: groups %v, evaluating all %v (ctx %+v)", iter, got, want, ctx)
			}
			applied += len(want)
		}
	}
	if applied < 1000 {
		t.Fatalf("only %d group applications in all: the test should exercise more", applied)
	}
}
