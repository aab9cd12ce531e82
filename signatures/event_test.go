package signatures

import (
	"fmt"
	"testing"
)

// TestEventWithContent: a rule with an app-layer-event and content (in a
// request body, a protocol buffer or the raw stream) matches the content
// only on a connection where the anomaly was raised, whether the anomaly
// comes before the content or before the end of the file.
func TestEventWithContent(t *testing.T) {
	s := mustSet(t, Options{},
		`alert http any any -> any any (flow:established,to_server; content:"login=foo"; http_client_body; app-layer-event:http.request_body_unexpected; sid:1;)`,
		`alert http any any -> any any (http.uri; content:"/admin"; app-layer-event:http.request_body_unexpected; sid:2;)`,
		`alert tcp any any -> any any (content:"PASS "; stream-event:reassembly_overlap_different_data; sid:3;)`,
		`alert http any any -> any any (app-layer-event:http.request_body_unexpected; sid:4;)`)
	body := []byte("login=foo&password=bar")
	for _, tc := range []struct {
		name  string
		event string // raised before ("<") or after (">") the file's bytes
		when  byte
		want  string
	}{
		{"no event", "", 0, "[]"},
		{"event before the body", "http.request_body_unexpected", '<', "[1]"},
		{"event during the body", "http.request_body_unexpected", '>', "[1]"},
		{"another event", "http.bare_lf", '<', "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flow := NewFlowState()
			ctx := &Context{Proto: "http", ToServer: true, Established: true, Flow: flow}
			raise := func() {
				if tc.event != "" {
					s.MatchEvent(ctx, tc.event)
				}
			}
			if tc.when == '<' {
				raise()
			}
			sc := s.NewScanner(FileData, ctx)
			got := append([]Match(nil), sc.Write(body)...)
			if tc.when == '>' {
				raise()
			}
			got = append(got, sc.End(FileFacts{Size: int64(len(body))})...)
			if g := sids(got); g != tc.want {
				t.Fatalf("file rules: %s, want %s", g, tc.want)
			}
		})
	}
	flow := NewFlowState()
	ctx := &Context{Proto: "http", ToServer: true, Flow: flow, Buffers: mapBuffers{"http.uri": "/admin/x"}}
	if got := sids(s.MatchTransaction(ctx)); got != "[]" {
		t.Fatalf("buffer rule before the event: %s", got)
	}
	if got := sids(s.MatchEvent(ctx, "http.request_body_unexpected")); got != "[4]" {
		t.Fatalf("event rules: %s, want only the pure event rule", got)
	}
	if got := sids(s.MatchTransaction(ctx)); got != "[2]" {
		t.Fatalf("buffer rule after the event: %s", got)
	}
	sctx := &Context{Proto: "ftp", ToServer: true, Flow: NewFlowState()}
	s.MatchEvent(sctx, "stream.overlap_different_data")
	sc := s.NewScanner(Stream, sctx)
	if got := fmt.Sprint(sids(sc.Write([]byte("USER a\r\nPASS b\r\n")))); got != "[3]" {
		t.Fatalf("stream rule after a stream event: %s", got)
	}
}
