package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readAll drains src, returning the packets (with copied data) and the first
// error other than io.EOF.
func readAll(t *testing.T, src Source) ([]Packet, error) {
	t.Helper()
	var out []Packet
	for i := 0; i < 1000; i++ {
		p, err := src.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		p.Data = append([]byte(nil), p.Data...)
		out = append(out, p)
	}
	t.Fatal("reader did not end")
	return nil, nil
}

func TestPcapVariants(t *testing.T) {
	cases := []struct {
		name  string
		order binary.ByteOrder
		magic uint32
		nano  bool
	}{
		{"little-endian micro", binary.LittleEndian, magicMicroLE, false},
		{"big-endian micro", binary.BigEndian, magicMicroLE, false},
		{"little-endian nano", binary.LittleEndian, magicNanoLE, true},
		{"big-endian nano", binary.BigEndian, magicNanoLE, true},
		{"modified", binary.LittleEndian, magicModifiedLE, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newPcapFile(tc.order, tc.magic, LinkTypeLinuxSLL)
			f.add(1700000000, 123456, payload(1, 60), 60)
			f.add(1700000001, 999, payload(2, 30), 1514)
			f.add(1700000002, 0, nil, 0)
			src, err := NewReader(bytes.NewReader(f.buf.Bytes()), "t.pcap", Options{})
			if err != nil {
				t.Fatal(err)
			}
			pkts, err := readAll(t, src)
			if err != nil {
				t.Fatal(err)
			}
			if len(pkts) != 3 {
				t.Fatalf("got %d packets, want 3", len(pkts))
			}
			scale := int64(1000)
			if tc.nano {
				scale = 1
			}
			want := []struct {
				ts   time.Time
				data []byte
				len  int
			}{
				{time.Unix(1700000000, 123456*scale), payload(1, 60), 60},
				{time.Unix(1700000001, 999*scale), payload(2, 30), 1514},
				{time.Unix(1700000002, 0), nil, 0},
			}
			for i, w := range want {
				p := pkts[i]
				if !p.Timestamp.Equal(w.ts) || !bytes.Equal(p.Data, w.data) || p.Length != w.len ||
					p.Num != uint64(i+1) || p.LinkType != LinkTypeLinuxSLL {
					t.Errorf("packet %d = %+v, want ts %v len %d", i, p, w.ts, w.len)
				}
			}
			st := src.(StatsReporter).Stats()
			if st != (Stats{Packets: 3, Bytes: 90, Files: 1}) {
				t.Errorf("stats = %+v", st)
			}
		})
	}
}

func TestPcapngSectionsAndInterfaces(t *testing.T) {
	f := &ngFile{order: binary.LittleEndian}
	f.shb()
	f.idb(LinkTypeEthernet)                                          // id 0, microseconds
	f.idb(LinkTypeRaw, f.opt(optIfTsresol, []byte{9}))               // id 1, nanoseconds
	f.epb(0, 1700000000*1e6+5, payload(1, 61), 61)                   // packet 1
	f.block(4, []byte{0, 0, 0, 0})                                   // name resolution block: skipped
	f.block(0xbad, payload(9, 33))                                   // unknown block: skipped
	f.epb(1, 1700000000*1e9+7, payload(2, 20), 40)                   // packet 2
	f.spb(payload(3, 10), 10)                                        // packet 3, interface 0, previous ts
	f.pb(1, 1700000001*1e9, payload(4, 5), 5)                        // packet 4, obsolete block
	f.order = binary.BigEndian                                       // second section, other byte order
	f.shb()                                                          //
	f.idb(LinkTypeLinuxSLL2, f.opt(optIfTsresol, []byte{0x80 | 10}), // 2^-10 s units
		f.opt(optIfTsoffset, []byte{0, 0, 0, 0, 0, 0, 0, 100})) // +100 s
	f.epb(0, 3<<10|512, payload(5, 7), 7) // packet 5: 3.5 s + 100 s

	src, err := NewReader(bytes.NewReader(f.buf.Bytes()), "t.pcapng", Options{})
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := readAll(t, src)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		link LinkType
		ts   time.Time
		data []byte
		len  int
	}{
		{LinkTypeEthernet, time.Unix(1700000000, 5000), payload(1, 61), 61},
		{LinkTypeRaw, time.Unix(1700000000, 7), payload(2, 20), 40},
		{LinkTypeEthernet, time.Unix(1700000000, 7), payload(3, 10), 10},
		{LinkTypeRaw, time.Unix(1700000001, 0), payload(4, 5), 5},
		{LinkTypeLinuxSLL2, time.Unix(103, 500000000), payload(5, 7), 7},
	}
	if len(pkts) != len(want) {
		t.Fatalf("got %d packets, want %d", len(pkts), len(want))
	}
	for i, w := range want {
		p := pkts[i]
		if p.LinkType != w.link || !p.Timestamp.Equal(w.ts) || !bytes.Equal(p.Data, w.data) ||
			p.Length != w.len || p.Num != uint64(i+1) {
			t.Errorf("packet %d = %v %v len %d num %d; want %v %v len %d", i+1,
				p.LinkType, p.Timestamp, p.Length, p.Num, w.link, w.ts, w.len)
		}
	}
}

