// Command peers measures wirescan next to ClamAV's clamscan and YARA on the
// same bytes with equivalent signatures, in the same run: n generated
// literals (sigtest.Patterns) as Suricata file_data rules for wirescan, a
// ClamAV .ndb body-signature database for clamscan (--database on a
// directory holding only it: no freshclam data) and YARA hex-string rules.
// wirescan replays a capture of SMB downloads; clamscan and yara scan the
// files that capture carries, written to disk. A few files get a planted
// literal, and every engine must report exactly those (the run fails
// otherwise), so no engine wins by skipping work.
//
// Each engine runs as its own process, load included, count times
// interleaved; MB/s is file bytes over the median CPU time (user+system: per
// core) and over the median wall time; RSS is the median peak. It writes a
// markdown report (make bench-peers).
//
// Usage:
//
//	go run ./bench/cmd/peers [-bin bin/wirescan] [-n 10000] [-mib 20] [-count 5] [-out bench/results/peers.md]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/wirescan/wirescan/bench/corpus"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

func main() {
	bin := flag.String("bin", "bin/wirescan", "wirescan binary")
	n := flag.Int("n", 10000, "signatures")
	mib := flag.Int64("mib", 200, "MiB of files (large enough that every engine's start-up and rule load are a small part)")
	count := flag.Int("count", 3, "runs per engine (medians are reported)")
	planted := flag.Int("planted", 5, "files that get one planted literal each")
	out := flag.String("out", "bench/results/peers.md", "markdown report")
	keep := flag.String("keep", "", "keep the capture, files and signatures in this directory (for profiling) instead of a temporary one")
	flag.Parse()
	if err := run(*bin, *n, *mib, *count, *planted, *out, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

// engine is one way of scanning the corpus.
type engine struct {
	name string
	note string
	argv []string
	// count returns how many planted files the engine reported, from its
	// stdout.
	count func(stdout []byte) int
	// ok says which exit codes mean success.
	ok func(code int) bool
	// headline marks the wirescan runs the ratios are given for.
	headline bool
	runs     []measure
}

// measure is one run.
type measure struct {
	wall, cpu time.Duration
	rssKiB    int64
}

func run(bin string, n int, mib int64, count, planted int, out, keep string) error {
	for _, tool := range []string{bin, "clamscan", "yara", "yarac", "/usr/bin/time"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found: %w", tool, err)
		}
	}
	dir := keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "wirescan-peers-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pats := sigtest.Patterns(uint64(n), n)

	// The corpus: a capture, and the files it carries on disk.
	filesDir := filepath.Join(dir, "files")
	if err := os.Mkdir(filesDir, 0o755); err != nil {
		return err
	}
	var fileBytes int64
	nfile := 0
	hook := func(name string, data []byte) []byte {
		if nfile < planted {
			data = slices.Clone(data)
			p := pats[(nfile*7919)%len(pats)]
			copy(data[len(data)/2:], p)
		}
		nfile++
		fileBytes += int64(len(data))
		path := filepath.Join(filesDir, strings.NewReplacer(`\`, "_", "/", "_").Replace(name))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			panic(err) // the hook has no error result; a full disk ends the run
		}
		return data
	}
	capPath := filepath.Join(dir, "smb.pcap")
	err := corpus.WriteFile(capPath, func(w *bufio.Writer) error { return corpus.CaptureWith(w, "smb-read", mib<<20, 1, hook) })
	if err != nil {
		return err
	}

	// The signatures, three ways.
	var rules, ndb, yar strings.Builder
	for _, l := range sigtest.Rules(pats, 1) {
		rules.WriteString(l + "\n")
	}
	for i, p := range pats {
		fmt.Fprintf(&ndb, "Bench.Gen.%d:0:*:%x\n", i, p)
		fmt.Fprintf(&yar, "rule gen_%d { strings: $a = { %x } condition: $a }\n", i, p)
	}
	dbDir := filepath.Join(dir, "clamdb")
	rulesPath, yarPath, yarcPath := filepath.Join(dir, "gen.rules"), filepath.Join(dir, "gen.yar"), filepath.Join(dir, "gen.yarc")
	oneRule := filepath.Join(dir, "one.rules")
	cacheDir := filepath.Join(dir, "rules-cache")
	one := `alert file any any -> any any (msg:"never"; file_data; content:"|00 01 02 03 04 05 06 07|never seen"; sid:1;)` + "\n"
	for path, text := range map[string]string{rulesPath: rules.String(), filepath.Join(dbDir, "gen.ndb"): ndb.String(), yarPath: yar.String(), oneRule: one} {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return err
		}
	}
	if out, err := exec.Command("yarac", yarPath, yarcPath).CombinedOutput(); err != nil {
		return fmt.Errorf("yarac: %w: %s", err, out)
	}

	countLines := func(substr string) func([]byte) int {
		return func(b []byte) int { return bytes.Count(b, []byte(substr)) }
	}
	zeroOrOne := func(code int) bool { return code == 0 || code == 1 }
	// MD5 and SHA-1 of every file are off; SHA-256 is on except in the run
	// that does what the others do: no digest at all.
	ws := func(rules, cache string, more ...string) []string {
		return append([]string{bin, "replay", "-r", capPath, "-S", rules, "--rules-cache", cache, "--set", "event-types=[alert]",
			"--set", "files.md5=false", "--set", "files.sha1=false"}, more...)
	}
	engines := []*engine{
		{name: "wirescan (rules cache warm)", note: "replays the capture: decode, TCP reassembly, SMB2, file tracking and SHA-256 of every file included",
			argv: ws(rulesPath, cacheDir), count: countLines(`"event_type":"alert"`), ok: func(c int) bool { return c == 0 }, headline: true},
		{name: "wirescan, no digest (rules cache warm)", note: "the same without SHA-256, as the others compute no digest",
			argv: ws(rulesPath, cacheDir, "--set", "files.sha256=false"), count: countLines(`"event_type":"alert"`), ok: func(c int) bool { return c == 0 }, headline: true},
		{name: "wirescan (rules cache off)", note: "the same, parsing and compiling the rules on every run",
			argv: ws(rulesPath, "off"), count: countLines(`"event_type":"alert"`), ok: func(c int) bool { return c == 0 }},
		{name: "wirescan, 1 rule (the pipeline alone)", note: "the same capture with one rule: what the matcher does not cost",
			argv:  ws(oneRule, cacheDir),
			count: func([]byte) int { return -1 }, ok: func(c int) bool { return c == 0 }},
		{name: "clamscan", note: version("clamscan", "--version") + ", --database on the .ndb only, one file at a time",
			argv: []string{"clamscan", "--no-summary", "--infected", "--database", dbDir, "-r", filesDir}, count: countLines(" FOUND"), ok: zeroOrOne},
		{name: "yara (compiled rules)", note: "YARA " + version("yara", "--version") + ", rules compiled by yarac beforehand, -p 1",
			argv: []string{"yara", "-p", "1", "-C", yarcPath, "-r", filesDir}, count: countLines(filesDir), ok: func(c int) bool { return c == 0 }},
		{name: "yara (source rules)", note: "the same, compiling the rules on every run",
			argv: []string{"yara", "-p", "1", yarPath, "-r", filesDir}, count: countLines(filesDir), ok: func(c int) bool { return c == 0 }},
	}
	// One unmeasured run each: warms the page cache and wirescan's rules cache,
	// and checks the answers.
	for _, e := range engines {
		stdout, _, err := runOne(e)
		if err != nil {
			return err
		}
		if got := e.count(stdout); got != planted && got != -1 {
			return fmt.Errorf("%s reported %d planted files, want %d", e.name, got, planted)
		}
	}
	for range max(count, 1) {
		for _, e := range engines {
			_, m, err := runOne(e)
			if err != nil {
				return err
			}
			e.runs = append(e.runs, m)
		}
	}
	return report(out, engines, n, nfile, fileBytes, count, planted)
}

// version returns the first line a tool prints for flag.
func version(tool, flag string) string {
	out, _ := exec.Command(tool, flag).Output()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(line)
}

// runOne runs an engine once under /usr/bin/time.
func runOne(e *engine) ([]byte, measure, error) {
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "\nmaxrss=%M"}, e.argv...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	err := cmd.Run()
	m := measure{wall: time.Since(t0)}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		return nil, m, err
	}
	if !e.ok(code) {
		return nil, m, fmt.Errorf("%s: exit %d: %s", e.name, code, lastLines(stderr.String(), 5))
	}
	m.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if i := strings.LastIndex(stderr.String(), "maxrss="); i >= 0 {
		fmt.Sscanf(stderr.String()[i:], "maxrss=%d", &m.rssKiB)
	}
	return stdout.Bytes(), m, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// median returns the median of f over runs.
func median(runs []measure, f func(measure) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func report(out string, engines []*engine, n, files int, fileBytes int64, count, planted int) error {
	var b bytes.Buffer
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "# wirescan next to clamscan and YARA\n\n")
	fmt.Fprintf(&b, "- date: %s, machine: %s, %d logical CPUs (%s), %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), cpuModel(), runtime.NumCPU(), host, runtime.Version())
	fmt.Fprintf(&b, "- corpus: %d files, %.1f MB (bench/corpus.CaptureWith \"smb-read\", seed 1), %d of them with one planted literal; every engine reported exactly those %d\n", files, float64(fileBytes)/1e6, planted, planted)
	fmt.Fprintf(&b, "- signatures: %d literals of 6–64 bytes (sigtest.Patterns, half binary), the same in every engine's format\n", n)
	fmt.Fprintf(&b, "- each engine: %d runs as a new process, load included, engines interleaved; medians. MB/s per core = file bytes / CPU time (user+system); the machine is shared, so wall time carries other jobs' load\n\n", max(count, 1))
	fmt.Fprintf(&b, "| engine | MB/s per core | MB/s wall | CPU | wall | peak RSS |\n|---|---:|---:|---:|---:|---:|\n")
	mb := float64(fileBytes) / 1e6
	rate := map[string]float64{}
	for _, e := range engines {
		cpu := median(e.runs, func(m measure) float64 { return m.cpu.Seconds() })
		wall := median(e.runs, func(m measure) float64 { return m.wall.Seconds() })
		rss := median(e.runs, func(m measure) float64 { return float64(m.rssKiB) })
		rate[e.name] = mb / cpu
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.0f ms | %.0f ms | %.0f MiB |\n", e.name, mb/cpu, mb/wall, cpu*1e3, wall*1e3, rss/1024)
	}
	fmt.Fprintf(&b, "\nRatios, per core:\n\n")
	for _, h := range engines {
		if !h.headline {
			continue
		}
		var vs []string
		for _, e := range engines {
			if !strings.HasPrefix(e.name, "wirescan") {
				vs = append(vs, fmt.Sprintf("%.1fx %s", rate[h.name]/rate[e.name], e.name))
			}
		}
		fmt.Fprintf(&b, "- %s: %s\n", h.name, strings.Join(vs, ", "))
	}
	fmt.Fprintf(&b, "\nWhat each engine does:\n\n")
	for _, e := range engines {
		fmt.Fprintf(&b, "- %s: %s (`%s`)\n", e.name, e.note, strings.Join(shorten(e.argv), " "))
	}
	os.Stdout.Write(b.Bytes())
	if out == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}

// shorten replaces temporary paths in a command line by their base names.
func shorten(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if strings.HasPrefix(a, os.TempDir()) {
			a = filepath.Base(a)
		}
		out[i] = a
	}
	return out
}

// cpuModel returns the processor name from /proc/cpuinfo.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
