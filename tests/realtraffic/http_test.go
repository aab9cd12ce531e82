//go:build realtraffic

package realtraffic

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// httpEnv is nginx serving a generated docroot in the server namespace of
// a pair, and a work directory for curl on the client side.
type httpEnv struct {
	ctx      context.Context
	pair     *netPair
	dir      string            // nginx config, logs, temp files
	docroot  string            // served files
	work     string            // curl's downloads and uploads
	files    map[string][]byte // docroot content by URL path
	base     string            // http://10.199.x.2
	base6    string            // http://[fd00:199::2]
	seq      atomic.Int64
	bodyTemp string // nginx keeps every request body here (client_body_in_file_only)
}

// nginxConf is the generated configuration: %[1]s is the temp dir, %[2]s
// the docroot, %[3]s the IPv4 and %[4]s the IPv6 listen address. POSTs under
// /upload/ go to a loopback server returning 204, after nginx read the whole
// body (and kept it in a file, so the test can compare it with what curl
// sent); PUTs under /dav/ are stored.
const nginxConf = `daemon off;
master_process on;
worker_processes 1;
user root root;
pid %[1]s/nginx.pid;
error_log stderr notice;
events { worker_connections 64; }
http {
	access_log %[1]s/access.log;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	types {
		text/html html shtml;
		text/plain txt;
		application/octet-stream bin com exe;
	}
	default_type application/octet-stream;
	sendfile on;
	keepalive_timeout 30s;
	gzip on;
	gzip_types text/plain;
	gzip_min_length 20;
	client_max_body_size 64m;
	server {
		listen %[3]s:80;
		listen [%[4]s]:80;
		root %[2]s;
		location /ssi/ { ssi on; }
		location /dav/ { dav_methods PUT; create_full_put_path on; }
		location /upload/ {
			client_body_in_file_only on;
			proxy_pass http://127.0.0.1:8080;
		}
	}
	server {
		listen 127.0.0.1:8080;
		location / { return 204; }
	}
}
`

// newHTTPEnv builds the docroot and starts nginx.
func newHTTPEnv(t *testing.T, ctx context.Context) *httpEnv {
	t.Helper()
	dir := t.TempDir()
	h := &httpEnv{
		ctx: ctx, pair: newNetPair(t, ctx), dir: dir,
		docroot: filepath.Join(dir, "www"), work: filepath.Join(dir, "client"),
		files: make(map[string][]byte), bodyTemp: filepath.Join(dir, "body"),
	}
	h.base, h.base6 = "http://"+h.pair.ServerIP, "http://["+h.pair.ServerIP6+"]"
	for _, d := range []string{h.docroot, h.work, filepath.Join(h.docroot, "dav")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("http env: %v", err)
		}
	}
	// The SSI pages: eicar.shtml renders to exactly the EICAR file (sent
	// chunked); page10.shtml is asked for with HTTP/1.0, so its body, whose
	// length nginx doesn't know, ends with the connection.
	part := textBytes("ssi", 30000)
	serve := map[string][]byte{
		"/bin/random.bin":   randomBytes(1, 200*1024),
		"/bin/one-mib.bin":  randomBytes(2, 1024*1024),
		"/eicar.com":        []byte(eicar),
		"/text/big.txt":     textBytes("big", 300*1024),
		"/text/eicar.txt":   []byte(eicar),
		"/text/noise.txt":   noiseText(10, 400*1024),
		"/ssi/eicar.inc":    []byte(eicar),
		"/ka/a.bin":         randomBytes(3, 30*1024),
		"/ka/b.txt":         textBytes("ka", 50*1024),
		"/ka/eicar-ka.com":  []byte(eicar),
		"/h10/file.bin":     randomBytes(4, 64*1024),
		"/ssi/part.txt":     part,
		"/range/r.bin":      randomBytes(5, 250*1024),
		"/v6/six.bin":       randomBytes(6, 80*1024),
		"/v6/eicar6.com":    []byte(eicar),
		"/ssi/eicar.shtml":  []byte(`<!--# include file="eicar.inc" -->`),
		"/ssi/page10.shtml": []byte("<html><body><pre>\n<!--# include file=\"part.txt\" -->\n</pre></body></html>\n"),
	}
	for path, content := range serve {
		if _, err := writeFile(h.docroot, path, content); err != nil {
			t.Fatalf("http env: %v", err)
		}
		h.files[path] = content
	}
	// What the SSI pages render to.
	h.files["/ssi/eicar.shtml"] = []byte(eicar)
	h.files["/ssi/page10.shtml"] = append(append([]byte("<html><body><pre>\n"), part...), "\n</pre></body></html>\n"...)

	conf := filepath.Join(dir, "nginx.conf")
	text := fmt.Sprintf(nginxConf, dir, h.docroot, h.pair.ServerIP, h.pair.ServerIP6)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatalf("http env: %v", err)
	}
	d := startDaemon(t, ctx, h.pair.Server, "nginx", "nginx", "-e", "stderr", "-p", dir, "-c", conf)
	if err := waitPort(ctx, h.pair.Server, "80", d, 10*time.Second); err != nil {
		t.Fatalf("nginx: %v", err)
	}
	return h
}

