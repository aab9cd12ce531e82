package signatures

import (
	"slices"
	"testing"
)

// matcherCase is one row of the matcher table: rules, input, expected "sid@offset".
type matcherCase struct {
	name  string
	rules []string
	data  string
	kind  Kind
	want  []string
}

// r wraps options into a file_data rule.
func r(opts string) string { return "alert http any any -> any any (" + opts + ")" }

var basicCases = []matcherCase{
	{name: "single", rules: []string{r(`file_data; content:"abc"; sid:1;`)}, data: "xxabcxx", want: []string{"1@5"}},
	{name: "no match", rules: []string{r(`file_data; content:"abd"; sid:1;`)}, data: "xxabcxx"},
	{name: "once per scanner", rules: []string{r(`file_data; content:"ab"; sid:1;`)}, data: "abababab", want: []string{"1@2"}},
	{name: "nocase", rules: []string{r(`file_data; content:"AbC"; nocase; sid:1;`)}, data: "xABcx", want: []string{"1@4"}},
	{name: "case sensitive", rules: []string{r(`file_data; content:"AbC"; sid:1;`)}, data: "xABcx abc AbC", want: []string{"1@13"}},
	{name: "mixed case variants", rules: []string{r(`file_data; content:"AbC"; sid:1;`), r(`file_data; content:"abc"; sid:2;`), r(`file_data; content:"ABC"; nocase; sid:3;`)},
		data: "abc AbC", want: []string{"1@7", "2@3", "3@3"}},
	{name: "hex", rules: []string{r(`file_data; content:"a|00 FF|b"; sid:1;`)}, data: "-a\x00\xffb", want: []string{"1@5"}},
	{name: "offset depth", rules: []string{r(`file_data; content:"ab"; offset:2; depth:3; sid:1;`)}, data: "ab-ab-ab", want: []string{"1@5"}},
	{name: "depth miss", rules: []string{r(`file_data; content:"ab"; depth:3; sid:1;`)}, data: "--ab", want: nil},
	{name: "startswith", rules: []string{r(`file_data; content:"MZ"; startswith; sid:1;`)}, data: "MZxx", want: []string{"1@2"}},
	{name: "startswith miss", rules: []string{r(`file_data; content:"MZ"; startswith; sid:1;`)}, data: "xMZx"},
	{name: "endswith", rules: []string{r(`file_data; content:"END"; endswith; sid:1;`)}, data: "END xx END", want: []string{"1@10"}},
	{name: "endswith miss", rules: []string{r(`file_data; content:"END"; endswith; sid:1;`)}, data: "END xx ENDx"},
	{name: "two contents any order", rules: []string{r(`file_data; content:"bb"; content:"aa"; sid:1;`)}, data: "aa--bb", want: []string{"1@6"}},
	{name: "distance", rules: []string{r(`file_data; content:"aa"; content:"bb"; distance:2; sid:1;`)}, data: "aabbx aa--bb", want: []string{"1@12"}},
	{name: "within", rules: []string{r(`file_data; content:"aa"; content:"bb"; within:4; sid:1;`)}, data: "aa---bb aa-bb", want: []string{"1@13"}},
	{name: "distance within", rules: []string{r(`file_data; content:"k"; content:"v"; distance:1; within:1; sid:1;`)}, data: "kv k-v", want: []string{"1@6"}},
	{name: "negative distance", rules: []string{r(`file_data; content:"cd"; content:"bc"; distance:-3; within:2; sid:1;`)}, data: "abcd", want: []string{"1@4"}},
	{name: "chain of three", rules: []string{r(`file_data; content:"a1"; content:"b2"; distance:0; content:"c3"; distance:0; within:3; sid:1;`)},
		data: "c3 b2 a1 b2 c3 a1 b2 xx c3", want: []string{"1@14"}},
	{name: "retry later anchor", rules: []string{r(`file_data; content:"A"; content:"B"; distance:0; within:2; sid:1;`)}, data: "A---AB", want: []string{"1@6"}},
	{name: "negated content present", rules: []string{r(`file_data; content:"x1"; content:!"evil"; sid:1;`)}, data: "x1 evil"},
	{name: "negated content absent", rules: []string{r(`file_data; content:"x1"; content:!"evil"; sid:1;`)}, data: "x1 good", want: []string{"1@2"}},
	{name: "negated only", rules: []string{r(`file_data; content:!"evil"; sid:1;`)}, data: "good", want: []string{"1@-1"}},
	{name: "negated relative killed", rules: []string{r(`file_data; content:"GET"; content:!"HTTP"; distance:0; within:8; sid:1;`)}, data: "GET / HTTP"},
	{name: "negated relative survives", rules: []string{r(`file_data; content:"GET"; content:!"HTTP"; distance:0; within:4; sid:1;`)}, data: "GET /abc HTTP", want: []string{"1@3"}},
	{name: "negated relative second anchor", rules: []string{r(`file_data; content:"GET"; content:!"HTTP"; distance:0; within:6; sid:1;`)}, data: "GET HTTP GET xxxxxxxx", want: []string{"1@12"}},
	{name: "isdataat relative", rules: []string{r(`file_data; content:"hdr"; isdataat:4,relative; sid:1;`)}, data: "hdr1234", want: []string{"1@3"}},
	{name: "isdataat relative short", rules: []string{r(`file_data; content:"hdr"; isdataat:5,relative; sid:1;`)}, data: "hdr1234"},
	{name: "not isdataat relative", rules: []string{r(`file_data; content:"tail"; isdataat:!1,relative; sid:1;`)}, data: "tail tail", want: []string{"1@9"}},
	{name: "isdataat absolute", rules: []string{r(`file_data; content:"a"; isdataat:5; sid:1;`)}, data: "a12345", want: []string{"1@1"}},
	{name: "bsize", rules: []string{r(`file_data; content:"a"; bsize:>3; sid:1;`), r(`file_data; content:"a"; bsize:<3; sid:2;`)}, data: "abcd", want: []string{"1@1"}},
	{name: "filesize only", rules: []string{r(`filesize:4; sid:1;`), r(`filesize:>4; sid:2;`)}, data: "abcd", want: []string{"1@-1"}},
	{name: "long case-sensitive content", rules: []string{r(`file_data; content:"` + long + `"; sid:1;`)}, data: "x" + long + "y", want: []string{"1@" + itoa(1+len(long))}},
	{name: "long case-sensitive near miss", rules: []string{r(`file_data; content:"` + long + `"; sid:1;`)}, data: "x" + long[:70] + "Q" + long[71:]},
	{name: "long nocase", rules: []string{r(`file_data; content:"` + long + `"; nocase; sid:1;`)}, data: "x" + upper(long), want: []string{"1@" + itoa(1+len(long))}},
	{name: "overlapping dictionary", rules: []string{r(`file_data; content:"he"; sid:1;`), r(`file_data; content:"she"; sid:2;`), r(`file_data; content:"hers"; sid:3;`), r(`file_data; content:"his"; sid:4;`)},
		data: "ushers", want: []string{"1@4", "2@4", "3@6"}},
	{name: "stream kind", kind: Stream, rules: []string{`alert tcp any any -> any any (content:"USER root"; sid:1;)`, r(`file_data; content:"USER root"; sid:2;`)},
		data: "USER root\r\n", want: []string{"1@9"}},
}

