package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/signatures"
)

// benchMaxCapture bounds the capture bytes bench holds in memory (the -r
// files together).
const benchMaxCapture = 4 << 30

// benchReport is what `wirescan bench` measures; --json prints it as is.
type benchReport struct {
	Rules      benchRules   `json:"rules"`
	Capture    benchCapture `json:"capture"`
	Workers    int          `json:"workers"`
	Passes     int          `json:"passes"`
	DecodeOnly benchRun     `json:"decode_only"`
	WithRules  benchRun     `json:"with_rules"`
	// Ratio is the with-rules rate over the decode-only rate (capture and
	// file bytes give the same ratio: same capture, same files).
	Ratio     float64     `json:"ratio"`
	Hits      []benchHit  `json:"hits"`
	Costliest []benchCost `json:"costliest"`
}

type benchRules struct {
	Files          []string `json:"files"` // empty: the built-in set
	Rules          int      `json:"rules"`
	Patterns       int      `json:"patterns"`
	States         int      `json:"states"`
	MemoryBytes    int64    `json:"memory_bytes"`
	HeapDeltaBytes int64    `json:"heap_delta_bytes"`
	LoadSeconds    float64  `json:"load_seconds"`
	CompileSeconds float64  `json:"compile_seconds"`
	// Cached is true when the set was read from the rules cache (then
	// CompileSeconds is the time reading it took).
	Cached   bool `json:"cached"`
	Warnings int  `json:"warnings"`
}

type benchCapture struct {
	Files     []string `json:"files"`
	Bytes     uint64   `json:"bytes"`
	Packets   uint64   `json:"packets"`
	FileCount uint64   `json:"file_count"`
	FileBytes uint64   `json:"file_bytes"`
}

type benchRun struct {
	Seconds     float64 `json:"seconds"`
	CaptureMBps float64 `json:"capture_mb_per_s"`
	FileMBps    float64 `json:"file_mb_per_s"`
	Alerts      uint64  `json:"alerts"`
}

type benchHit struct {
	SID  int    `json:"sid"`
	Msg  string `json:"msg"`
	Hits uint64 `json:"hits"`
}

type benchCost struct {
	SID           int     `json:"sid"`
	Msg           string  `json:"msg"`
	Seconds       float64 `json:"seconds"`
	Candidates    uint64  `json:"candidates"`
	Verifications uint64  `json:"verifications"`
	Matches       uint64  `json:"matches"`
}

func cmdBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var (
		cf      configFlags
		reads   multiFlag
		asJSON  bool
		workers int
		passes  int
		top     int
	)
	cf.register(fs)
	fs.Var(&reads, "r", "capture `file` to replay (pcap or pcapng), read into memory first; repeatable; required")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.IntVar(&workers, "workers", 1, "worker goroutines")
	fs.IntVar(&passes, "count", 1, "timed passes of each replay (the fastest is reported)")
	fs.IntVar(&top, "top", 10, "how many of the costliest rules to list")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: wirescan bench [-S RULES...] -r CAPTURE [-r CAPTURE...] [--json] [--workers N]\n\n"+
			"Measures a signature set: load time and memory, replay throughput with and without it\n"+
			"(same capture, same run), hits per rule and the rules that cost the most.\n"+
			"A synthetic capture of benign HTTP and SMB2 transfers: go run ./bench/cmd/mix -o mix.pcap\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("bench: unexpected argument %q", fs.Arg(0))
	case workers < 1 || passes < 1 || top < 0:
		return usagef("bench: --workers and --count must be at least 1, --top at least 0")
	case len(reads) == 0:
		return usagef("bench: no capture: give -r CAPTURE (a synthetic one: go run ./bench/cmd/mix -o mix.pcap [-mb 64])")
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	cfg.Workers = workers
	cfg.FileStore.Dir = "" // measure detection, not disk writes

	rep := &benchReport{Workers: workers, Passes: passes, Hits: []benchHit{}, Costliest: []benchCost{}}
	set, err := benchLoad(cf.rules, cf.ruleLoader(), stderr, &rep.Rules)
	if err != nil {
		return err
	}
	names, bufs, err := benchCaptures(reads, cfg.Capture, &rep.Capture)
	if err != nil {
		return err
	}

	src := func() capture.Source { return &memSource{names: names, bufs: bufs, opts: cfg.Capture} }
	warn := func(e error) { fmt.Fprintf(stderr, "wirescan: warning: %v\n", e) }
	var hits map[int]uint64
	for i := range passes {
		// Interleaved, so that drift on a busy machine hits both alike; only
		// the first pass reports capture damage.
		if i > 0 {
			warn = nil
		}
		base, _, err := benchReplay(cfg, nil, src(), warn, false)
		if err != nil {
			return err
		}
		rep.DecodeOnly = fastest(rep.DecodeOnly, base.run)
		rep.Capture.Bytes, rep.Capture.Packets = base.sum.Bytes, base.sum.Packets
		rep.Capture.FileCount, rep.Capture.FileBytes = base.sum.Files, base.sum.FileBytes
		with, eng, err := benchReplay(cfg, set, src(), nil, false)
		if err != nil {
			return err
		}
		rep.WithRules = fastest(rep.WithRules, with.run)
		hits = eng.Snapshot().AlertsBySID
	}
	if rep.DecodeOnly.CaptureMBps > 0 {
		rep.Ratio = rep.WithRules.CaptureMBps / rep.DecodeOnly.CaptureMBps
	}
	bySID := map[int]*signatures.Rule{}
	for _, r := range set.Rules() {
		bySID[r.SID] = r
	}
	for sid, n := range hits {
		h := benchHit{SID: sid, Hits: n}
		if r := bySID[sid]; r != nil {
			h.Msg = r.Msg
		}
		rep.Hits = append(rep.Hits, h)
	}
	slices.SortFunc(rep.Hits, func(a, b benchHit) int {
		if a.Hits != b.Hits {
			return cmp.Compare(b.Hits, a.Hits)
		}
		return cmp.Compare(a.SID, b.SID)
	})

	// Profiling costs time per candidate, so it gets a pass of its own.
	_, eng, err := benchReplay(cfg, set, src(), nil, true)
	if err != nil {
		return err
	}
	for _, c := range eng.Profile().Costs() {
		if len(rep.Costliest) == top {
			break
		}
		rep.Costliest = append(rep.Costliest, benchCost{SID: c.Rule.SID, Msg: c.Rule.Msg, Seconds: time.Duration(c.Nanos).Seconds(),
			Candidates: c.Candidates, Verifications: c.Verifications, Matches: c.Matches})
	}

	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.writeText(stdout)
}

