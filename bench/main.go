// Command bench measures wirescan's signature matcher against
// cloudflare/ahocorasick and a naive reference on generated AV-like pattern sets
// and corpora (fixed seeds, no third-party rule files), checks that every engine
// finds the same patterns, and writes a markdown report.
//
//	go run ./bench [-out bench/results/latest.md] [-only scan,replay,proto,e2e] [-sets 1000,10000,100000] [-bytes 16777216] [-count 3] [-bin bin/wirescan]
//
// The report is a list of named sections; each Section writes its own markdown.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Section is one part of the report.
type Section interface {
	Name() string
	// Run measures and writes the section's markdown body to w. An error (such as
	// engines disagreeing on a match count) fails the whole run.
	Run(w io.Writer) error
}

func main() {
	out := flag.String("out", "bench/results/latest.md", "markdown report path")
	sets := flag.String("sets", "1000,10000,100000", "comma-separated pattern-set sizes")
	size := flag.Int("bytes", 16<<20, "bytes per corpus")
	count := flag.Int("count", 3, "timed passes per engine and corpus (the best and median are reported)")
	cfMax := flag.Int("cloudflare-max", 10000, "largest set measured with cloudflare/ahocorasick (100k needs ~8 GB)")
	write := flag.Int("write", 64<<10, "bytes per Scanner.Write")
	replayMiB := flag.Int64("replay-mib", 128, "MiB of files in the replay sections' synthetic mix (the per-protocol captures get half)")
	bin := flag.String("bin", "bin/wirescan", "wirescan binary for the end-to-end section (empty: skip it)")
	e2eMiB := flag.Int64("e2e-mib", 20, "MiB of files in the end-to-end section's SMB capture")
	e2eSets := flag.String("e2e-sets", "1,10000,100000,10000ndb,100000ndb", "end-to-end rule sets: counts, \"ndb\" suffix for ClamAV signatures; the first is the baseline")
	e2eCount := flag.Int("e2e-count", 5, "runs per end-to-end cell (medians are reported)")
	workersFlag := flag.String("workers", "1,2", "comma-separated worker counts for the scaling section; the first is the baseline")
	only := flag.String("only", "", "comma-separated sections to run (scan, replay, proto, e2e; empty: all)")
	flag.Parse()
	var workerCounts []int
	for _, f := range strings.Split(*workersFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "bench: -workers %q: want counts of at least 1\n", *workersFlag)
			os.Exit(2)
		}
		workerCounts = append(workerCounts, n)
	}

	var sizes []int
	for _, f := range strings.Split(*sets, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bench: bad -sets entry %q\n", f)
			os.Exit(2)
		}
		sizes = append(sizes, n)
	}
	var e2e []e2eSet
	for _, f := range strings.Split(*e2eSets, ",") {
		set := e2eSet{format: "rules"}
		f = strings.TrimSpace(f)
		if n, ok := strings.CutSuffix(f, "ndb"); ok {
			set.format, f = "ndb", n
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bench: bad -e2e-sets entry %q\n", f)
			os.Exit(2)
		}
		set.n = n
		e2e = append(e2e, set)
	}
	byKey := map[string]Section{
		"scan":   &scanSection{sizes: sizes, bytes: *size, count: *count, cfMax: *cfMax, write: *write},
		"replay": &replaySection{bytes: *replayMiB << 20, count: *count, generated: 10000, workers: workerCounts},
		"proto":  &protoSection{bytes: *replayMiB << 19, count: *count, generated: 10000},
	}
	keys := []string{"scan", "replay", "proto"}
	if *bin != "" {
		byKey["e2e"] = &e2eSection{bin: *bin, mib: *e2eMiB, count: *e2eCount, sets: e2e}
		keys = append(keys, "e2e")
	}
	if *only != "" {
		keys = strings.Split(*only, ",")
	}
	sections := []Section{machine{}}
	for _, k := range keys {
		sec, ok := byKey[strings.TrimSpace(k)]
		if !ok {
			fmt.Fprintf(os.Stderr, "bench: -only %q: no section %q (want scan, replay, proto or e2e; e2e needs -bin)\n", *only, k)
			os.Exit(2)
		}
		sections = append(sections, sec)
	}
	if err := run(sections, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run executes the sections in order, printing and writing the report.
func run(sections []Section, out string) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# wirescan benchmarks\n\n")
	for _, s := range sections {
		fmt.Fprintf(os.Stderr, "bench: %s...\n", s.Name())
		var body bytes.Buffer
		if err := s.Run(&body); err != nil {
			return fmt.Errorf("%s: %w", s.Name(), err)
		}
		fmt.Fprintf(&buf, "## %s\n\n%s\n", s.Name(), body.Bytes())
	}
	os.Stdout.Write(buf.Bytes())
	if out == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// machine notes the hardware and runtime the numbers come from.
type machine struct{}

func (machine) Name() string { return "Machine" }

func (machine) Run(w io.Writer) error {
	cpu := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	fmt.Fprintf(w, "- date: %s\n- CPU: %s (%d logical CPUs)\n- GOMAXPROCS: %d, %s %s/%s\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0),
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "- scans run on one goroutine: MB/s is per core (MB = 10^6 bytes)\n")
	return nil
}
