package decode

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/wirescan/wirescan/engine/capture"
)

// fuzzLinks are the link types FuzzDecode chooses from with its first byte.
var fuzzLinks = []capture.LinkType{
	capture.LinkTypeEthernet, capture.LinkTypeRaw, capture.LinkTypeLinuxSLL, capture.LinkTypeLinuxSLL2,
	capture.LinkTypeNull, capture.LinkTypeLoop, capture.LinkTypeIPv4, capture.LinkTypeIPv6, capture.LinkType(99),
}

// fuzzSep separates the frames of one fuzz input, so fragment state is
// exercised across packets.
var fuzzSep = []byte("\xfe\xed\xfa\xce")

// FuzzDecode decodes up to 16 frames from one input with one Decoder under
// tiny fragment limits, with panic recovery off. Properties: no panic, each
// packet counted exactly once, payload within the frame or a 64 KiB
// datagram, fragment memory within its limit.
func FuzzDecode(f *testing.F) {
	seg := segment4(f)
	seeds := [][]byte{
		tcp4(f),
		vlanFrame([][2]uint16{{etherTypeQinQ, 10}, {etherTypeVLAN, 20}}, etherTypeIPv6, ipPacket6(f)),
		greFrame(f, &layers.GRE{Protocol: etherTypeTEB}, vlanFrame(nil, etherTypeIPv4, ipPacket4(f))),
		greFrame(f, &layers.GRE{Protocol: layers.EthernetTypeIPv6, KeyPresent: true}, ipPacket6(f)),
		bytes.Join([][]byte{
			frag4(f, seg, piece{48, 48, true, 0, 0, 0}),
			frag4(f, seg, piece{0, 56, true, 0, 0, 0}),
			frag4(f, seg, piece{96, 24, false, 0, 0, 0}),
		}, fuzzSep),
	}
	for _, s := range seeds {
		f.Add(append([]byte{0}, s...))
	}
	f.Add(append([]byte{1}, ipPacket6(f)...))
	f.Add(append([]byte{7}, bytes.Join([][]byte{
		frag6(f, segment6(f), piece{0, 64, true, 0, 0, 0}),
		frag6(f, segment6(f), piece{64, 56, false, 0, 0, 0}),
	}, fuzzSep)...))
	f.Add(append([]byte{2}, prepend(sllHeader(etherTypeIPv4), ipPacket4(f))...))
	f.Add(append([]byte{4}, prepend(loopHeader(binary.LittleEndian, 30), ipPacket6(f))...))

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		link := fuzzLinks[int(data[0])%len(fuzzLinks)]
		cfg := Config{ValidateChecksums: data[0]&0x80 != 0, MaxFragmentBytes: 2048, MaxFragmentQueues: 3,
			MaxFragmentsPerDatagram: 8, FragmentTimeout: time.Second}
		var st Stats
		d := NewDecoder(&cfg, &st)
		d.setRecover(false)
		frames := bytes.SplitN(data[1:], fuzzSep, 16)
		for i, frame := range frames {
			ts := t0.Add(time.Duration(i) * 300 * time.Millisecond)
			p, ok := d.Decode(link, frame, ts, uint64(i+1), len(frame)+i%2)
			if ok {
				if p == nil || len(p.Payload) > maxDatagramLen || p.PayloadLen < len(p.Payload) || p.VLANCount > 2 ||
					(!p.Reassembled && len(p.Payload) > len(frame)) || !p.SrcIP.IsValid() || p.Num != uint64(i+1) {
					t.Fatalf("frame %d: bad packet %+v", i, p)
				}
			} else if p != nil {
				t.Fatalf("frame %d: packet with ok == false", i)
			}
			if st.FragmentBytes > uint64(cfg.MaxFragmentBytes) || st.FragmentQueues > uint64(cfg.MaxFragmentQueues) {
				t.Fatalf("fragment state over its limits: %+v", st)
			}
		}
		checkAccounting(t, &st)
	})
}
