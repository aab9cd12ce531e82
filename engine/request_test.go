package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/detect"
	"github.com/wirescan/wirescan/signatures"
)

func ruleSet(t *testing.T, lines ...string) *signatures.Set {
	t.Helper()
	var rs []*signatures.Rule
	for _, l := range lines {
		r, err := signatures.ParseRule(l)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		rs = append(rs, r)
	}
	s, err := signatures.Compile(rs, signatures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// alertLog renders alerts as "sid@pcap_cnt/direction".
func alertLog(rec *recorder) string {
	var out []string
	for _, ev := range rec.of("alert") {
		out = append(out, fmt.Sprintf("%d@%d/%s", ev.Alert.SignatureID, ev.PcapCnt, ev.Direction))
	}
	return strings.Join(out, " ")
}

// TestRequestRulesRunAtTheNextToServerPacket: rules on request buffers
// alert (and set flowbits) on the first to_server packet after the request
// is complete, as Suricata inspects them; the rest waits for the response,
// and nothing alerts twice.
func TestRequestRulesRunAtTheNextToServerPacket(t *testing.T) {
	rules := ruleSet(t,
		`alert http any any -> any any (http.user_agent; content:"wget"; flowbits:set,ua; sid:1;)`,
		`alert http any any -> any any (http.stat_code; content:"200"; sid:2;)`,
		`alert http any any -> any any (flowbits:isset,ua; file.data; content:"PDF"; sid:3;)`,
		`alert http any any -> any any (http.method; content:"GET"; http.stat_code; content:"200"; sid:4;)`)
	req := "GET /f HTTP/1.1\r\nHost: h\r\nUser-Agent: wget\r\n\r\n"
	resp := "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n%PDF"
	rs, ss := uint32(101+len(req)), uint32(501+len(resp))
	handshake := []pkt{
		{src: cli, dst: srv, sport: 40000, dport: 80, flags: "S", seq: 100},
		{src: srv, dst: cli, sport: 80, dport: 40000, flags: "SA", seq: 500, ack: 101},
		{src: cli, dst: srv, sport: 40000, dport: 80, flags: "A", seq: 101, ack: 501, data: req, at: time.Millisecond},
	}
	ack := pkt{src: srv, dst: cli, sport: 80, dport: 40000, flags: "A", seq: 501, ack: rs, at: 2 * time.Millisecond}
	cliAck := pkt{src: cli, dst: srv, sport: 40000, dport: 80, flags: "A", seq: rs, ack: 501, at: 3 * time.Millisecond}
	response := pkt{src: srv, dst: cli, sport: 80, dport: 40000, flags: "A", seq: 501, ack: rs, data: resp, at: 4 * time.Millisecond}
	fins := []pkt{
		{src: srv, dst: cli, sport: 80, dport: 40000, flags: "FA", seq: ss, ack: rs, at: 5 * time.Millisecond},
		{src: cli, dst: srv, sport: 40000, dport: 80, flags: "FA", seq: rs, ack: ss + 1, at: 6 * time.Millisecond},
	}
	for _, tc := range []struct {
		name string
		pkts []pkt
		want string
	}{
		{"to_server packet before the response",
			append(append(append([]pkt{}, handshake...), ack, cliAck, response), fins...),
			"1@5/to_server 3@6/to_client 2@6/to_server 4@6/to_server"},
		{"response first: all at completion",
			append(append(append([]pkt{}, handshake...), ack, response), fins...),
			"3@5/to_client 1@5/to_server 2@5/to_server 4@5/to_server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, rec := newTestWorker(t, DefaultConfig(), rules)
			run(w, tc.pkts)
			if got := alertLog(rec); got != tc.want {
				t.Fatalf("alerts %q, want %q", got, tc.want)
			}
		})
	}
}

// TestStreamEventsAlertInTheirDirection: a reassembly anomaly is a packet
// event, so a stream-event rule alerts once, in the packet's direction; an
// app-layer event rule without direction alerts both ways.
func TestStreamEventsAlertInTheirDirection(t *testing.T) {
	rules := ruleSet(t,
		`alert tcp any any -> any any (stream-event:reassembly_overlap_different_data; sid:1;)`,
		`alert http any any -> any any (app-layer-event:http.x; sid:2;)`)
	w, rec := newTestWorker(t, DefaultConfig(), rules)
	run(w, httpExchange("x", 0, 0, true))
	rec.events = nil
	c := &conn{w: w, proto: app.HTTP}
	compiled, err := detect.Compile(rules)
	if err != nil {
		t.Fatal(err)
	}
	c.det = detect.New(compiled, nil, c)
	c.det.SetProto(app.HTTP)
	c.anomaly(app.ToClient, "stream", "stream.overlap_different_data")
	c.anomaly(app.ToServer, "applayer", "http.x")
	if got, want := alertLog(rec), "1@6/to_client 2@6/to_server 2@6/to_client"; got != want {
		t.Fatalf("alerts %q, want %q", got, want)
	}
}

// TestFileDataAbsent: "file.data; absent" holds for a transaction without
// body bytes in the rule's direction.
func TestFileDataAbsent(t *testing.T) {
	rules := ruleSet(t,
		`alert http any any -> any any (flow:to_client; file.data; absent; sid:1;)`,
		`alert http any any -> any any (flow:to_client; file.data; absent:or_else; content:!"abc"; sid:2;)`,
		`alert http any any -> any any (flow:to_server; file.data; absent; sid:3;)`)
	for _, tc := range []struct{ body, want string }{
		{"", "3@4/to_server 1@4/to_client 2@4/to_client"},
		{"xyz", "3@4/to_server 2@4/to_client"}, // the file rule decides at end of file: the response's packet
		{"abc", "3@4/to_server"},
	} {
		t.Run("body "+tc.body, func(t *testing.T) {
			w, rec := newTestWorker(t, DefaultConfig(), rules)
			run(w, httpExchange(tc.body, 0, 0, true))
			if got := alertLog(rec); got != tc.want {
				t.Fatalf("alerts %q, want %q", got, tc.want)
			}
		})
	}
}
