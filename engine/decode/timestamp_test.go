package decode

import (
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/wirescan/wirescan/engine/capture"
)

// tsData is the 8 data bytes of a timestamp option.
func tsData(val, ecr uint32) []byte {
	return []byte{byte(val >> 24), byte(val >> 16), byte(val >> 8), byte(val), byte(ecr >> 24), byte(ecr >> 16), byte(ecr >> 8), byte(ecr)}
}

func TestDecodeTCPTimestamp(t *testing.T) {
	nop := layers.TCPOption{OptionType: layers.TCPOptionKindNop}
	ts := func(val, ecr uint32) layers.TCPOption {
		return layers.TCPOption{OptionType: layers.TCPOptionKindTimestamps, OptionData: tsData(val, ecr)}
	}
	mss := layers.TCPOption{OptionType: layers.TCPOptionKindMSS, OptionData: []byte{5, 0xb4}}
	sackOK := layers.TCPOption{OptionType: layers.TCPOptionKindSACKPermitted}
	wscale := layers.TCPOption{OptionType: layers.TCPOptionKindWindowScale, OptionData: []byte{7}}
	short := layers.TCPOption{OptionType: layers.TCPOptionKindTimestamps, OptionData: []byte{1, 2, 3, 4}}

	cases := []struct {
		name     string
		opts     []layers.TCPOption
		patch    func(frame []byte) // applied to the serialized frame
		has      bool
		val, ecr uint32
	}{
		{name: "no options"},
		{name: "timestamp only", opts: []layers.TCPOption{nop, nop, ts(1821165693, 1821165629)}, has: true, val: 1821165693, ecr: 1821165629},
		{name: "linux syn options", opts: []layers.TCPOption{mss, sackOK, ts(7, 0), nop, wscale}, has: true, val: 7},
		{name: "zero values", opts: []layers.TCPOption{nop, nop, ts(0, 0)}, has: true},
		{name: "maximal values", opts: []layers.TCPOption{nop, nop, ts(0xffffffff, 0xfffffffe)}, has: true, val: 0xffffffff, ecr: 0xfffffffe},
		{name: "wrong length ignored", opts: []layers.TCPOption{short, nop, nop, nop, nop}},
		{name: "first of two wins", opts: []layers.TCPOption{nop, nop, ts(5, 6), nop, nop, ts(9, 9)}, has: true, val: 5, ecr: 6},
		{
			// The option's length byte points past the option area: the
			// receiver stops parsing options there.
			name: "overrunning length ignored", opts: []layers.TCPOption{nop, nop, ts(5, 6)},
			patch: func(f []byte) { f[ethernetHeaderLen+ipv4MinHeaderLen+20+3] = 12 },
		},
	}
	d := NewDecoder(nil, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ip := ipv4(layers.IPProtocolTCP)
			tcp := tcpFor(ip)
			tcp.Options = c.opts
			frame := serialize(t, ethernet(layers.EthernetTypeIPv4), ip, tcp, body)
			if c.patch != nil {
				c.patch(frame)
			}
			p, ok := d.Decode(capture.LinkTypeEthernet, frame, t0, 1, len(frame))
			if !ok {
				t.Fatal("not decoded")
			}
			if p.HasTS != c.has || p.TSVal != c.val || p.TSEcr != c.ecr {
				t.Errorf("got HasTS %v TSVal %d TSEcr %d, want %v %d %d", p.HasTS, p.TSVal, p.TSEcr, c.has, c.val, c.ecr)
			}
			if string(p.Payload) != string(body) {
				t.Errorf("payload %q", p.Payload)
			}
		})
	}
}
