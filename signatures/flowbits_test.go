package signatures

import (
	"slices"
	"strings"
	"testing"
)

func TestFlowbitsParse(t *testing.T) {
	for _, tc := range []struct {
		name, opts, err string
		check           func(*Rule) bool
	}{
		{name: "set", opts: `flowbits:set,a; sid:1;`, check: func(r *Rule) bool {
			return len(r.flowbits) == 1 && r.flowbits[0].op == fbSet && r.flowbits[0].names[0] == "a"
		}},
		{name: "isset any", opts: `flowbits:isset,a|b; sid:1;`, check: func(r *Rule) bool {
			return r.flowbits[0].any && slices.Equal(r.flowbits[0].names, []string{"a", "b"})
		}},
		{name: "isnotset all", opts: `flowbits:isnotset, a & b ; sid:1;`, check: func(r *Rule) bool {
			return !r.flowbits[0].any && r.flowbits[0].op == fbIsnotset && len(r.flowbits[0].names) == 2
		}},
		{name: "unset toggle", opts: `flowbits:unset,a; flowbits:toggle,b; sid:1;`, check: func(r *Rule) bool {
			return r.flowbits[0].op == fbUnset && r.flowbits[1].op == fbToggle
		}},
		{name: "flowbits noalert", opts: `flowbits:set,a; flowbits:noalert; sid:1;`, check: func(r *Rule) bool { return r.NoAlert() }},
		{name: "noalert keyword", opts: `content:"x"; noalert; sid:1;`, check: func(r *Rule) bool { return r.NoAlert() && len(r.flowbits) == 0 }},
		{name: "unknown op", opts: `flowbits:flip,a; sid:1;`, err: `unknown operation "flip"`},
		{name: "missing name", opts: `flowbits:set; sid:1;`, err: "set needs a name"},
		{name: "noalert with name", opts: `flowbits:noalert,a; sid:1;`, err: "noalert takes no name"},
		{name: "or on set", opts: `flowbits:set,a|b; sid:1;`, err: "'|' only with isset/isnotset"},
		{name: "mixed separators", opts: `flowbits:isset,a|b&c; sid:1;`, err: "mixed"},
		{name: "bad name", opts: `flowbits:set,a b; sid:1;`, err: "bad name"},
		{name: "too many", opts: strings.Repeat("flowbits:set,a; ", maxFlowbitOps+1) + `sid:1;`, err: "more than 32 flowbits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := parseRule(r(tc.opts), &parseCtx{dir: ".", opts: Options{}.withDefaults()})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || !tc.check(r) {
				t.Fatalf("err %v, rule %+v", err, r)
			}
		})
	}
}

func TestFlowbitsTransactionOrder(t *testing.T) {
	// The reader comes first in the file; the setter still runs first.
	s := mustSet(t, Options{},
		r(`flowbits:isset,ua; http.uri; content:"/x"; sid:2;`),
		r(`flowbits:isnotset,ua; http.uri; content:"/x"; sid:3;`),
		r(`http.user_agent; content:"wget"; nocase; flowbits:set,ua; noalert; sid:1;`),
	)
	fs := NewFlowState()
	ctx := &Context{Proto: "http", Flow: fs, Buffers: mapBuffers{"http.user_agent": "Wget/1.2", "http.uri": "/x"}}
	ms := s.MatchTransaction(ctx)
	if got := sids(ms); got != "[1 2]" {
		t.Fatalf("got %s", got)
	}
	if !ms[0].NoAlert || ms[1].NoAlert {
		t.Fatalf("NoAlert: %+v", ms)
	}
	if !fs.isSet(s.flowTable["ua"]) {
		t.Fatal("ua not set")
	}
	// Without a FlowState every bit reads unset and actions are dropped.
	ctx.Flow = nil
	if got := sids(s.MatchTransaction(ctx)); got != "[1 3]" {
		t.Fatalf("nil flow: got %s", got)
	}
}

func TestFlowbitsToggleUnset(t *testing.T) {
	s := mustSet(t, Options{}, r(`flowbits:toggle,a; sid:1;`), r(`flowbits:isset,a; flowbits:unset,a; sid:2;`))
	fs := NewFlowState()
	ctx := &Context{Proto: "http", Flow: fs}
	if got := sids(s.MatchTransaction(ctx)); got != "[1 2]" { // toggle on, then read and unset
		t.Fatalf("got %s", got)
	}
	if fs.isSet(s.flowTable["a"]) {
		t.Fatal("a should be unset")
	}
}

var flowbitFileCases = []matcherCase{
	{name: "file isset", rules: []string{r(`flowbits:isset,seen; file_data; content:"pdf"; sid:1;`), r(`flowbits:isnotset,seen; file_data; content:"pdf"; sid:2;`)},
		data: "a pdf", want: []string{"1@5"}},
	{name: "file sets for a later rule", rules: []string{r(`file_data; content:"MZ"; flowbits:set,pe; noalert; sid:1;`),
		r(`flowbits:isset,pe; file_data; content:"This program"; sid:2;`)},
		data: "MZ This program", want: []string{"1@2", "2@15"}},
	{name: "file condition at end", rules: []string{r(`flowbits:isset,seen; filemagic:"PDF"; sid:1;`), r(`flowbits:isnotset,seen; filemagic:"PDF"; sid:2;`)},
		data: "%PDF-", want: []string{"1@-1"}},
	{name: "failed test retried later", rules: []string{r(`flowbits:isset,late; file_data; content:"ab"; sid:1;`), r(`file_data; content:"zz"; flowbits:set,late; sid:2;`)},
		data: "ab zz ab", want: []string{"1@8", "2@5"}},
}

func TestFlowbitsFile(t *testing.T) {
	for _, tc := range flowbitFileCases {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSet(t, Options{}, tc.rules...)
			for cname, chunks := range chunkings(len(tc.data), testSeed) {
				fs := NewFlowState()
				if i, ok := s.flowTable["seen"]; ok {
					fs.put(i, true)
				}
				ctx := anyCtx()
				ctx.Flow = fs
				facts := &FileFacts{Size: int64(len(tc.data)), Magic: "PDF document"}
				got := scan(s, tc.kind, ctx, []byte(tc.data), chunks, facts)
				if !slices.Equal(got, tc.want) {
					t.Fatalf("%s: got %v, want %v", cname, got, tc.want)
				}
			}
		})
	}
}

// TestFlowbitsPreset: request-side setters apply when a file of the
// transaction starts, before the transaction is reported.
func TestFlowbitsPreset(t *testing.T) {
	s := mustSet(t, Options{},
		r(`flow:to_server; http.user_agent; content:"wget"; nocase; flowbits:set,wget; sid:1;`),
		r(`flowbits:isset,wget; filemagic:"PDF"; sid:2;`))
	fs := NewFlowState()
	ctx := &Context{Proto: "http", ToServer: false, Flow: fs, Buffers: mapBuffers{"http.user_agent": "Wget/1.21"}}
	sc := s.NewScanner(FileData, ctx)
	sc.Write([]byte("%PDF-1.4"))
	if got := sids(sc.End(FileFacts{Size: 8, Magic: "PDF document"})); got != "[2]" {
		t.Fatalf("got %s", got)
	}
}
