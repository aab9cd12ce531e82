package signatures

import (
	"fmt"
	"testing"

	"github.com/wirescan/wirescan/signatures/sigtest"
)

// TestPerFileCostIndependentOfSetSize: starting a Scanner for a file and
// scanning benign data allocates the same with 10 and 10k file rules, plain
// and with a buffer condition each (no per-rule state per file), and so does
// a transaction with 10 and 10k transaction rules (allocation counts are
// deterministic; time is measured in bench/).
func TestPerFileCostIndependentOfSetSize(t *testing.T) {
	data := sigtest.Corpus(3, 64<<10)
	allocs := func(n int) (file, tx float64) {
		pats := sigtest.Patterns(uint64(n)+1, n)
		rules := sigtest.Rules(pats, 1)
		for i, p := range pats {
			rules = append(rules, fmt.Sprintf(`alert http any any -> any any (msg:"u%d"; http.uri; content:"/%x/"; sid:%d;)`, i, p[:4], 1000000+i),
				fmt.Sprintf(`alert http any any -> any any (msg:"f%d"; http.uri; content:"/%x/"; file_data; content:"%x"; sid:%d;)`, i, p[:4], p[:6], 2000000+i))
		}
		s := mustSet(t, Options{}, rules...)
		ctx := &Context{Proto: "http", Established: true, Filename: "a.bin", Buffers: testBuffers{"http.uri": "/index.html?q=1"}}
		file = testing.AllocsPerRun(20, func() {
			sc := s.NewScanner(FileData, ctx)
			for off := 0; off < len(data); off += 4096 {
				sc.Write(data[off : off+4096])
			}
			sc.End(FileFacts{Size: int64(len(data))})
		})
		txCtx := &Context{Proto: "http", ToServer: true, Established: true, Buffers: testBuffers{"http.uri": "/index.html?q=1"}}
		tx = testing.AllocsPerRun(20, func() { s.MatchTransaction(txCtx) })
		return file, tx
	}
	f10, t10 := allocs(10)
	f10k, t10k := allocs(10000)
	if f10k > f10 || t10k > t10 {
		t.Fatalf("allocations per file %v -> %v, per transaction %v -> %v from 10 to 10k rules", f10, f10k, t10, t10k)
	}
	t.Logf("allocations per file: %v (10 rules), %v (10k); per transaction: %v, %v", f10, f10k, t10, t10k)
}
