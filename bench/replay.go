package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/wirescan/wirescan/bench/corpus"
	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/internal/pcapgen"
	"github.com/wirescan/wirescan/signatures"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// ruleMode is one detection setting a capture is replayed with.
type ruleMode struct {
	name string
	set  *signatures.Set // nil: decode only (file extraction and hashing, no rules)
}

// replayModes returns decode-only, the built-in set and a generated set of n
// file_data rules (sigtest patterns, as the scan section uses).
func replayModes(n int) ([]ruleMode, error) {
	pats := sigtest.Patterns(uint64(n), n)
	rules := make([]*signatures.Rule, 0, n)
	for _, line := range sigtest.Rules(pats, 1) {
		r, err := signatures.ParseRule(line)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	gen, err := signatures.Compile(rules, signatures.Options{})
	if err != nil {
		return nil, err
	}
	return []ruleMode{{"decode only", nil}, {"built-in", signatures.Builtin()}, {fmt.Sprintf("%dk generated", n/1000), gen}}, nil
}

// replayRun is the outcome of one timed replay.
type replayRun struct {
	elapsed           time.Duration
	bytes, fileBytes  uint64
	files, alerts     uint64
	captureMB, fileMB float64
}

// replayOnce replays data (a pcap in memory) through a new engine writing
// alert and fileinfo events to nowhere.
func replayOnce(data []byte, set *signatures.Set, workers int) (replayRun, error) {
	cfg := engine.DefaultConfig()
	cfg.Workers = workers
	cfg.EventTypes = []string{"alert", "fileinfo"}
	src, err := capture.NewReader(bytes.NewReader(data), "bench", cfg.Capture)
	if err != nil {
		return replayRun{}, err
	}
	defer src.Close()
	eng, err := engine.New(cfg, set, eve.NewWriter(io.Discard))
	if err != nil {
		return replayRun{}, err
	}
	sum, err := eng.Run(context.Background(), src, nil)
	if err != nil {
		return replayRun{}, err
	}
	if sum.Files == 0 {
		return replayRun{}, fmt.Errorf("replay found no files")
	}
	secs := sum.Elapsed.Seconds()
	return replayRun{elapsed: sum.Elapsed, bytes: sum.Bytes, fileBytes: sum.FileBytes, files: sum.Files, alerts: sum.Alerts,
		captureMB: float64(sum.Bytes) / secs / 1e6, fileMB: float64(sum.FileBytes) / secs / 1e6}, nil
}

// replayCell is the median of the passes of one (capture, rules, workers).
type replayCell struct {
	runs []replayRun
}

// median returns the run with the median capture rate.
func (c *replayCell) median() replayRun {
	rs := slices.Clone(c.runs)
	slices.SortFunc(rs, func(a, b replayRun) int { return cmp.Compare(a.captureMB, b.captureMB) })
	return rs[len(rs)/2]
}

// measureCells replays each configuration count times, interleaving the
// configurations within each pass so that drift on a shared machine hits
// them alike, and checks that every configuration extracted the same files.
func measureCells(data []byte, modes []ruleMode, workers []int, count int) (map[[2]int]*replayCell, error) {
	cells := map[[2]int]*replayCell{}
	for range max(count, 1) {
		for mi, m := range modes {
			for wi, n := range workers {
				r, err := replayOnce(data, m.set, n)
				if err != nil {
					return nil, fmt.Errorf("%s, %d workers: %w", m.name, n, err)
				}
				k := [2]int{mi, wi}
				if cells[k] == nil {
					cells[k] = &replayCell{}
				}
				cells[k].runs = append(cells[k].runs, r)
				if first := cells[[2]int{0, 0}].runs[0]; r.files != first.files || r.fileBytes != first.fileBytes {
					return nil, fmt.Errorf("%s, %d workers: %d files (%d bytes), decode only found %d (%d bytes)",
						m.name, n, r.files, r.fileBytes, first.files, first.fileBytes)
				}
			}
		}
	}
	return cells, nil
}

// replaySection replays a synthetic HTTP+SMB2 mix with 1 to N workers.
type replaySection struct {
	bytes     int64
	count     int
	generated int
	workers   []int // worker counts measured; the first is the scaling baseline
}

func (*replaySection) Name() string {
	return "Replay throughput and worker scaling (synthetic HTTP+SMB2 mix)"
}

func (s *replaySection) Run(w io.Writer) error {
	var buf bytes.Buffer
	t0 := time.Now()
	if err := pcapgen.SyntheticMix(&buf, s.bytes, 1); err != nil {
		return err
	}
	gen := time.Since(t0)
	modes, err := replayModes(s.generated)
	if err != nil {
		return err
	}
	workers := s.workers
	if len(workers) == 0 {
		workers = []int{1, 2}
	}
	cells, err := measureCells(buf.Bytes(), modes, workers, s.count)
	if err != nil {
		return err
	}
	base := cells[[2]int{0, 0}].median()
	fmt.Fprintf(w, "Capture: pcapgen.SyntheticMix(%d MiB of files, seed 1): %.1f MB, %d files, %.1f MB of file data (generated in %s), replayed from memory. ",
		s.bytes>>20, float64(base.bytes)/1e6, base.files, float64(base.fileBytes)/1e6, fmtDur(gen))
	fmt.Fprintf(w, "Engine: default configuration, alert and fileinfo events to io.Discard. MB/s of capture bytes and of file bytes over the engine's elapsed time; ")
	fmt.Fprintf(w, "median of %d passes (configurations interleaved). \"vs decode only\" divides by decode-only (no rules: extraction and hashing) with the same workers; ", max(s.count, 1))
	fmt.Fprintf(w, "\"vs %d worker(s)\" divides the rate by the %d-worker rate of the same rules (the reader and decoder stay on one goroutine; %d logical CPUs).\n\n", workers[0], workers[0], runtime.NumCPU())
	fmt.Fprintf(w, "| rules | workers | capture MB/s | file MB/s | vs decode only | vs %d worker(s) | alerts |\n|---|---:|---:|---:|---:|---:|---:|\n", workers[0])
	for mi, m := range modes {
		for wi, n := range workers {
			r := cells[[2]int{mi, wi}].median()
			ref := cells[[2]int{0, wi}].median()
			scale := "—"
			if wi > 0 {
				scale = fmt.Sprintf("%.2fx", r.captureMB/cells[[2]int{mi, 0}].median().captureMB)
			}
			fmt.Fprintf(w, "| %s | %d | %.0f | %.0f | %.2fx | %s | %d |\n", m.name, n, r.captureMB, r.fileMB, r.captureMB/ref.captureMB, scale, r.alerts)
		}
	}
	fmt.Fprintf(w, "\nScaling, capture MB/s by workers:\n\n```\n")
	writeScalingChart(w, modes, workers, cells)
	fmt.Fprintf(w, "```\n")
	return nil
}

// writeScalingChart draws capture MB/s per worker count as text bars, one
// group per rule mode, scaled to the fastest cell.
func writeScalingChart(w io.Writer, modes []ruleMode, workers []int, cells map[[2]int]*replayCell) {
	const width = 48
	top := 0.0
	for mi := range modes {
		for wi := range workers {
			top = max(top, cells[[2]int{mi, wi}].median().captureMB)
		}
	}
	if top <= 0 {
		return
	}
	for mi, m := range modes {
		fmt.Fprintf(w, "%s\n", m.name)
		base := cells[[2]int{mi, 0}].median().captureMB
		for wi, n := range workers {
			r := cells[[2]int{mi, wi}].median().captureMB
			bar := strings.Repeat("#", int(r/top*width+0.5))
			fmt.Fprintf(w, "  %2d worker(s) %-*s %5.0f MB/s  %.2fx\n", n, width, bar, r, r/base)
		}
	}
}

// protoSection replays an HTTP-only and an SMB2-only capture with one worker
// and reports file throughput.
type protoSection struct {
	bytes     int64
	count     int
	generated int
}

func (*protoSection) Name() string {
	return "File throughput by protocol (HTTP only, SMB2 only, 1 worker)"
}

func (s *protoSection) Run(w io.Writer) error {
	modes, err := replayModes(s.generated)
	if err != nil {
		return err
	}
	var rows strings.Builder
	for _, proto := range []string{"http", "smb"} {
		data, err := protoCapture(proto, s.bytes, 2)
		if err != nil {
			return err
		}
		cells, err := measureCells(data, modes, []int{1}, s.count)
		if err != nil {
			return fmt.Errorf("%s: %w", proto, err)
		}
		base := cells[[2]int{0, 0}].median()
		for mi, m := range modes {
			r := cells[[2]int{mi, 0}].median()
			fmt.Fprintf(&rows, "| %s | %.1f MB, %d files | %s | %.0f | %.0f | %.2fx |\n", strings.ToUpper(proto),
				float64(r.bytes)/1e6, r.files, m.name, r.captureMB, r.fileMB, r.fileMB/base.fileMB)
		}
	}
	fmt.Fprintf(w, "Captures: %d MiB of files each, 1–3 files (64 KiB–2 MiB, random, text or executable-like) per connection: "+
		"HTTP/1.1 keep-alive downloads with Content-Length; SMB 2.1 sessions alternating READs and WRITEs in 64 KiB chunks. ", s.bytes>>20)
	fmt.Fprintf(w, "One worker, median of %d passes; \"vs decode only\" divides file MB/s by decode-only on the same capture in the same run.\n\n", max(s.count, 1))
	fmt.Fprintf(w, "| protocol | capture | rules | capture MB/s | file MB/s | vs decode only |\n|---|---|---|---:|---:|---:|\n%s", rows.String())
	return nil
}

// protoCapture writes an in-memory capture of benign transfers over one
// protocol ("http" or "smb") whose files add up to at least total bytes.
func protoCapture(proto string, total int64, seed uint64) ([]byte, error) {
	var buf bytes.Buffer
	err := corpus.Capture(&buf, proto, total, seed)
	return buf.Bytes(), err
}