// curl runs curl in the client namespace with args (plus -sS --fail, a time
// limit and a header dump) and returns its standard output and the response
// headers it received.
func (h *httpEnv) curl(t *testing.T, args ...string) (stdout, headers string) {
	t.Helper()
	hdr := filepath.Join(h.work, fmt.Sprintf("headers-%d", h.seq.Add(1)))
	argv := append([]string{"curl", "-sS", "--fail", "--max-time", "30", "-D", hdr}, args...)
	stdout = mustRun(t, h.ctx, h.pair.Client, argv...)
	b, err := os.ReadFile(hdr)
	if err != nil {
		t.Fatalf("curl: %v", err)
	}
	return stdout, string(b)
}

// get downloads the docroot paths in one curl invocation (so on one
// keep-alive connection) with the extra curl options opts, checks that curl
// received what nginx serves, and records them as files the engine must
// report. base is h.base or h.base6.
func (h *httpEnv) get(t *testing.T, exp *expectations, base string, opts []string, paths ...string) (stdout, headers string) {
	t.Helper()
	args := append([]string{}, opts...)
	outs := make([]string, len(paths))
	for i, p := range paths {
		outs[i] = filepath.Join(h.work, fmt.Sprintf("dl-%d", h.seq.Add(1)))
		args = append(args, "-o", outs[i], base+p)
	}
	stdout, headers = h.curl(t, args...)
	for i, p := range paths {
		got, err := os.ReadFile(outs[i])
		if err != nil {
			t.Fatalf("get %s: %v", p, err)
		}
		if !bytes.Equal(got, h.files[p]) {
			t.Fatalf("harness: curl got %d bytes for %s, nginx serves %d", len(got), p, len(h.files[p]))
		}
		exp.add(p, "http", "to_client", got)
	}
	return stdout, headers
}

// upload writes content to the client's work dir as name and returns its
// path.
func (h *httpEnv) upload(t *testing.T, name string, content []byte) string {
	t.Helper()
	path, err := writeFile(h.work, name, content)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	return path
}

// requireHeader fails t (a harness error, not an engine one) when the
// response headers lack want, so a scenario can't silently test something
// else than it claims.
func requireHeader(t *testing.T, what, headers, want string) {
	t.Helper()
	if !strings.Contains(strings.ToLower(headers), strings.ToLower(want)) {
		t.Fatalf("harness: %s: response headers lack %q:\n%s", what, want, headers)
	}
}

// requireReceived fails t unless nginx kept a request body containing
// content (the server side of an upload through /upload/).
func (h *httpEnv) requireReceived(t *testing.T, what string, content []byte) {
	t.Helper()
	found := false
	_ = filepath.WalkDir(h.bodyTemp, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || found {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, content) {
			found = true
		}
		return nil
	})
	if !found {
		t.Fatalf("harness: %s: nginx received no request body holding the %d uploaded bytes", what, len(content))
	}
}

// httpScenario is one way of moving files over HTTP; it records what it
// moved in exp.
type httpScenario struct {
	name string
	run  func(t *testing.T, h *httpEnv, exp *expectations)
}

