package engine

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/decode"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/signatures"
)

// recorder is an EventWriter keeping events in memory.
type recorder struct{ events []*eve.Event }

func (r *recorder) Write(ev *eve.Event) error { r.events = append(r.events, ev); return nil }
func (r *recorder) Flush() error              { return nil }

func (r *recorder) of(eventType string) []*eve.Event {
	var out []*eve.Event
	for _, ev := range r.events {
		if ev.EventType == eventType {
			out = append(out, ev)
		}
	}
	return out
}

// pkt builds a decoded TCP packet.
type pkt struct {
	src, dst     string
	sport, dport uint16
	flags        string // any of S A F R
	seq, ack     uint32
	data         string
	at           time.Duration
	vlan         uint16
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (p pkt) decoded(num uint64) *decode.Packet {
	d := &decode.Packet{
		Timestamp: t0.Add(p.at), Num: num,
		SrcIP: netip.MustParseAddr(p.src), DstIP: netip.MustParseAddr(p.dst),
		IPProto: 6, SrcPort: p.sport, DstPort: p.dport, Seq: p.seq, Ack: p.ack,
		SYN: strings.Contains(p.flags, "S"), ACK: strings.Contains(p.flags, "A"),
		FIN: strings.Contains(p.flags, "F"), RST: strings.Contains(p.flags, "R"),
		Payload: []byte(p.data), Length: 54 + len(p.data),
	}
	if p.vlan != 0 {
		d.VLAN[0], d.VLANCount = p.vlan, 1
	}
	return d
}

func newTestWorker(t *testing.T, cfg Config, rules *signatures.Set) (*worker, *recorder) {
	t.Helper()
	rec := &recorder{}
	e, err := New(cfg, rules, rec)
	if err != nil {
		t.Fatal(err)
	}
	return newWorker(e, 0, nil), rec
}

func run(w *worker, pkts []pkt) {
	for i, p := range pkts {
		w.handle(p.decoded(uint64(i + 1)))
	}
	w.drain("shutdown")
}

const (
	cli = "10.0.0.1"
	srv = "10.0.0.2"
)

// httpExchange is a complete HTTP download of body over one connection.
func httpExchange(body string, vlanReq, vlanResp uint16, withHandshake bool) []pkt {
	req := "GET /f.bin HTTP/1.1\r\nHost: h\r\n\r\n"
	resp := "HTTP/1.1 200 OK\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n" + body
	var ps []pkt
	if withHandshake {
		ps = append(ps,
			pkt{src: cli, dst: srv, sport: 40000, dport: 80, flags: "S", seq: 100, vlan: vlanReq},
			pkt{src: srv, dst: cli, sport: 80, dport: 40000, flags: "SA", seq: 500, ack: 101, vlan: vlanResp},
		)
	}
	return append(ps,
		pkt{src: cli, dst: srv, sport: 40000, dport: 80, flags: "A", seq: 101, ack: 501, data: req, at: time.Millisecond, vlan: vlanReq},
		pkt{src: srv, dst: cli, sport: 80, dport: 40000, flags: "A", seq: 501, ack: 101 + uint32(len(req)), data: resp, at: 2 * time.Millisecond, vlan: vlanResp},
		pkt{src: srv, dst: cli, sport: 80, dport: 40000, flags: "FA", seq: 501 + uint32(len(resp)), ack: 101 + uint32(len(req)), at: 3 * time.Millisecond, vlan: vlanResp},
		pkt{src: cli, dst: srv, sport: 40000, dport: 80, flags: "FA", seq: 101 + uint32(len(req)), ack: 502 + uint32(len(resp)), at: 4 * time.Millisecond, vlan: vlanReq},
	)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestHTTPDownloadGivesFileAndAlert(t *testing.T) {
	w, rec := newTestWorker(t, DefaultConfig(), signatures.Builtin())
	run(w, httpExchange("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*", 0, 0, true))
	files, alerts := rec.of("fileinfo"), rec.of("alert")
	if len(files) != 1 || files[0].FileInfo.State != "CLOSED" || files[0].FileInfo.Filename != "/f.bin" {
		t.Fatalf("fileinfo: %+v", files)
	}
	if len(alerts) != 1 || alerts[0].PcapCnt != 4 || alerts[0].SrcIP != srv || alerts[0].Direction != "to_client" {
		t.Fatalf("alert: %+v", alerts)
	}
	if alerts[0].Wirescan == nil || len(alerts[0].Wirescan.MatchOffsets) != 1 || alerts[0].Wirescan.MatchOffsets[0] != 68 {
		t.Fatalf("alert lacks the match offset: %+v", alerts[0].Wirescan)
	}
}

// TestMidstreamPickupFindsTheClient: without a handshake the side on the
// service port is the server, whichever packet comes first.
func TestMidstreamPickupFindsTheClient(t *testing.T) {
	ps := httpExchange("hello", 0, 0, false)
	ps[0], ps[1] = ps[1], ps[0] // the response is seen first
	ps[0].at, ps[1].at = ps[1].at, ps[0].at
	w, rec := newTestWorker(t, DefaultConfig(), nil)
	run(w, ps)
	flows := rec.of("flow")
	if len(flows) != 1 || flows[0].SrcIP != cli || flows[0].DestPort != 80 {
		t.Fatalf("flow: %+v", flows)
	}
}

// TestAsymmetricVLANsAreOneFlow: SPAN ports often tag one direction only.
func TestAsymmetricVLANsAreOneFlow(t *testing.T) {
	w, rec := newTestWorker(t, DefaultConfig(), nil)
	run(w, httpExchange("hello", 3136, 0, true))
	if n := len(rec.of("flow")); n != 1 || w.stats.VLANJoins != 1 {
		t.Fatalf("%d flows, %d joins; want 1 flow joined once", n, w.stats.VLANJoins)
	}
	if f := rec.of("fileinfo"); len(f) != 1 || f[0].FileInfo.State != "CLOSED" {
		t.Fatalf("fileinfo: %+v", f)
	}
	// The same 5-tuple in two VLANs, each with both directions, stays two flows.
	w, rec = newTestWorker(t, DefaultConfig(), nil)
	a := httpExchange("one", 10, 10, true)
	b := httpExchange("two", 20, 20, true)
	for i := range b {
		b[i].at += time.Second
	}
	run(w, append(a, b...))
	if n := len(rec.of("flow")); n != 2 {
		t.Fatalf("%d flows for two VLANs, want 2", n)
	}
}

// TestPortReuseStartsANewFlow: a SYN on the 4-tuple of a finished
// connection is a new connection.
func TestPortReuseStartsANewFlow(t *testing.T) {
	w, rec := newTestWorker(t, DefaultConfig(), nil)
	a := httpExchange("one", 0, 0, true)
	b := httpExchange("two", 0, 0, true)
	for i := range b {
		b[i].at += time.Second
		b[i].seq += 100000
		if b[i].ack != 0 {
			b[i].ack += 100000
		}
	}
	run(w, append(a, b...))
	if n := len(rec.of("flow")); n != 2 {
		t.Fatalf("%d flows, want 2", n)
	}
	if n := len(rec.of("fileinfo")); n != 2 {
		t.Fatalf("%d files, want 2", n)
	}
}

// TestEvictionAndTimeoutCloseFilesTruncated: a flow pushed out of a full
// table, or idle past its timeout, ends with its open file TRUNCATED.
func TestEvictionAndTimeoutCloseFilesTruncated(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Flow.MaxFlows = 1
	w, rec := newTestWorker(t, cfg, nil)
	open := httpExchange("0123456789", 0, 0, true)[:4]
	open[3].data = open[3].data[:len(open[3].data)-5] // half the body
	other := httpExchange("x", 0, 0, true)
	for i := range other {
		other[i].sport = 40001
		other[i].dport = 80
		if other[i].src == srv {
			other[i].sport, other[i].dport = 80, 40001
		}
		other[i].at += time.Second
	}
	run(w, append(open, other...))
	var truncated int
	for _, f := range rec.of("fileinfo") {
		if f.FileInfo.State == "TRUNCATED" {
			truncated++
		}
	}
	if w.stats.Flows.Evicted != 1 || truncated != 1 {
		t.Fatalf("evicted %d, truncated files %d", w.stats.Flows.Evicted, truncated)
	}

	cfg = DefaultConfig()
	cfg.Flow.EstablishedTimeout = 10 * time.Second
	w, rec = newTestWorker(t, cfg, nil)
	late := pkt{src: "10.9.9.9", dst: srv, sport: 5, dport: 6, flags: "S", at: time.Minute}
	for i, p := range append(open, late) {
		w.handle(p.decoded(uint64(i + 1)))
	}
	if w.stats.Flows.Expired != 1 || len(rec.of("fileinfo")) != 1 || rec.of("fileinfo")[0].FileInfo.State != "TRUNCATED" {
		t.Fatalf("expired %d, fileinfo %+v", w.stats.Flows.Expired, rec.of("fileinfo"))
	}
	if rec.of("fileinfo")[0].PcapCnt != 0 {
		t.Fatal("an event caused by a timeout carries a packet number")
	}
}

// TestAnomaliesAreRateLimitedPerFlow: a hostile flow can't flood the log.
func TestAnomaliesAreRateLimitedPerFlow(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AnomaliesPerFlow = 2
	w, rec := newTestWorker(t, cfg, nil)
	ps := httpExchange("x", 0, 0, true)[:3]
	c := w
	run(c, ps)
	conn := &conn{w: w}
	for range 10 {
		conn.anomaly(0, "applayer", "http.something")
	}
	if n := len(rec.of("anomaly")); n != 2 || w.stats.AnomaliesSuppressed != 8 {
		t.Fatalf("%d anomaly events, %d suppressed", n, w.stats.AnomaliesSuppressed)
	}
}

// TestPacketRulesSeeSegments: tcp-pkt rules look at each segment's payload
// on its own packet, before reassembly; a content split across segments is
// the stream's, not a packet's.
func TestPacketRulesSeeSegments(t *testing.T) {
	set := ruleSet(t,
		`alert tcp-pkt any any -> any 80 (content:"GET "; depth:4; flow:to_server; sid:1;)`,
		`alert tcp-pkt any any -> any any (content:"HTTP/1.1 200"; depth:12; flow:to_server; sid:2;)`,
		`alert tcp-pkt any any -> any any (content:"/f.bin HTTP"; sid:3;)`)
	ps := httpExchange("hello", 0, 0, true)
	// Split the request after "/f." so sid 3's content spans two segments.
	req := ps[2]
	cut := strings.Index(req.data, ".bin")
	second := req
	req.data, second.data, second.seq = req.data[:cut], req.data[cut:], req.seq+uint32(cut)
	ps = append(ps[:2], append([]pkt{req, second}, ps[3:]...)...)
	w, rec := newTestWorker(t, DefaultConfig(), set)
	run(w, ps)
	alerts := rec.of("alert")
	if len(alerts) != 1 || alerts[0].Alert.SignatureID != 1 || alerts[0].PcapCnt != 3 || alerts[0].Direction != "to_server" {
		for _, a := range alerts {
			t.Logf("alert sid %d pcap_cnt %d %s", a.Alert.SignatureID, a.PcapCnt, a.Direction)
		}
		t.Fatalf("want one alert, sid 1 on packet 3 to_server; got %d", len(alerts))
	}
}

// TestAnchoredStreamRulesSeeChunks: a stream rule whose content is anchored
// (depth) is decided on each reassembled chunk, as Suricata inspects the raw
// stream, so a message at the start of a later segment alerts and one in the
// middle of a segment does not.
func TestAnchoredStreamRulesSeeChunks(t *testing.T) {
	set := ruleSet(t,
		`alert tcp any any -> any 7000 (content:"HELO"; depth:4; flow:to_server; sid:1;)`,
		`alert tcp any any -> any 7000 (content:"world"; flow:to_server; sid:2;)`)
	conv := func(segs ...string) []pkt {
		ps := []pkt{
			{src: cli, dst: srv, sport: 40000, dport: 7000, flags: "S", seq: 100},
			{src: srv, dst: cli, sport: 7000, dport: 40000, flags: "SA", seq: 500, ack: 101},
		}
		seq := uint32(101)
		for i, s := range segs {
			at := time.Duration(i+1) * time.Millisecond
			ps = append(ps,
				pkt{src: cli, dst: srv, sport: 40000, dport: 7000, flags: "A", seq: seq, ack: 501, data: s, at: at},
				pkt{src: srv, dst: cli, sport: 7000, dport: 40000, flags: "A", seq: 501 + uint32(i), ack: seq + uint32(len(s)), data: "k", at: at})
			seq += uint32(len(s))
		}
		return ps
	}
	for _, tc := range []struct {
		name string
		segs []string
		want []int
	}{
		{name: "each segment starts with it", segs: []string{"HELO a\r\n", "HELO b\r\n"}, want: []int{1, 1}},
		{name: "mid-segment", segs: []string{"xx HELO a\r\n", "yy HELO b\r\n"}},
		{name: "unanchored across segments", segs: []string{"hello wo", "rld\r\n"}, want: []int{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, rec := newTestWorker(t, DefaultConfig(), set)
			run(w, conv(tc.segs...))
			var got []int
			for _, a := range rec.of("alert") {
				got = append(got, a.Alert.SignatureID)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("alerts %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFlowIDsDifferAcrossWorkers(t *testing.T) {
	seen := map[uint64]bool{}
	for w := range 4 {
		for n := uint64(1); n <= 1000; n++ {
			id := flowID(w, n)
			if seen[id] || id == 0 || id >= 1<<51 {
				t.Fatalf("flow id %d (worker %d, n %d) repeats or is out of range", id, w, n)
			}
			seen[id] = true
		}
	}
}
