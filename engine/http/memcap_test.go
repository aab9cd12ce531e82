package http

import (
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/decompress"
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

// replayBudget is replay with a shared budget, also closing the parser.
func replayBudget(ops []feedOp, cfg *Config, budget *memcap.Budget) {
	p := NewParser(cfg, nil, newRecSink())
	p.SetBudget(budget)
	for _, op := range ops {
		if op.gap > 0 {
			p.Gap(op.dir, op.gap)
		} else {
			p.Feed(op.dir, op.data)
		}
	}
	p.Close()
}

// TestTinyLimitsNeverPanic runs every table case with header limits and
// budgets down to nothing, whole and byte by byte: a limit may cut a
// message, never crash the parser, and every reserved byte comes back.
func TestTinyLimitsNeverPanic(t *testing.T) {
	for _, tc := range parserCases {
		for _, maxHead := range []int{1, 2, 3, 16} {
			for _, capBytes := range []int64{0, 1, headStep, headStep + decompress.DeflateCost} {
				cfg := DefaultConfig()
				cfg.MaxHeaderBytes = maxHead
				budget := memcap.New(capBytes)
				replayBudget(tc.ops, &cfg, budget)
				replayBudget(splitOps(tc.ops, 1, nil), &cfg, budget)
				if budget.InUse() != 0 {
					t.Fatalf("%s: %d bytes still reserved", tc.name, budget.InUse())
				}
			}
		}
	}
}
