package http

import (
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// TestFlushEndsTrail: Flush (the end of a packet's bytes) closes the file of
// a response whose body completed with nothing after it, as libhtp
// completes a response when its input runs out; trailing lines in the same
// bytes still belong to the body, and a line begun before Flush is decided
// when it completes. closedAt is the step after whose Flush each file is
// closed (-1: only at Close).
func TestFlushEndsTrail(t *testing.T) {
	const cl12 = "HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\n"
	for _, tc := range []struct {
		name     string
		steps    []string // response bytes per packet, each followed by Flush
		data     []string // files' data
		closedAt []int
		unexp    bool // http.unexpected_body raised
	}{
		{name: "body-alone", steps: []string{cl12 + "Hello World!", "\r\n"},
			data: []string{"Hello World!"}, closedAt: []int{0}},
		{name: "trailing-line-same-packet", steps: []string{cl12 + "Hello World!\r\n"},
			data: []string{"Hello World!\r\n"}, closedAt: []int{0}, unexp: true},
		{name: "trailing-line-split-across-packets", steps: []string{cl12 + "Hello World!ab", "c\r\n"},
			data: []string{"Hello World!abc\r\n"}, closedAt: []int{1}, unexp: true},
		{name: "status-prefix-waits", steps: []string{cl12 + "Hello World!HT", "TP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nB"},
			data: []string{"Hello World!", "B"}, closedAt: []int{1, 1}},
		{name: "next-response-after-flush", steps: []string{cl12 + "Hello World!", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nB"},
			data: []string{"Hello World!", "B"}, closedAt: []int{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := newRecSink()
			p := NewParser(nil, nil, sink)
			p.Feed(app.ToServer, []byte("GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.0\r\n\r\n"))
			closedAt := map[*recFile]int{}
			for i, s := range tc.steps {
				p.Feed(app.ToClient, []byte(s))
				p.Flush(app.ToClient)
				p.Flush(app.ToServer)
				for _, f := range sink.order {
					if _, ok := closedAt[f]; !ok && f.Closed {
						closedAt[f] = i
					}
				}
			}
			p.Close()
			if len(sink.order) != len(tc.data) {
				t.Fatalf("%d files, want %d\n%s", len(sink.order), len(tc.data), sink.events())
			}
			for i, f := range sink.order {
				at, ok := closedAt[f]
				if !ok {
					at = -1
				}
				if f.Data.String() != tc.data[i] || at != tc.closedAt[i] || f.Truncated {
					t.Errorf("file %d: data %q closed after step %d truncated %v, want %q after step %d",
						i, f.Data.String(), at, f.Truncated, tc.data[i], tc.closedAt[i])
				}
			}
			if got := sink.hasAnomaly(AnomUnexpectedBody); got != tc.unexp {
				t.Errorf("unexpected_body anomaly %v, want %v: %s", got, tc.unexp, strings.Join(sink.anomalies, ","))
			}
		})
	}
}

// TestFlushWithoutTrailIsNoOp: Flush anywhere else changes nothing: the
// table cases give the same events with a Flush after every feed of the
// other direction, and a Flush of an idle or closed parser is harmless.
func TestFlushWithoutTrailIsNoOp(t *testing.T) {
	p := NewParser(nil, nil, newRecSink())
	p.Flush(app.ToClient)
	p.Close()
	p.Flush(app.ToServer)
	p.Flush(app.Direction(7))
	for _, tc := range parserCases {
		whole, _ := replay(tc.ops, nil)
		sink := newRecSink()
		q := NewParser(nil, nil, sink)
		for _, op := range tc.ops {
			if op.gap > 0 {
				q.Gap(op.dir, op.gap)
			} else {
				q.Feed(op.dir, op.data)
			}
			if op.dir == app.ToClient {
				q.Flush(app.ToServer) // requests are complete before responses in these cases
			}
		}
		q.End(app.ToServer)
		q.End(app.ToClient)
		q.Close()
		if sink.events() != whole.events() {
			t.Errorf("%s: events differ with Flush\nwithout:\n%s\nwith:\n%s", tc.name, whole.events(), sink.events())
		}
	}
}