func TestTimestampResolutions(t *testing.T) {
	cases := []struct {
		name  string
		ifc   iface
		units uint64
		want  time.Time
	}{
		{"seconds", iface{exp: 0}, 42, time.Unix(42, 0)},
		{"milliseconds", iface{exp: 3}, 42_001, time.Unix(42, 1e6)},
		{"picoseconds", iface{exp: 12}, 42_000_000_001_999, time.Unix(42, 1)},
		{"1e-19", iface{exp: 19}, ^uint64(0), time.Unix(1, 844674407)},
		{"2^-1", iface{pow2: true, exp: 1}, 5, time.Unix(2, 5e8)},
		{"2^-63", iface{pow2: true, exp: 63}, 1<<63 | 1<<62, time.Unix(1, 5e8)},
		{"offset", iface{exp: 6, offset: -10}, 20e6, time.Unix(10, 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.ifc.timestamp(tc.units); !got.Equal(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// damageCase is one damaged capture: the packets expected before the damage
// and the expected DamageError fields.
type damageCase struct {
	name    string
	data    []byte
	good    int
	offset  int64
	message string // expected DamageError.Err text
	is      error
}

func damageCases() []damageCase {
	var cases []damageCase

	f := newPcapFile(binary.LittleEndian, magicMicroLE, LinkTypeEthernet)
	f.add(1, 0, payload(1, 100), 100)
	f.add(2, 0, payload(2, 100), 100)
	off := f.add(3, 0, payload(3, 1514), 1514)
	cases = append(cases, damageCase{"pcap truncated last record", f.buf.Bytes()[:off+16+10], 2, off,
		"truncated record (got 10 of 1514 bytes)", ErrTruncated})
	cases = append(cases, damageCase{"pcap truncated record header", f.buf.Bytes()[:off+5], 2, off,
		"truncated record header (got 5 of 16 bytes)", ErrTruncated})

	f = newPcapFile(binary.BigEndian, magicMicroLE, LinkTypeEthernet)
	f.add(1, 0, payload(1, 10), 10)
	off = int64(f.buf.Len())
	f.buf.Write([]byte{0, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	cases = append(cases, damageCase{"pcap huge record length", f.buf.Bytes(), 1, off,
		"corrupt: record length 4294967295 exceeds limit 262144", ErrCorrupt})

	ng := func(build func(f *ngFile) int64) ([]byte, int64) {
		f := &ngFile{order: binary.LittleEndian}
		f.shb()
		f.idb(LinkTypeEthernet)
		f.epb(0, 1, payload(1, 10), 10)
		off := build(f)
		return f.buf.Bytes(), off
	}
	data, off := ng(func(f *ngFile) int64 { return f.epb(1, 2, payload(2, 10), 10) })
	cases = append(cases, damageCase{"pcapng interface id out of range", data, 1, off,
		"corrupt: interface id 1 out of range (1 interfaces)", ErrCorrupt})
	data, off = ng(func(f *ngFile) int64 { return f.pb(7, 2, payload(2, 10), 10) })
	cases = append(cases, damageCase{"pcapng obsolete block interface out of range", data, 1, off,
		"corrupt: interface id 7 out of range (1 interfaces)", ErrCorrupt})
	data, off = ng(func(f *ngFile) int64 { return f.epb(0, 2, payload(2, 100), 100) })
	cases = append(cases, damageCase{"pcapng truncated block", data[:len(data)-20], 1, off,
		"truncated block (got 112 of 132 bytes)", ErrTruncated})
	data, off = ng(func(f *ngFile) int64 {
		off := f.epb(0, 2, payload(2, 8), 8)
		b := f.buf.Bytes()
		binary.LittleEndian.PutUint32(b[len(b)-4:], 99)
		return off
	})
	cases = append(cases, damageCase{"pcapng trailer mismatch", data, 1, off,
		"corrupt: block trailer length 99 does not match header length 40", ErrCorrupt})
	data, off = ng(rawBytes(6, 0, 0, 0, 0xf0, 0xff, 0xff, 0xff))
	cases = append(cases, damageCase{"pcapng huge block length", data, 1, off,
		"corrupt: block length 4294967280 exceeds limit 327688", ErrCorrupt})
	data, off = ng(rawBytes(6, 0, 0, 0, 13, 0, 0, 0))
	cases = append(cases, damageCase{"pcapng block length not multiple of 4", data, 1, off,
		"corrupt: block type 0x6 has invalid length 13", ErrCorrupt})
	data, off = ng(func(f *ngFile) int64 {
		off := f.epb(0, 2, payload(2, 8), 8)
		b := f.buf.Bytes()
		binary.LittleEndian.PutUint32(b[off+8+12:], 4000) // captured length
		return off
	})
	cases = append(cases, damageCase{"pcapng captured length beyond block", data, 1, off,
		"corrupt: captured length 4000 exceeds block body (8 bytes)", ErrCorrupt})
	data, off = ng(func(f *ngFile) int64 { return f.block(blockEPB, nil) })
	cases = append(cases, damageCase{"pcapng empty packet block", data, 1, off,
		"corrupt: packet block too short (0 bytes)", ErrCorrupt})
	data, off = ng(func(f *ngFile) int64 { return f.idb(LinkTypeRaw, f.opt(optIfTsresol, []byte{20})) })
	cases = append(cases, damageCase{"pcapng bad tsresol", data, 1, off,
		"corrupt: unsupported if_tsresol 0x14", ErrCorrupt})
	data, off = ng(func(f *ngFile) int64 {
		off := f.shb()
		f.spb(payload(3, 4), 4)
		return off + 28
	})
	cases = append(cases, damageCase{"pcapng simple packet before interface", data, 1, off,
		"corrupt: simple packet block before any interface description", ErrCorrupt})
	data, off = ng(func(f *ngFile) int64 {
		off := f.shb()
		binary.LittleEndian.PutUint32(f.buf.Bytes()[off+8:], 0x01020304)
		return off
	})
	cases = append(cases, damageCase{"pcapng second section bad magic", data, 1, off,
		"corrupt: section header has bad byte-order magic 0x04030201", ErrCorrupt})
	return cases
}

// rawBytes returns a damage-case builder that appends b verbatim.
func rawBytes(b ...byte) func(f *ngFile) int64 {
	return func(f *ngFile) int64 {
		off := int64(f.buf.Len())
		f.buf.Write(b)
		return off
	}
}

func TestDamage(t *testing.T) {
	for _, tc := range damageCases() {
		t.Run(tc.name, func(t *testing.T) {
			src, err := NewReader(bytes.NewReader(tc.data), "d.cap", Options{})
			if err != nil {
				t.Fatal(err)
			}
			pkts, err := readAll(t, src)
			if len(pkts) != tc.good {
				t.Errorf("got %d good packets, want %d", len(pkts), tc.good)
			}
			var de *DamageError
			if !errors.As(err, &de) {
				t.Fatalf("got error %v, want a DamageError", err)
			}
			if de.File != "d.cap" || de.PacketNum != uint64(tc.good+1) || de.Offset != tc.offset ||
				de.Err.Error() != tc.message || !errors.Is(err, tc.is) {
				t.Errorf("got %+v (%v), want packet %d offset %d %q", de, de.Err, tc.good+1, tc.offset, tc.message)
			}
			wantMsg := "capture: d.cap: packet " + itoa(uint64(tc.good+1)) + " at byte offset " + itoa(uint64(tc.offset)) + ": " + tc.message
			if de.Error() != wantMsg {
				t.Errorf("Error() = %q, want %q", de.Error(), wantMsg)
			}
			if _, err := src.Next(); err != io.EOF {
				t.Errorf("after damage Next returned %v, want io.EOF", err)
			}
			if st := src.(StatsReporter).Stats(); st.Damaged != 1 || st.Packets != uint64(tc.good) {
				t.Errorf("stats = %+v", st)
			}
			if r := src.(*reader); cap(r.buf) > r.recordLimit() {
				t.Errorf("record buffer grew to %d bytes", cap(r.buf))
			}
		})
	}
}

// itoa formats n in decimal without strconv, keeping test helpers small.
func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func TestRecordLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		ok   bool
	}{{"at limit", 1000, true}, {"over limit", 1001, false}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newPcapFile(binary.LittleEndian, magicMicroLE, LinkTypeEthernet)
			f.add(1, 0, payload(1, tc.size), uint32(tc.size))
			ng := &ngFile{order: binary.BigEndian}
			ng.shb()
			ng.idb(LinkTypeEthernet)
			ng.epb(0, 0, payload(1, tc.size), uint32(tc.size))
			for _, data := range [][]byte{f.buf.Bytes(), ng.buf.Bytes()} {
				src, err := NewReader(bytes.NewReader(data), "l", Options{MaxRecordBytes: 1000})
				if err != nil {
					t.Fatal(err)
				}
				pkts, err := readAll(t, src)
				if tc.ok != (err == nil) || tc.ok != (len(pkts) == 1) {
					t.Errorf("got %d packets, err %v", len(pkts), err)
				}
			}
		})
	}
}

func TestNotCapture(t *testing.T) {
	badVersion := newPcapFile(binary.LittleEndian, magicMicroLE, LinkTypeEthernet).buf.Bytes()
	badVersion[4] = 3
	ngBadMagic := (&ngFile{order: binary.LittleEndian})
	ngBadMagic.shb()
	ngb := ngBadMagic.buf.Bytes()
	ngb[8] = 0
	cases := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"short", []byte{0xd4, 0xc3}},
		{"text", []byte("GET / HTTP/1.1\r\n\r\n")},
		{"pcap header cut", newPcapFile(binary.LittleEndian, magicMicroLE, 1).buf.Bytes()[:10]},
		{"pcap version", badVersion},
		{"pcapng bad byte-order magic", ngb},
		{"pcapng header cut", ngb[:12]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(tc.data), "junk.bin", Options{})
			if !errors.Is(err, ErrNotCapture) {
				t.Fatalf("got %v, want ErrNotCapture", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "capture: junk.bin: ") || strings.Contains(msg, "\n") {
				t.Errorf("message %q", msg)
			}
		})
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.pcap"), Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got %v", err)
	}
}

