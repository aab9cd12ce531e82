package main

import (
	"fmt"
	"github.com/wirescan/wirescan/signatures"
	"io"
	"os"
	"path/filepath"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/eve"
)

// openOutput opens DIR/eve.json (or standard output). reopen reopens the file
// for log rotation; it is nil for standard output.
func openOutput(logDir string, stdout io.Writer) (w engine.EventWriter, reopen func() error, closeFn func(), err error) {
	if logDir == "" {
		return eve.NewWriter(stdout), nil, func() {}, nil
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, nil, nil, fmt.Errorf("log directory: %w", err)
	}
	fw, err := eve.OpenFile(filepath.Join(logDir, "eve.json"))
	if err != nil {
		return nil, nil, nil, err
	}
	return fw, fw.Reopen, func() { fw.Close() }, nil
}

// startEngine opens the EVE output, loads the policy, creates the engine and
// starts what a running engine needs around it: reload on SIGHUP (rules,
// policy, log reopen) and, with metricsAt, the metrics/reload listener.
// stop undoes all of it and closes the output.
func startEngine(cfg engine.Config, rules *signatures.Set, cf *configFlags, logDir, metricsAt string, stdout, stderr io.Writer) (eng *engine.Engine, stop func(), err error) {
	out, reopen, closeOut, err := openOutput(logDir, stdout)
	if err != nil {
		return nil, nil, err
	}
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	stops = append(stops, closeOut)
	pol, err := cf.loadPolicy()
	if err != nil {
		stop()
		return nil, nil, err
	}
	eng, err = engine.New(cfg, rules, out)
	if err != nil {
		stop()
		return nil, nil, err
	}
	eng.SetPolicy(pol)
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	rl := &reloader{eng: eng, paths: cf.rules, loader: cf.ruleLoader(), policy: cf.policy, logf: logf, reopen: reopen}
	stops = append(stops, watchHUP(rl))
	if metricsAt != "" {
		stopMetrics, err := serveMetrics(metricsAt, eng, rl, stderr)
		if err != nil {
			stop()
			return nil, nil, err
		}
		stops = append(stops, stopMetrics)
	}
	return eng, stop, nil
}
