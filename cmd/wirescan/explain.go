package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/signatures"
	"github.com/wirescan/wirescan/triage/explain"
	"github.com/wirescan/wirescan/triage/report"
)

const explainUsage = `usage: wirescan explain EVE (--alert N | --flow-id ID | --sha256 HASH) [-S RULES...] [-r CAPTURE...] [--json]

Says why an alert fired: the rule's file, line, revision and set, each
content of the rule, where it matched in the file (or protocol buffer) and
the bytes around it. An alert logged by "replay --explain" carries its
explanation; for any other alert, explain replays the alert's evidence pcap
(LOGDIR/evidence, kept with --evidence) or the captures given with -r, with
the alert's rule file (or -S), and finds the alert again.
Exit status: 0 explained, 1 not found or not explainable, 2 usage error.

`

// cmdExplain runs `wirescan explain`.
func cmdExplain(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	var (
		sel     explain.Selector
		rules   multiFlag
		reads   multiFlag
		cfgFile string
		sets    multiFlag
	)
	fs.IntVar(&sel.Index, "alert", 0, "explain the `N`th alert of the log (1-based)")
	fs.Uint64Var(&sel.FlowID, "flow-id", 0, "explain the first alert of the flow with this `id`")
	fs.StringVar(&sel.SHA256, "sha256", "", "explain the first alert on the file with this `hash`")
	fs.Var(&rules, "S", "signature `file` to replay with (default: the alert's rule_file); repeatable")
	fs.Var(&reads, "r", "capture `file` to replay (default: the alert's evidence pcap); repeatable")
	fs.StringVar(&cfgFile, "c", "", "YAML configuration `file` for the replay")
	fs.Var(&sets, "set", "override a configuration key of the replay: `key=value` (repeatable)")
	asJSON := fs.Bool("json", false, `print {"alert": ..., "explain": ..., "source": ...} as JSON`)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), explainUsage)
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args, stderr)
	if err != nil {
		return err
	}
	chosen := 0
	for _, set := range []bool{sel.Index > 0, sel.FlowID != 0, sel.SHA256 != ""} {
		if set {
			chosen++
		}
	}
	switch {
	case len(files) != 1:
		return usagef("explain: want one EVE file")
	case chosen != 1:
		return usagef("explain: want one of --alert N, --flow-id ID, --sha256 HASH")
	case sel.Index < 0:
		return usagef("explain: --alert must be positive")
	}
	src, err := report.Open(files[0], stdin, report.DefaultConfig().MaxLineBytes)
	if err != nil {
		return err
	}
	a, err := explain.Find(src, sel)
	src.Close()
	if err != nil {
		return err
	}
	ex, how := &eve.Explanation{}, "replay --explain (logged with the alert)"
	if a.Wirescan != nil && a.Wirescan.Explain != nil {
		ex = a.Wirescan.Explain
	} else {
		cf := configFlags{file: cfgFile, sets: sets}
		ex, how, err = replayToExplain(&cf, a, files[0], rules, reads, stderr)
		if err != nil {
			if !errors.Is(err, errNoExplanation) {
				return err
			}
			ex, how = nil, err.Error()
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(struct {
			Alert   *eve.Event       `json:"alert"`
			Explain *eve.Explanation `json:"explain"`
			Source  string           `json:"source"`
		}{&a.Event, ex, how})
	} else {
		err = explain.WriteText(stdout, a, ex, how)
	}
	if err == nil && ex == nil {
		err = exitCodeError{code: exitError}
	}
	return err
}

// errNoExplanation marks the ways an alert can't be explained: no capture
// to replay, or the alert doesn't come back.
var errNoExplanation = errors.New("no explanation")

// replayToExplain replays the alert's evidence pcap (or reads) with its
// rules (or rulePaths) and explanations on, and returns the explanation of
// the same alert, and what was replayed.
func replayToExplain(cf *configFlags, a *explain.Alert, evePath string, rulePaths, reads []string, stderr io.Writer) (*eve.Explanation, string, error) {
	x := a.Wirescan
	if len(reads) == 0 {
		if x == nil || x.EvidencePcap == "" {
			return nil, "", fmt.Errorf("%w: the alert has no evidence pcap (replay with --evidence or --explain), and no capture was given (-r)", errNoExplanation)
		}
		reads = []string{filepath.Join(filepath.Dir(evePath), "evidence", filepath.Base(x.EvidencePcap))}
	}
	cfg, err := cf.load()
	if err != nil {
		return nil, "", err
	}
	var set *signatures.Set
	switch {
	case len(rulePaths) > 0:
		set, err = loadRules(rulePaths, ruleLoader{vars: cfg.Vars}, stderr)
	case x == nil || x.RuleFile == "" || x.RuleFile == "builtin":
		set = signatures.Builtin()
	default:
		set, err = loadRules([]string{x.RuleFile}, ruleLoader{vars: cfg.Vars}, stderr)
	}
	if err != nil {
		return nil, "", fmt.Errorf("explain: the alert's rules: %w (give them with -S)", err)
	}
	if x != nil && x.RulesetVersion != "" && set.Version() != x.RulesetVersion {
		fmt.Fprintf(stderr, "wirescan: warning: the rules are not the set the alert came from (ruleset %s, now %s): the explanation is of the rules as they are now\n", x.RulesetVersion, set.Version())
	}
	cfg.Workers, cfg.Explain = 1, true
	cfg.EventTypes = []string{"alert"}
	cfg.FileStore.Dir, cfg.Evidence.Dir = "", ""
	var found *eve.Explanation
	sink := &explainSink{want: &a.Event, found: &found}
	var src capture.Source
	if len(reads) == 1 {
		if src, err = capture.Open(reads[0], cfg.Capture); err != nil {
			return nil, "", err
		}
	} else {
		src = capture.Concat(reads, cfg.Capture)
	}
	defer src.Close()
	eng, err := engine.New(cfg, set, sink)
	if err != nil {
		return nil, "", err
	}
	if _, err := eng.Run(context.Background(), src, func(e error) { fmt.Fprintf(stderr, "wirescan: warning: %v\n", e) }); err != nil {
		return nil, "", err
	}
	how := fmt.Sprintf("replaying %s with %s and --explain", reads[0], describeRules(rulePaths, x))
	if found == nil {
		return nil, "", fmt.Errorf("%w: %s did not raise the alert again", errNoExplanation, how)
	}
	return found, how, nil
}

// describeRules names the rules a replay used.
func describeRules(paths []string, x *eve.Extra) string {
	switch {
	case len(paths) > 0:
		return fmt.Sprint(paths)
	case x == nil || x.RuleFile == "" || x.RuleFile == "builtin":
		return "the built-in rules"
	}
	return x.RuleFile
}

// explainSink keeps the explanation of the first alert that is the one
// wanted.
type explainSink struct {
	want  *eve.Event
	found **eve.Explanation
}

func (s *explainSink) Write(ev *eve.Event) error {
	if *s.found == nil && ev.Wirescan != nil && ev.Wirescan.Explain != nil && explain.Same(s.want, ev) {
		*s.found = ev.Wirescan.Explain
	}
	return nil
}

func (s *explainSink) Flush() error { return nil }