func TestConcat(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := newPcapFile(binary.LittleEndian, magicMicroLE, LinkTypeEthernet)
	a.add(1, 0, payload(1, 10), 10)
	a.add(2, 0, payload(2, 10), 10)
	b := &ngFile{order: binary.BigEndian}
	b.shb()
	b.idb(LinkTypeRaw)
	b.epb(0, 3e6, payload(3, 10), 10)
	cut := b.epb(0, 4e6, payload(4, 10), 10)
	c := newPcapFile(binary.BigEndian, magicNanoLE, LinkTypeEthernet)
	c.add(5, 0, payload(5, 10), 10)
	c.add(6, 0, payload(6, 10), 10)
	paths := []string{
		write("a.pcap", a.buf.Bytes()),
		filepath.Join(dir, "missing.pcap"),
		write("b.pcapng", b.buf.Bytes()[:cut+20]),
		write("junk", []byte("not a capture at all")),
		write("c.pcap", c.buf.Bytes()),
	}
	src := Concat(paths, Options{})
	defer src.Close()
	type step struct {
		num  uint64
		seed byte
		err  func(error) bool
	}
	isDamage := func(num uint64) func(error) bool {
		return func(err error) bool {
			var de *DamageError
			return errors.As(err, &de) && de.PacketNum == num && de.Offset == cut && de.File == paths[2]
		}
	}
	steps := []step{
		{num: 1, seed: 1}, {num: 2, seed: 2},
		{err: func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{num: 3, seed: 3},
		{err: isDamage(4)},
		{err: func(err error) bool { return errors.Is(err, ErrNotCapture) && strings.Contains(err.Error(), paths[3]) }},
		{num: 4, seed: 5}, {num: 5, seed: 6},
		{err: func(err error) bool { return err == io.EOF }},
		{err: func(err error) bool { return err == io.EOF }},
	}
	for i, s := range steps {
		p, err := src.Next()
		if s.err != nil {
			if !s.err(err) {
				t.Fatalf("step %d: got packet %d err %v", i, p.Num, err)
			}
			continue
		}
		if err != nil || p.Num != s.num || !bytes.Equal(p.Data, payload(s.seed, 10)) {
			t.Fatalf("step %d: got packet %d err %v, want packet %d", i, p.Num, err, s.num)
		}
	}
	if st := src.(StatsReporter).Stats(); st != (Stats{Packets: 5, Bytes: 50, Damaged: 1, Files: 3}) {
		t.Errorf("stats = %+v", st)
	}
}

func TestWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, LinkTypeEthernet, 50)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1700000000, 123456789)
	if err := w.WritePacket(ts, payload(1, 40), 0); err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(ts.Add(time.Second), payload(2, 80), 1514); err != nil {
		t.Fatal(err)
	}
	src, err := NewReader(&buf, "w.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := readAll(t, src)
	if err != nil || len(pkts) != 2 {
		t.Fatalf("got %d packets, err %v", len(pkts), err)
	}
	if p := pkts[0]; !p.Timestamp.Equal(ts) || !bytes.Equal(p.Data, payload(1, 40)) || p.Length != 40 || p.LinkType != LinkTypeEthernet {
		t.Errorf("packet 1 = %+v", p)
	}
	if p := pkts[1]; !p.Timestamp.Equal(ts.Add(time.Second)) || !bytes.Equal(p.Data, payload(2, 50)) || p.Length != 1514 {
		t.Errorf("packet 2 = %+v", p)
	}
}

