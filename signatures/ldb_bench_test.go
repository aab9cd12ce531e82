package signatures

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/wirescan/wirescan/internal/pcapgen"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// BenchmarkLdb streams a 4 MiB PE file (benign data in .text, a planted
// pattern at the entry point and two more in the data) through 3000
// logical signatures, a third anchored at the entry point, a third pairs of
// patterns, a third counted in section 0, and, as the baseline in the same
// run, through the same patterns as plain .ndb signatures. Each checks its
// match count.
func BenchmarkLdb(b *testing.B) {
	const n = 3000
	pats := sigtest.Patterns(77, n)
	body := sigtest.Benign(7, 4<<20)
	copy(body[1<<20:], pats[1])
	copy(body[3<<20:], pats[2])
	code := append(append([]byte(nil), pats[0]...), body...)
	pe, _ := pcapgen.PEFile{Sections: []pcapgen.PESection{{Name: ".text", Data: code}}}.Build()
	var ldb, ndb []*Rule
	for i, p := range pats {
		var line string
		switch i % 3 {
		case 0:
			line = fmt.Sprintf("L%d;Target:1;0;EP+0:%x", i, p)
		case 1:
			line = fmt.Sprintf("L%d;Target:0;0&1;%x;%x", i, p, pats[(i+1)%n])
		case 2:
			line = fmt.Sprintf("L%d;Target:1,NumberOfSections:1-4;0>1;S0+0,4096:%x", i, p)
		}
		r, err := parseLDB(line)
		if err != nil {
			b.Fatal(err)
		}
		ldb = append(ldb, r)
		r, err = parseNDB(fmt.Sprintf("N%d:0:*:%s", i, hex.EncodeToString(p)))
		if err != nil {
			b.Fatal(err)
		}
		ndb = append(ndb, r)
	}
	for _, tc := range []struct {
		name  string
		rules []*Rule
		want  int
	}{{"ndb", ndb, 3}, {"ldb", ldb, 2}} {
		b.Run(tc.name, func(b *testing.B) {
			s, err := Compile(tc.rules, Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(pe)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sc := s.NewScanner(FileData, &Context{})
				got := 0
				for off := 0; off < len(pe); off += 64 << 10 {
					got += len(sc.Write(pe[off:min(off+64<<10, len(pe))]))
				}
				got += len(sc.End(FileFacts{Size: int64(len(pe))}))
				if got != tc.want {
					b.Fatalf("%d matches, want %d", got, tc.want)
				}
			}
		})
	}
}
