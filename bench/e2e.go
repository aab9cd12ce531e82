package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/wirescan/wirescan/bench/corpus"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// e2eSection runs the wirescan binary on one capture with rule sets of
// growing size, as a user does (process start, rule load, replay), and
// reports wall and CPU time against a one-rule set in the same run, for a
// cold load (empty rules cache: parse, compile, write the entry) and a warm
// one (read from the cache), with peak RSS.
type e2eSection struct {
	bin    string
	mib    int64
	count  int
	sets   []e2eSet
	keep   string // directory for the generated files ("" : a temp dir, removed)
	result []e2eRow
}

// e2eSet is one rule set: n generated literals as Suricata rules or ClamAV
// body signatures.
type e2eSet struct {
	n      int
	format string // "rules" or "ndb"
}

func (s e2eSet) name() string {
	if s.n == 1 {
		return "1 rule"
	}
	return fmt.Sprintf("%dk %s", s.n/1000, map[string]string{"rules": "rules", "ndb": ".ndb sigs"}[s.format])
}

// e2eRun is one process run.
type e2eRun struct {
	wall, cpu time.Duration
	rssKiB    int64
}

// e2eRow is the medians of one rule set, cold and warm: replays, and the
// load alone (`wirescan rules check`: start, load, exit).
type e2eRow struct {
	set                e2eSet
	cold, warm         e2eRun
	loadCold, loadWarm e2eRun
}

func (*e2eSection) Name() string {
	return "End to end: rule set size (one worker, load included)"
}

// writeSet writes set s into dir and returns its path.
func writeSet(dir string, s e2eSet) (string, error) {
	pats := sigtest.Patterns(uint64(max(s.n, 2)), s.n)
	path := filepath.Join(dir, fmt.Sprintf("gen%d.%s", s.n, s.format))
	var b strings.Builder
	switch s.format {
	case "rules":
		for _, l := range sigtest.Rules(pats, 1) {
			b.WriteString(l + "\n")
		}
	case "ndb":
		for i, p := range pats {
			fmt.Fprintf(&b, "Bench.Gen.%d:0:*:%x\n", i, p)
		}
	}
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

// runOnce runs the binary once and measures it. Peak RSS comes from
// /usr/bin/time when installed: the rusage of a child this (large) process
// starts counts the parent's image the child was forked from.
func runOnce(bin string, args ...string) (e2eRun, error) {
	name, argv := bin, args
	timeBin := "/usr/bin/time"
	useTime := false
	if _, err := os.Stat(timeBin); err == nil {
		name, argv, useTime = timeBin, append([]string{"-f", "maxrss=%M", bin}, args...), true
	}
	cmd := exec.Command(name, argv...)
	cmd.Stdout = io.Discard
	var errb bytes.Buffer
	cmd.Stderr = &errb
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return e2eRun{}, fmt.Errorf("%s %s: %w: %s", bin, strings.Join(args, " "), err, errb.String())
	}
	r := e2eRun{wall: time.Since(t0), cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if useTime {
		out := errb.String()
		if i := strings.LastIndex(out, "maxrss="); i >= 0 {
			fmt.Sscanf(out[i:], "maxrss=%d", &r.rssKiB)
		}
	} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rssKiB = ru.Maxrss
	}
	return r, nil
}

