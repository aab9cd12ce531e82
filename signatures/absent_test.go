package signatures

import (
	"strings"
	"testing"
)

func TestAbsentParse(t *testing.T) {
	for _, tc := range []struct{ name, line, err string }{
		{"buffer absent", `alert http any any -> any any (http.request_header; absent; sid:1;)`, ""},
		{"or_else", `alert http any any -> any any (http.request_header; absent: or_else; content:!"abc"; sid:1;)`, ""},
		{"file data absent", `alert http any any -> any any (file.data; absent; http.stat_code; content:"500"; sid:1;)`, ""},
		{"file data or_else", `alert http any any -> any any (file.data; absent:or_else; content:!"abc"; sid:1;)`, ""},
		{"bad value", `alert http any any -> any any (http.uri; absent:maybe; sid:1;)`, "want or_else"},
		{"no buffer", `alert http any any -> any any (absent; sid:1;)`, "without a sticky buffer"},
		{"twice", `alert http any any -> any any (http.uri; absent; absent; sid:1;)`, "given twice"},
		{"after content", `alert http any any -> any any (http.uri; content:"a"; absent; sid:1;)`, "must come before"},
		{"absent with content", `alert http any any -> any any (http.uri; absent; content:"a"; sid:1;)`, "use absent: or_else"},
		{"or_else without content", `alert http any any -> any any (http.uri; absent:or_else; sid:1;)`, "without conditions"},
		{"file data absent with file keyword", `alert http any any -> any any (file.data; absent; filesize:>1; sid:1;)`, "together with file conditions"},
		{"file name", `alert http any any -> any any (file.name; absent; sid:1;)`, "not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRule(tc.line)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("got error %v, want %q", err, tc.err)
			}
		})
	}
}

func TestAbsentMatch(t *testing.T) {
	s := mustSet(t, Options{},
		`alert http any any -> any any (file.data; absent; http.stat_code; content:"500"; sid:1;)`,
		`alert http any any -> any any (file.data; absent:or_else; content:!"abc"; sid:2;)`,
		`alert http any any -> any any (http.request_header; absent; sid:3;)`,
		`alert http any any -> any any (http.request_header; absent:or_else; content:!"abc"; sid:4;)`,
		`alert http any any -> any any (http.request_header; content:!"abc"; sid:5;)`,
		`alert http any any -> any any (file.data; absent; sid:6;)`)
	for _, tc := range []struct {
		name string
		bufs mapBuffers
		fd   FileDataPresence
		want string
	}{
		{"nothing known", mapBuffers{"http.stat_code": "500"}, FileDataUnknown, "[3 4]"},
		{"no body", mapBuffers{"http.stat_code": "500"}, FileDataAbsent, "[1 3 4 6 2]"},
		{"body", mapBuffers{"http.stat_code": "500"}, FileDataPresent, "[3 4]"},
		{"header without abc", mapBuffers{"http.request_header": "A: b\r\n"}, FileDataPresent, "[4 5]"},
		{"header with abc", mapBuffers{"http.request_header": "A: abc\r\n"}, FileDataPresent, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := &Context{Proto: "http", ToServer: false, Established: true, Buffers: tc.bufs, FileData: tc.fd}
			if got := sids(s.MatchTransaction(ctx)); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
	// The or_else file rule is an ordinary file rule when there is a file.
	for name, data := range map[string]string{"without abc": "xyz", "with abc": "xabcx"} {
		want := "[2@-1]"
		if strings.Contains(data, "abc") {
			want = "[]"
		}
		for cname, ch := range chunkings(len(data), testSeed) {
			if got := "[" + strings.Join(scan(s, FileData, anyCtx(), []byte(data), ch, nil), " ") + "]"; got != want {
				t.Fatalf("%s/%s: got %s, want %s", name, cname, got, want)
			}
		}
	}
}

func TestTxStateEvaluatesOnce(t *testing.T) {
	s := mustSet(t, Options{},
		`alert http any any -> any any (http.user_agent; content:"wget"; flowbits:toggle,ua; sid:1;)`,
		`alert http any any -> any any (http.stat_code; content:"200"; sid:2;)`,
		`alert http any any -> any any (flowbits:isset,ua; app-layer-event:http.x; sid:3;)`,
		`alert smb any any -> any any (smb.version:2; sid:4;)`)
	fs := NewFlowState()
	st := &TxState{}
	req := mapBuffers{"http.user_agent": "wget"}
	ctx := &Context{Proto: "http", ToServer: true, Buffers: req, Flow: fs, Tx: st}
	if got := sids(s.MatchTransaction(ctx)); got != "[1]" {
		t.Fatalf("request: got %s, want [1]", got)
	}
	full := mapBuffers{"http.user_agent": "wget", "http.stat_code": "200"}
	var got []string
	for _, toServer := range []bool{true, false} {
		ctx := &Context{Proto: "http", ToServer: toServer, Buffers: full, Flow: fs, Tx: st}
		got = append(got, sids(s.MatchTransaction(ctx)))
	}
	if strings.Join(got, " ") != "[2] []" {
		t.Fatalf("completion: got %v, want [2] []", got)
	}
	if got := sids(s.MatchEvent(&Context{Proto: "http", ToServer: true, Flow: fs}, "http.x")); got != "[3]" {
		t.Fatalf("the toggle ran %s times: flowbit ua must be set once", got)
	}
	// Per-direction rules match once per direction.
	st = &TxState{}
	for i, want := range []string{"[4]", "[]", "[4]", "[]"} {
		ctx := &Context{Proto: "smb", ToServer: i < 2, Buffers: mapBuffers{"smb.version": "2"}, Tx: st}
		if got := sids(s.MatchTransaction(ctx)); got != want {
			t.Fatalf("smb evaluation %d: got %s, want %s", i, got, want)
		}
	}
}