func TestNextAllocations(t *testing.T) {
	f := newPcapFile(binary.LittleEndian, magicMicroLE, LinkTypeEthernet)
	for i := 0; i < 200; i++ {
		f.add(uint32(i), 0, payload(byte(i), 1500), 1500)
	}
	ng := &ngFile{order: binary.LittleEndian}
	ng.shb()
	ng.idb(LinkTypeEthernet)
	for i := 0; i < 200; i++ {
		ng.epb(0, uint64(i), payload(byte(i), 1500), 1500)
	}
	for _, data := range [][]byte{f.buf.Bytes(), ng.buf.Bytes()} {
		src, err := NewReader(bytes.NewReader(data), "a", Options{})
		if err != nil {
			t.Fatal(err)
		}
		src.Next() // grows the record buffer once
		if n := testing.AllocsPerRun(100, func() {
			if _, err := src.Next(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("Next allocates %v times per packet", n)
		}
	}
}

func TestLinkTypeString(t *testing.T) {
	for lt, want := range map[LinkType]string{
		LinkTypeEthernet: "ethernet", LinkTypeDLTRaw12: "raw", LinkTypeLinuxSLL2: "linux_sll2", 147: "linktype(147)",
	} {
		if got := lt.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", uint32(lt), got, want)
		}
	}
}
