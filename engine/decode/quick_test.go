package decode

import (
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/wirescan/wirescan/engine/capture"
)

// quickAgrees checks QuickTCP against the full decoder on one frame: when
// QuickTCP reads endpoints, a frame the decoder accepts as TCP must have the
// same ones, so both paths dispatch a flow to the same worker.
func quickAgrees(t testing.TB, link capture.LinkType, frame []byte) {
	ep, ok := QuickTCP(link, frame)
	if !ok {
		return
	}
	cfg := DefaultConfig()
	var st Stats
	p, decoded := NewDecoder(&cfg, &st).Decode(link, frame, t0, 1, len(frame))
	if !decoded || p.IPProto != 6 {
		return // the decoder refuses what QuickTCP let through: the worker drops it
	}
	if p.SrcIP != ep.Src || p.DstIP != ep.Dst || p.SrcPort != ep.SrcPort || p.DstPort != ep.DstPort {
		t.Fatalf("QuickTCP %v:%d > %v:%d, Decode %v:%d > %v:%d", ep.Src, ep.SrcPort, ep.Dst, ep.DstPort, p.SrcIP, p.SrcPort, p.DstIP, p.DstPort)
	}
}

// TestQuickTCPAgreesWithDecode runs every frame of the testdata captures
// (Ethernet, VLAN, IPv4, IPv6) and of the shared conformance captures,
// when present, through both.
func TestQuickTCPAgreesWithDecode(t *testing.T) {
	paths, _ := filepath.Glob("../../testdata/*.pcap")
	more, _ := filepath.Glob("../../../shared/conformance/cases/*/input.pcap")
	paths = append(paths, more...)
	quick, frames := 0, 0
	for _, path := range paths {
		src, err := capture.Open(path, capture.Options{})
		if err != nil {
			continue
		}
		for {
			pkt, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				continue
			}
			frames++
			if _, ok := QuickTCP(pkt.LinkType, pkt.Data); ok {
				quick++
			}
			quickAgrees(t, pkt.LinkType, pkt.Data)
		}
		src.Close()
	}
	t.Logf("%d frames, %d read by QuickTCP", frames, quick)
	if quick == 0 {
		t.Fatal("QuickTCP read no frame")
	}
}

func FuzzQuickTCP(f *testing.F) {
	f.Add(uint32(capture.LinkTypeEthernet), tcp4(f))
	f.Add(uint32(capture.LinkTypeRaw), ipPacket4(f))
	f.Add(uint32(capture.LinkTypeRaw), ipPacket6(f))
	f.Add(uint32(capture.LinkTypeLinuxSLL), prepend(sllHeader(0x0800), ipPacket4(f)))
	f.Fuzz(func(t *testing.T, link uint32, frame []byte) {
		quickAgrees(t, capture.LinkType(link), frame)
	})
}
