package dcerpc

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// PDU encoder (DCE 1.1 ch. 12; little-endian data representation).

var svcctlWire = [16]byte{0x81, 0xbb, 0x7a, 0x36, 0x44, 0x98, 0xf1, 0x35, 0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03}

func le16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }
func le32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

func pdu(ptype, flags uint8, callID uint32, body []byte) []byte {
	b := []byte{5, 0, ptype, flags, 0x10, 0, 0, 0}
	b = le16(b, uint16(HeaderLen+len(body)))
	b = le16(b, 0)
	b = le32(b, callID)
	return append(b, body...)
}

func bindPDU(callID uint32, ctxIDs ...uint16) []byte {
	b := le16(nil, 4280)
	b = le16(b, 4280)
	b = le32(b, 0)
	b = append(b, byte(len(ctxIDs)), 0, 0, 0)
	for _, id := range ctxIDs {
		b = le16(b, id)
		b = append(b, 1, 0)
		b = append(b, svcctlWire[:]...)
		b = le16(b, 2)
		b = le16(b, 0)
		b = append(b, make([]byte, 20)...)
	}
	return pdu(PtypeBind, 3, callID, b)
}

func bindAckPDU(callID uint32, results ...uint16) []byte {
	b := le16(nil, 4280)
	b = le16(b, 4280)
	b = le32(b, 0)
	b = le16(b, 4)
	b = append(b, "\\PIP"...)
	b = append(b, 0, 0)
	b = append(b, byte(len(results)), 0, 0, 0)
	for _, r := range results {
		b = le16(b, r)
		b = le16(b, 0)
		b = append(b, make([]byte, 20)...)
	}
	return pdu(PtypeBindAck, 3, callID, b)
}

func reqPDU(callID uint32, flags uint8, ctxID, opnum uint16, stub []byte) []byte {
	b := le32(nil, uint32(len(stub)))
	b = le16(b, ctxID)
	b = le16(b, opnum)
	return pdu(PtypeRequest, flags, callID, append(b, stub...))
}

func respPDU(callID uint32, flags uint8, stub []byte) []byte {
	b := le32(nil, uint32(len(stub)))
	b = le16(b, 0)
	b = append(b, 0, 0)
	return pdu(PtypeResponse, flags, callID, append(b, stub...))
}

// recorder is a test host: it logs calls and events in order.
type recorder struct {
	log []string
}

func (r *recorder) hooks() Hooks {
	return Hooks{
		NewCall:  func(c *Call) { r.log = append(r.log, fmt.Sprintf("new %d", c.CallID)) },
		Response: func(c *Call) { r.log = append(r.log, fmt.Sprintf("resp %d", c.CallID)) },
		Done: func(c *Call) {
			b, _ := json.Marshal(c.EVE())
			r.log = append(r.log, "done "+string(b))
		},
		Event: func(dir app.Direction, ev Event) { r.log = append(r.log, fmt.Sprintf("event %d %d", dir, ev)) },
	}
}

type feed struct {
	dir  app.Direction
	data []byte
}

// conversation is a BIND, a REQUEST in two fragments and its RESPONSE in two.
func conversation() []feed {
	stub := []byte(strings.Repeat("ABCD", 40))
	return []feed{
		{app.ToServer, bindPDU(1, 0)},
		{app.ToClient, bindAckPDU(1, 0)},
		{app.ToServer, append(reqPDU(2, 1, 0, 15, stub[:60]), reqPDU(2, 2, 0, 15, stub[60:])...)},
		{app.ToClient, append(respPDU(2, 1, stub[:10]), respPDU(2, 2, stub[10:20])...)},
		{app.ToServer, reqPDU(3, 3, 0, 0x1c, nil)},
	}
}

