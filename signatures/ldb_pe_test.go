package signatures

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

// testPE builds a three-section PE file whose entry point is 16 bytes into
// .text, and returns it with its layout.
func testPE(t testing.TB) ([]byte, pcapgen.PELayout) {
	t.Helper()
	code := append(bytes.Repeat([]byte{0xcc}, 16), []byte("\x55\x8b\xec\x83\xec\x40\x53\x56\x57 code body")...)
	data := []byte("DATA:config=1;url=http://example.test/x;END")
	rsrc := []byte("RSRC....icon....version....payload-marker....")
	b, lay := pcapgen.PEFile{Sections: []pcapgen.PESection{{Name: ".text", Data: code}, {Name: ".data", Data: data}, {Name: ".rsrc", Data: rsrc}},
		EntrySection: 0, EntryOffset: 16}.Build()
	return b, lay
}

// hx is the ClamAV hex form of s.
func hx(s string) string { return hex.EncodeToString([]byte(s)) }

// TestLdbPEOffsets checks EP±n, Sx+n, SEx, SL+n offsets, Target:1 and the
// EntryPoint and NumberOfSections conditions on generated PE files, under
// every chunking: the headers are parsed from the stream.
func TestLdbPEOffsets(t *testing.T) {
	pe, lay := testPE(t)
	if lay.Entry != lay.Raw[0]+16 {
		t.Fatalf("layout %+v", lay)
	}
	lines := []string{
		"EP;Target:1;0;EP+0:558bec",                                               // 1
		"EPShift;Target:1;0;EP+1,3:ec83ec",                                        // 2: starts at EP+2, within EP+1..EP+4
		"EPMinus;Target:1;0;EP-4:cccccccc558b",                                    // 3
		"EPWrong;Target:1;0;EP+1:558bec",                                          // 4: never
		"S1;Target:1;0;S1+0:" + hx("DATA:"),                                       // 5
		"S1Off;Target:1;0;S1+5:" + hx("config"),                                   // 6
		"S1Wrong;Target:1;0;S1+6:" + hx("config"),                                 // 7: never
		"SE2;Target:1;0;SE2:" + hx("payload-marker"),                              // 8
		"SE1;Target:1;0;SE1:" + hx("payload-marker"),                              // 9: never (in section 2)
		"SL;Target:1;0;SL+0:" + hx("RSRC"),                                        // 10
		"S9;Target:1;0;S9+0:" + hx("RSRC"),                                        // 11: no section 9
		"PEOnly;Target:1;0;" + hx("code body"),                                    // 12
		"AnyFile;Target:0;0;" + hx("code body"),                                   // 13
		"EPRange;Target:1,EntryPoint:512-1024;0;" + hx("code"),                    // 14: entry point at 528
		"EPRangeNo;Target:1,EntryPoint:0-500;0;" + hx("code"),                     // 15
		"Sects;Target:1,NumberOfSections:3-3;0;" + hx("code"),                     // 16
		"SectsNo;Target:1,NumberOfSections:1-2;0;" + hx("code"),                   // 17
		"Mixed;Target:1;0&1&2;EP+0:558bec;S1+0:" + hx("DATA") + ";*:" + hx("END"), // 18
		"Count;Target:1;0>1;" + hx("...."),                                        // 19: several "...."
		"EPGap;Target:1;0;EP+0:558bec{3-8}" + hx("code"),                          // 20
	}
	set := mustLDB(t, lines...)
	notPE := bytes.Clone(pe)
	copy(notPE, "XX")
	truncated := pe[:lay.HeaderEnd-10]
	truncated = append(truncated, pe[lay.HeaderEnd-10:lay.HeaderEnd-10]...)
	cases := []struct {
		name string
		data []byte
		want []int
	}{
		{"pe", pe, []int{1, 2, 3, 5, 6, 8, 10, 12, 13, 14, 16, 18, 19, 20}},
		{"not-pe", notPE, []int{13}},
		{"cut-in-section-table", truncated, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := ldbSIDs(set, tc.want)
			for name, ch := range chunkings(len(tc.data), testSeed) {
				got := hitSIDs(scan(set, FileData, anyCtx(), tc.data, ch, nil))
				if got != want {
					t.Fatalf("%s: matched %s (%s), want %s (%s)", name, got, ldbNames(set, got), want, ldbNames(set, want))
				}
			}
		})
	}
}

