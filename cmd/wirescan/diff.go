package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/signatures"
	"github.com/wirescan/wirescan/triage/diff"
)

// exitCodeError makes a command exit with code, printing err when it is
// not nil (diff: 1 means "the sets differ", not a failure).
type exitCodeError struct {
	code int
	err  error
}

func (e exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e exitCodeError) Unwrap() error { return e.err }

// cmdDiff replays the same captures with two signature sets and reports the
// alerts each adds, removes or changes. Exit status: 0 identical, 1 the
// sets differ, 2 any error (so CI can gate a rule update on it).
func cmdDiff(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	var (
		oldRules, newRules, reads multiFlag
		cfgFile                   string
		sets                      multiFlag
		asJSON, strict            bool
	)
	fs.Var(&oldRules, "S", "signature `file` of the current (old) set; repeatable")
	fs.Var(&newRules, "vs", "signature `file` of the candidate (new) set; repeatable")
	fs.Var(&reads, "r", "capture `file` to replay (pcap or pcapng); repeatable: read as one continuous capture")
	fs.StringVar(&cfgFile, "c", "", "YAML configuration `file`")
	fs.Var(&sets, "set", "override a configuration key: `key=value` (repeatable)")
	fs.BoolVar(&asJSON, "json", false, `print {"added": [...], "removed": [...], "changed": [...]} as JSON`)
	fs.BoolVar(&strict, "strict", false, "fail on any rule that can't be loaded instead of skipping it")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: wirescan diff -S OLD [-S OLD...] --vs NEW [--vs NEW...] -r CAPTURE [-r CAPTURE...] [--json]\n\n"+
			"Replays the captures with both signature sets (one worker each, side by side) and lists\n"+
			"the alerts the new set adds, removes or changes, per signature.\n"+
			"Exit status: 0 identical, 1 the sets differ, 2 error.\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stderr); err != nil {
		if errors.Is(err, errHelp) {
			return err
		}
		return exitCodeError{exitUsage, err}
	}
	fail := func(err error) error { return exitCodeError{exitUsage, err} }
	switch {
	case fs.NArg() > 0:
		return fail(usagef("diff: unexpected argument %q", fs.Arg(0)))
	case len(oldRules) == 0 || len(newRules) == 0:
		return fail(usagef("diff: want both sets: -S OLD... --vs NEW..."))
	case len(reads) == 0:
		return fail(usagef("diff: no capture given (-r FILE)"))
	}
	for _, r := range reads {
		if r == "-" {
			return fail(usagef("diff: -r -: standard input can't be read twice; give a file"))
		}
	}
	cf := configFlags{file: cfgFile, sets: sets}
	cfg, err := cf.load()
	if err != nil {
		return fail(err)
	}
	cfg.Workers = 1                                // both sides see the same flow ids, transactions and packet numbers
	cfg.EventTypes = []string{"alert", "fileinfo"} // fileinfo completes alerts on streaming files with their hash
	cfg.FileStore.Dir, cfg.Evidence.Dir = "", ""

	oldSet, err := loadRules(oldRules, ruleLoader{strict: strict, vars: cfg.Vars}, stderr)
	if err != nil {
		return fail(fmt.Errorf("diff: old set: %w", err))
	}
	newSet, err := loadRules(newRules, ruleLoader{strict: strict, vars: cfg.Vars}, stderr)
	if err != nil {
		return fail(fmt.Errorf("diff: new set: %w", err))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	warn := func(e error) { fmt.Fprintf(stderr, "wirescan: warning: %v\n", e) }

	// The two replays run side by side; each is deterministic on its own.
	type side struct {
		col diff.Collector
		err error
	}
	var sides [2]side
	done := make(chan int, 2)
	for i, set := range []*signatures.Set{oldSet, newSet} {
		go func() {
			sides[i].err = replaySide(ctx, cfg, set, reads, &sides[i].col, i == 0, warn)
			done <- i
		}()
	}
	<-done
	<-done
	for i, s := range sides {
		if s.err != nil {
			return fail(fmt.Errorf("diff: %s set: %w", []string{"old", "new"}[i], s.err))
		}
	}
	res := diff.Compare(sides[0].col.Alerts, sides[1].col.Alerts)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(&res)
	} else {
		err = diff.WriteText(stdout, &res)
	}
	if err != nil {
		return fail(err)
	}
	if !res.Equal() {
		return exitCodeError{code: 1}
	}
	return nil
}

// replaySide replays the captures with set, keeping the alerts in col.
// Damage warnings are reported once (warnDamage), for the first side.
func replaySide(ctx context.Context, cfg engine.Config, set *signatures.Set, reads []string, col *diff.Collector, warnDamage bool, warn func(error)) error {
	var src capture.Source
	var err error
	if len(reads) == 1 {
		if src, err = capture.Open(reads[0], cfg.Capture); err != nil {
			return err
		}
	} else {
		src = capture.Concat(reads, cfg.Capture)
	}
	defer src.Close()
	eng, err := engine.New(cfg, set, col)
	if err != nil {
		return err
	}
	w := warn
	if !warnDamage {
		w = nil
	}
	sum, err := eng.Run(ctx, src, w)
	if err != nil && sum.Packets == 0 {
		return err
	}
	return nil
}