// run feeds fs, split by split (nil: whole), and returns the host's log.
func run(fs []feed, split func([]byte) [][]byte, lim Limits) []string {
	var r recorder
	c := NewConn[int](lim, r.hooks())
	var streams [2]Stream[int]
	for i := range streams {
		streams[i] = Stream[int]{Scope: 7, Dir: app.Direction(i)}
	}
	for _, f := range fs {
		pieces := [][]byte{f.data}
		if split != nil {
			pieces = split(f.data)
		}
		for _, p := range pieces {
			c.Feed(&streams[f.dir], p)
		}
	}
	c.FinishAll()
	return r.log
}

func bytewise(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1]
	}
	return out
}

func TestConnCallsEveryChunking(t *testing.T) {
	lim := Limits{MaxCalls: 8, MaxStubBytes: 64}
	whole := run(conversation(), nil, lim)
	want := []string{
		"event 0 0", "new 1", "event 1 0", "resp 1",
		`done {"call_id":1,"interfaces":[{"ack_reason":0,"ack_result":0,"service":"svcctl","uuid":"367abb81-9844-35f1-ad32-98f038001003","version":"2.0"}],"request":"BIND","response":"BINDACK"}`,
		"event 0 0", "new 2", "event 0 0", "event 1 0", "resp 2", "event 1 0", "resp 2",
		`done {"call_id":2,"interfaces":[{"service":"svcctl","uuid":"367abb81-9844-35f1-ad32-98f038001003","version":"2.0"}],"opnum":15,"req":{"frag_cnt":2,"stub_data_size":160},"request":"REQUEST","res":{"frag_cnt":2,"stub_data_size":20},"response":"RESPONSE"}`,
		"event 0 0", "new 3",
		`done {"call_id":3,"interfaces":[{"service":"svcctl","uuid":"367abb81-9844-35f1-ad32-98f038001003","version":"2.0"}],"opnum":28,"req":{"frag_cnt":1,"stub_data_size":0},"request":"REQUEST","response":"UNREPLIED"}`,
	}
	if strings.Join(whole, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(whole, "\n"), strings.Join(want, "\n"))
	}
	if got := run(conversation(), bytewise, lim); strings.Join(got, "\n") != strings.Join(whole, "\n") {
		t.Fatalf("byte by byte differs:\n%s", strings.Join(got, "\n"))
	}
	seed := int64(5)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < 20; i++ {
		split := func(b []byte) [][]byte {
			var out [][]byte
			for len(b) > 0 {
				n := 1 + rng.Intn(len(b))
				out, b = append(out, b[:n]), b[n:]
			}
			return out
		}
		if got := run(conversation(), split, lim); strings.Join(got, "\n") != strings.Join(whole, "\n") {
			t.Fatalf("random split %d differs", i)
		}
	}
}

// TestConnLimits: stubs are cut at MaxStubBytes and at MaxCalls the oldest
// call is finished, with an event.
func TestConnLimits(t *testing.T) {
	var fs []feed
	for id := uint32(1); id <= 4; id++ {
		fs = append(fs, feed{app.ToServer, reqPDU(id, 3, 0, 1, []byte("0123456789"))})
	}
	var r recorder
	var stubs []int
	h := r.hooks()
	done := h.Done
	h.Done = func(c *Call) { stubs = append(stubs, len(c.ReqStub)); done(c) }
	c := NewConn[int](Limits{MaxCalls: 2, MaxStubBytes: 4}, h)
	s := Stream[int]{Dir: app.ToServer}
	for _, f := range fs {
		c.Feed(&s, f.data)
	}
	if c.Outstanding() != 2 {
		t.Fatalf("%d calls outstanding, want 2", c.Outstanding())
	}
	c.FinishAll()
	if n := strings.Count(strings.Join(r.log, "\n"), fmt.Sprintf("event 0 %d", EventTooManyCalls)); n != 2 {
		t.Fatalf("%d too-many-calls events, want 2\n%s", n, strings.Join(r.log, "\n"))
	}
	for _, n := range stubs {
		if n != 4 {
			t.Fatalf("stub kept %d bytes, want 4", n)
		}
	}
}

