package signatures

import (
	"crypto/md5"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
)

func TestTransformParse(t *testing.T) {
	for _, tc := range []struct {
		name, opts, err string
		check           func(*Rule) bool
	}{
		{name: "url_decode on file_data", opts: `file_data; url_decode; content:"a b"; sid:1;`,
			check: func(r *Rule) bool { return r.kind == kindFile && slices.Equal(r.dataXform, []transform{xfURLDecode}) }},
		{name: "request body chain", opts: `http.request_body; url_decode; strip_whitespace; content:"x"; sid:1;`,
			check: func(r *Rule) bool {
				return r.dirTo == 1 && slices.Equal(r.dataXform, []transform{xfURLDecode, xfStripWS})
			}},
		{name: "protocol buffer", opts: `http.uri; to_lowercase; content:"/a"; sid:1;`,
			check: func(r *Rule) bool { return r.kind == kindTx && slices.Equal(r.bufs[0].xform, []transform{xfLower}) }},
		{name: "hash on protocol buffer", opts: `http.uri; to_md5; content:"|00|"; sid:1;`,
			check: func(r *Rule) bool { return r.bufs[0].xform[0] == xfMD5 }},
		{name: "every streaming transform", opts: `file_data; compress_whitespace; to_uppercase; dotprefix; content:"x"; sid:1;`,
			check: func(r *Rule) bool { return len(r.dataXform) == 3 }},
		{name: "without sticky buffer", opts: `url_decode; content:"x"; sid:1;`, err: `keyword "url_decode" without a sticky buffer`},
		{name: "after content", opts: `file_data; content:"x"; url_decode; sid:1;`, err: `transforms come first`},
		{name: "hash on file data", opts: `file_data; to_sha256; content:"x"; sid:1;`, err: `hash transform on file data not supported`},
		{name: "too many", opts: `file_data;` + strings.Repeat(" to_lowercase;", maxTransforms+1) + ` content:"x"; sid:1;`, err: "more than 16 transforms"},
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

// TestTransformStreaming checks each streaming transform against expected
// output under every chunking, and against the whole-buffer path.
func TestTransformStreaming(t *testing.T) {
	for _, tc := range []struct {
		name string
		xs   []transform
		in   string
		want string
	}{
		{"url_decode", []transform{xfURLDecode}, "a%27b+c%2x%%41%4", "a'b c%2x%A%4"},
		{"url_decode upper hex", []transform{xfURLDecode}, "%2F%2f%", "//%"},
		{"strip_whitespace", []transform{xfStripWS}, " a\tb\r\n c\v\f", "abc"},
		{"compress_whitespace", []transform{xfCompressWS}, "a  b\t\t\nc ", "a b\tc "},
		{"to_lowercase", []transform{xfLower}, "AbC-Z", "abc-z"},
		{"to_uppercase", []transform{xfUpper}, "aBc-z", "ABC-Z"},
		{"dotprefix", []transform{xfDotPrefix}, "example.com", ".example.com"},
		{"chain", []transform{xfURLDecode, xfStripWS, xfLower}, "E%20T+C%2FPass%20wd", "etc/passwd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(applyTransforms(tc.xs, []byte(tc.in))); got != tc.want {
				t.Fatalf("whole: got %q, want %q", got, tc.want)
			}
			for cname, chunks := range chunkings(len(tc.in), testSeed) {
				c := newXfChain(tc.xs)
				var got []byte
				off := 0
				for _, n := range chunks {
					got = append(got, c.write([]byte(tc.in[off:off+n]))...)
					off += n
				}
				got = append(got, c.flush()...)
				if string(got) != tc.want {
					t.Fatalf("%s: got %q, want %q", cname, got, tc.want)
				}
			}
		})
	}
}

var transformCases = []matcherCase{
	{name: "url_decode body", rules: []string{r(`http.request_body; url_decode; content:"/etc/passwd"; nocase; sid:1;`),
		r(`http.request_body; content:"/etc/passwd"; sid:2;`)},
		data: "cmd=cat+%2Fetc%2FPASSWD", want: []string{"1@19"}},
	{name: "url_decode split escape", rules: []string{r(`file_data; url_decode; content:"a'b"; sid:1;`)}, data: "xxa%27b", want: []string{"1@5"}},
	{name: "url_decode flushed escape", rules: []string{r(`file_data; url_decode; content:"%4"; endswith; sid:1;`)}, data: "ab%4", want: []string{"1@4"}},
	{name: "strip_whitespace", rules: []string{r(`file_data; strip_whitespace; content:"bricks-and-clicks"; sid:1;`),
		r(`file_data; content:"bricks"; sid:2;`)},
		data: "bricks -and-\r\n clicks", want: []string{"1@17", "2@6"}},
	{name: "two transform lists", rules: []string{r(`file_data; to_lowercase; content:"abc"; sid:1;`),
		r(`file_data; to_uppercase; content:"ABC"; sid:2;`), r(`file_data; to_lowercase; content:"xyz"; sid:3;`)},
		data: "aBc xYz", want: []string{"1@3", "2@3", "3@7"}},
	{name: "transformed negated", rules: []string{r(`file_data; strip_whitespace; content:!"ab"; sid:1;`)}, data: "a b", want: nil},
}

func TestTransformMatcher(t *testing.T) {
	for _, tc := range transformCases {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSet(t, Options{}, tc.rules...)
			for cname, chunks := range chunkings(len(tc.data), testSeed) {
				got := scan(s, tc.kind, &Context{Proto: "http", ToServer: true, Established: true}, []byte(tc.data), chunks, nil)
				if !slices.Equal(got, tc.want) {
					t.Fatalf("%s: got %v, want %v", cname, got, tc.want)
				}
			}
		})
	}
}

func TestTransformGap(t *testing.T) {
	s := mustSet(t, Options{}, r(`file_data; url_decode; content:"AB"; sid:1;`))
	sc := s.NewScanner(FileData, anyCtx())
	sc.Write([]byte("%4"))
	sc.Gap(5)
	if m := sc.Write([]byte("1B")); len(m) != 0 {
		t.Fatalf("escape completed across a gap: %v", m)
	}
	if m := sc.Write([]byte("%41B")); len(m) != 1 {
		t.Fatalf("after the gap: %v", m)
	}
}

func TestTransformProtocolBuffers(t *testing.T) {
	sum := md5.Sum([]byte("/Admin"))
	s := mustSet(t, Options{},
		r(`http.uri; to_lowercase; content:"/admin"; startswith; sid:1;`),
		r(`http.uri; to_md5; content:"|`+hex.EncodeToString(sum[:])+`|"; bsize:16; sid:2;`),
		r(`http.host; dotprefix; content:".example.com"; endswith; sid:3;`),
		r(`http.uri; url_decode; content:"/a b"; sid:4;`))
	ctx := &Context{Proto: "http", Buffers: mapBuffers{"http.uri": "/Admin", "http.host": "example.com"}}
	if got := sids(s.MatchTransaction(ctx)); got != "[1 2 3]" {
		t.Fatalf("got %s", got)
	}
	ctx.Buffers = mapBuffers{"http.uri": "/a%20b", "http.host": "www.example.com"}
	if got := sids(s.MatchTransaction(ctx)); got != "[3 4]" {
		t.Fatalf("got %s", got)
	}
}
