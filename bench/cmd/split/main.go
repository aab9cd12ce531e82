// Command split measures where the time of a replay with a rule set goes:
// reading and parsing the rule files, compiling them, and replaying a capture
// (one worker, events to io.Discard), with optional CPU and allocation
// profiles of each phase. It is how the table in bench/README.md is made.
//
// Usage:
//
//	go run ./bench/cmd/split -r smb20.pcap -S r10000.rules [-S ...] [-count 3] [-set key=value ...] [-cpuprofile P] [-memprofile P]
//
// Profiles get the phase appended to their name (P.load, P.replay). Each
// phase is reported as its fastest wall time and its smallest CPU time
// (user+system of the process, GC workers included) over the passes; -count
// passes load the rules, then as many replay the capture. "parse" is the
// load minus Set.Stats().CompileTime (with -rules-cache: reading the files,
// keying and checking the entry; "compile" is then decoding it).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/signatures"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	var rules, caps multi
	flag.Var(&rules, "S", "signature `file` (repeatable)")
	flag.Var(&caps, "r", "capture `file`")
	count := flag.Int("count", 3, "passes (the fastest of each phase is reported)")
	cpu := flag.String("cpuprofile", "", "write CPU profiles of the phases to `prefix`.load and prefix.replay")
	mem := flag.String("memprofile", "", "write allocation profiles of the phases to `prefix`.load and prefix.replay")
	cache := flag.String("rules-cache", "", "compiled-set cache directory (empty: none)")
	var sets multi
	flag.Var(&sets, "set", "configuration `key=value` as wirescan's --set (repeatable), e.g. files.md5=false")
	flag.Parse()
	if len(rules) == 0 || len(caps) != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(rules, caps[0], *count, *cpu, *mem, *cache, sets); err != nil {
		fmt.Fprintln(os.Stderr, "split:", err)
		os.Exit(1)
	}
}

func run(rules []string, capPath string, count int, cpu, mem, cacheDir string, sets []string) error {
	data, err := os.ReadFile(capPath)
	if err != nil {
		return err
	}
	// Loads, then replays, each count times: a profile covers all passes of
	// its phase.
	var p phases
	var set *signatures.Set
	stop := profile(cpu, mem, cpu+".load", mem+".load")
	for i := range max(count, 1) {
		runtime.GC()
		c0 := cpuTime()
		t0 := time.Now()
		opts := signatures.Options{}
		if cacheDir != "" {
			opts.Cache = signatures.NewCache(cacheDir, 0)
		}
		s, _, err := signatures.Load(rules, opts)
		if err != nil {
			return err
		}
		total := time.Since(t0)
		cpu := cpuTime() - c0
		compile := s.Stats().CompileTime
		if i == 0 || total < p.parse+p.compile {
			p.parse, p.compile = total-compile, compile
		}
		if i == 0 || cpu < p.loadCPU {
			p.loadCPU = cpu
		}
		set = s
	}
	stop()
	stop = profile(cpu, mem, cpu+".replay", mem+".replay")
	for i := range max(count, 1) {
		runtime.GC()
		c0 := cpuTime()
		t0 := time.Now()
		sum, err := replay(set, data, sets)
		cpu := cpuTime() - c0
		if err != nil {
			return err
		}
		if d := time.Since(t0); i == 0 || d < p.replay {
			p.replay = d
		}
		if i == 0 || cpu < p.replayCPU {
			p.replayCPU = cpu
		}
		p.files, p.alerts = sum.Files, sum.Alerts
	}
	stop()
	fmt.Printf("rules %s: parse %s, compile %s, replay %s (%d files, %d alerts), total %s; CPU: load %s, replay %s\n",
		strings.Join(rules, ","), ms(p.parse), ms(p.compile), ms(p.replay), p.files, p.alerts,
		ms(p.parse+p.compile+p.replay), ms(p.loadCPU), ms(p.replayCPU))
	return nil
}

type phases struct {
	parse, compile, replay time.Duration
	loadCPU, replayCPU     time.Duration // user+system time of the process during the phase
	files, alerts          uint64
}

// cpuTime returns the process's user+system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

// replay runs the capture through a new one-worker engine.
func replay(set *signatures.Set, data []byte, sets []string) (engine.Summary, error) {
	cfg := engine.DefaultConfig()
	cfg.Workers = 1
	cfg.EventTypes = []string{"alert", "fileinfo"}
	for _, kv := range sets {
		if err := cfg.Set(kv); err != nil {
			return engine.Summary{}, err
		}
	}
	src, err := capture.NewReader(bytes.NewReader(data), "bench", cfg.Capture)
	if err != nil {
		return engine.Summary{}, err
	}
	defer src.Close()
	eng, err := engine.New(cfg, set, eve.NewWriter(io.Discard))
	if err != nil {
		return engine.Summary{}, err
	}
	return eng.Run(context.Background(), src, nil)
}

// profile starts the requested profiles and returns the function that writes them.
func profile(cpuPrefix, memPrefix, cpuPath, memPath string) func() {
	cpu, mem := cpuPrefix != "", memPrefix != ""
	var f *os.File
	if cpu {
		var err error
		if f, err = os.Create(cpuPath); err == nil {
			pprof.StartCPUProfile(f)
		}
	}
	if mem {
		runtime.MemProfileRate = 4096
	}
	return func() {
		if f != nil {
			pprof.StopCPUProfile()
			f.Close()
		}
		if mem {
			if mf, err := os.Create(memPath); err == nil {
				pprof.Lookup("allocs").WriteTo(mf, 0)
				mf.Close()
			}
			runtime.MemProfileRate = 0
		}
	}
}
