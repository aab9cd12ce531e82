package signatures

import (
	"net/netip"
	"slices"
	"testing"
)

func TestMatchPacket(t *testing.T) {
	s := mustSet(t, Options{},
		`alert tcp-pkt any any -> any 445 (content:"|00 00 00 bc|"; depth:4; flow:to_server; sid:1;)`,
		`alert tcp-pkt any any -> any any (content:"ab"; content:"cd"; distance:0; within:4; sid:2;)`,
		`alert tcp-pkt any any -> any any (content:"set"; flowbits:set,x; flowbits:noalert; sid:3;)`,
		`alert tcp-pkt any any -> any any (content:"get"; flowbits:isset,x; sid:4;)`,
		`alert tcp-pkt any any -> any any (pcre:"/^id=[0-9]+$/"; sid:5;)`,
		`alert tcp any any -> any any (content:"ab"; sid:6;)`)
	if !s.HasPacketRules() {
		t.Fatal("HasPacketRules false")
	}
	if mustSet(t, Options{}, `alert tcp any any -> any any (content:"ab"; sid:1;)`).HasPacketRules() {
		t.Fatal("HasPacketRules true without tcp-pkt rules")
	}
	ctx := func(toServer bool, dport uint16) *Context {
		return &Context{Proto: "tcp", ToServer: toServer, SrcIP: netip.MustParseAddr("10.0.0.1"), DstIP: netip.MustParseAddr("10.0.0.2"),
			SrcPort: 49216, DstPort: dport, Established: true, Flow: NewFlowState()}
	}
	shared := ctx(true, 80)
	for _, tc := range []struct {
		name    string
		ctx     *Context
		payload string
		want    []int
	}{
		{name: "depth to server", ctx: ctx(true, 445), payload: "\x00\x00\x00\xbc\xffSMB", want: []int{1}},
		{name: "depth miss", ctx: ctx(true, 445), payload: "x\x00\x00\x00\xbc"},
		{name: "wrong direction", ctx: ctx(false, 445), payload: "\x00\x00\x00\xbc"},
		{name: "wrong port", ctx: ctx(true, 139), payload: "\x00\x00\x00\xbc"},
		{name: "chain once per packet", ctx: ctx(true, 80), payload: "ab--cd abcd", want: []int{2}},
		{name: "chain within miss", ctx: ctx(true, 80), payload: "ab---cd"},
		{name: "flowbit unset", ctx: shared, payload: "get"},
		{name: "flowbit set noalert", ctx: shared, payload: "set", want: []int{-3}},
		{name: "flowbit then test", ctx: shared, payload: "get", want: []int{4}},
		{name: "pcre whole payload", ctx: ctx(true, 80), payload: "id=123", want: []int{5}},
		{name: "pcre whole payload miss", ctx: ctx(true, 80), payload: "id=123 "},
		{name: "empty payload", ctx: ctx(true, 445), payload: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []int
			for _, m := range s.MatchPacket(tc.ctx, []byte(tc.payload)) {
				sid := m.Rule.SID
				if m.NoAlert {
					sid = -sid
				}
				if m.Offset != -1 {
					t.Fatalf("offset %d, want -1", m.Offset)
				}
				got = append(got, sid)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	// Packet rules never reach the stream scanner.
	sc := s.NewScanner(Stream, ctx(true, 445))
	if got := append(sc.Write([]byte("\x00\x00\x00\xbcabcd")), sc.End(FileFacts{})...); len(got) != 1 || got[0].Rule.SID != 6 {
		t.Fatalf("stream scanner matched %v, want sid 6 only", got)
	}
}
