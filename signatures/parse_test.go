package signatures

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRule(t *testing.T) {
	for _, tc := range []struct {
		name, line, err string
		check           func(*Rule) bool
	}{
		{name: "basic", line: `alert http $EXTERNAL_NET any -> $HOME_NET 80 (msg:"x \"q\""; flow:established,to_client; file_data; content:"MZ"; depth:2; classtype:trojan-activity; sid:10; rev:3; metadata:created_at 2020, tag a;)`,
			check: func(r *Rule) bool {
				return r.SID == 10 && r.Rev == 3 && r.GID == 1 && r.Msg == `x "q"` && r.Priority == 1 && r.kind == kindFile && r.Metadata["tag"][0] == "a" && r.flow.toClient
			}},
		{name: "priority overrides classtype", line: `alert tcp any any -> any any (content:"a"; classtype:trojan-activity; priority:4; sid:1;)`,
			check: func(r *Rule) bool { return r.Priority == 4 && r.kind == kindStream }},
		{name: "sticky buffers", line: `alert http any any -> any any (http.uri; content:"/a"; http.host; content:"x"; nocase; sid:1;)`,
			check: func(r *Rule) bool { return r.kind == kindTx && len(r.bufs) == 2 && r.bufs[1].items[0].nocase }},
		{name: "legacy modifiers", line: `alert http any any -> any any (content:"GET"; http_method; content:"/x"; http_uri; sid:1;)`,
			check: func(r *Rule) bool { return r.kind == kindTx && len(r.bufs) == 2 && r.bufs[0].name == "http.method" }},
		{name: "client body", line: `alert http any any -> any any (content:"pw="; http_client_body; sid:1;)`,
			check: func(r *Rule) bool { return r.kind == kindFile && r.dirTo == 1 && len(r.data) == 1 }},
		{name: "file keywords", line: `alert http any any -> any any (fileext:"exe"; filemagic:"PE32"; filesize:>100; filestore; sid:1;)`,
			check: func(r *Rule) bool {
				return r.kind == kindFile && r.Filestore && r.file.magic != nil && r.file.size.op == '>'
			}},
		{name: "pcre on uri", line: `alert http any any -> any any (pcre:"/^\/a+b/Ui"; sid:1;)`,
			check: func(r *Rule) bool { return r.bufs[0].name == "http.uri" && r.bufs[0].items[0].re != nil }},
		{name: "escaped semicolon", line: `alert tcp any any -> any any (content:"a\;b"; sid:1;)`,
			check: func(r *Rule) bool { return string(r.data[0].alts[0]) == "a;b" }},
		{name: "no sid", line: `alert tcp any any -> any any (content:"a";)`, err: "rule has no sid"},
		{name: "unknown keyword", line: `alert tcp any any -> any any (hostbits:set,x,track ip_src; sid:1;)`, err: `keyword "hostbits" not supported`},
		{name: "pcre on file data without literal", line: `alert http any any -> any any (file_data; pcre:"/a/"; sid:1;)`, err: `keyword "pcre" "/a/": no literal prefix of at least 3 bytes (a) on streaming data not supported`},
		{name: "tcp-pkt", line: `alert tcp-pkt any any -> any 445 (content:"|00 00 00 bc|"; depth:4; flow:to_server; sid:1;)`,
			check: func(r *Rule) bool { return r.kind == kindPkt && r.Proto == "tcp-pkt" && len(r.data) == 1 }},
		{name: "tcp-pkt with file_data", line: `alert tcp-pkt any any -> any any (file_data; content:"a"; sid:1;)`, err: "file keywords on a tcp-pkt rule"},
		{name: "tcp-pkt with buffer", line: `alert tcp-pkt any any -> any any (http.uri; content:"a"; sid:1;)`, err: "buffer http.uri on a tcp-pkt rule"},
		{name: "pcre lookahead", line: `alert http any any -> any any (http.uri; pcre:"/a(?=b)/"; sid:1;)`, err: "pcre construct"},
		{name: "protocol", line: `alert dns any any -> any any (sid:1;)`, err: `protocol "dns" not supported`},
		{name: "bad hex", line: `alert tcp any any -> any any (content:"|4|"; sid:1;)`, err: "odd number of hex digits"},
		{name: "within too short", line: `alert tcp any any -> any any (content:"a"; content:"bcd"; within:2; sid:1;)`, err: `"within" 2 shorter than its content`},
		{name: "offset with distance", line: `alert tcp any any -> any any (content:"a"; content:"b"; offset:1; distance:2; sid:1;)`, err: "cannot mix"},
		{name: "modifier without content", line: `alert tcp any any -> any any (nocase; sid:1;)`, err: `keyword "nocase" without a preceding content`},
		{name: "mixed stream and file", line: `alert ip any any -> any any (content:"a"; file_data; content:"b"; sid:1;)`,
			check: func(r *Rule) bool {
				return r.kind == kindFile && r.mix != nil && r.mix.kind == kindStream && r.mix.noAlert && r.lateTest && len(r.flowbits) == 1
			}},
		{name: "mixed with an anchored stream part", line: `alert http any any -> any any (content:"GET"; depth:3; file_data; content:"b"; sid:1;)`, err: "anchored stream content"},
		{name: "flow other", line: `alert tcp any any -> any any (flow:only_stream; sid:1;)`, err: `flow option "only_stream" not supported`},
		{name: "bad classtype", line: `alert tcp any any -> any any (classtype:nope; sid:1;)`, err: `unknown classtype "nope"`},
		{name: "bad header", line: `alert tcp any any any any (sid:1;)`, err: "rule header needs 7 fields"},
		{name: "bad address", line: `alert tcp 1.2.3.999 any -> any any (sid:1;)`, err: "bad address"},
		{name: "address groups", line: `alert tcp [10.0.0.0/8,![10.1.0.0/16]] [80,1024:] <> !$HOME_NET any (sid:1;)`,
			check: func(r *Rule) bool { return r.hdr.bidir && r.hdr.src.group }},
		{name: "unterminated option", line: `alert tcp any any -> any any (sid:1)`, err: "not terminated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRule(tc.line)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "signatures: ") {
					t.Fatalf("got error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(r) {
				t.Fatalf("unexpected rule %+v", r)
			}
		})
	}
}

func TestLoadWarningsAndErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("md5.txt", "44d88612fea8a8f36de82e1278abb02f eicar.com\n# comment\n")
	rules := write("a.rules", "# comment\n\n"+
		`alert http any any -> any any (msg:"ok"; file_data; content:"abc"; sid:1;)`+"\n"+
		`alert http any any -> any any (msg:"bad"; hostbits:set,x,track ip_src; sid:2;)`+"\n"+
		`alert http any any -> any any (msg:"cont"; \`+"\n"+` file_data; content:"def"; sid:3;)`+"\n"+
		`alert http any any -> any any (msg:"dup"; file_data; content:"x"; sid:1;)`+"\n"+
		`alert http any any -> any any (msg:"md5"; filemd5:md5.txt; sid:4;)`+"\n")
	ndb := write("a.ndb", "Good.Sig:0:*:41424344\nBad.Sig:3:*:41424344\nDropped.Sig:0:*:45464748\n")
	ign := write("a.ign2", "Dropped.Sig\n")
	s, warns, err := Load([]string{rules, ndb, ign}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ws []string
	for _, w := range warns {
		ws = append(ws, strings.TrimPrefix(w.String(), dir+"/"))
	}
	want := []string{
		`a.rules:4: keyword "hostbits" not supported`,
		`a.ndb:2: ClamAV target type 3 (HTML, matched normalized by ClamAV) not supported`,
		`a.rules:7: duplicate signature gid 1 sid 1 skipped`,
	}
	if strings.Join(ws, "\n") != strings.Join(want, "\n") {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(ws, "\n"), strings.Join(want, "\n"))
	}
	if n := len(s.Rules()); n != 4 {
		t.Fatalf("%d rules loaded, want 4", n)
	}
	if s.Rules()[1].Line != 5 {
		t.Fatalf("continued rule at line %d, want 5", s.Rules()[1].Line)
	}
	_, _, err = Load([]string{rules}, Options{Strict: true})
	var le *LoadError
	if !errors.As(err, &le) || le.Line != 4 || !errors.Is(err, ErrUnsupported) {
		t.Fatalf("strict: got %v", err)
	}
	if _, _, err := Load([]string{filepath.Join(dir, "missing.rules")}, Options{}); err == nil {
		t.Fatal("missing file must be an error")
	}
	long := write("long.rules", `alert tcp any any -> any any (content:"`+strings.Repeat("a", 2000)+`"; sid:9;)`+"\n"+`alert tcp any any -> any any (content:"b"; sid:10;)`)
	s, warns, err = Load([]string{long}, Options{MaxLineBytes: 1000})
	if err != nil || len(warns) != 1 || warns[0].Line != 1 || len(s.Rules()) != 1 || s.Rules()[0].Line != 2 {
		t.Fatalf("long line: %v %v", warns, err)
	}
}

func TestBuiltin(t *testing.T) {
	s := Builtin()
	if len(s.Rules()) != 1 || s.Version() == "" {
		t.Fatal("builtin set")
	}
	sc := s.NewScanner(FileData, &Context{})
	m := sc.Write([]byte("prefix " + eicar))
	if len(m) != 1 || m[0].Rule.SID != BuiltinSIDBase+1 || m[0].Offset != int64(7+len(eicar)) {
		t.Fatalf("got %v", m)
	}
}