// medianRun returns the median wall, CPU and RSS of runs, each taken on its own.
func medianRun(runs []e2eRun) e2eRun {
	med := func(f func(e2eRun) int64) int64 {
		v := make([]int64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return e2eRun{wall: time.Duration(med(func(r e2eRun) int64 { return int64(r.wall) })),
		cpu:    time.Duration(med(func(r e2eRun) int64 { return int64(r.cpu) })),
		rssKiB: med(func(r e2eRun) int64 { return r.rssKiB })}
}

func (s *e2eSection) Run(w io.Writer) error {
	if _, err := os.Stat(s.bin); err != nil {
		return fmt.Errorf("wirescan binary: %w (make bench builds it)", err)
	}
	dir := s.keep
	if dir == "" {
		d, err := os.MkdirTemp("", "wirescan-e2e-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	capPath := filepath.Join(dir, "smb-read.pcap")
	err := corpus.WriteFile(capPath, func(w *bufio.Writer) error { return corpus.Capture(w, "smb-read", s.mib<<20, 1) })
	if err != nil {
		return err
	}
	fi, _ := os.Stat(capPath)
	paths := make([]string, len(s.sets))
	for i, set := range s.sets {
		if paths[i], err = writeSet(dir, set); err != nil {
			return err
		}
	}
	replay := func(i int, cache string) (e2eRun, error) {
		return runOnce(s.bin, "replay", "-q", "-r", capPath, "-S", paths[i], "--rules-cache", cache)
	}
	check := func(i int, cache string) (e2eRun, error) {
		return runOnce(s.bin, "rules", "check", "--rules-cache", cache, paths[i])
	}
	cold := make([][]e2eRun, len(s.sets))
	warm := make([][]e2eRun, len(s.sets))
	loadCold := make([][]e2eRun, len(s.sets))
	loadWarm := make([][]e2eRun, len(s.sets))
	warmDir := filepath.Join(dir, "cache")
	for i := range s.sets { // fill the warm cache
		if _, err := replay(i, warmDir); err != nil {
			return err
		}
	}
	// Interleaved passes: drift on a shared machine hits every set alike.
	for pass := range max(s.count, 1) {
		for i := range s.sets {
			coldDir := filepath.Join(dir, fmt.Sprintf("cold-%d-%d", pass, i))
			r, err := replay(i, coldDir)
			if err != nil {
				return err
			}
			os.RemoveAll(coldDir)
			cold[i] = append(cold[i], r)
			if r, err = replay(i, warmDir); err != nil {
				return err
			}
			warm[i] = append(warm[i], r)
			if r, err = check(i, coldDir); err != nil {
				return err
			}
			os.RemoveAll(coldDir)
			loadCold[i] = append(loadCold[i], r)
			if r, err = check(i, warmDir); err != nil {
				return err
			}
			loadWarm[i] = append(loadWarm[i], r)
		}
	}
	s.result = nil
	for i, set := range s.sets {
		s.result = append(s.result, e2eRow{set: set, cold: medianRun(cold[i]), warm: medianRun(warm[i]),
			loadCold: medianRun(loadCold[i]), loadWarm: medianRun(loadWarm[i])})
	}
	base := s.result[0].warm
	fmt.Fprintf(w, "Capture: bench/corpus.Capture(\"smb-read\", %d MiB, seed 1): SMB 2.1 downloads, %.1f MB. ", s.mib, float64(fi.Size())/1e6)
	fmt.Fprintf(w, "Rule sets: sigtest.Patterns literals (6–64 bytes, half binary) as `alert file ... file_data; content:\"|..|\";` rules or ClamAV `.ndb` body signatures. ")
	fmt.Fprintf(w, "Each cell is the median of %d runs of `%s replay -q -r CAPTURE -S SET --rules-cache DIR` (a new process, one worker, events to /dev/null), sets interleaved; ", max(s.count, 1), filepath.Base(s.bin))
	fmt.Fprintf(w, "cold: an empty cache directory (parse, compile, write the entry); warm: the entry is read. CPU is user+system time; ratios divide by the 1-rule warm run of the same pass set. ")
	fmt.Fprintf(w, "On a shared machine wall time carries other jobs' load; CPU time is the steadier figure. ")
	fmt.Fprintf(w, "Two measures of the warm load against the cold one: the replay's CPU minus the 1-rule replay's (this counts the larger set's slower scan as load too), and the load alone: `%s rules check --rules-cache DIR SET` (start, load, exit).\n\n", filepath.Base(s.bin))
	fmt.Fprintf(w, "| rules | cold wall | cold CPU | cold RSS | warm wall | warm CPU | warm RSS | warm wall ratio | warm CPU ratio | warm / cold: replay minus 1 rule (CPU) | load alone: cold CPU | warm CPU | warm / cold |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range s.result {
		loadRatio, aloneRatio := "—", "—"
		if r.set.n > 1 {
			// Load cost = run CPU minus the 1-rule run's CPU (same capture).
			if c := r.cold.cpu - base.cpu; c > 0 {
				loadRatio = fmt.Sprintf("%.0f %%", 100*float64(max(r.warm.cpu-base.cpu, 0))/float64(c))
			}
			if r.loadCold.cpu > 0 {
				aloneRatio = fmt.Sprintf("%.0f %%", 100*float64(r.loadWarm.cpu)/float64(r.loadCold.cpu))
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %.2fx | %.2fx | %s | %s | %s | %s |\n", r.set.name(),
			ms(r.cold.wall), ms(r.cold.cpu), mibKiB(r.cold.rssKiB), ms(r.warm.wall), ms(r.warm.cpu), mibKiB(r.warm.rssKiB),
			r.warm.wall.Seconds()/base.wall.Seconds(), r.warm.cpu.Seconds()/base.cpu.Seconds(), loadRatio,
			ms(r.loadCold.cpu), ms(r.loadWarm.cpu), aloneRatio)
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/1e6) }

func mibKiB(k int64) string { return fmt.Sprintf("%.0f MiB", float64(k)/1024) }
