package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wirescan/wirescan/engine/allowlist"
	"github.com/wirescan/wirescan/engine/policy"
	"github.com/wirescan/wirescan/engine/threshold"
)

const policyUsage = "policy check [--policy F] [--threshold F] [--allowlist F] [--var NAME=ADDRESSES] [FILE...]"

// Formats policy check reads.
const (
	formatPolicy    = "policy"
	formatThreshold = "threshold.config"
	formatAllowlist = "hash allowlist"
)

// cmdPolicy checks the files that decide which alerts are written: YAML
// alert policies, Suricata threshold.config files and known-good hash
// lists. Each file's format comes from its flag, or for a plain FILE from
// its first entry (see sniffFormat). Every entry is listed with the
// problems that don't stop it from loading (warnings); every error is
// printed as FILE:LINE, and any error makes the exit status 1.
func cmdPolicy(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return usagef("policy: want: %s", policyUsage)
	}
	fs := flag.NewFlagSet("policy check", flag.ContinueOnError)
	var pols, thresholds, lists, vars multiFlag
	fs.Var(&pols, "policy", "alert policy `file` (YAML); repeatable")
	fs.Var(&thresholds, "threshold", "Suricata threshold.config `file`; repeatable")
	fs.Var(&lists, "allowlist", "known-good hash list `file` (MD5/SHA-256, md5sum/sha256sum output); repeatable")
	fs.Var(&vars, "var", "address variable for threshold ip lists, `NAME=ADDRESSES` (e.g. HOME_NET=[10.0.0.0/8]); repeatable")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	varMap, err := parseVars(vars)
	if err != nil {
		return err
	}
	type file struct{ path, format string }
	var files []file
	for _, group := range []struct {
		paths  []string
		format string
	}{{pols, formatPolicy}, {thresholds, formatThreshold}, {lists, formatAllowlist}} {
		for _, p := range group.paths {
			files = append(files, file{p, group.format})
		}
	}
	for _, p := range fs.Args() {
		format, err := sniffFormat(p)
		if err != nil {
			return err
		}
		files = append(files, file{p, format})
	}
	if len(files) == 0 {
		return usagef("policy check: no file given; want: %s", policyUsage)
	}
	failed := 0
	for _, f := range files {
		var errs []error
		switch f.format {
		case formatPolicy:
			errs = checkPolicyFile(f.path, stdout)
		case formatThreshold:
			errs = checkThresholdFile(f.path, varMap, stdout)
		case formatAllowlist:
			errs = checkAllowlistFile(f.path, stdout)
		}
		for _, err := range errs {
			fmt.Fprintf(stderr, "wirescan: %v\n", err)
		}
		if len(errs) > 0 {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("policy check: %d of %d files have errors", failed, len(files))
	}
	return nil
}

// parseVars reads --var NAME=ADDRESSES flags.
func parseVars(vars []string) (map[string]string, error) {
	m := map[string]string{}
	for _, v := range vars {
		name, val, ok := strings.Cut(v, "=")
		name = strings.TrimPrefix(strings.TrimSpace(name), "$")
		if !ok || name == "" || strings.TrimSpace(val) == "" {
			return nil, usagef("policy check: bad --var %q: want NAME=ADDRESSES", v)
		}
		m[name] = strings.TrimSpace(val)
	}
	return m, nil
}

// sniffFormat tells a file's format from its first line that is neither
// blank nor a comment: a threshold.config keyword (or a gen_id field) makes
// it a threshold.config; a hex digest, optionally followed by a file name,
// or md5sum/sha256sum's --tag form makes it a hash list; anything else
// (and an empty file) is read as a YAML policy. A file the guess gets wrong
// can be named with --policy, --threshold or --allowlist.
func sniffFormat(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		return formatOfLine(line), nil
	}
	if err := sc.Err(); err != nil && !errors.Is(err, bufio.ErrTooLong) {
		return "", err
	}
	return formatPolicy, nil
}

// formatOfLine is sniffFormat's decision for one significant line.
func formatOfLine(line string) string {
	first, _, _ := strings.Cut(strings.ReplaceAll(line, "\t", " "), " ")
	switch first {
	case "suppress", "threshold", "event_filter", "rate_filter":
		return formatThreshold
	case "MD5", "SHA1", "SHA256", "SHA224", "SHA384", "SHA512", "BLAKE2b":
		if strings.Contains(line, ") = ") {
			return formatAllowlist
		}
	}
	if strings.Contains(line, "gen_id") {
		return formatThreshold
	}
	if h := strings.TrimPrefix(first, "\\"); len(h) >= 16 && isHex(h) {
		return formatAllowlist
	}
	return formatPolicy
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// checkPolicyFile lists a YAML policy's entries and warnings.
func checkPolicyFile(path string, stdout io.Writer) []error {
	p, err := policy.Load(path)
	if err != nil {
		return []error{err}
	}
	cfg := p.Config()
	fmt.Fprintf(stdout, "%s: %s, %d entries\n", path, formatPolicy, len(cfg.Rules))
	for i, r := range cfg.Rules {
		fmt.Fprintf(stdout, "  [%d] %s\n", i, r.String())
	}
	for _, msg := range p.Check() {
		fmt.Fprintf(stdout, "warning: %s\n", msg)
	}
	return nil
}

// checkThresholdFile lists a threshold.config's entries and warnings, or
// every error it has.
func checkThresholdFile(path string, vars map[string]string, stdout io.Writer) []error {
	cfg, err := threshold.Load(path, vars)
	if err != nil {
		return splitErrors(err)
	}
	fmt.Fprintf(stdout, "%s: %s, %d entries\n", path, formatThreshold, len(cfg.Entries))
	for i := range cfg.Entries {
		e := &cfg.Entries[i]
		fmt.Fprintf(stdout, "  %d: %s\n", e.Line, e.String())
	}
	for _, msg := range cfg.Check() {
		fmt.Fprintf(stdout, "warning: %s\n", msg)
	}
	return nil
}

// checkAllowlistFile counts a hash list's entries, or lists its errors.
func checkAllowlistFile(path string, stdout io.Writer) []error {
	l, err := allowlist.Load(path, allowlist.Options{})
	if err != nil {
		return splitErrors(err)
	}
	st := l.Stats()
	fmt.Fprintf(stdout, "%s: %s, %d SHA-256 and %d MD5 hashes\n", path, formatAllowlist, st.SHA256, st.MD5)
	if st.SHA256+st.MD5 == 0 {
		fmt.Fprintf(stdout, "warning: %s: no hashes: the list allows nothing\n", path)
	}
	return nil
}

// splitErrors returns the FILE:LINE problems a loader collected one by one
// (threshold.Errors and allowlist.Errors are the same type), or err alone.
func splitErrors(err error) []error {
	var errs threshold.Errors
	if !errors.As(err, &errs) {
		return []error{err}
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return out
}
