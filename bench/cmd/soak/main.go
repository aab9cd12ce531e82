// Command soak replays captures through one wirescan process in a loop for
// a fixed time and checks that its memory stays flat: a leak that a single
// replay hides (state kept per flow, per file, per anomaly name, per rule)
// shows as a resident set that keeps growing.
//
//	go run ./bench/cmd/soak -bin bin/wirescan -duration 10m     # make soak SOAKTIME=10m
//
// The captures (the conformance suite's, testdata's and pcapgen's hostile
// captures at test scale by default) are read once, then streamed as one pcapng to `wirescan replay -r - --workers 2`,
// over and over, with the packet clock moved forward so every loop is new
// traffic an hour after the last. The child's RSS is sampled from
// /proc/PID/status every second. The run fails (exit 1) when the largest
// RSS of the last third of the samples exceeds the largest of the first
// third by more than -margin (10 %) plus -slack (8 MiB), when wirescan
// fails, or when it writes no event. Exit 2: usage error.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/internal/pcapgen"
)

// packet is one frame of a capture, held for the whole run.
type packet struct {
	link    capture.LinkType
	ts      time.Time
	data    []byte
	origLen int
}

// trace is one capture file's packets.
type trace struct {
	name        string
	pkts        []packet
	first, last time.Time
}

func main() {
	bin := flag.String("bin", "bin/wirescan", "wirescan `binary` to soak")
	dur := flag.Duration("duration", 10*time.Minute, "how long to replay")
	workers := flag.Int("workers", 2, "wirescan --workers")
	globs := flag.String("captures", "../shared/conformance/cases/*/input.pcap,testdata/*.pcap", "comma-separated `globs` of captures to replay (missing ones are skipped)")
	margin := flag.Float64("margin", 0.10, "allowed growth of the last third's RSS peak over the first third's, as a fraction")
	slack := flag.Int64("slack", 8, "allowed growth in `MiB` on top of -margin (GC and allocator noise)")
	every := flag.Duration("interval", time.Second, "RSS sampling interval")
	csvPath := flag.String("csv", "", "write the RSS samples (seconds, bytes) to `file`")
	hostile := flag.Bool("hostile", true, "also replay every pcapgen hostile capture (bombs, overflowing lengths, unclosed SMB files, fragment floods) at its test scale")
	flag.Parse()
	if flag.NArg() > 0 || *dur <= 0 || *workers < 1 {
		flag.Usage()
		os.Exit(2)
	}
	traces, err := loadTraces(strings.Split(*globs, ","))
	if err == nil && *hostile {
		var h []trace
		h, err = hostileTraces()
		traces = append(traces, h...)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	if len(traces) == 0 {
		fmt.Fprintln(os.Stderr, "soak: no captures found")
		os.Exit(1)
	}
	r := &soak{bin: *bin, workers: *workers, dur: *dur, every: *every, traces: traces}
	if err := r.run(); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	if *csvPath != "" {
		if err := r.writeCSV(*csvPath); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			os.Exit(1)
		}
	}
	if !r.report(os.Stdout, *margin, *slack<<20) {
		os.Exit(1)
	}
}

// loadTraces reads every capture matching globs, in name order, up to any
// damage.
func loadTraces(globs []string) ([]trace, error) {
	var paths []string
	for _, g := range globs {
		m, err := filepath.Glob(strings.TrimSpace(g))
		if err != nil {
			return nil, fmt.Errorf("bad glob %q: %w", g, err)
		}
		paths = append(paths, m...)
	}
	sort.Strings(paths)
	var out []trace
	for _, p := range paths {
		src, err := capture.Open(p, capture.Options{})
		if err != nil {
			fmt.Fprintf(os.Stderr, "soak: skipping %s: %v\n", p, err)
			continue
		}
		if tr, ok := readTrace(p, src); ok {
			out = append(out, tr)
		}
	}
	return out, nil
}

// hostileTraces writes every hostile capture of internal/pcapgen at its
// test scale.
func hostileTraces() ([]trace, error) {
	var out []trace
	for _, h := range pcapgen.Hostiles() {
		var b bytes.Buffer
		if err := pcapgen.WriteHostile(&b, h.Kind, 0); err != nil {
			return nil, err
		}
		src, err := capture.NewReader(&b, h.Kind, capture.Options{})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", h.Kind, err)
		}
		if tr, ok := readTrace(h.Kind, src); ok {
			out = append(out, tr)
		}
	}
	return out, nil
}