// benchLoad loads the rule files (or the built-in set), timing the load and
// the heap it leaves behind.
func benchLoad(paths []string, l ruleLoader, stderr io.Writer, out *benchRules) (*signatures.Set, error) {
	out.Files = append([]string{}, paths...)
	h0 := liveHeap()
	t0 := time.Now()
	set := signatures.Builtin()
	if len(paths) > 0 {
		var warns []signatures.Warning
		var err error
		set, warns, err = l.load(paths, stderr)
		for _, w := range warns {
			fmt.Fprintf(stderr, "wirescan: warning: %s\n", w)
			// The last warning may summarise those over Options.MaxWarnings.
			var more int
			if _, perr := fmt.Sscanf(w.Msg, "%d more warnings suppressed", &more); perr == nil && w.File == "" {
				out.Warnings += more
			} else {
				out.Warnings++
			}
		}
		if err != nil {
			return nil, err
		}
	}
	out.LoadSeconds = time.Since(t0).Seconds()
	out.HeapDeltaBytes = max(liveHeap()-h0, 0) // below zero is garbage collected meanwhile
	runtime.KeepAlive(set)
	st := set.Stats()
	out.Rules, out.Patterns, out.States, out.MemoryBytes = st.Rules, st.Patterns, st.States, st.MemoryBytes
	out.CompileSeconds = st.CompileTime.Seconds()
	out.Cached = st.Cached
	return set, nil
}

// liveHeap returns the live heap after a collection.
func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// benchCaptures reads the -r files into memory (checking each is a
// capture), so disk speed doesn't count.
func benchCaptures(paths []string, opts capture.Options, out *benchCapture) (names []string, bufs [][]byte, err error) {
	out.Files = append([]string{}, paths...)
	left := int64(benchMaxCapture)
	for _, p := range paths {
		data, err := readBounded(p, left)
		if err != nil {
			return nil, nil, err
		}
		left -= int64(len(data))
		if _, err := capture.NewReader(bytes.NewReader(data), p, opts); err != nil {
			return nil, nil, err
		}
		names, bufs = append(names, p), append(bufs, data)
	}
	return names, bufs, nil
}

// readBounded reads a whole file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: the captures exceed %d MiB, bench's in-memory limit; cut them (editcap -c)", path, benchMaxCapture>>20)
	}
	return data, nil
}

// memSource reads in-memory captures one after the other as one capture.
type memSource struct {
	names []string
	bufs  [][]byte
	opts  capture.Options
	cur   capture.Source
}

func (m *memSource) Next() (capture.Packet, error) {
	for {
		if m.cur == nil {
			if len(m.bufs) == 0 {
				return capture.Packet{}, io.EOF
			}
			src, err := capture.NewReader(bytes.NewReader(m.bufs[0]), m.names[0], m.opts)
			m.names, m.bufs = m.names[1:], m.bufs[1:]
			if err != nil {
				return capture.Packet{}, err
			}
			m.cur = src
		}
		p, err := m.cur.Next()
		if !errors.Is(err, io.EOF) {
			return p, err
		}
		m.cur.Close()
		m.cur = nil
	}
}

