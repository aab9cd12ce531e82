package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/capture"
)

func cmdReplay(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	var (
		cf        configFlags
		of        outputFlags
		reads     multiFlag
		logDir    string
		workers   int
		checksum  string
		quiet     bool
		metricsAt string
	)
	cf.register(fs)
	of.register(fs)
	fs.Var(&reads, "r", "capture `file` to replay (pcap or pcapng; - for stdin); repeatable: read as one continuous capture")
	fs.StringVar(&logDir, "l", "", "log `dir`ectory: events go to DIR/eve.json (default: standard output)")
	fs.IntVar(&workers, "workers", 0, "worker goroutines (default 1: deterministic event order)")
	fs.StringVar(&checksum, "k", "none", "checksum validation: none or all")
	fs.BoolVar(&quiet, "q", false, "don't print the summary on standard error")
	fs.StringVar(&metricsAt, "metrics", "", "serve Prometheus /metrics and POST /-/reload on `address` while replaying")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: wirescan replay -r CAPTURE [-r CAPTURE...] [-S RULES...] [-l DIR] [--output URL...] [flags]\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("replay: unexpected argument %q", fs.Arg(0))
	}
	if len(reads) == 0 {
		return usagef("replay: no capture given (-r FILE)")
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	if err := cf.logDirs(&cfg, logDir, "replay"); err != nil {
		return err
	}
	if workers > 0 {
		cfg.Workers = workers
	}
	switch checksum {
	case "none":
	case "all":
		cfg.Decode.ValidateChecksums = true
	default:
		return usagef("replay: -k %q: want none or all", checksum)
	}

	rules, err := loadRules(cf.rules, cf.ruleLoader(), stderr)
	if err != nil {
		return err
	}

	var src capture.Source
	if len(reads) == 1 {
		if reads[0] == "-" {
			src, err = capture.NewReader(stdin, "stdin", cfg.Capture)
		} else {
			src, err = capture.Open(reads[0], cfg.Capture)
		}
		if err != nil {
			return err
		}
	} else {
		src = capture.Concat(reads, cfg.Capture)
	}
	defer src.Close()

	eng, outputs, stopEngine, err := startEngine(cfg, rules, &cf, &of, logDir, metricsAt, stdout, stderr)
	if err != nil {
		return err
	}
	defer stopEngine()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProgress := startProgress(eng, stderr)
	sum, err := eng.Run(ctx, src, func(e error) { fmt.Fprintf(stderr, "wirescan: warning: %v\n", e) })
	stopProgress()
	if !quiet {
		printSummary(stderr, sum)
	}
	if err != nil && sum.Packets == 0 {
		return err
	}
	if err != nil {
		// Something was processed: report the failure as a warning, exit 0,
		// as with a damaged capture.
		fmt.Fprintf(stderr, "wirescan: warning: %v\n", err)
	}
	// Events a sink did not take stay in its spool: say so and fail, so a
	// CI job or a script notices (the next run delivers them first).
	return outputs.close()
}

func printSummary(w io.Writer, s engine.Summary) {
	secs := s.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(s.Bytes) / secs / 1e6
	}
	silenced := ""
	if s.Silenced > 0 {
		silenced = fmt.Sprintf(" (%d silenced)", s.Silenced)
	}
	fmt.Fprintf(w, "wirescan: %d packets, %d flows, %d files (%d truncated), %d alerts%s, %d anomalies in %.2fs (%.1f MB/s)\n",
		s.Packets, s.Flows, s.Files, s.FilesTruncated, s.Alerts, silenced, s.Anomalies, secs, rate)
}