// readTrace reads src up to its end or its first damage.
func readTrace(name string, src capture.Source) (trace, bool) {
	defer src.Close()
	tr := trace{name: name}
	for {
		pk, err := src.Next()
		if err != nil {
			break // the end, or damage: keep what came before
		}
		tr.pkts = append(tr.pkts, packet{link: pk.LinkType, ts: pk.Timestamp, data: bytes.Clone(pk.Data), origLen: pk.Length})
	}
	if len(tr.pkts) == 0 {
		return tr, false
	}
	tr.first, tr.last = tr.pkts[0].ts, tr.pkts[0].ts
	for _, pk := range tr.pkts {
		tr.last = maxTime(tr.last, pk.ts)
	}
	return tr, true
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// sample is one RSS reading of the child.
type sample struct {
	at  time.Duration
	rss int64
}

// soak is one run and what it measured.
type soak struct {
	bin     string
	workers int
	dur     time.Duration
	every   time.Duration
	traces  []trace

	samples        []sample
	loops          int
	packets, bytes int64
	events, alerts atomic.Int64
	elapsed        time.Duration
	stderrTail     string
}

// run starts wirescan, streams the captures until the time is up, samples
// the child's RSS meanwhile, and waits for it to finish.
func (s *soak) run() error {
	cmd := exec.Command(s.bin, "replay", "-r", "-", "--workers", strconv.Itoa(s.workers), "-q")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr tailBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.countEvents(stdout)
	}()
	start := time.Now()
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(s.every)
		defer tick.Stop()
		for {
			if rss, err := readRSS(cmd.Process.Pid); err == nil {
				s.samples = append(s.samples, sample{time.Since(start), rss})
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	werr := s.stream(stdin, start.Add(s.dur))
	close(stop)
	<-sampled
	stdin.Close()
	wg.Wait()
	err = cmd.Wait()
	s.elapsed = time.Since(start)
	s.stderrTail = stderr.String()
	if err != nil {
		return fmt.Errorf("wirescan: %v\n%s", err, s.stderrTail)
	}
	if werr != nil {
		return fmt.Errorf("writing to wirescan: %v\n%s", werr, s.stderrTail)
	}
	if s.events.Load() == 0 {
		return fmt.Errorf("wirescan wrote no event")
	}
	return nil
}

// stream writes the traces as one pcapng, loop after loop, until deadline.
// Each trace is shifted onto a clock that only moves forward: one second
// after the previous trace, one hour after the previous loop, so every
// flow of a loop has timed out when the next loop starts.
func (s *soak) stream(w io.Writer, deadline time.Time) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	ng, err := newNGWriter(bw)
	if err != nil {
		return err
	}
	cursor := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for time.Now().Before(deadline) {
		for _, tr := range s.traces {
			if !time.Now().Before(deadline) {
				break
			}
			shift := cursor.Sub(tr.first)
			for _, pk := range tr.pkts {
				if err := ng.packet(pk.link, pk.ts.Add(shift), pk.data, pk.origLen); err != nil {
					return err
				}
				s.packets++
				s.bytes += int64(len(pk.data))
			}
			cursor = tr.last.Add(shift).Add(time.Second)
		}
		s.loops++
		cursor = cursor.Add(time.Hour)
	}
	return bw.Flush()
}

// countEvents reads the child's EVE lines and counts events and alerts.
func (s *soak) countEvents(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		s.events.Add(1)
		if bytes.Contains(sc.Bytes(), []byte(`"event_type":"alert"`)) {
			s.alerts.Add(1)
		}
	}
	io.Copy(io.Discard, r)
}

// readRSS returns a process's resident set size in bytes.
func readRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

// report prints what the run did and whether the RSS stayed flat: the peak
// of the last third of the samples against the peak of the first third.
func (s *soak) report(w io.Writer, margin float64, slack int64) bool {
	mb := func(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
	fmt.Fprintf(w, "soak: %s, %d loops over %d captures, %d packets, %d MB; %d events, %d alerts; wirescan exited 0\n",
		s.elapsed.Round(time.Second), s.loops, len(s.traces), s.packets, s.bytes/1e6, s.events.Load(), s.alerts.Load())
	n := len(s.samples)
	if n < 6 {
		fmt.Fprintf(w, "soak: only %d RSS samples: run longer\n", n)
		return false
	}
	peak := func(ss []sample) (p int64) {
		for _, x := range ss {
			p = max(p, x.rss)
		}
		return p
	}
	first, last, all := peak(s.samples[:n/3]), peak(s.samples[n-n/3:]), peak(s.samples)
	bound := first + int64(float64(first)*margin) + slack
	fmt.Fprintf(w, "soak: RSS peak %s in the first third, %s in the last (%+.1f %%), %s overall; %d samples; bound %s (+%.0f %% + %s)\n",
		mb(first), mb(last), 100*float64(last-first)/float64(first), mb(all), n, mb(bound), 100*margin, mb(slack))
	if last > bound {
		fmt.Fprintln(w, "soak: FAIL: memory grows")
		return false
	}
	fmt.Fprintln(w, "soak: ok: memory flat")
	return true
}

// writeCSV writes the samples as "seconds,rss_bytes" lines.
func (s *soak) writeCSV(path string) error {
	var b strings.Builder
	b.WriteString("seconds,rss_bytes\n")
	for _, x := range s.samples {
		fmt.Fprintf(&b, "%.1f,%d\n", x.at.Seconds(), x.rss)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// tailBuffer keeps the last 4 KiB written to it (the child's warnings).
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 4096 {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-4096:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
