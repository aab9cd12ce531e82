package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/wirescan/wirescan/signatures"
)

// loadRules loads the given signature files, or the built-in set when none
// are given. Skipped rules are printed as warnings naming file:line.
func loadRules(paths []string, l ruleLoader, stderr io.Writer) (*signatures.Set, error) {
	if len(paths) == 0 {
		return signatures.Builtin(), nil
	}
	set, warnings, err := l.load(paths, stderr)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "wirescan: warning: %s\n", w)
	}
	if err != nil {
		return nil, err
	}
	if len(set.Rules()) == 0 {
		// Running with an empty set silently stops detection: say so
		// loudly (with --strict the skipped rules were already fatal).
		fmt.Fprintf(stderr, "wirescan: warning: no rule could be loaded from %s (%d skipped): only file extraction runs\n", strings.Join(paths, ", "), len(warnings))
	}
	return set, nil
}

func cmdRules(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("rules: want a subcommand: check FILE... | stats FILE...")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("rules "+sub, flag.ContinueOnError)
	strict := fs.Bool("strict", false, "treat skipped rules as errors")
	var cache rulesCacheFlag
	cache.register(fs)
	var files multiFlag
	fs.Var(&files, "S", "signature `file` (repeatable; as with replay, or name the files after the flags)")
	if err := parseFlags(fs, rest, stderr); err != nil {
		return err
	}
	paths := append(files, fs.Args()...)
	if len(paths) == 0 {
		return usagef("rules %s: no signature file given", sub)
	}
	switch sub {
	case "check":
		return rulesCheck(paths, ruleLoader{strict: *strict, cache: cache.open()}, stdout, stderr)
	case "stats":
		return rulesStats(paths, ruleLoader{cache: cache.open()}, stdout, stderr)
	default:
		return usagef("rules: unknown subcommand %q (want check or stats)", sub)
	}
}

// rulesCheck loads files and reports every problem with file:line, a count
// of rules by kind and the unsupported keywords with their counts.
func rulesCheck(paths []string, l ruleLoader, stdout, stderr io.Writer) error {
	set, warnings, err := l.load(paths, stderr)
	for _, w := range warnings {
		fmt.Fprintln(stdout, w.String())
	}
	if err != nil {
		return err
	}
	kinds := map[string]int{}
	for _, r := range set.Rules() {
		kinds[r.Proto]++
	}
	fmt.Fprintf(stdout, "%d rules loaded, %d skipped\n", len(set.Rules()), len(warnings))
	printCounts(stdout, "by protocol", kinds)
	keywords := map[string]int{}
	for _, w := range warnings {
		if k, ok := unsupportedKeyword(w.Msg); ok {
			keywords[k]++
		}
	}
	printCounts(stdout, "unsupported keywords", keywords)
	if len(warnings) > 0 {
		return fmt.Errorf("rules check: %d rules could not be loaded", len(warnings))
	}
	return nil
}

func unsupportedKeyword(msg string) (string, bool) {
	const marker = `keyword "`
	i := strings.Index(msg, marker)
	if i < 0 {
		return "", false
	}
	rest := msg[i+len(marker):]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return "", false
	}
	return rest[:j], true
}

func printCounts(w io.Writer, title string, m map[string]int) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || (m[keys[i]] == m[keys[j]] && keys[i] < keys[j]) })
	fmt.Fprintf(w, "%s:\n", title)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-24s %d\n", k, m[k])
	}
}

func rulesStats(paths []string, l ruleLoader, stdout, stderr io.Writer) error {
	set, warnings, err := l.load(paths, stderr)
	if err != nil {
		return err
	}
	st := set.Stats()
	fmt.Fprintf(stdout, "rules:          %d (%d skipped)\n", st.Rules, len(warnings))
	fmt.Fprintf(stdout, "patterns:       %d\n", st.Patterns)
	fmt.Fprintf(stdout, "states:         %d\n", st.States)
	fmt.Fprintf(stdout, "memory:         %.1f MiB\n", float64(st.MemoryBytes)/(1<<20))
	if st.Cached {
		fmt.Fprintf(stdout, "load time:      %s (from the rules cache)\n", st.CompileTime)
	} else {
		fmt.Fprintf(stdout, "compile time:   %s\n", st.CompileTime)
	}
	fmt.Fprintf(stdout, "version:        %s\n", set.Version())
	reasons := map[string]int{}
	for _, w := range warnings {
		if w.File != "" { // not the "N more warnings suppressed" summary
			reasons[skipReason(w.Msg)]++
		}
	}
	if len(reasons) > 0 {
		keys := make([]string, 0, len(reasons))
		for k := range reasons {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return reasons[keys[i]] > reasons[keys[j]] || (reasons[keys[i]] == reasons[keys[j]] && keys[i] < keys[j])
		})
		fmt.Fprintln(stdout, "skipped, by reason:")
		for _, k := range keys {
			fmt.Fprintf(stdout, "  %6d  %s\n", reasons[k], k)
		}
	}
	if n := len(warnings); n > 0 && warnings[n-1].File == "" {
		fmt.Fprintf(stdout, "  (%s)\n", warnings[n-1].Msg)
	}
	return nil
}

// quotedText matches the quoted parts of a warning (a keyword's value, a
// subsignature, an expression): skipReason drops them so that warnings of
// one kind count together.
var quotedText = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// subsigPrefix is the "subsignature N: " of ClamAV logical signature
// warnings.
var subsigPrefix = regexp.MustCompile(`^subsignature [0-9]+: `)

// skipReason is what a load warning says went wrong, without the
// particulars: an unsupported keyword keeps its name, other quoted text
// becomes "…".
func skipReason(msg string) string {
	if k, ok := unsupportedKeyword(msg); ok {
		return `keyword "` + k + `" not supported`
	}
	return quotedText.ReplaceAllString(subsigPrefix.ReplaceAllString(msg, ""), "…")
}
