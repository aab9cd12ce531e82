package signatures

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestStreamPcreShapes checks which pcre forms are accepted on streamed data,
// their shape and width, and the warning naming what is not.
func TestStreamPcreShapes(t *testing.T) {
	for _, tc := range []struct {
		name, opts string
		shape      pcreShape
		width      int
		lits       []string
		err        string
	}{
		{name: "relative anchored", opts: `content:"k="; pcre:"/^[0-9]{3}/R";`, shape: pcreRel, width: 3},
		{name: "relative anchored repeat group", opts: `content:"|15 00|"; pcre:"/^(?:[A-Z]\x00){20}\x00\x00/R";`, shape: pcreRel, width: 42},
		{name: "relative trailing star trimmed", opts: `content:"k="; pcre:"/^ab\s*/R";`, shape: pcreRel, width: 2},
		{name: "relative trailing star kept before relative content", opts: `content:"k="; pcre:"/^ab\s*/R"; content:"x"; distance:0;`, err: `unbounded width ([\t\n\f\r ]*)`},
		{name: "relative unanchored", opts: `content:"k="; pcre:"/[0-9]{3}/R";`, err: "unanchored relative pcre"},
		{name: "anchored at start", opts: `pcre:"/^GIF8[79]a/";`, shape: pcreStart, width: 6},
		{name: "anchored flag A", opts: `pcre:"/GIF8/A";`, shape: pcreStart, width: 4},
		{name: "multiline caret is not an anchor", opts: `pcre:"/^GIF8/m";`, shape: pcreLit, width: 4, lits: []string{"GIF8"}},
		{name: "literal alternatives", opts: `pcre:"/\b(fromcharcode|alert|eval)\s*/Pi";`, shape: pcreLit, width: 12, lits: []string{"FROMCHARCODE", "ALERT", "EVAL"}},
		{name: "literal with bounded tail", opts: `pcre:"/cmd=[a-z]{2,4}\;/";`, shape: pcreLit, width: 9, lits: []string{"cmd="}},
		{name: "leading star trimmed", opts: `pcre:"/.*evil[0-9]/";`, shape: pcreLit, width: 5, lits: []string{"evil"}},
		{name: "utf8 width", opts: `pcre:"/abc./s";`, shape: pcreLit, width: 7, lits: []string{"abc"}},
		{name: "kelvin fold width", opts: `pcre:"/kkk/i";`, shape: pcreLit, width: 9, lits: []string{"KKK"}},
		{name: "unbounded middle", opts: `pcre:"/abc.*def/";`, err: `keyword "pcre" "/abc.*def/": unbounded width ((?-s:.*)) on streaming data not supported`},
		{name: "short literal", opts: `pcre:"/ab[0-9]/";`, err: "no literal prefix of at least 3 bytes"},
		{name: "class first", opts: `pcre:"/[a-z]{3}foo/";`, err: "no literal prefix"},
		{name: "too wide", opts: `content:"k="; pcre:"/^[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}/R";`, err: "width over 4095 bytes"},
		{name: "relative after unanchored", opts: `pcre:"/abcd/"; content:"x"; distance:0;`, err: "relative inspection after an unanchored pcre"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := r("file_data; " + tc.opts + " sid:1;")
			rule, err := parseRule(line, &parseCtx{dir: ".", opts: Options{}.withDefaults()})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrUnsupported) {
					t.Fatalf("got %v, want an unsupported error containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var sp *streamPcre
			for _, it := range rule.data {
				if it.sp != nil {
					sp = it.sp
				}
			}
			if sp == nil || sp.shape != tc.shape || sp.width != tc.width {
				t.Fatalf("got %+v, want shape %d width %d", sp, tc.shape, tc.width)
			}
			var lits []string
			for _, l := range sp.lits {
				lits = append(lits, string(l))
			}
			if !slices.Equal(lits, tc.lits) {
				t.Fatalf("literals %q, want %q", lits, tc.lits)
			}
		})
	}
}