// long is a case-sensitive content longer than maxVerify.
var long = func() string {
	s := ""
	for i := 0; len(s) < 150; i++ {
		s += string(rune('A'+i%26)) + string(rune('a'+i%26))
	}
	return s
}()

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func TestMatcherTable(t *testing.T) { runMatcherTable(t, basicCases) }

// runMatcherTable runs matcher cases (unique names) under every chunking.
func runMatcherTable(t *testing.T, cases []matcherCase) {
	t.Logf("seed %d", testSeed)
	names := map[string]bool{}
	for _, tc := range cases {
		if names[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			s := mustSet(t, Options{}, tc.rules...)
			for cname, chunks := range chunkings(len(tc.data), testSeed) {
				got := scan(s, tc.kind, anyCtx(), []byte(tc.data), chunks, nil)
				if !slices.Equal(got, tc.want) {
					t.Fatalf("%s: got %v, want %v", cname, got, tc.want)
				}
			}
		})
	}
}

func TestGap(t *testing.T) {
	s := mustSet(t, Options{}, r(`file_data; content:"abcd"; sid:1;`), r(`file_data; content:"zz"; sid:2;`))
	sc := s.NewScanner(FileData, anyCtx())
	if m := sc.Write([]byte("xxab")); len(m) != 0 {
		t.Fatalf("early match %v", m)
	}
	sc.Gap(10)
	if m := sc.Write([]byte("cd")); len(m) != 0 {
		t.Fatalf("match across a gap: %v", m)
	}
	m := sc.Write([]byte("zz"))
	if len(m) != 1 || m[0].Rule.SID != 2 || m[0].Offset != 18 {
		t.Fatalf("got %v, want sid 2 at 18 (offsets continue after the gap)", m)
	}
}

func TestNilScannerFastPath(t *testing.T) {
	s := mustSet(t, Options{}, `alert http any any -> any any (flow:to_server; file_data; content:"x"; sid:1;)`)
	if sc := s.NewScanner(FileData, &Context{Proto: "http", ToServer: false}); sc != nil {
		t.Fatal("expected nil scanner for a to_client file")
	}
	var sc *Scanner
	if sc.Write([]byte("x")) != nil || sc.End(FileFacts{}) != nil {
		t.Fatal("nil scanner must match nothing")
	}
	sc.Gap(3)
	if s.NewScanner(Stream, anyCtx()) != nil {
		t.Fatal("no stream rules: expected nil")
	}
}
