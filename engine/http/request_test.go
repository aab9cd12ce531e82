package http

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// reqSink is a recSink that also implements app.RequestSink.
type reqSink struct{ *recSink }

func (s reqSink) RequestComplete(tx app.Metadata) {
	t := tx.(*Transaction)
	s.log = append(s.log, fmt.Sprintf("request %d %s %s", t.ID, t.Method, t.Target))
}

// TestRequestComplete: the sink hears of each request once, after its body
// and before the transaction is reported, whatever the feed split.
func TestRequestComplete(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []feedOp
		want string // the request and tx lines of the log
	}{
		{"get", []feedOp{req("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"), resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")},
			"request 0 GET /a|tx|close"},
		{"post body first", []feedOp{req("POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"), resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")},
			"close|request 0 POST /p|tx"},
		{"pipelined", []feedOp{req("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"),
			resp("HTTP/1.1 204 No\r\n\r\nHTTP/1.1 204 No\r\n\r\n")},
			"request 0 GET /1|request 1 GET /2|tx|tx"},
		{"response before the body ends", []feedOp{req("POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\na"),
			resp("HTTP/1.1 100 Continue\r\n\r\n"), req("bc"), resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")},
			"close|request 0 POST /p|tx"},
		{"truncated request", []feedOp{req("POST /p HTTP/1.1\r\nContent-Length: 9\r\n\r\nab")},
			"close|request 0 POST /p|tx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(11))
			var whole string
			for mode := 0; mode <= 2; mode++ {
				sink := reqSink{newRecSink()}
				p := NewParser(nil, nil, sink)
				for _, op := range splitOps(tc.ops, mode, rng) {
					p.Feed(op.dir, op.data)
				}
				p.Close()
				var got []string
				for _, l := range sink.log {
					switch f := strings.Fields(l); f[0] {
					case "request":
						got = append(got, l)
					case "tx", "close":
						got = append(got, f[0])
					}
				}
				g := strings.Join(got, "|")
				if mode == 0 {
					whole = sink.events()
					if g != tc.want {
						t.Fatalf("got %q, want %q\n%s", g, tc.want, whole)
					}
				} else if sink.events() != whole {
					t.Fatalf("mode %d: events differ\nwhole:\n%s\nsplit:\n%s", mode, whole, sink.events())
				}
			}
		})
	}
}
