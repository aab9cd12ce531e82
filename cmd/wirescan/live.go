package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wirescan/wirescan/engine/capture"
)

func cmdLive(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("live", flag.ContinueOnError)
	var (
		cf         configFlags
		of         outputFlags
		ifaces     multiFlag
		logDir     string
		workers    int
		metricsAt  string
		bpfFile    string
		snaplen    int
		noPromisc  bool
		statsEvery time.Duration
	)
	cf.register(fs)
	of.register(fs)
	fs.Var(&ifaces, "i", "`interface` to capture on (AF_PACKET); repeatable")
	fs.StringVar(&logDir, "l", "", "log `dir`ectory: events go to DIR/eve.json (default: standard output)")
	fs.IntVar(&workers, "workers", 0, "capture sockets and workers per interface (default: the config's workers, else the number of CPUs)")
	fs.StringVar(&metricsAt, "metrics", "127.0.0.1:9719", "serve Prometheus /metrics and POST /-/reload on `address` (empty: off)")
	fs.StringVar(&bpfFile, "bpf-file", "", "capture filter compiled by `tcpdump -ddd EXPR` (file)")
	fs.IntVar(&snaplen, "snaplen", 65535, "bytes captured per packet")
	fs.BoolVar(&noPromisc, "no-promisc", false, "don't put the interfaces in promiscuous mode")
	fs.DurationVar(&statsEvery, "stats-interval", 60*time.Second, "write an EVE stats event this often (0: never)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: wirescan live -i IFACE [-i IFACE...] [--workers N] [-S RULES...] [-l DIR] [--output URL...] [flags]\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("live: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	if err := cf.logDirs(&cfg, logDir, "live"); err != nil {
		return err
	}
	if len(ifaces) == 0 {
		ifaces = cfg.Live.Interfaces
	}
	if len(ifaces) == 0 {
		return usagef("live: no interface given (-i IFACE)")
	}
	if workers <= 0 {
		workers = cfg.Live.WorkersPerInterface
	}
	if workers <= 0 {
		workers = max(1, numCPU())
	}
	opts := capture.DefaultLiveOptions()
	opts.Snaplen = snaplen
	opts.Promiscuous = !noPromisc
	if bpfFile != "" {
		text, err := os.ReadFile(bpfFile)
		if err != nil {
			return fmt.Errorf("bpf filter: %w", err)
		}
		prog, err := capture.ParseBPF(string(text))
		if err != nil {
			return fmt.Errorf("bpf filter %s: %w", bpfFile, err)
		}
		opts.BPF = prog
	}

	rules, err := loadRules(cf.rules, cf.ruleLoader(), stderr)
	if err != nil {
		return err
	}

	// Open every socket before anything else, so a missing interface or a
	// missing capability is one clear error.
	var srcs []capture.Source
	defer func() {
		for _, s := range srcs {
			s.Close()
		}
	}()
	for ii, iface := range ifaces {
		o := opts
		if workers > 1 {
			o.FanoutGroup = uint16(0x5753 + ii) // one fanout group per interface
		}
		for range workers {
			s, err := capture.OpenLive(iface, o)
			if err != nil {
				return err
			}
			srcs = append(srcs, s)
		}
	}

	defaultSensorName(&cfg)
	eng, outputs, stopEngine, err := startEngine(cfg, rules, &cf, &of, logDir, metricsAt, stdout, stderr)
	if err != nil {
		return err
	}
	defer stopEngine()
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	stopStats := statsTicker(eng, statsEvery)
	defer stopStats()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logf("wirescan: capturing on %v with %d workers per interface", []string(ifaces), workers)
	sum, err := eng.RunSharded(ctx, srcs, func(e error) { logf("wirescan: warning: %v", e) })
	printSummary(stderr, sum)
	// A sensor that stops keeps undelivered events in the spools for its
	// next start: a warning, not a failure.
	if oerr := outputs.close(); oerr != nil {
		logf("wirescan: warning: %v", oerr)
	}
	return err
}
