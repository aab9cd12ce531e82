package main

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"

	"github.com/cloudflare/ahocorasick"
	"github.com/wirescan/wirescan/signatures"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// scanSection measures compile cost and scan throughput of generated file_data
// rule sets over a benign corpus and the same corpus with 1 % of its bytes in
// planted pattern occurrences.
type scanSection struct {
	sizes []int
	bytes int
	count int
	cfMax int
	write int
}

func (*scanSection) Name() string { return "Multi-pattern scan (generated AV-like sets)" }

// result is one engine on one corpus.
type result struct {
	best, median float64 // MB/s
	matches      int
}

func (s *scanSection) Run(w io.Writer) error {
	benign := sigtest.Corpus(7, s.bytes)
	var build, scan bytes.Buffer
	fmt.Fprintf(&build, "| patterns | parse | compile | Stats().MemoryBytes | heap delta | states | cloudflare build | cloudflare heap |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&scan, "| patterns | corpus | wirescan MB/s (best / median) | cloudflare MB/s (best / median) | wirescan / cloudflare | matched patterns |\n|---:|---|---:|---:|---:|---:|\n")
	for _, n := range s.sizes {
		pats := sigtest.Patterns(uint64(n), n)
		t0 := time.Now()
		var rules []*signatures.Rule
		for _, line := range sigtest.Rules(pats, 1) {
			r, err := signatures.ParseRule(line)
			if err != nil {
				return err
			}
			rules = append(rules, r)
		}
		parse := time.Since(t0)
		h0 := heap()
		set, err := signatures.Compile(rules, signatures.Options{})
		if err != nil {
			return err
		}
		st := set.Stats()
		setHeap := heap() - h0

		corpora := []struct {
			name string
			data []byte
			want int
		}{{"benign", benign, 0}, {"1% matches", sigtest.WithMatches(8, benign, pats, 0.01), 0}}
		ws := make([]result, len(corpora))
		for i := range corpora {
			c := &corpora[i]
			c.want = naiveCount(pats, c.data)
			ws[i] = s.measure(c.data, func(d []byte) int { return wirescanCount(set, d, s.write) })
			if ws[i].matches != c.want {
				return fmt.Errorf("%d patterns, %s: wirescan matched %d patterns, naive reference %d", n, c.name, ws[i].matches, c.want)
			}
		}
		runtime.KeepAlive(set)

		// cloudflare is built after the Set is dropped, so neither engine's heap
		// makes the garbage collector steal time from the other's measurement.
		cfBuild, cfHeap := "skipped", "—"
		cfs := make([]*result, len(corpora))
		if n <= s.cfMax {
			h0 = heap()
			t0 = time.Now()
			cf := ahocorasick.NewMatcher(pats)
			cfBuild = fmtDur(time.Since(t0))
			cfHeap = mib(heap() - h0)
			for i, c := range corpora {
				r := s.measure(c.data, func(d []byte) int { return len(cf.Match(d)) })
				if r.matches != c.want {
					return fmt.Errorf("%d patterns, %s: cloudflare matched %d patterns, naive reference %d", n, c.name, r.matches, c.want)
				}
				cfs[i] = &r
			}
		}
		fmt.Fprintf(&build, "| %d | %s | %s | %s | %s | %d | %s | %s |\n", n, fmtDur(parse), fmtDur(st.CompileTime),
			mib(st.MemoryBytes), mib(setHeap), st.States, cfBuild, cfHeap)
		for i, c := range corpora {
			cfCol, ratio := fmt.Sprintf("skipped (> %d patterns)", s.cfMax), "—"
			if r := cfs[i]; r != nil {
				cfCol = fmt.Sprintf("%.0f / %.0f", r.best, r.median)
				ratio = fmt.Sprintf("%.1fx", ws[i].median/r.median)
			}
			fmt.Fprintf(&scan, "| %d | %s | %.0f / %.0f | %s | %s | %d |\n", n, c.name, ws[i].best, ws[i].median, cfCol, ratio, c.want)
		}
	}
	fmt.Fprintf(w, "Patterns: sigtest.Patterns (6–64 bytes, half binary, half ASCII), one case-sensitive file_data rule each. ")
	fmt.Fprintf(w, "Corpus: %d bytes of sigtest.Corpus (random blocks, English-like text, executable-like blocks); ", s.bytes)
	fmt.Fprintf(w, "\"1%% matches\" plants whole patterns over 1 %% of its bytes. wirescan streams %d-byte Writes; cloudflare matches the whole buffer. ", s.write)
	fmt.Fprintf(w, "Every engine's count of matched patterns is checked against a naive reference (the run fails on a difference). ")
	fmt.Fprintf(w, "%d timed passes per cell; the ratio uses medians.\n\n", s.count)
	fmt.Fprintf(w, "%s\n%s", build.Bytes(), scan.Bytes())
	return nil
}

// measure times count passes of f over data.
func (s *scanSection) measure(data []byte, f func([]byte) int) result {
	var rates []float64
	r := result{}
	for i := 0; i < max(s.count, 1); i++ {
		t0 := time.Now()
		r.matches = f(data)
		rates = append(rates, float64(len(data))/time.Since(t0).Seconds()/1e6)
	}
	slices.Sort(rates)
	r.best, r.median = rates[len(rates)-1], rates[len(rates)/2]
	return r
}

// wirescanCount streams data through a new Scanner and counts matched rules.
func wirescanCount(set *signatures.Set, data []byte, write int) int {
	sc := set.NewScanner(signatures.FileData, &signatures.Context{})
	n := 0
	for off := 0; off < len(data); off += write {
		n += len(sc.Write(data[off:min(off+write, len(data))]))
	}
	return n + len(sc.End(signatures.FileFacts{Size: int64(len(data)), Complete: true}))
}

// naiveCount is the reference: the number of distinct patterns occurring in data,
// found by indexing patterns on their first bytes and comparing at every offset.
func naiveCount(pats [][]byte, data []byte) int {
	k := 8
	for _, p := range pats {
		k = min(k, len(p))
	}
	key := func(b []byte) uint64 {
		var v uint64
		for _, c := range b[:k] {
			v = v<<8 | uint64(c)
		}
		return v
	}
	idx := map[uint64][]int{}
	for i, p := range pats {
		idx[key(p)] = append(idx[key(p)], i)
	}
	seen := make([]bool, len(pats))
	n := 0
	for i := 0; i+k <= len(data); i++ {
		for _, id := range idx[key(data[i:])] {
			if !seen[id] && bytes.HasPrefix(data[i:], pats[id]) {
				seen[id] = true
				n++
			}
		}
	}
	return n
}

// heap returns the live heap after a collection.
func heap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func fmtDur(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}
