package http

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/ulikunitz/xz/lzma"
	"github.com/wirescan/wirescan/engine/app"
)

func br(s string) string {
	var b bytes.Buffer
	w := brotli.NewWriterLevel(&b, 6)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func lz(t *testing.T, s string) string {
	var b bytes.Buffer
	w, err := lzma.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func respWith(coding, body string, chunked bool) feedOp {
	if !chunked {
		return resp("HTTP/1.1 200 OK\r\nContent-Encoding: " + coding + "\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n" + body)
	}
	var b strings.Builder
	b.WriteString("HTTP/1.1 200 OK\r\nContent-Encoding: " + coding + "\r\nTransfer-Encoding: chunked\r\n\r\n")
	for len(body) > 0 {
		n := min(len(body), 7)
		b.WriteString(strconv.FormatInt(int64(n), 16) + "\r\n" + body[:n] + "\r\n")
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return resp(b.String())
}

// TestContentCodings runs brotli, lzma and nested codings through the
// parser, whole, byte by byte and in random pieces.
func TestContentCodings(t *testing.T) {
	long := strings.Repeat(eicar+" padding padding\n", 300)
	cases := []parserCase{
		{name: "br", ops: []feedOp{req(get), respWith("br", br(eicar), false)},
			files: []wantFile{{"/dir/eicar.txt", app.ToClient, eicar, false}}, txs: 1},
		{name: "br-chunked-long", ops: []feedOp{req(get), respWith("br", br(long), true)},
			files: []wantFile{{"/dir/eicar.txt", app.ToClient, long, false}}, txs: 1},
		{name: "lzma", ops: []feedOp{req(get), respWith("lzma", lz(t, eicar), false)},
			files: []wantFile{{"/dir/eicar.txt", app.ToClient, eicar, false}}, txs: 1},
		{name: "lzma-chunked-long", ops: []feedOp{req(get), respWith("lzma", lz(t, long), true)},
			files: []wantFile{{"/dir/eicar.txt", app.ToClient, long, false}}, txs: 1},
		{name: "gzip-then-br", ops: []feedOp{req(get), respWith("gzip, br", br(gz(long)), true)},
			files: []wantFile{{"/dir/eicar.txt", app.ToClient, long, false}}, txs: 1},
		{name: "br-then-lzma-then-deflate", ops: []feedOp{req(get), respWith("br, lzma, deflate", zl(lz(t, br(eicar))), false)},
			files: []wantFile{{"/dir/eicar.txt", app.ToClient, eicar, false}}, txs: 1},
		{name: "br-truncated-by-close", ops: []feedOp{req(get), resp("HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n" + br(long)[:60])},
			txs: 1, files: nil},
		{name: "br-not-brotli", ops: []feedOp{req(get), respWith("br", eicar, false)},
			files: []wantFile{{"/dir/eicar.txt", app.ToClient, eicar, false}}, txs: 1},
	}
	cases[6].files = truncatedPrefix(t, cases[6])
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runCase(t, tc, 11) })
	}
}

// truncatedPrefix computes the file a truncated case yields (a prefix of
// the long body, whatever decoded) and checks it is one.
func truncatedPrefix(t *testing.T, tc parserCase) []wantFile {
	sink, _ := replay(tc.ops, nil)
	if len(sink.order) != 1 {
		t.Fatalf("%s: %d files", tc.name, len(sink.order))
	}
	got := sink.order[0].Data.String()
	if got == "" || !strings.HasPrefix(strings.Repeat(eicar+" padding padding\n", 300), got) {
		t.Fatalf("%s: %q is not a prefix of the body", tc.name, got)
	}
	return []wantFile{{"/dir/eicar.txt", app.ToClient, got, false}}
}
