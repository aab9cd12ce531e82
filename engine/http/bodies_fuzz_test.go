package http

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand"
	"net/http/httputil"
	"strings"
	"testing"
)

// Fuzz targets for the three body stages: de-chunking, content decoding
// and multipart splitting. Each compares whole, one-byte and random feeds;
// the de-chunker and the gzip path are also compared with the standard
// library where it accepts the input.

// dechunk feeds body to a fresh de-chunker in pieces of the given sizes
// (the rest whole) and returns the data, the bytes consumed and the final
// state.
func dechunk(body []byte, maxLine int, piece func() int) (data []byte, consumed int, st chunkState, err chunkErr) {
	var d dechunker
	d.reset(maxLine)
	out := func(p []byte) { data = append(data, p...) }
	for len(body) > 0 {
		n := min(piece(), len(body))
		k := d.feed(body[:n], out)
		consumed += k
		if k < n || d.state == ckDone || d.state == ckBad {
			break
		}
		body = body[n:]
	}
	return data, consumed, d.state, d.err
}

// FuzzChunked: no panic; one byte at a time and random pieces give the
// same data, consumption and verdict as the whole body; the data is never
// longer than the body; and when net/http/httputil's strict chunked reader
// decodes the body without error, the lenient de-chunker yields the same
// bytes (unless one of the de-chunker's limits, tighter here, was hit).
func FuzzChunked(f *testing.F) {
	for _, s := range []string{
		"5\r\nhello\r\n0\r\n\r\n",
		"3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n",
		"A\n0123456789\n0\n\n",
		"ffffffffffffffff\r\nabc",
		"10000000000000000\r\n",
		" 4 \r\nwiki\r\n\r\n5\r\npedia\r\n0\r\n\r\n",
		"1;" + strings.Repeat("e", 100) + "\r\nx\r\n0\r\n\r\n",
	} {
		f.Add([]byte(s), int64(1))
	}
	f.Fuzz(func(t *testing.T, body []byte, seed int64) {
		const maxLine = 64
		data, consumed, st, cerr := dechunk(body, maxLine, func() int { return len(body) })
		if len(data) > len(body) || consumed > len(body) {
			t.Fatalf("%d data bytes, %d consumed from %d", len(data), consumed, len(body))
		}
		rng := rand.New(rand.NewSource(seed))
		for name, piece := range map[string]func() int{"one byte": func() int { return 1 }, "random": func() int { return 1 + rng.Intn(8) }} {
			d2, c2, st2, e2 := dechunk(body, maxLine, piece)
			if !bytes.Equal(d2, data) || c2 != consumed || st2 != st || e2 != cerr {
				t.Fatalf("%s: %q %d %d %d, whole: %q %d %d %d", name, d2, c2, st2, e2, data, consumed, st, cerr)
			}
		}
		if cerr == chunkLineTooLong || cerr == chunkOverhead {
			return // our own limits, stricter than net/http's
		}
		want, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(body)))
		if err == nil && !bytes.Equal(data, want) {
			t.Fatalf("de-chunked %q, net/http %q", data, want)
		}
	})
}

// codings are the Content-Encoding values FuzzContentEncoding picks from.
var codings = []string{"gzip", "deflate", "x-gzip", "gzip, deflate", "deflate, gzip, gzip", "identity", "br", "gzip, gzip, gzip, gzip", "lzma"}

