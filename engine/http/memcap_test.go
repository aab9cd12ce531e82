package http

import (
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/memcap"
)

// TestSharedBudget: with the engine-wide budget spent, a gzip body is passed
// on undecoded and a long header is cut, each with an http.memcap anomaly;
// everything reserved is returned at Close.
func TestSharedBudget(t *testing.T) {
	budget := memcap.New(9 << 10) // room for two header buffers, not a window
	cfg := DefaultConfig()
	s := newRecSink()
	p := NewParser(&cfg, nil, s)
	p.SetBudget(budget)
	p.Feed(app.ToServer, []byte("GET /z HTTP/1.1\r\nHost: h\r\n\r\n"))
	body := gz("hello gzip")
	p.Feed(app.ToClient, []byte("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "+itoaTest(len(body))+"\r\n\r\n"+body))
	if !s.hasAnomaly(AnomMemcap) {
		t.Fatalf("no memcap anomaly: %s", s.events())
	}
	var got string
	for _, f := range s.files {
		got = f.Data.String()
	}
	if got != body {
		t.Fatalf("body not passed on raw: %q", got)
	}
	// A header longer than what is left of the budget is cut.
	p.Feed(app.ToServer, []byte("GET /long HTTP/1.1\r\nX-Pad: "+strings.Repeat("a", 20<<10)+"\r\n\r\n"))
	if budget.InUse() > budget.Cap() {
		t.Fatalf("budget exceeded: %d", budget.InUse())
	}
	p.Close()
	if budget.InUse() != 0 {
		t.Fatalf("%d bytes still reserved after Close", budget.InUse())
	}
}

func itoaTest(n int) string {
	var b []byte
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
