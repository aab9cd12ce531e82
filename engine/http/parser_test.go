package http

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"math/rand"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func zl(s string) string {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func req(s string) feedOp  { return feedOp{dir: app.ToServer, data: []byte(s)} }
func resp(s string) feedOp { return feedOp{dir: app.ToClient, data: []byte(s)} }

const get = "GET /dir/eicar.txt?x=1 HTTP/1.1\r\nHost: Example.COM:8080\r\nUser-Agent: t\r\n\r\n"

// wantFile describes an expected file.
type wantFile struct {
	name      string
	dir       app.Direction
	data      string
	truncated bool
}

type parserCase struct {
	name      string
	ops       []feedOp
	files     []wantFile
	anomalies []string // each must be reported
	txs       int      // transactions reported, -1 to skip the check
}

var parserCases = []parserCase{
	{name: "content-length", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "hello", false}}, txs: 1},
	{name: "chunked-lenient", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"0003;ext=1\r\nabc\r\n  A \nabcdefghij\n1\r\nz\r\n0\r\nTrailer: x\r\n\r\n")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "abcabcdefghijz", false}}, txs: 1},
	{name: "gzip", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
		itoa(len(gz(eicar))) + "\r\n\r\n" + gz(eicar))},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, eicar, false}}, txs: 1},
	{name: "deflate-zlib", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nConnection: close\r\n\r\n" + zl(eicar))},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, eicar, false}}, txs: 1},
	{name: "stacked-gzip-deflate", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Encoding: gzip, deflate\r\nConnection: close\r\n\r\n" + zl(gz(eicar)))},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, eicar, false}}, txs: 1},
	{name: "compress-unsupported", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Encoding: compress\r\nContent-Length: 3\r\n\r\nxyz")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "xyz", false}}, anomalies: []string{AnomUnsupportedEncoding}, txs: 1},
	{name: "pipelined-keepalive", ops: []feedOp{
		req("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"),
		resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nBB")},
		files: []wantFile{{"/a", app.ToClient, "A", false}, {"/b", app.ToClient, "BB", false}}, txs: 2},
	{name: "http10-close-delimited", ops: []feedOp{req("GET /c HTTP/1.0\r\n\r\n"), resp("HTTP/1.0 200 OK\r\n\r\nuntil close")},
		files: []wantFile{{"/c", app.ToClient, "until close", false}}, txs: 1},
	{name: "100-continue-upload", ops: []feedOp{
		req("POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"),
		resp("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"),
		req("DATA"),
		resp("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")},
		files: []wantFile{{"/up", app.ToServer, "DATA", false}, {"/up", app.ToClient, "ok", false}}, txs: 1},
	{name: "head-204-304-no-body", ops: []feedOp{
		req("HEAD /h HTTP/1.1\r\n\r\nGET /n HTTP/1.1\r\n\r\nGET /m HTTP/1.1\r\n\r\n"),
		resp("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 204 app.No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n")},
		txs: 3},
	{name: "connect-tunnel", ops: []feedOp{
		req("CONNECT h:443 HTTP/1.1\r\n\r\n"), resp("HTTP/1.1 200 OK\r\n\r\n"), req("\x16\x03\x01binary"), resp("\x16\x03\x03tls")},
		anomalies: []string{AnomConnectTunnel}, txs: 1},
	{name: "http09", ops: []feedOp{req("GET /old\r\n"), resp("raw body")},
		files: []wantFile{{"/old", app.ToClient, "raw body", false}}, txs: 1},
	{name: "not-09-response-with-status-line", ops: []feedOp{req("GET /x\r\n"), resp("HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad")},
		files: []wantFile{{"/x", app.ToClient, "bad", false}}, txs: 1},
	{name: "te-and-cl", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "ok", false}}, anomalies: []string{AnomTEAndCL}, txs: 1},
	{name: "multiple-content-length", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "ok", false}}, anomalies: []string{AnomMultipleCL}, txs: 1},
	{name: "truncated-body", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\npartial")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "partial", true}}, txs: 1},
	{name: "multipart-upload", ops: []feedOp{req("POST /form HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: " +
		itoa(len(multipartBody)) + "\r\n\r\n" + multipartBody), resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")},
		files: []wantFile{{"a.txt", app.ToServer, "first\r\nfile", false}, {"b.bin", app.ToServer, eicar, false}}, txs: 1},
	{name: "disposition-rfc5987", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Disposition: attachment; filename*=UTF-8''na%C3%AFve.txt\r\nContent-Length: 1\r\n\r\nx")},
		files: []wantFile{{"naïve.txt", app.ToClient, "x", false}}, txs: 1},
	{name: "junk-and-bare-lf-folding", ops: []feedOp{req(get), resp("\r\nfoobar\nhttp/1.1 200 OK\nContent-Type: a\n  b\nContent-Length : 2\n\nok")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "ok", false}}, anomalies: []string{AnomJunkBeforeStatus, AnomFoldedHeader}, txs: 1},
	{name: "range-206", ops: []feedOp{req(get), resp("HTTP/1.1 206 Partial\r\nContent-Range: bytes 10-12/100\r\nContent-Length: 3\r\n\r\nabc")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "abc", false}}, txs: 1},
	{name: "gap-in-body", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), {dir: app.ToClient, gap: 4}, resp("xyz")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "abcxyz", false}}, txs: 1},
	{name: "gap-in-headers-resync", ops: []feedOp{req(get + get), resp("HTTP/1.1 200 OK\r\nX-"), {dir: app.ToClient, gap: 10}, resp("junk\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "ok", false}}, anomalies: []string{AnomGapInHeaders}, txs: -1},
	{name: "chunked-gap-lost-sync", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n5\r\nde"), {dir: app.ToClient, gap: 20}, resp("xx\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz")},
		files:     []wantFile{{"/dir/eicar.txt", app.ToClient, "abcde", true}, {"", app.ToClient, "z", false}},
		anomalies: []string{AnomGapLostSync, AnomResponseWithoutReq}, txs: 2},
}

// trailCases: lines after a complete response body that do not start like a
// status line belong to that body (libhtp's "unexpected response body").
var trailCases = []parserCase{
	{name: "request-body-without-length", ops: []feedOp{
		req("POST /login HTTP/1.1\r\nHost: h\r\n\r\nlogin=foo&password=bar\n\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n")},
		files:     []wantFile{{"/login", app.ToServer, "login=foo&password=bar\n", false}},
		anomalies: []string{AnomRequestBodyUnexpected}, txs: 2},
	{name: "request-pipelined-blank-lines-no-body", ops: []feedOp{
		req("GET /a HTTP/1.1\r\nHost: h\r\n\r\n\r\n  \r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\nget /c HTTP/1.1\r\n\r\n")},
		txs: 3},
	{name: "request-unknown-method-line-is-body-until-close", ops: []feedOp{
		req("GET /a HTTP/1.1\r\nHost: h\r\n\r\nFOO /x HTTP/1.1\r\nbar")},
		files:     []wantFile{{"/a", app.ToServer, "FOO /x HTTP/1.1\r\nbar", false}},
		anomalies: []string{AnomRequestBodyUnexpected}, txs: 1},
	{name: "trail-crlf-after-length-body", ops: []feedOp{req("GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.0\r\n\r\n"),
		resp("HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nHello World!\r\n"), resp("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")},
		files:     []wantFile{{"/1", app.ToClient, "Hello World!\r\n", false}, {"/2", app.ToClient, "ok", false}},
		anomalies: []string{AnomUnexpectedBody}, txs: 2},
	{name: "trail-lines-after-chunked-body", ops: []feedOp{req(get),
		resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n\r\n  junk line\n\t \r\nmore")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "ab\r\n  junk line\n\t \r\nmore", false}}, txs: 1},
	{name: "trail-status-prefix-at-end", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok \tHT")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "ok \tHT", false}}, txs: 1},
	{name: "trail-lowercase-status-line-ends-body", ops: []feedOp{req(get + get),
		resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA\r\n  http/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "A\r\n", false}, {"/dir/eicar.txt", app.ToClient, "B", false}}, txs: 2},
	{name: "trail-not-after-encoded-body", ops: []feedOp{req(get + get), resp("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
		itoa(len(gz("x"))) + "\r\n\r\n" + gz("x") + "\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "x", false}, {"/dir/eicar.txt", app.ToClient, "B", false}}, txs: 2},
	{name: "trail-gap-closes-file", ops: []feedOp{req(get + get), resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA\r\n"),
		{dir: app.ToClient, gap: 5}, resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB")},
		files: []wantFile{{"/dir/eicar.txt", app.ToClient, "A\r\n", false}, {"/dir/eicar.txt", app.ToClient, "B", false}}, txs: 2},
	// A 1xx head with a body and no final response (HTTP Evader "102 with
	// body"): the bytes are the body of that head, named by its headers.
	{name: "interim-with-body-named-by-interim-head", ops: []feedOp{req(get),
		resp("HTTP/1.1 102 ok\r\nContent-Disposition: attachment; filename=\"e.txt\"\r\nContent-Length: 3\r\n\r\nabc")},
		files: []wantFile{{"e.txt", app.ToClient, "abc", false}}, anomalies: []string{AnomNoStatusLine}, txs: 1},
	// A gap that swallows the rest of a body and ends on a message boundary:
	// the status line right after it is found without skipping a line.
	{name: "gap-ends-on-status-line", ops: []feedOp{req("GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.0\r\n\r\n"),
		resp("HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\n"), {dir: app.ToClient, gap: 14},
		resp("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")},
		files:     []wantFile{{"/1", app.ToClient, "", false}, {"/2", app.ToClient, "ok", false}},
		anomalies: []string{AnomGapLostSync}, txs: 2},
	// A gap that swallowed a whole response (head and body) between two
	// others: the next response belongs to the request after the lost one.
	{name: "gap-swallows-a-response", ops: []feedOp{req("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"),
		resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"), {dir: app.ToClient, gap: 40},
		resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc")},
		files: []wantFile{{"/1", app.ToClient, "a", false}, {"/3", app.ToClient, "c", false}}, txs: 3},
	// Resync had to skip data and several requests wait: the response found
	// can't be paired with certainty, so it gets no neighbour's name.
	{name: "gap-with-skipped-data-and-several-pending", ops: []feedOp{req("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\nGET /4 HTTP/1.1\r\n\r\n"),
		resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"), {dir: app.ToClient, gap: 40},
		resp("zzzz\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nd")},
		files:     []wantFile{{"/1", app.ToClient, "a", false}, {"", app.ToClient, "d", false}},
		anomalies: []string{AnomResponseUnpaired}, txs: 5},
	// The response to a lost request arrives before the gap in the request
	// direction is known: it is logged on its own, and the late gap does not
	// shift the following pairs.
	{name: "orphan-response-then-request-gap", ops: []feedOp{
		resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"), {dir: app.ToServer, gap: 40},
		req("GET /2 HTTP/1.1\r\n\r\n"), resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb")},
		files:     []wantFile{{"", app.ToClient, "a", false}, {"/2", app.ToClient, "b", false}},
		anomalies: []string{AnomResponseWithoutReq}, txs: 2},
	// A lost request: its response is not credited to the next request.
	{name: "gap-swallows-a-request", ops: []feedOp{req("GET /1 HTTP/1.1\r\n\r\n"), {dir: app.ToServer, gap: 40}, req("GET /3 HTTP/1.1\r\n\r\n"),
		resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nbHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc")},
		files: []wantFile{{"/1", app.ToClient, "a", false}, {"", app.ToClient, "b", false}, {"/3", app.ToClient, "c", false}}, txs: 3},
}

const multipartBody = "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nfirst\r\nfile\r\n" +
	"--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n" +
	"--XyZ\r\nContent-Disposition: form-data; name=\"g\"; filename=b.bin\r\nContent-Type: x\r\n\r\n" + eicar + "\r\n--XyZ--\r\nepilogue"

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// splitOps re-slices every data op: mode 0 whole, 1 one byte at a time,
// 2 random pieces from rng.
func splitOps(ops []feedOp, mode int, rng *rand.Rand) []feedOp {
	var out []feedOp
	for _, op := range ops {
		if op.gap > 0 || mode == 0 {
			out = append(out, op)
			continue
		}
		d := op.data
		for len(d) > 0 {
			n := 1
			if mode == 2 {
				n = 1 + rng.Intn(len(d))
			}
			out = append(out, feedOp{dir: op.dir, data: d[:n]})
			d = d[n:]
		}
	}
	return out
}

func checkCase(t *testing.T, tc parserCase, sink *recSink) {
	t.Helper()
	if len(sink.order) != len(tc.files) {
		t.Fatalf("got %d files, want %d\n%s", len(sink.order), len(tc.files), sink.events())
	}
	for i, w := range tc.files {
		f := sink.order[i]
		if f.Meta.Name != w.name || f.Meta.Direction != w.dir || f.Data.String() != w.data || f.Truncated != w.truncated || !f.Closed || f.BadOffset {
			t.Errorf("file %d: got name=%q dir=%v data=%q trunc=%v closed=%v badoff=%v, want %+v",
				i, f.Meta.Name, f.Meta.Direction, f.Data.String(), f.Truncated, f.Closed, f.BadOffset, w)
		}
	}
	for _, a := range tc.anomalies {
		if !sink.hasAnomaly(a) {
			t.Errorf("anomaly %s missing: %v", a, sink.anomalies)
		}
	}
	if tc.txs >= 0 && len(sink.txs) != tc.txs {
		t.Errorf("got %d transactions, want %d: %v", len(sink.txs), tc.txs, sink.txs)
	}
}

// TestParserTable runs every case fed whole, one byte at a time and in
// seeded random pieces; all must give identical events.
func TestParserTable(t *testing.T) {
	seed := int64(7)
	t.Logf("seed %d", seed)
	for _, tc := range append(append([]parserCase(nil), parserCases...), trailCases...) {
		t.Run(tc.name, func(t *testing.T) { runCase(t, tc, seed) })
	}
}

// runCase checks a case fed whole, then compares the events of byte-by-byte
// and random splits with the whole run.
func runCase(t *testing.T, tc parserCase, seed int64) {
	t.Helper()
	whole, _ := replay(tc.ops, nil)
	checkCase(t, tc, whole)
	rng := rand.New(rand.NewSource(seed))
	for mode := 1; mode <= 2; mode++ {
		for rep := 0; rep < 5; rep++ {
			split, _ := replay(splitOps(tc.ops, mode, rng), nil)
			if split.events() != whole.events() {
				t.Fatalf("mode %d: events differ\nwhole:\n%s\nsplit:\n%s", mode, whole.events(), split.events())
			}
		}
	}
}

func TestTransactionEVE(t *testing.T) {
	sink, _ := replay([]feedOp{req(get), resp("HTTP/1.1 206 Partial\r\nContent-Range: bytes 10-12/100\r\nLocation: /x\r\nContent-Type: text/plain; charset=x\r\nContent-Length: 3\r\n\r\nabc")}, nil)
	f := sink.order[0]
	tx := f.Meta.Tx.(*Transaction)
	e := tx.EVE().(EVE)
	if e.Hostname != "example.com" || e.HTTPPort != 8080 || e.URL != "/dir/eicar.txt?x=1" || e.Status != 206 ||
		e.Redirect != "/x" || e.ContentType != "text/plain" || e.Length != 3 || e.ContentRange == nil || e.ContentRange.Size != 100 {
		t.Errorf("EVE = %+v", e)
	}
	if f.Meta.Range == nil || f.Meta.Range.Start != 10 || f.Meta.ResourceKey != "example.com/dir/eicar.txt?x=1" {
		t.Errorf("range meta = %+v %q", f.Meta.Range, f.Meta.ResourceKey)
	}
	for name, want := range map[string]string{
		"http.uri": "/dir/eicar.txt?x=1", "http.host": "example.com", "http.host.raw": "Example.COM:8080",
		"http.method": "GET", "http.stat_code": "206", "http.user_agent": "t", "http.protocol": "HTTP/1.1",
		"http.request_line": "GET /dir/eicar.txt?x=1 HTTP/1.1",
	} {
		if got, ok := tx.Buffer(name); !ok || string(got) != want {
			t.Errorf("Buffer(%s) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if got := normalizeURI("/a/./b/../c%2Fd?q=%41"); got != "/a/c/d?q=A" {
		t.Errorf("normalizeURI = %q", got)
	}
}

func TestProbe(t *testing.T) {
	for _, tc := range []struct {
		dir  app.Direction
		in   string
		want app.Verdict
	}{
		{app.ToServer, "GET / HTTP/1.1", app.Yes}, {app.ToServer, "GE", app.NeedMore}, {app.ToServer, "\r\nPOST ", app.Yes},
		{app.ToServer, "\x00SMB", app.No}, {app.ToServer, "GETX", app.No}, {app.ToClient, "HTTP/1.1 200", app.Yes},
		{app.ToClient, "htt", app.NeedMore}, {app.ToClient, "SSH-2.0", app.No}, {app.ToServer, "", app.NeedMore},
	} {
		if got := Probe(tc.dir, []byte(tc.in)); got != tc.want {
			t.Errorf("Probe(%v, %q) = %v want %v", tc.dir, tc.in, got, tc.want)
		}
	}
}
