package signatures

import (
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/wirescan/wirescan/internal/pcapgen"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// parsePE feeds data to a header parser in the given chunks, then ends it.
func parsePE(data []byte, chunks []int) *peParser {
	p := newPEParser()
	off := 0
	for _, c := range chunks {
		p.write(data[off : off+c])
		off += c
	}
	p.write(data[off:])
	p.end()
	return p
}

func TestPEHeaders(t *testing.T) {
	good, lay := testPE(t)
	overlap, olay := pcapgen.PEFile{Sections: []pcapgen.PESection{{Name: ".text", Data: []byte("x")}}, Lfanew: 0x10}.Build()
	far, _ := pcapgen.PEFile{Sections: []pcapgen.PESection{{Name: ".text", Data: []byte("x")}}, Lfanew: peMaxHeaderEnd - 400}.Build()
	mut := func(b []byte, f func([]byte)) []byte {
		c := append([]byte(nil), b...)
		f(c)
		return c
	}
	le := binary.LittleEndian
	const nt = 0x80 // testPE's PE header
	cases := []struct {
		name  string
		data  []byte
		pe    bool
		ep    int64
		nsect int
	}{
		{"three sections", good, true, lay.Entry, 3},
		{"PE header inside the DOS header", overlap, true, olay.Entry, 1},
		{"entry point in the headers", mut(good, func(b []byte) { le.PutUint32(b[nt+24+16:], 0x40) }), true, 0x40, 3},
		{"entry point in no section", mut(good, func(b []byte) { le.PutUint32(b[nt+24+16:], 0x900000) }), true, -1, 3},
		{"no sections", mut(good, func(b []byte) { le.PutUint16(b[nt+6:], 0); le.PutUint32(b[nt+24+16:], 0x10) }), true, 0x10, 0},
		{"not MZ", mut(good, func(b []byte) { b[0] = 'X' }), false, -1, 0},
		{"e_lfanew 0", mut(good, func(b []byte) { le.PutUint32(b[0x3c:], 0) }), false, -1, 0},
		{"e_lfanew past the limit", mut(good, func(b []byte) { le.PutUint32(b[0x3c:], peMaxHeaderEnd) }), false, -1, 0},
		{"e_lfanew past the end", mut(good, func(b []byte) { le.PutUint32(b[0x3c:], 0x10000) }), false, -1, 0},
		{"bad PE signature", mut(good, func(b []byte) { b[nt+2] = 'X' }), false, -1, 0},
		{"bad optional header magic", mut(good, func(b []byte) { le.PutUint16(b[nt+24:], 0x107) }), false, -1, 0},
		{"optional header too short", mut(good, func(b []byte) { le.PutUint16(b[nt+20:], 32) }), false, -1, 0},
		{"too many sections", mut(good, func(b []byte) { le.PutUint16(b[nt+6:], peMaxSections+1) }), false, -1, 0},
		{"section table past the limit", mut(far, func(b []byte) { le.PutUint16(b[peMaxHeaderEnd-400+20:], 0x200) }), false, -1, 0},
		{"section table just within the limit", far, true, 0x1000, 1}, // entry RVA below SizeOfHeaders: the RVA itself
		{"cut in the section table", good[:lay.HeaderEnd-1], false, -1, 0},
		{"empty", nil, false, -1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			whole := parsePE(tc.data, nil)
			x := &whole.info
			if x.pe != tc.pe || x.ep != tc.ep || len(x.sects) != tc.nsect {
				t.Fatalf("pe %v, ep %d, %d sections; want %v, %d, %d", x.pe, x.ep, len(x.sects), tc.pe, tc.ep, tc.nsect)
			}
			if !whole.resolved() {
				t.Fatalf("not resolved after end")
			}
			for name, ch := range chunkings(len(tc.data), testSeed) {
				if got := parsePE(tc.data, ch); !reflect.DeepEqual(got.info, whole.info) {
					t.Fatalf("%s: %+v, whole %+v", name, got.info, whole.info)
				}
			}
		})
	}
	x := parsePE(good, nil).info
	for i, raw := range lay.Raw {
		if int64(x.sects[i].raw) != raw {
			t.Errorf("section %d raw %d, want %d", i, x.sects[i].raw, raw)
		}
	}
}

// TestPEResolvesAtSectionTable checks that the parser decides as soon as
// the section table has passed, not at the end of the file.
func TestPEResolvesAtSectionTable(t *testing.T) {
	b, lay := testPE(t)
	p := newPEParser()
	for i := int64(0); i < int64(len(b)); i++ {
		if p.resolved() {
			if i != lay.HeaderEnd {
				t.Fatalf("resolved after %d bytes, section table ends at %d", i, lay.HeaderEnd)
			}
			return
		}
		p.write(b[i : i+1])
	}
	t.Fatal("never resolved")
}

func FuzzPEHeaders(f *testing.F) {
	good, _ := testPE(f)
	f.Add(good, uint64(1))
	overlap, _ := pcapgen.PEFile{Sections: []pcapgen.PESection{{Name: "a", Data: []byte("x")}}, Lfanew: 0x10}.Build()
	f.Add(overlap, uint64(2))
	f.Add([]byte("MZ"), uint64(3))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		whole := parsePE(data, nil)
		if cap(whole.buf) > 40*peMaxSections {
			t.Fatalf("buffer of %d bytes", cap(whole.buf))
		}
		if len(whole.info.sects) > peMaxSections {
			t.Fatalf("%d sections", len(whole.info.sects))
		}
		for _, ch := range [][]int{sigtest.Splits(seed, len(data), 1+len(data)/7), ones(len(data))} {
			if got := parsePE(data, ch); !reflect.DeepEqual(got.info, whole.info) {
				t.Fatalf("chunked %+v, whole %+v", got.info, whole.info)
			}
		}
	})
}

// ones returns n chunks of one byte.
func ones(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

func FuzzParseLDB(f *testing.F) {
	pe, _ := testPE(f)
	f.Add("Sig4;Engine:51-255,Target:1;((0|1)&(2|3))&4;EP+0:558bec;S1+0:44415441;SE2:7061796c6f6164;cccc;SL+0:52535243", pe, uint64(1))
	f.Add("W;Target:0;(0|1)>1,2&2=0;6869::wa;4142::i;EOF-2:5a5a", []byte("hi h\x00i\x00 ab AB ZZ"), uint64(2))
	f.Add("E;Target:1,EntryPoint:0-4096,NumberOfSections:1-3,FileSize:1-99999;0<2;EP-4,8:cccc{2-4}8b", pe, uint64(3))
	f.Add("G;Target:6;0&1;0:7f454c46;41{-3}42*43", []byte("\x7fELF A..BxxC"), uint64(4))
	f.Add("P;Target:0;0&2>1;6d61726b6572;0/id=\\d{3}\\b/gi;(0|1)=1/^mark/", []byte("marker id=123 ID=456 id=7890"), uint64(5))
	f.Fuzz(func(t *testing.T, line string, data []byte, seed uint64) {
		r, err := parseLDB(line)
		if err != nil {
			return
		}
		s, err := Compile([]*Rule{r}, Options{})
		if err != nil {
			return
		}
		whole := scan(s, FileData, anyCtx(), data, []int{len(data)}, nil)
		for _, ch := range [][]int{ones(len(data)), sigtest.Splits(seed, len(data), 1+len(data)/5)} {
			if got := scan(s, FileData, anyCtx(), data, ch, nil); !reflect.DeepEqual(got, whole) {
				t.Fatalf("%s: chunked %v, whole %v", line, got, whole)
			}
		}
	})
}