// httpDownloads: Content-Length downloads of a binary and of EICAR.
func httpDownloads(t *testing.T, h *httpEnv, exp *expectations) {
	_, hdr := h.get(t, exp, h.base, nil, "/bin/random.bin")
	requireHeader(t, "download", hdr, "Content-Length: 204800")
	h.get(t, exp, h.base, nil, "/eicar.com")
}

// httpChunked: chunked responses, plain (SSI) and gzip-encoded, where only
// decoding the gzip shows the EICAR file.
func httpChunked(t *testing.T, h *httpEnv, exp *expectations) {
	_, hdr := h.get(t, exp, h.base, nil, "/ssi/eicar.shtml")
	requireHeader(t, "SSI", hdr, "Transfer-Encoding: chunked")
	for _, p := range []string{"/text/big.txt", "/text/eicar.txt"} {
		_, hdr = h.get(t, exp, h.base, []string{"--compressed"}, p)
		requireHeader(t, p, hdr, "Content-Encoding: gzip")
		requireHeader(t, p, hdr, "Transfer-Encoding: chunked")
	}
}

// httpKeepAlive: three files on one connection.
func httpKeepAlive(t *testing.T, h *httpEnv, exp *expectations) {
	out, _ := h.get(t, exp, h.base, []string{"-w", "%{num_connects} "}, "/ka/a.bin", "/ka/b.txt", "/ka/eicar-ka.com")
	if strings.TrimSpace(out) != "1 0 0" {
		t.Fatalf("harness: keep-alive: curl's num_connects per transfer %q, want \"1 0 0\"", out)
	}
}

// httpOneZero: HTTP/1.0 requests, one with Content-Length and one whose body
// ends with the connection.
func httpOneZero(t *testing.T, h *httpEnv, exp *expectations) {
	h.get(t, exp, h.base, []string{"-0"}, "/h10/file.bin")
	_, hdr := h.get(t, exp, h.base, []string{"-0"}, "/ssi/page10.shtml")
	if strings.Contains(strings.ToLower(hdr), "content-length") || strings.Contains(strings.ToLower(hdr), "chunked") {
		t.Fatalf("harness: HTTP/1.0 SSI response is not close-delimited:\n%s", hdr)
	}
}

// httpMultipart: multipart/form-data POSTs of a binary and of EICAR.
func httpMultipart(t *testing.T, h *httpEnv, exp *expectations) {
	for _, f := range []struct {
		name    string
		content []byte
	}{{"report.bin", randomBytes(7, 100*1024)}, {"eicar-up.com", []byte(eicar)}} {
		path := h.upload(t, f.name, f.content)
		h.curl(t, "-o", "/dev/null", "-F", "file=@"+path, h.base+"/upload/form-"+f.name)
		h.requireReceived(t, "multipart "+f.name, f.content)
		exp.add(f.name, "http", "to_server", f.content)
	}
}

// httpPutExpect: a 1.5 MiB PUT with Expect: 100-continue, stored by nginx.
func httpPutExpect(t *testing.T, h *httpEnv, exp *expectations) {
	content := randomBytes(8, 1536*1024)
	path := h.upload(t, "big-put.bin", content)
	_, hdr := h.curl(t, "-o", "/dev/null", "-T", path, "-H", "Expect: 100-continue", h.base+"/dav/big-put.bin")
	requireHeader(t, "PUT", hdr, "100 Continue")
	stored, err := os.ReadFile(filepath.Join(h.docroot, "dav", "big-put.bin"))
	if err != nil || !bytes.Equal(stored, content) {
		t.Fatalf("harness: PUT: nginx stored %d bytes (%v), curl sent %d", len(stored), err, len(content))
	}
	exp.add("/dav/big-put.bin", "http", "to_server", stored)
}

