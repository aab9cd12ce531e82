package pcapgen

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"
)

func TestConversationRoundTrip(t *testing.T) {
	cases := []struct {
		name           string
		client, server Endpoint
		opt            ConnOptions
		lossy          bool
	}{
		{name: "ipv4", client: EP("10.0.0.1", 40000), server: EP("10.0.0.2", 80)},
		{name: "ipv6_vlan", client: EP("2001:db8::1", 40000), server: EP("2001:db8::2", 445), opt: ConnOptions{VLAN: 7}},
		{name: "small_mss", client: EP("10.0.0.1", 40000), server: EP("10.0.0.2", 80), opt: ConnOptions{MSS: 100}},
		{name: "reorder_dup_tiny", client: EP("10.0.0.1", 40000), server: EP("10.0.0.2", 80),
			opt: ConnOptions{Impair: Impair{Seed: 9, Reorder: 0.3, Duplicate: 0.2, Tiny: 0.3}}},
		{name: "drop", client: EP("10.0.0.1", 40000), server: EP("10.0.0.2", 80),
			opt: ConnOptions{Impair: Impair{Seed: 9, Drop: 0.2}}, lossy: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, 5))
			var sent [2][]byte
			var buf bytes.Buffer
			capt, err := NewCapture(&buf, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			cv, err := capt.Open(c.client, c.server, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 6 {
				p := Random(r, 1+r.IntN(20000))
				if i%2 == 0 {
					sent[0] = append(sent[0], p...)
					err = cv.FromClient(p)
				} else {
					sent[1] = append(sent[1], p...)
					err = cv.FromServer(p)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := cv.Close(); err != nil {
				t.Fatal(err)
			}
			if err := cv.FromClient([]byte("late")); err != ErrClosed {
				t.Fatalf("send after close: %v, want ErrClosed", err)
			}
			p := parseCapture(t, buf.Bytes())
			if len(p.order) != 2 {
				t.Fatalf("got %d directions, want 2", len(p.order))
			}
			cs, ss := p.streams[p.order[0]], p.streams[p.order[0].reverse()]
			if got := append(append([]string{}, cs.flags[:2]...), ss.flags[0]); got[0] != "S" || got[2] != "SA" || got[1] != "A" {
				t.Fatalf("handshake flags client %v server %v, want S, SA, A", cs.flags, ss.flags)
			}
			for dir, st := range []*stream{cs, ss} {
				peer := []*stream{ss, cs}[dir]
				if st.conflict != nil {
					t.Fatal(st.conflict)
				}
				data, missing := st.reassemble()
				if !st.finSeen {
					t.Errorf("direction %d: no FIN", dir)
				}
				// The peer acknowledges everything plus the FIN.
				if want := st.isn + 1 + uint32(len(sent[dir])) + 1; peer.maxAck != want {
					t.Errorf("direction %d: peer's last ACK %d, want %d", dir, peer.maxAck, want)
				}
				if st.vlan != c.opt.VLAN {
					t.Errorf("direction %d: vlan %d, want %d", dir, st.vlan, c.opt.VLAN)
				}
				if c.lossy {
					if missing == 0 {
						t.Errorf("direction %d: drop impairment lost nothing", dir)
					}
					continue
				}
				if missing != 0 || !bytes.Equal(data, sent[dir]) {
					t.Errorf("direction %d: reassembled %d bytes (%d missing), sent %d; equal=%v",
						dir, len(data), missing, len(sent[dir]), bytes.Equal(data, sent[dir]))
				}
			}
		})
	}
}

func TestResetEndsConversation(t *testing.T) {
	var buf bytes.Buffer
	capt, err := NewCapture(&buf, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	cv, err := capt.Open(EP("10.0.0.1", 1), EP("10.0.0.2", 2), ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cv.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := cv.Close(); err != ErrClosed {
		t.Fatalf("close after reset: %v, want ErrClosed", err)
	}
	if got := capt.Packets(); got != 4 {
		t.Fatalf("handshake + RST = %d packets, want 4", got)
	}
}

func TestMixedFamiliesRejected(t *testing.T) {
	capt, err := NewCapture(&bytes.Buffer{}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := capt.Open(EP("10.0.0.1", 1), EP("::1", 2), ConnOptions{}); err == nil {
		t.Fatal("Open with IPv4 client and IPv6 server succeeded")
	}
}
