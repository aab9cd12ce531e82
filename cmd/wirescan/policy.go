package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/wirescan/wirescan/engine/policy"
)

// cmdPolicy checks an alert policy file: errors (exit 1) name file:line and
// the field; then every entry is listed with the problems Check finds
// (expired entries, entries that can never match, broad suppressions).
func cmdPolicy(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return usagef("policy: want: policy check FILE")
	}
	fs := flag.NewFlagSet("policy check", flag.ContinueOnError)
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("policy check: want one policy file")
	}
	p, err := policy.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	cfg := p.Config()
	fmt.Fprintf(stdout, "%d entries\n", len(cfg.Rules))
	for i, r := range cfg.Rules {
		fmt.Fprintf(stdout, "  [%d] %s\n", i, r.String())
	}
	problems := p.Check()
	for _, msg := range problems {
		fmt.Fprintf(stdout, "warning: %s\n", msg)
	}
	return nil
}
