package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the pcap/pcapng reader. Properties:
// no panic, every packet within the record limit with numbers counting up
// from 1, any error is io.EOF or a DamageError, and after it only io.EOF.
func FuzzReader(f *testing.F) {
	p := newPcapFile(binary.LittleEndian, magicMicroLE, LinkTypeEthernet)
	p.add(1, 2, payload(1, 60), 60)
	p.add(3, 4, payload(2, 20), 1500)
	f.Add(p.buf.Bytes())
	p = newPcapFile(binary.BigEndian, magicModifiedLE, LinkTypeRaw)
	p.add(1, 2, payload(1, 24), 24)
	f.Add(p.buf.Bytes())
	ng := &ngFile{order: binary.LittleEndian}
	ng.shb()
	ng.idb(LinkTypeEthernet, ng.opt(optIfTsresol, []byte{9}), ng.opt(optIfTsoffset, make([]byte, 8)))
	ng.idb(LinkTypeLinuxSLL)
	ng.epb(1, 12345, payload(1, 40), 40)
	ng.spb(payload(2, 9), 20)
	ng.block(5, payload(3, 12))
	ng.pb(0, 99, payload(4, 3), 3)
	ng.order = binary.BigEndian
	ng.shb()
	ng.idb(LinkTypeRaw, ng.opt(optIfTsresol, []byte{0x8a}))
	ng.epb(0, 1, payload(5, 20), 20)
	f.Add(ng.buf.Bytes())
	for _, dc := range damageCases() {
		f.Add(dc.data)
	}
	const limit = 4096
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := NewReader(bytes.NewReader(data), "fuzz", Options{MaxRecordBytes: limit})
		if err != nil {
			if !errors.Is(err, ErrNotCapture) {
				t.Fatalf("open error %v does not wrap ErrNotCapture", err)
			}
			return
		}
		// Every packet consumes at least 12 input bytes, so this bounds the loop.
		for i := uint64(1); i <= uint64(len(data))+1; i++ {
			pkt, err := src.Next()
			if err != nil {
				var de *DamageError
				if err != io.EOF && !errors.As(err, &de) {
					t.Fatalf("unexpected error %v", err)
				}
				if de != nil && (de.PacketNum != i || de.Offset < 0 || de.Offset > int64(len(data))) {
					t.Fatalf("damage %+v at packet %d", de, i)
				}
				if _, err := src.Next(); err != io.EOF {
					t.Fatalf("after %v: %v", err, err)
				}
				if r := src.(*reader); cap(r.buf) > r.recordLimit() {
					t.Fatalf("record buffer %d over limit", cap(r.buf))
				}
				return
			}
			if pkt.Num != i || len(pkt.Data) > limit || pkt.Length < len(pkt.Data) {
				t.Fatalf("packet %d: num %d len %d/%d", i, pkt.Num, len(pkt.Data), pkt.Length)
			}
		}
		t.Fatal("reader did not end")
	})
}