func (m *memSource) Close() error {
	m.bufs = nil
	if m.cur != nil {
		return m.cur.Close()
	}
	return nil
}

// benchResult is one replay.
type benchResult struct {
	sum engine.Summary
	run benchRun
}

// benchReplay replays src once through a new engine whose events go nowhere.
func benchReplay(cfg engine.Config, set *signatures.Set, src capture.Source, warn func(error), profile bool) (benchResult, *engine.Engine, error) {
	defer src.Close()
	eng, err := engine.New(cfg, set, eve.NewWriter(io.Discard))
	if err != nil {
		return benchResult{}, nil, err
	}
	if profile {
		eng.EnableProfile()
	}
	sum, err := eng.Run(context.Background(), src, warn)
	if err != nil && sum.Packets == 0 {
		return benchResult{}, nil, err
	}
	r := benchResult{sum: sum, run: benchRun{Seconds: sum.Elapsed.Seconds(), Alerts: sum.Alerts}}
	if secs := sum.Elapsed.Seconds(); secs > 0 {
		r.run.CaptureMBps = float64(sum.Bytes) / secs / 1e6
		r.run.FileMBps = float64(sum.FileBytes) / secs / 1e6
	}
	return r, eng, nil
}

// fastest keeps the faster of two passes (a zero run is no pass yet).
func fastest(a, b benchRun) benchRun {
	if a.Seconds == 0 || (b.Seconds > 0 && b.Seconds < a.Seconds) {
		return b
	}
	return a
}

func (rep *benchReport) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	r := rep.Rules
	src := "built-in set"
	if len(r.Files) > 0 {
		src = strings.Join(r.Files, ", ")
	}
	fmt.Fprintf(tw, "rules:\t%s: %d rules, %d patterns, %d states, matcher %.1f MiB, heap +%.1f MiB\n",
		src, r.Rules, r.Patterns, r.States, mibf(r.MemoryBytes), mibf(r.HeapDeltaBytes))
	how := "compile"
	if r.Cached {
		how = "read from the rules cache"
	}
	fmt.Fprintf(tw, "\tloaded in %s (%s %s), %d warnings\n", secs(r.LoadSeconds), how, secs(r.CompileSeconds), r.Warnings)
	c := rep.Capture
	src = strings.Join(c.Files, ", ")
	fmt.Fprintf(tw, "capture:\t%s: %.1f MB, %d packets, %d files, %.1f MB of file data\n",
		src, float64(c.Bytes)/1e6, c.Packets, c.FileCount, float64(c.FileBytes)/1e6)
	fmt.Fprintf(tw, "replay:\t%d worker(s), fastest of %d pass(es), from memory\n\n", rep.Workers, rep.Passes)
	fmt.Fprintf(tw, "\tseconds\tcapture MB/s\tfile MB/s\talerts\n")
	for _, row := range []struct {
		name string
		r    benchRun
	}{{"decode only", rep.DecodeOnly}, {"with rules", rep.WithRules}} {
		fmt.Fprintf(tw, "%s\t%.3f\t%.1f\t%.1f\t%d\n", row.name, row.r.Seconds, row.r.CaptureMBps, row.r.FileMBps, row.r.Alerts)
	}
	fmt.Fprintf(tw, "ratio\t\t%.2fx\t%.2fx\t\n\n", rep.Ratio, rep.Ratio)
	if err := tw.Flush(); err != nil {
		return err
	}

	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "hits per rule:\n")
	if len(rep.Hits) == 0 {
		fmt.Fprintf(w, "  none\n")
	} else {
		fmt.Fprintf(tw, "sid\thits\t  msg\n")
		for _, h := range rep.Hits {
			fmt.Fprintf(tw, "%d\t%d\t  %s\n", h.SID, h.Hits, h.Msg)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\ncostliest rules (a profiled pass of its own; time spent on each rule's candidates, not the automaton walk):\n")
	if len(rep.Costliest) == 0 {
		fmt.Fprintf(w, "  none: no rule had a candidate\n")
		return nil
	}
	fmt.Fprintf(tw, "sid\ttime\tcandidates\tverifications\tmatches\t  msg\n")
	for _, k := range rep.Costliest {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t  %s\n", k.SID, secs(k.Seconds), k.Candidates, k.Verifications, k.Matches, k.Msg)
	}
	return tw.Flush()
}

func mibf(b int64) float64 { return float64(b) / (1 << 20) }

// secs formats seconds as a rounded duration.
func secs(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond / 10).String()
}
