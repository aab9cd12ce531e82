package signatures

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
)

// TestMatchChunk feeds each case's chunks to MatchChunk (anchored rules) and
// to one Stream Scanner (the rest), as the engine does, and compares the
// matches of every chunk ("sid@stream offset", negative sid: noalert).
func TestMatchChunk(t *testing.T) {
	s := mustSet(t, Options{},
		`alert tcp any any -> any 445 (content:"|fe|SMB"; depth:8; flow:to_server; sid:1;)`,
		`alert tcp any any -> any any (content:"needle"; sid:2;)`,
		`alert tcp any any -> any any (content:"ab"; startswith; content:"cd"; distance:0; within:4; sid:3;)`,
		`alert tcp any any -> any any (content:"end"; depth:3; isdataat:!3; sid:4;)`,
		`alert tcp any any -> any any (content:"set"; depth:3; flowbits:set,x; flowbits:noalert; sid:5;)`,
		`alert tcp any any -> any any (content:"get"; depth:3; flowbits:isset,x; sid:6;)`,
		`alert tcp any any -> any any (content:"hi"; within:3; sid:7;)`,
		`alert tcp any any -> any any (content:"PoSt"; nocase; offset:1; depth:4; sid:8;)`,
		`alert tcp any any -> any any (content:"x"; depth:4; sid:9;)`)
	if !s.HasChunkRules() {
		t.Fatal("HasChunkRules false")
	}
	if mustSet(t, Options{}, `alert tcp any any -> any any (content:"ab"; sid:1;)`,
		`alert tcp-pkt any any -> any any (content:"ab"; depth:2; sid:2;)`).HasChunkRules() {
		t.Fatal("HasChunkRules true without anchored stream rules")
	}
	const smb = "\x00\x00\x00\x40\xfeSMB" // NBSS header + SMB2 magic: 8 bytes
	for _, tc := range []struct {
		name     string
		toClient bool
		chunks   []string
		want     [][]string // per chunk
	}{
		{name: "anchored at each chunk start", chunks: []string{smb + "abcd", smb},
			want: [][]string{{"1@8"}, {"1@20"}}},
		{name: "anchored not mid-chunk", chunks: []string{"zzzz" + smb, "zz" + smb + "zz"},
			want: [][]string{nil, nil}},
		{name: "anchored wrong direction", toClient: true, chunks: []string{smb}, want: [][]string{nil}},
		{name: "anchored split across chunks", chunks: []string{smb[:6], smb[6:]}, want: [][]string{nil, nil}},
		{name: "unanchored across boundary", chunks: []string{"zzznee", "dlezz", "needle"},
			want: [][]string{nil, {"2@9"}, nil}},
		{name: "anchored chain per chunk", chunks: []string{"ab--cd", "zab--cd", "abcd"},
			want: [][]string{{"3@6"}, nil, {"3@17"}}},
		{name: "absolute isdataat per chunk", chunks: []string{"endz", "end"},
			want: [][]string{nil, {"4@7"}}},
		{name: "flowbits across chunks", chunks: []string{"get", "set", "get"},
			want: [][]string{nil, {"-5@6"}, {"6@9"}}},
		{name: "first within counts from chunk start", chunks: []string{"hi", "zhi", "--hi"},
			want: [][]string{{"7@2"}, {"7@5"}, nil}},
		{name: "nocase offset depth", chunks: []string{"-pOsT", "--post"},
			want: [][]string{{"8@5"}, nil}},
		{name: "once per chunk", chunks: []string{"xxxx", "zzzzx", "-x-x"},
			want: [][]string{{"9@1"}, nil, {"9@11"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := &Context{Proto: "smb", ToServer: !tc.toClient, SrcIP: netip.MustParseAddr("10.0.0.1"),
				DstIP: netip.MustParseAddr("10.0.0.2"), SrcPort: 49216, DstPort: 445, Established: true, Flow: NewFlowState()}
			sc := s.NewScanner(Stream, ctx)
			var base int64
			for i, c := range tc.chunks {
				var got []string
				for _, m := range append(s.MatchChunk(ctx, base, []byte(c)), sc.Write([]byte(c))...) {
					sid := m.Rule.SID
					if m.NoAlert {
						sid = -sid
					}
					got = append(got, fmt.Sprintf("%d@%d", sid, m.Offset))
				}
				if !slices.Equal(got, tc.want[i]) {
					t.Fatalf("chunk %d %q: got %v, want %v", i, c, got, tc.want[i])
				}
				base += int64(len(c))
			}
		})
	}
}

// TestMayMatchIsNecessary: the quick pre-check never rejects a buffer the
// whole-buffer condition accepts (seeded random buffers over the rules'
// bytes).
func TestMayMatchIsNecessary(t *testing.T) {
	s := mustSet(t, Options{},
		`alert tcp any any -> any any (content:"ab"; depth:3; sid:1;)`,
		`alert tcp any any -> any any (content:"Ab"; nocase; offset:1; depth:3; content:"b"; distance:0; sid:2;)`,
		`alert tcp any any -> any any (content:"ba"; startswith; sid:3;)`,
		`alert tcp any any -> any any (content:"a"; within:2; content:"bb"; within:3; sid:4;)`,
		`alert tcp any any -> any any (content:!"ab"; depth:2; content:"ba"; offset:2; depth:3; sid:5;)`,
		`alert tcp-pkt any any -> any any (content:"aB"; offset:2; depth:2; sid:6;)`)
	t.Logf("seed %d", testSeed)
	rng := rand.New(rand.NewPCG(testSeed, 7))
	accepted := 0
	for range 20000 {
		buf := make([]byte, rng.IntN(8))
		for i := range buf {
			buf[i] = "abAB"[rng.IntN(4)]
		}
		for _, cr := range s.crules {
			if _, ok := cr.pkt.matchEnd(buf); ok {
				accepted++
				if !cr.pkt.mayMatch(buf) {
					t.Fatalf("sid %d: mayMatch rejects %q, which matches", cr.r.SID, buf)
				}
			}
		}
	}
	if accepted == 0 {
		t.Fatal("no buffer matched: the test checks nothing")
	}
}
