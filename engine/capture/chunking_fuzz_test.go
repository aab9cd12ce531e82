package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// describeRead reads every packet from in and describes what came out (packet
// numbers, times, link types, lengths, data) and how it ended, so two reads
// of the same bytes can be compared.
func describeRead(in io.Reader, limit int) string {
	src, err := NewReader(in, "fuzz", Options{MaxRecordBytes: limit})
	if err != nil {
		return "open: " + err.Error()
	}
	var b strings.Builder
	for {
		p, err := src.Next()
		if err != nil {
			var de *DamageError
			if errors.As(err, &de) {
				fmt.Fprintf(&b, "damage at packet %d offset %d: %v\n", de.PacketNum, de.Offset, de.Err)
			} else {
				fmt.Fprintf(&b, "end: %v\n", err)
			}
			return b.String()
		}
		fmt.Fprintf(&b, "%d %d %d %d %x\n", p.Num, p.Timestamp.UnixNano(), p.LinkType, p.Length, p.Data)
	}
}

// FuzzReaderChunking reads the same bytes whole, one byte per Read and in
// halves (iotest readers): the packets, their numbers and times and the
// damage reported (offset included) must not depend on how the underlying
// reader returns the bytes.
func FuzzReaderChunking(f *testing.F) {
	p := newPcapFile(binary.LittleEndian, magicMicroLE, LinkTypeEthernet)
	p.add(1, 2, payload(1, 60), 60)
	p.add(3, 4, payload(2, 20), 1500)
	f.Add(p.buf.Bytes())
	ng := &ngFile{order: binary.BigEndian}
	ng.shb()
	ng.idb(LinkTypeEthernet, ng.opt(optIfTsresol, []byte{6}))
	ng.epb(0, 12345, payload(1, 40), 40)
	ng.spb(payload(2, 9), 20)
	f.Add(ng.buf.Bytes())
	for _, dc := range damageCases() {
		f.Add(dc.data)
	}
	const limit = 4096
	f.Fuzz(func(t *testing.T, data []byte) {
		whole := describeRead(bytes.NewReader(data), limit)
		if got := describeRead(iotest.OneByteReader(bytes.NewReader(data)), limit); got != whole {
			t.Fatalf("one byte at a time:\n%s\nwhole:\n%s", got, whole)
		}
		if got := describeRead(iotest.HalfReader(bytes.NewReader(data)), limit); got != whole {
			t.Fatalf("half reads:\n%s\nwhole:\n%s", got, whole)
		}
	})
}

// FuzzParseBPF: a program text either fails with ErrBadBPF, or gives a
// program that passes its own checks and reads back the same from its
// tcpdump -ddd form.
func FuzzParseBPF(f *testing.F) {
	for _, s := range []string{tcpPort80BPF, "1\n6 0 0 65535\n", "2,40 0 0 12,6 0 0 0",
		"# tcp\n\n2\r\n  40 0 0 12  \n# end\n6 0 0 0\n\n", "2\n21 0 0 4294967295\n65534 255 255 0\n", "3\n5 0 0 1\n6 0 0 0\n6 0 0 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prog, err := ParseBPF(text)
		if err != nil {
			if !errors.Is(err, ErrBadBPF) {
				t.Fatalf("error %v does not wrap ErrBadBPF", err)
			}
			return
		}
		if err := checkBPF(prog); err != nil {
			t.Fatalf("accepted program fails its check: %v", err)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%d\n", len(prog))
		for _, ins := range prog {
			fmt.Fprintf(&b, "%d %d %d %d\n", ins.Op, ins.Jt, ins.Jf, ins.K)
		}
		again, err := ParseBPF(b.String())
		if err != nil || len(again) != len(prog) {
			t.Fatalf("round trip: %v", err)
		}
		for i := range prog {
			if again[i] != prog[i] {
				t.Fatalf("instruction %d: %+v, then %+v", i, prog[i], again[i])
			}
		}
	})
}