// TestStreamLostAndResume: bytes that are not DCERPC lose framing until
// Resume; the next PDU is parsed again.
func TestStreamLostAndResume(t *testing.T) {
	var r recorder
	c := NewConn[int](Limits{MaxCalls: 4, MaxStubBytes: 16}, r.hooks())
	s := Stream[int]{Dir: app.ToServer}
	c.Feed(&s, []byte("PsExec protocol bytes, not DCERPC"))
	if !s.Broken() || s.Pending() != 0 {
		t.Fatal("junk did not break the stream")
	}
	c.Feed(&s, reqPDU(1, 3, 0, 1, nil))
	if len(r.log) != 0 {
		t.Fatalf("a broken stream parsed: %v", r.log)
	}
	s.Resume()
	c.Feed(&s, reqPDU(1, 3, 0, 1, nil))
	if len(r.log) != 2 || r.log[1] != "new 1" {
		t.Fatalf("after Resume: %v", r.log)
	}
}

func TestRecordsMalformed(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
	}{
		{"short", []byte{5, 0, 0}},
		{"bad version", append([]byte{4}, pdu(0, 3, 1, nil)[1:]...)},
		{"frag_len below header", append([]byte{5, 0, 0, 3, 0x10, 0, 0, 0, 8, 0}, make([]byte, 6)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseHeader(tc.b); err == nil {
				t.Fatal("want an error")
			}
		})
	}
	h := Header{Little: true}
	if _, err := ParseBind(&h, []byte{1, 2}); err == nil {
		t.Error("short bind accepted")
	}
	if _, err := ParseBindAck(&h, make([]byte, 10)); err == nil {
		t.Error("short bind_ack accepted")
	}
	if _, err := ParseRequest(&h, make([]byte, 7)); err == nil {
		t.Error("short request accepted")
	}
	if LooksLike(pdu(20, 3, 1, nil)) || !LooksLike(bindPDU(1, 0)) {
		t.Error("LooksLike")
	}
}

// FuzzConn feeds arbitrary bytes to both directions, whole and byte by
// byte: no panic, identical host logs, bounded calls and stubs.
func FuzzConn(f *testing.F) {
	var all []byte
	for _, x := range conversation() {
		all = append(all, x.data...)
	}
	f.Add(all, uint8(0))
	f.Add(bindAckPDU(1, 0, 2), uint8(1))
	f.Add(reqPDU(9, 1, 3, 4, []byte("xx")), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		// sel picks each chunk's direction from its bits.
		var fs []feed
		for i := 0; len(data) > 0; i++ {
			n := min(len(data), 24+int(sel)%40)
			fs = append(fs, feed{app.Direction(sel >> (i % 8) & 1), data[:n]})
			data = data[n:]
		}
		lim := Limits{MaxCalls: 3, MaxStubBytes: 8}
		whole := run(fs, nil, lim)
		if got := run(fs, bytewise, lim); strings.Join(got, "\n") != strings.Join(whole, "\n") {
			t.Fatalf("byte by byte differs")
		}
	})
}

// TestHeaderOnlyPDU is the regression test of FuzzConn's first finding: a
// PDU whose frag_length is just the header made the reassembler loop
// without consuming (in the SMB parser before this package existed too).
func TestHeaderOnlyPDU(t *testing.T) {
	var r recorder
	c := NewConn[int](Limits{MaxCalls: 4, MaxStubBytes: 16}, r.hooks())
	s := Stream[int]{Dir: app.ToServer}
	c.Feed(&s, append(pdu(PtypeShutdown, 3, 1, nil), pdu(PtypeAuth3, 3, 2, nil)...))
	c.FinishAll()
	if len(r.log) != 6 || s.Pending() != 0 {
		t.Fatalf("log %v, %d bytes pending", r.log, s.Pending())
	}
}