// TestLdbMatchBeforeHeaders puts the entry point inside the headers (in the
// DOS stub), so its subsignature occurs before the section table is parsed:
// the candidate waits and is replayed, whatever the chunking. The reported
// offset is the match end.
func TestLdbMatchBeforeHeaders(t *testing.T) {
	pe, lay := pcapgen.PEFile{Sections: []pcapgen.PESection{{Name: ".text", Data: []byte("text")}}, EntryRVA: 0x40}.Build()
	stub := "This program cannot be run"
	if !bytes.HasPrefix(pe[0x40:], []byte(stub)) || lay.Entry != 0x40 {
		t.Fatalf("stub not at the entry point")
	}
	set := mustLDB(t,
		"Stub;Target:1;0;EP+0:"+hx("This program")+"{1-9}"+hx("be run"),
		"StubCount;Target:1;0&1;EP+0:"+hx("This")+";"+hx("text"),
		"NotAtEP;Target:1;0;EP+1:"+hx("This"))
	want := fmt.Sprintf("%d@%d", set.Rules()[0].SID, 0x40+len(stub))
	for name, ch := range chunkings(len(pe), testSeed) {
		got := scan(set, FileData, anyCtx(), pe, ch, nil)
		if len(got) != 2 || !strings.Contains(strings.Join(got, " "), want) {
			t.Fatalf("%s: %v, want %s and StubCount", name, got, want)
		}
	}
}

// TestLdbDeferredBound fills the bytes before a far PE header with
// occurrences of a PE signature's pattern: at most maxDeferred wait, the
// rest are counted in Overflow, and nothing breaks.
func TestLdbDeferredBound(t *testing.T) {
	pe, _ := pcapgen.PEFile{Sections: []pcapgen.PESection{{Name: ".text", Data: []byte("text")}}, Lfanew: 0x8000}.Build()
	for i := 0x40; i+4 <= 0x8000; i += 4 {
		copy(pe[i:], "abab")
	}
	set := mustLDB(t, "Many;Target:1;0>3000;"+hx("ab"), "Some;Target:1;0>100;"+hx("ab"))
	sc := set.NewScanner(FileData, anyCtx())
	var got []Match
	for i := 0; i < len(pe); i += 100 {
		got = append(got, sc.Write(pe[i:min(i+100, len(pe))])...)
	}
	got = append(got, sc.End(FileFacts{Size: int64(len(pe))})...)
	if sc.Overflow == 0 {
		t.Errorf("no overflow counted for %d waiting candidates", 2*(0x8000-0x40)/4)
	}
	if len(sc.x.exe.waiting) != 0 {
		t.Errorf("%d candidates still kept after End", len(sc.x.exe.waiting))
	}
	if len(got) != 1 || got[0].Rule.Msg != "Some" {
		t.Errorf("matches %v, want Some only", got)
	}
}

// TestLdbMagicTargets checks targets decided by magic bytes.
func TestLdbMagicTargets(t *testing.T) {
	targets := map[int][]string{
		2:  {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"},
		5:  {"GIF89a", "\x89PNG\r\n\x1a\n", "\xff\xd8\xff\xe0"},
		6:  {"\x7fELF"},
		9:  {"\xcf\xfa\xed\xfe"},
		10: {"%PDF-1.7"},
		11: {"CWS"},
		12: {"\xca\xfe\xba\xbe"},
	}
	var lines []string
	for tg := range 13 {
		if _, ok := ldbTargets[tg]; ok {
			lines = append(lines, fmt.Sprintf("T%d;Target:%d;0;%s", tg, tg, hx("needle")))
		}
	}
	set := mustLDB(t, lines...)
	for tg, heads := range targets {
		for _, h := range heads {
			data := []byte(h + "..needle..")
			got := ldbNames(set, hitSIDs(scan(set, FileData, anyCtx(), data, []int{len(data)}, nil)))
			want := "T0 T7"
			switch {
			case tg == 12:
				want = "T0 T7 T9 T12" // CAFEBABE: Java class and Mach-O universal binary
			case tg < 7:
				want = fmt.Sprintf("T0 T%d T7", tg)
			default:
				want = fmt.Sprintf("T0 T7 T%d", tg)
			}
			if got != want {
				t.Errorf("%q: %s, want %s", h, got, want)
			}
		}
	}
	short := []byte("needle") // shorter than the magic: decided at End
	if got := ldbNames(set, hitSIDs(scan(set, FileData, anyCtx(), short, []int{3, 3}, nil))); got != "T0 T7" {
		t.Errorf("short file: %s", got)
	}
}

// TestLdbExplain locates each subsignature of a matched logical signature.
func TestLdbExplain(t *testing.T) {
	set := mustLDB(t, "Ex;Target:0;0&1;"+hx("ABC")+";EP+0:"+hx("XYZ")+"::i")
	r := set.Rules()[0]
	parts, located := r.Explain(FileDataBuffer, []byte("..ABC..xyz"), 100, 110)
	if !located || len(parts) != 2 {
		t.Fatalf("located %v, parts %+v", located, parts)
	}
	if parts[0].Start != 102 || parts[0].End != 105 || parts[1].Start != 107 || !strings.Contains(parts[1].Options, "subsig 1; offset EP+0; ::i (not checked here)") {
		t.Errorf("parts %+v", parts)
	}
}
