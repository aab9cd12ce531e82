package http

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"strconv"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

func countAnomaly(s *recSink, name string) int {
	n := 0
	for _, a := range s.anomalies {
		if a == name {
			n++
		}
	}
	return n
}

func TestHostileHeaderFlood(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxHeaderBytes = 1024
	flood := "GET / HTTP/1.1\r\n" + strings.Repeat("X-A: b\r\n", 100000) + "\r\n"
	sink, st := replay([]feedOp{req(flood)}, &cfg)
	if countAnomaly(sink, AnomHeaderTooLong) != 1 || st.HeaderOverflows < 1 {
		t.Errorf("anomalies %v stats %+v", sink.anomalies, st)
	}
	// Just under and just over the header-count limit.
	for _, n := range []int{cfg.MaxHeaders, cfg.MaxHeaders + 1} {
		cfg := DefaultConfig()
		cfg.MaxHeaders = 4
		block := "GET / HTTP/1.1\r\n" + strings.Repeat("X-A: b\r\n", n-cfg.MaxHeaders+4) + "\r\n"
		sink, _ := replay([]feedOp{req(block)}, &cfg)
		want := 0
		if n > cfg.MaxHeaders {
			want = 1
		}
		if got := countAnomaly(sink, AnomTooManyHeaders); got != want {
			t.Errorf("%d headers: %d too_many_headers anomalies, want %d", n-cfg.MaxHeaders+4, got, want)
		}
	}
}

func TestHostileChunkLine(t *testing.T) {
	head := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	// Just under the limit: a long extension is fine.
	ok := head + "5;" + strings.Repeat("e", 4096-5) + "\r\nhello\r\n0\r\n\r\n"
	sink, _ := replay([]feedOp{req(get), resp(ok)}, nil)
	if len(sink.order) != 1 || sink.order[0].Data.String() != "hello" || len(sink.anomalies) != 0 {
		t.Errorf("under limit: %s", sink.events())
	}
	// Endless size line: exactly one anomaly, the file is truncated.
	bad := head + "5;" + strings.Repeat("e", 1<<20)
	sink, st := replay([]feedOp{req(get), resp(bad)}, nil)
	if countAnomaly(sink, AnomChunkLineTooLong) != 1 || st.ChunkErrors != 1 {
		t.Errorf("over limit: %v", sink.anomalies)
	}
	// One-byte chunks are legal; padding every chunk with extensions is not.
	var small, padded strings.Builder
	for i := 0; i < 20000; i++ {
		small.WriteString("1\r\nx\r\n")
		padded.WriteString("1;" + strings.Repeat("p", 100) + "\r\nx\r\n")
	}
	sink, _ = replay([]feedOp{req(get), resp(head + small.String() + "0\r\n\r\n")}, nil)
	if len(sink.order) != 1 || sink.order[0].Data.Len() != 20000 || sink.order[0].Truncated {
		t.Errorf("one-byte chunks rejected: %v", sink.anomalies)
	}
	sink, _ = replay([]feedOp{req(get), resp(head + padded.String())}, nil)
	if countAnomaly(sink, AnomChunkOverhead) != 1 {
		t.Errorf("overhead not caught: %v", sink.anomalies)
	}
}

func TestHostileHugeContentLength(t *testing.T) {
	sink, _ := replay([]feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999\r\n\r\nabc"),
		{dir: app.ToClient, gap: 1 << 40}}, nil)
	if len(sink.order) != 1 || !sink.order[0].Truncated || sink.order[0].Data.String() != "abc" {
		t.Errorf("%s", sink.events())
	}
}

// TestHostileGzipBomb decodes a two-layer gzip bomb (ratio about 10^6) and
// expects decoding to stop at the ratio guard with one anomaly.
func TestHostileGzipBomb(t *testing.T) {
	var inner bytes.Buffer
	w, _ := gzip.NewWriterLevel(&inner, flate.BestCompression)
	zero := make([]byte, 1<<20)
	for i := 0; i < 64; i++ {
		w.Write(zero)
	}
	w.Close()
	outer := gz(inner.String())
	ratio := float64(64<<20) / float64(len(outer))
	t.Logf("bomb: %d bytes encoded, ratio %.0f", len(outer), ratio)
	sink, st := replay([]feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip\r\nContent-Length: " +
		fmtInt(len(outer)) + "\r\n\r\n" + outer)}, nil)
	if countAnomaly(sink, AnomCompressionBomb) != 1 || st.CompressionBombs != 1 {
		t.Fatalf("anomalies %v", sink.anomalies)
	}
	limit := DefaultConfig().MaxDecompressRatio * int64(len(outer))
	if got := int64(sink.order[0].Data.Len()); got > limit || !sink.order[0].Truncated {
		t.Errorf("decoded %d bytes (limit %d), truncated=%v", got, limit, sink.order[0].Truncated)
	}
}

func TestMultipartLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxMultipartParts = 2
	var b strings.Builder
	for i := 0; i < 5; i++ {
		b.WriteString("--B\r\nContent-Disposition: form-data; name=f; filename=f" + fmtInt(i) + "\r\n\r\ndata\r\n")
	}
	b.WriteString("--B--\r\n")
	body := b.String()
	sink, _ := replay([]feedOp{req("POST / HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: " +
		fmtInt(len(body)) + "\r\n\r\n" + body)}, &cfg)
	if len(sink.order) != 2 || countAnomaly(sink, AnomTooManyParts) != 1 {
		t.Errorf("%s", sink.events())
	}
}

// TestIdentityBodyDecodedLimit: a body without content coding passes
// through without a decoder chain but within MaxDecompressedBytes like
// any other: the piece that would cross it is not delivered, the file is
// truncated and http.compression_bomb reported once, pieces up to the limit
// exactly pass, byte at a time or whole.
func TestIdentityBodyDecodedLimit(t *testing.T) {
	cases := []struct {
		name      string
		body      string
		chunk     int
		want      string
		truncated bool
	}{
		{"at the limit", "0123456789", 10, "0123456789", false},
		{"at the limit byte at a time", "0123456789", 1, "0123456789", false},
		{"over, one piece", "0123456789A", 11, "", true},
		{"over, byte at a time", "0123456789AB", 1, "0123456789", true},
		{"over, in fours", "0123456789AB", 4, "01234567", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.MaxDecompressedBytes = 10
			ops := []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(c.body)) + "\r\n\r\n")}
			for i := 0; i < len(c.body); i += c.chunk {
				ops = append(ops, resp(c.body[i:min(i+c.chunk, len(c.body))]))
			}
			sink, st := replay(ops, &cfg)
			if len(sink.order) != 1 {
				t.Fatalf("%d files: %s", len(sink.order), sink.events())
			}
			f := sink.order[0]
			bombs := 0
			if c.truncated {
				bombs = 1
			}
			if f.Data.String() != c.want || f.Truncated != c.truncated || countAnomaly(sink, AnomCompressionBomb) != bombs || st.CompressionBombs != uint64(bombs) {
				t.Fatalf("file %q truncated=%v, bombs %d (stats %d); want %q truncated=%v: %s",
					f.Data.String(), f.Truncated, countAnomaly(sink, AnomCompressionBomb), st.CompressionBombs, c.want, c.truncated, sink.events())
			}
		})
	}
}