var pcreCases = []matcherCase{
	{name: "rel anchored", rules: []string{r(`file_data; content:"key="; pcre:"/^[0-9]{3}/R"; sid:1;`)}, data: "key=12a key=123", want: []string{"1@15"}},
	{name: "rel anchored miss", rules: []string{r(`file_data; content:"key="; pcre:"/^[0-9]{3}/R"; sid:1;`)}, data: "key=12a key=1x3"},
	{name: "rel then content", rules: []string{r(`file_data; content:"k="; pcre:"/^[a-z]{2}/R"; content:"!"; distance:0; within:1; sid:1;`)},
		data: "k=ab? k=cd!", want: []string{"1@11"}},
	{name: "rel content right after match", rules: []string{r(`file_data; content:"k="; pcre:"/^[a-z]{1,8}/R"; content:"9"; distance:0; within:1; sid:1;`)},
		data: "k=abc9", want: []string{"1@6"}},
	{name: "rel word boundary look-ahead", rules: []string{r(`file_data; content:"id="; pcre:"/^[0-9]{1,3}\b/R"; sid:1;`)},
		data: "id=1234 id=12 ", want: []string{"1@13"}},
	{name: "rel end of data", rules: []string{r(`file_data; content:"id="; pcre:"/^[0-9]{1,3}$/R"; sid:1;`)}, data: "id=12x id=12", want: []string{"1@12"}},
	{name: "rel dollar mid data", rules: []string{r(`file_data; content:"id="; pcre:"/^[0-9]{1,3}$/R"; sid:1;`)}, data: "id=12 x"},
	{name: "rel chained pcres", rules: []string{r(`file_data; content:"|15 00|"; pcre:"/^(?:[A-Z]\x00){3}/R"; content:"|15 00|"; distance:2; within:2; pcre:"/^(?:[A-Z]\x00){2}\x00\x00/R"; content:"END"; distance:0; within:3; sid:1;`)},
		data: "\x15\x00A\x00B\x00C\x00..\x15\x00D\x00E\x00\x00\x00END", want: []string{"1@21"}},
	{name: "rel chained pcres miss", rules: []string{r(`file_data; content:"|15 00|"; pcre:"/^(?:[A-Z]\x00){3}/R"; content:"|15 00|"; distance:2; within:2; pcre:"/^(?:[A-Z]\x00){2}\x00\x00/R"; content:"END"; distance:0; within:3; sid:1;`)},
		data: "\x15\x00A\x00B\x00C\x00..\x15\x00D\x00e\x00\x00\x00END"},
	{name: "start anchored", rules: []string{r(`file_data; pcre:"/^GIF8[79]a/"; sid:1;`)}, data: "GIF89a-GIF87a", want: []string{"1@6"}},
	{name: "start anchored miss", rules: []string{r(`file_data; pcre:"/^GIF8[79]a/"; sid:1;`)}, data: "xGIF89a"},
	{name: "start anchored short data", rules: []string{r(`file_data; pcre:"/^ab?/"; sid:1;`)}, data: "a", want: []string{"1@1"}},
	{name: "start anchored with content", rules: []string{r(`file_data; pcre:"/^MZ/"; content:"PE|00 00|"; sid:1;`)}, data: "MZ....PE\x00\x00", want: []string{"1@10"}},
	{name: "literal prefix", rules: []string{r(`file_data; pcre:"/\b(eval|alert)\s*/i"; sid:1;`)}, data: "xalert( ALERT(", want: []string{"1@13"}},
	{name: "literal prefix miss", rules: []string{r(`file_data; pcre:"/\b(eval|alert)\s*/i"; sid:1;`)}, data: "xalert( medieval"},
	{name: "literal prefix at start", rules: []string{r(`file_data; pcre:"/\beval/"; sid:1;`)}, data: "eval", want: []string{"1@4"}},
	{name: "literal bounded tail", rules: []string{r(`file_data; pcre:"/cmd=[a-z]{2,4}\;/"; sid:1;`)}, data: "cmd=abcdef; cmd=ab;", want: []string{"1@19"}},
	{name: "literal line start", rules: []string{r(`file_data; pcre:"/^From: [a-z]{3}/m"; sid:1;`)}, data: "xFrom: bob\nFrom: amy", want: []string{"1@20"}},
	{name: "negated start", rules: []string{r(`file_data; content:"x"; pcre:!"/^MZ/"; sid:1;`)}, data: "PEx", want: []string{"1@3"}},
	{name: "negated start present", rules: []string{r(`file_data; content:"x"; pcre:!"/^MZ/"; sid:1;`)}, data: "MZx"},
	{name: "negated relative", rules: []string{r(`file_data; content:"a="; pcre:!"/^[0-9]/R"; sid:1;`)}, data: "a=1 a=x", want: []string{"1@6"}},
	{name: "negated relative present", rules: []string{r(`file_data; content:"a="; pcre:!"/^[0-9]/R"; sid:1;`)}, data: "a=1 a=2"},
	{name: "stream rel pcre", kind: Stream, rules: []string{`alert tcp any any -> any any (content:"USER "; pcre:"/^[a-z]{4}\r\n/R"; sid:1;)`},
		data: "USER root\r\n", want: []string{"1@11"}},
}

func TestStreamPcreTable(t *testing.T) { runMatcherTable(t, pcreCases) }

// TestStreamPcreGap: no pcre window spans a gap.
func TestStreamPcreGap(t *testing.T) {
	s := mustSet(t, Options{}, r(`file_data; content:"k="; pcre:"/^[0-9]{2}/R"; sid:1;`))
	sc := s.NewScanner(FileData, anyCtx())
	sc.Write([]byte("k=1"))
	sc.Gap(5)
	m := append(sc.Write([]byte("2 k=34")), sc.End(FileFacts{})...)
	if len(m) != 1 || m[0].Offset != 14 {
		t.Fatalf("got %v, want one match at 14 (none across the gap)", m)
	}
}

