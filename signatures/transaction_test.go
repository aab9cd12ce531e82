package signatures

import (
	"net/netip"
	"strings"
	"testing"
)

type mapBuffers map[string]string

func (m mapBuffers) Buffer(n string) ([]byte, bool) { v, ok := m[n]; return []byte(v), ok }

func TestMatchTransactionAndHeaders(t *testing.T) {
	s := mustSet(t, Options{Vars: map[string]string{"HOME_NET": "[10.0.0.0/8,!10.9.0.0/16]"}},
		`alert http any any -> $HOME_NET 80 (http.uri; content:"/admin"; startswith; http.method; content:"POST"; sid:1;)`,
		`alert http any any -> any any (http.uri; pcre:"/\.php$/"; sid:2;)`,
		`alert smb any any -> any any (smb.share; content:"IPC$"; nocase; sid:3;)`,
		`alert http any any -> any any (file.name; content:".exe"; endswith; file_data; content:"MZ"; startswith; sid:4;)`)
	ctx := &Context{Proto: "http", ToServer: true, SrcIP: netip.MustParseAddr("1.2.3.4"), DstIP: netip.MustParseAddr("10.1.1.1"), DstPort: 80,
		Buffers: mapBuffers{"http.uri": "/admin/x.php", "http.method": "POST"}}
	if got := sids(s.MatchTransaction(ctx)); got != "[1 2]" {
		t.Fatalf("got %s", got)
	}
	ctx.DstIP = netip.MustParseAddr("10.9.1.1") // excluded by !10.9.0.0/16
	if got := sids(s.MatchTransaction(ctx)); got != "[2]" {
		t.Fatalf("negated address: got %s", got)
	}
	ctx.Filename = "setup.exe"
	sc := s.NewScanner(FileData, ctx)
	if m := sc.Write([]byte("MZ\x90")); len(m) != 1 || m[0].Rule.SID != 4 {
		t.Fatalf("file rule with file.name: %v", m)
	}
	ctx.Filename = "setup.txt"
	if s.NewScanner(FileData, ctx) != nil {
		t.Fatal("file.name mismatch must give a nil scanner")
	}
}

func sids(ms []Match) string {
	var out []int
	for _, m := range ms {
		out = append(out, m.Rule.SID)
	}
	return fmtInts(out)
}

func fmtInts(v []int) string {
	s := "["
	for i, x := range v {
		if i > 0 {
			s += " "
		}
		s += itoa(x)
	}
	return s + "]"
}

func TestHTTPLineBuffers(t *testing.T) {
	s := mustSet(t, Options{},
		r(`http.response_line; content:"HTTP/1.1 400"; startswith; sid:1;`),
		r(`http.request_line; content:"GET /"; startswith; sid:2;`),
		r(`flow:to_server; http.request_header; content:"Host: a"; startswith; endswith; sid:3;`),
		r(`http.request_header; content:"Host: a"; content:"Cookie"; sid:4;`), // one line must hold both
		r(`content:"X"; http_raw_header; content:"s"; http_stat_msg; sid:5;`),
		r(`http.header.raw; content:"X: y"; http.host.raw; content:"A"; http.protocol; content:"HTTP/1.1"; sid:6;`))
	ctx := &Context{Proto: "http", ToServer: true, Buffers: mapBuffers{
		"http.response_line": "HTTP/1.1 400 Bad", "http.request_line": "GET / HTTP/1.1",
		"http.request_header": "Host: a\r\nCookie: c\r\n", "http.header.raw": "X: y\r\n",
		"http.stat_msg": "s", "http.host.raw": "A", "http.protocol": "HTTP/1.1"}}
	if got := sids(s.MatchTransaction(ctx)); got != "[1 2 3 5 6]" {
		t.Fatalf("got %s", got)
	}
}

// TestPcreEscapesKept is the dcerpc-smb-fail sid 2 regression: the rule
// value's unquoting dropped the backslashes of \x00, so the relative pcre
// never matched the UTF-16 stub.
func TestPcreEscapesKept(t *testing.T) {
	stub := "\x15\x00\x00\x00\x00\x00\x00\x00\x15\x00\x00\x00" + strings.Repeat("A\x00", 20) + "\x00\x00" + "tail"
	s := mustSet(t, Options{},
		`alert smb any any -> any any (dcerpc.stub_data; content:"|15 00 00 00 00 00 00 00 15 00 00 00|"; within:32; pcre:"/^(?:[A-Z]\x00){20}\x00\x00/R"; content:"tail"; distance:0; within:4; sid:2;)`,
		`alert http any any -> any any (http.uri; pcre:"/\bselect\s+\d/i"; sid:3;)`,
		`alert http any any -> any any (http.uri; pcre:"/a\;b\"c/"; sid:4;)`)
	ctx := &Context{Proto: "smb", ToServer: true, Buffers: mapBuffers{"dcerpc.stub_data.to_server": stub}}
	if got := sids(s.MatchTransaction(ctx)); got != "[2]" {
		t.Fatalf("stub: got %s", got)
	}
	ctx = &Context{Proto: "http", Buffers: mapBuffers{"http.uri": "/?q=SELECT  1&x=a;b\"c"}}
	if got := sids(s.MatchTransaction(ctx)); got != "[3 4]" {
		t.Fatalf("uri: got %s", got)
	}
}
