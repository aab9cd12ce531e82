package dcerpc

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// tcpSink records what a TCPParser reports.
type tcpSink struct{ log []string }

func (s *tcpSink) FileOpen(app.FileHandle, app.FileMeta)         {}
func (s *tcpSink) FileData(app.FileHandle, int64, []byte)        {}
func (s *tcpSink) FileGap(app.FileHandle, int64, int64)          {}
func (s *tcpSink) FileClose(app.FileHandle, bool)                {}
func (s *tcpSink) Frame(app.Frame)                               {}
func (s *tcpSink) FrameLength(app.Direction, app.FrameID, int64) {}
func (s *tcpSink) Anomaly(dir app.Direction, name string)        { s.log = append(s.log, "anomaly "+name) }
func (s *tcpSink) Transaction(dir app.Direction, tx app.Metadata) {
	opnum, _ := tx.Buffer("dcerpc.opnum")
	s.log = append(s.log, fmt.Sprintf("%s %v opnum=%x %s", tx.AppProto(), dir, opnum, tx.EVE().(map[string]any)["request"]))
}

func runTCP(fs []feed, split func([]byte) [][]byte) []string {
	var s tcpSink
	p := NewTCPParser(Limits{MaxCalls: 8, MaxStubBytes: 64}, nil, &s)
	for _, f := range fs {
		pieces := [][]byte{f.data}
		if split != nil {
			pieces = split(f.data)
		}
		for _, piece := range pieces {
			p.Feed(f.dir, piece)
		}
	}
	p.Close()
	return s.log
}

// TestTCPParser: DCERPC straight over TCP gives one transaction per call,
// the same whole or byte at a time; an AUTH3 is not a call; bytes that are
// not DCERPC desynchronise the direction once.
func TestTCPParser(t *testing.T) {
	conv := append(conversation(), feed{app.ToServer, pdu(PtypeAuth3, 3, 9, make([]byte, 8))})
	whole := runTCP(conv, nil)
	if len(whole) != 3 {
		t.Fatalf("calls %q, want the bind, the request and the unanswered one (no AUTH3)", whole)
	}
	if byByte := runTCP(conv, bytewise); !reflect.DeepEqual(whole, byByte) {
		t.Fatalf("byte at a time %q, whole %q", byByte, whole)
	}
	junk := append([]feed{{app.ToServer, []byte("GET / HTTP/1.1\r\n\r\n")}}, conv...)
	got := runTCP(junk, nil)
	if len(got) == 0 || got[0] != "anomaly dcerpc.desync" {
		t.Fatalf("junk: %q", got)
	}
	for _, l := range got[1:] {
		if l != "dcerpc to_client opnum= REQUEST_LOST" {
			t.Fatalf("junk before the requests: %q (only the server's side is parsed on)", got)
		}
	}
}

func TestTCPProbe(t *testing.T) {
	bind := bindPDU(1, 0)
	for _, tc := range []struct {
		in   []byte
		want app.Verdict
	}{{bind, app.Yes}, {bind[:5], app.NeedMore}, {[]byte("GET "), app.No}, {[]byte{5, 7}, app.No}, {nil, app.NeedMore}} {
		if got := Probe(app.ToServer, tc.in); got != tc.want {
			t.Errorf("Probe(%x) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func FuzzTCPParser(f *testing.F) {
	var seed []byte
	for _, fd := range conversation() {
		seed = append(seed, fd.data...)
	}
	f.Add(seed, uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		var s tcpSink
		p := NewTCPParser(Limits{MaxCalls: 4, MaxStubBytes: 32}, nil, &s)
		step := int(cut%31) + 1
		for i := 0; i < len(data); i += step {
			p.Feed(app.Direction(i/step%2), data[i:min(i+step, len(data))])
		}
		p.Gap(app.ToClient, 10)
		p.Close()
	})
}