// TestStreamPcreBound: pending checks per chain stop at the position limit,
// counted in Overflow, just under it nothing is lost.
func TestStreamPcreBound(t *testing.T) {
	s := mustSet(t, Options{}, r(`file_data; content:"a"; pcre:"/^[a-z]{0,100}Z/R"; sid:1;`))
	for _, tc := range []struct {
		n        int
		overflow bool
	}{{n: 63}, {n: 64}, {n: 200, overflow: true}} {
		sc := s.NewScanner(FileData, anyCtx())
		sc.Write([]byte(strings.Repeat("a", tc.n)))
		sc.End(FileFacts{})
		if (sc.Overflow > 0) != tc.overflow {
			t.Fatalf("%d candidates: overflow %d", tc.n, sc.Overflow)
		}
	}
}

// randPcreRule builds a random file_data rule using streamed pcre shapes.
func randPcreRule(rng *rand.Rand) string {
	atoms := []string{"a", "b", "-", "[ab]", "[a-b]{0,2}", "(?:a|b-)", "\\b", "A?", "(?:ab){1,2}", "[^a]"}
	body := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(atoms[rng.IntN(len(atoms))])
		}
		return b.String()
	}
	flags := []string{"", "i"}[rng.IntN(2)]
	var b strings.Builder
	b.WriteString("file_data; ")
	neg := []string{"", "", "", "!"}[rng.IntN(4)]
	switch rng.IntN(3) {
	case 0: // relative anchored, maybe followed by a content
		fmt.Fprintf(&b, `content:"%s"; `, randBytes(rng, "ab-", 1+rng.IntN(2)))
		fmt.Fprintf(&b, `pcre:%s"/^%s/R%s"; `, neg, body(1+rng.IntN(3)), flags)
		if neg == "" && rng.IntN(2) == 0 {
			fmt.Fprintf(&b, `content:"%s"; distance:%d; `, randBytes(rng, "ab-", 1+rng.IntN(2)), rng.IntN(3)-1)
			if rng.IntN(2) == 0 {
				fmt.Fprintf(&b, `pcre:"/^%s/R%s"; `, body(1+rng.IntN(2)), flags)
			}
		}
	case 1: // anchored at the start, maybe with an independent content
		fmt.Fprintf(&b, `pcre:%s"/^%s/%s"; `, neg, body(1+rng.IntN(3)), flags)
		if neg == "" && rng.IntN(2) == 0 {
			fmt.Fprintf(&b, `content:"%s"; distance:0; `, randBytes(rng, "ab-", 1+rng.IntN(2)))
		}
	default: // literal prefix
		lead := []string{"", "\\b", "\\B", "(?m)^"}[rng.IntN(4)]
		lit := string(randBytes(rng, "abAB", 3))
		if rng.IntN(2) == 0 {
			lit = "(?:" + lit + "|" + string(randBytes(rng, "ab-", 3)) + ")"
		}
		fmt.Fprintf(&b, `pcre:%s"/%s%s%s/%s"; `, neg, lead, lit, body(rng.IntN(3)), flags)
		if neg != "" {
			fmt.Fprintf(&b, `content:"%s"; `, randBytes(rng, "ab", 1))
		}
	}
	b.WriteString("sid:1;")
	return r(b.String())
}

// TestDifferentialPcre compares streamed pcre (whole, one byte at a time and
// seeded random splits) with the whole-buffer regexp evaluator.
func TestDifferentialPcre(t *testing.T) {
	t.Logf("seed %d", testSeed)
	rng := rand.New(rand.NewPCG(testSeed, 3))
	skipped, matched, total := 0, 0, 0
	for iter := 0; iter < 3000; iter++ {
		line := randPcreRule(rng)
		s, cb, ok := compileWithReference(t, line)
		if !ok {
			skipped++
			continue
		}
		for k := 0; k < 4; k++ {
			text := randBytes(rng, "abAB-", rng.IntN(40))
			want := cb.match(text)
			ref := scan(s, FileData, anyCtx(), text, []int{len(text)}, nil)
			if len(text) == 0 {
				ref = scan(s, FileData, anyCtx(), text, nil, nil)
			}
			if want {
				matched++
			}
			total++
			if (len(ref) > 0) != want {
				t.Fatalf("iter %d: rule %s\ntext %q: streaming %v, whole %v", iter, line, text, ref, want)
			}
			for _, chunks := range [][]int{chunkings(len(text), 0)["1byte"], randChunks(rng, len(text), 8)} {
				if got := scan(s, FileData, anyCtx(), text, chunks, nil); !slices.Equal(got, ref) {
					t.Fatalf("iter %d: rule %s\ntext %q: chunks %v gave %v, one write %v", iter, line, text, chunks, got, ref)
				}
			}
		}
	}
	t.Logf("%d random rules rejected by the parser; %d of %d texts matched", skipped, matched, total)
	if skipped > 300 || matched < total/10 || matched > total*9/10 {
		t.Fatalf("generator out of balance: %d skipped, %d of %d matched", skipped, matched, total)
	}
}