// FuzzContentEncoding sends the input as a response body under a
// Content-Encoding picked by the first byte. Properties: no panic; the
// events do not depend on how the body is split; the file never exceeds
// MaxDecompressedBytes; and a body that compress/gzip decodes as one gzip
// member to at most 60 KB (under any ratio guard) gives exactly those bytes.
func FuzzContentEncoding(f *testing.F) {
	gzipped := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	f.Add(append([]byte{0}, gzipped(eicar)...))
	f.Add(append([]byte{1}, zl(eicar)...))
	f.Add(append([]byte{3}, zl(gz(eicar))...))
	f.Add(append([]byte{0}, gzipped(strings.Repeat("a", 70000))...))
	f.Add([]byte("\x00\r\n\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"))
	f.Add([]byte("\x05plain text"))
	cfg := DefaultConfig()
	cfg.MaxDecompressedBytes = 256 << 10
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		coding, body := codings[int(data[0])%len(codings)], data[1:]
		ops := []feedOp{req("GET /f HTTP/1.1\r\nHost: h\r\n\r\n"),
			resp("HTTP/1.1 200 OK\r\nContent-Encoding: " + coding + "\r\nContent-Length: " + fmtInt(len(body)) + "\r\n\r\n" + string(body))}
		whole, _ := replay(ops, &cfg)
		rng := rand.New(rand.NewSource(int64(len(data))))
		for mode := 1; mode <= 2; mode++ {
			if split, _ := replay(splitOps(ops, mode, rng), &cfg); split.events() != whole.events() {
				t.Fatalf("mode %d differs\nwhole:\n%s\nsplit:\n%s", mode, whole.events(), split.events())
			}
		}
		var file *recFile
		for _, fl := range whole.order {
			if int64(fl.Data.Len()) > cfg.MaxDecompressedBytes {
				t.Fatalf("file of %d bytes over MaxDecompressedBytes", fl.Data.Len())
			}
			file = fl
		}
		if !strings.Contains(coding, "gzip") || strings.Contains(coding, ",") {
			return
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return
		}
		zr.Multistream(false)
		want, err := io.ReadAll(io.LimitReader(zr, 60000+1))
		if err != nil || len(want) > 60000 || len(want) == 0 {
			return
		}
		if file == nil || !bytes.Equal(file.Data.Bytes(), want) {
			got := "no file"
			if file != nil {
				got = file.Data.String()
			}
			t.Fatalf("decoded %q, compress/gzip %q", got, want)
		}
	})
}

// FuzzMultipart posts the input as a multipart/form-data body whose
// boundary is the input's first line. Properties: no panic; the events do
// not depend on the split; at most MaxMultipartParts files; the parts never
// hold more bytes than the body.
func FuzzMultipart(f *testing.F) {
	f.Add([]byte("XyZ\n" + multipartBody))
	f.Add([]byte("B\n--B\r\nContent-Disposition: form-data; name=f; filename=a\r\n\r\n" + eicar + "\r\n--B--\r\n"))
	f.Add([]byte("B\n--B\r\n\r\n--B\r\n\r\n--B\r\n\r\n--B\r\n\r\n--B--"))
	f.Add([]byte("B\n--B\r\nContent-Disposition: form-data; filename=\"" + strings.Repeat("x", 300) + "\"\r\n\r\nx\r\n--B"))
	cfg := DefaultConfig()
	cfg.MaxMultipartParts = 3
	cfg.MaxHeaderBytes = 256
	f.Fuzz(func(t *testing.T, data []byte) {
		boundary, body, ok := bytes.Cut(data, []byte("\n"))
		if !ok || len(boundary) == 0 || bytes.ContainsAny(boundary, "\r\n\";, ") {
			return
		}
		ops := []feedOp{req("POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=" + string(boundary) +
			"\r\nContent-Length: " + fmtInt(len(body)) + "\r\n\r\n" + string(body))}
		whole, _ := replay(ops, &cfg)
		rng := rand.New(rand.NewSource(int64(len(data))))
		for mode := 1; mode <= 2; mode++ {
			if split, _ := replay(splitOps(ops, mode, rng), &cfg); split.events() != whole.events() {
				t.Fatalf("mode %d differs\nwhole:\n%s\nsplit:\n%s", mode, whole.events(), split.events())
			}
		}
		if len(whole.order) > cfg.MaxMultipartParts {
			t.Fatalf("%d files, limit %d", len(whole.order), cfg.MaxMultipartParts)
		}
		total := 0
		for _, fl := range whole.order {
			total += fl.Data.Len()
		}
		if total > len(body) {
			t.Fatalf("parts hold %d bytes of a %d-byte body", total, len(body))
		}
	})
}