// httpChunkedUpload: a POST with a chunked request body.
func httpChunkedUpload(t *testing.T, h *httpEnv, exp *expectations) {
	content := randomBytes(9, 120*1024)
	path := h.upload(t, "chunked-up.bin", content)
	h.curl(t, "-o", "/dev/null", "-H", "Transfer-Encoding: chunked", "--data-binary", "@"+path, h.base+"/upload/chunked.bin")
	h.requireReceived(t, "chunked upload", content)
	exp.add("/upload/chunked.bin", "http", "to_server", content)
}

// httpRange: one file in two Range requests on two connections; the engine
// must join them into the whole file.
func httpRange(t *testing.T, h *httpEnv, exp *expectations) {
	var parts [][]byte
	for _, r := range []string{"0-99999", "100000-"} {
		out := filepath.Join(h.work, fmt.Sprintf("range-%d", h.seq.Add(1)))
		_, hdr := h.curl(t, "-r", r, "-o", out, h.base+"/range/r.bin")
		requireHeader(t, "range "+r, hdr, "206 Partial Content")
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("range: %v", err)
		}
		parts = append(parts, b)
	}
	whole := bytes.Join(parts, nil)
	if !bytes.Equal(whole, h.files["/range/r.bin"]) {
		t.Fatalf("harness: range parts join to %d bytes, not the served file", len(whole))
	}
	exp.add("/range/r.bin", "http", "to_client", whole)
}

// httpIPv6: a download of a binary and of EICAR over IPv6.
func httpIPv6(t *testing.T, h *httpEnv, exp *expectations) {
	h.get(t, exp, h.base6, []string{"-g"}, "/v6/six.bin", "/v6/eicar6.com")
}

// httpImpaired is the smaller set sent through an impaired network: large
// enough that reordering, duplicates and loss hit file data.
func httpImpaired(t *testing.T, h *httpEnv, exp *expectations) {
	h.get(t, exp, h.base, nil, "/bin/random.bin", "/bin/one-mib.bin", "/eicar.com")
	h.get(t, exp, h.base, []string{"--compressed"}, "/text/big.txt", "/text/noise.txt", "/text/eicar.txt")
	httpMultipart(t, h, exp)
	httpChunkedUpload(t, h, exp)
}

// TestRealTrafficHTTP captures curl ↔ nginx traffic in several scenarios
// and checks that wirescan reports every file with the right hash and
// alerts on exactly the EICAR transfers.
func TestRealTrafficHTTP(t *testing.T) {
	requireRoot(t)
	requireTools(t, "ip", "ss", "nginx", "curl", "tcpdump")
	bin := optionalBin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	// Cancelled last (cleanups run in reverse order), after the daemons
	// were stopped gently.
	t.Cleanup(cancel)
	h := newHTTPEnv(t, ctx)

	clean := []httpScenario{
		{"content-length", httpDownloads},
		{"chunked-gzip", httpChunked},
		{"keep-alive", httpKeepAlive},
		{"http1.0", httpOneZero},
		{"multipart", httpMultipart},
		{"put-expect", httpPutExpect},
		{"chunked-upload", httpChunkedUpload},
		{"range", httpRange},
		{"ipv6", httpIPv6},
	}
	for _, tc := range []struct {
		name    string
		segment bool
		im      impairment
		filter  string
		mode    checkMode
		steps   []httpScenario
	}{
		{name: "clean", steps: clean},
		{name: "reorder-dup", segment: true, im: impairment{Reorder: 8, Dup: 15}, steps: []httpScenario{{"impaired", httpImpaired}}},
		{name: "netloss", segment: true, im: impairment{Drop: 25}, steps: []httpScenario{{"impaired", httpImpaired}}},
		{name: "caploss", segment: true, filter: capLossFilter, mode: lossy, steps: []httpScenario{{"impaired", httpImpaired}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.pair.shape(t, ctx, tc.segment, tc.im)
			exp := &expectations{}
			c := startCapture(t, ctx, h.pair.Client, h.pair.ClientIf, t.TempDir(), "http-"+tc.name, tc.filter)
			for _, s := range tc.steps {
				s.run(t, h, exp)
			}
			c.stop(t)
			t.Logf("capture %s; impairment: %s", c, tc.im)
			keepCapture(t, c.Path)
			checkCapture(t, ctx, bin, c, exp, tc.mode)
		})
	}
}
