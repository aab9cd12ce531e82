// Command wirescan replays captures (or captures live) and reports the files
// carried by HTTP/1.x and SMB, and the signatures they match, as EVE JSON.
//
// Exit status: 0 success (also when a damaged capture was processed up to the
// damage), 1 a runtime error (missing or unreadable input, not a capture, bad
// rules with --strict or no rule loadable, output not writable), 2 a usage error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Exit codes, documented in the README.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// usageError marks errors that are the caller's mistake in invoking us.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const topUsage = `usage: wirescan <command> [flags]

commands:
  replay   replay pcap/pcapng captures and write EVE events
  live     capture on interfaces (AF_PACKET) and write EVE events
  reload   make a running wirescan reload its rules and reopen its log
  rules    check or describe signature files (rules check, rules stats)
  policy   check alert policies, threshold.config files and hash allowlists (policy check FILE...)
  diff     replay captures with two signature sets and list the alerts that change
  bench    measure a signature set: load cost, replay throughput, hits, costliest rules
  report   group the alerts of EVE files into incidents (table, --json, --html)
  explain  say why an alert fired: which contents matched where, the bytes around them
  config   print the default configuration as YAML
  version  print the version

Run 'wirescan <command> -h' for the flags of a command.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "replay":
		err = cmdReplay(args[1:], stdin, stdout, stderr)
	case "live":
		err = cmdLive(args[1:], stdout, stderr)
	case "reload":
		err = cmdReload(args[1:], stdout, stderr)
	case "policy":
		err = cmdPolicy(args[1:], stdout, stderr)
	case "rules":
		err = cmdRules(args[1:], stdout, stderr)
	case "config":
		err = cmdConfig(args[1:], stdout, stderr)
	case "bench":
		err = cmdBench(args[1:], stdout, stderr)
	case "diff":
		err = cmdDiff(args[1:], stdout, stderr)
	case "report":
		err = cmdReport(args[1:], stdin, stdout, stderr)
	case "explain":
		err = cmdExplain(args[1:], stdin, stdout, stderr)
	case "version", "--version", "-V":
		fmt.Fprintln(stdout, "wirescan", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, topUsage)
	default:
		fmt.Fprintf(stderr, "wirescan: unknown command %q\n\n%s", args[0], topUsage)
		return exitUsage
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errHelp) {
		return exitOK
	}
	var ce exitCodeError
	if errors.As(err, &ce) {
		if ce.err != nil {
			fmt.Fprintf(stderr, "wirescan: %v\n", ce.err)
		}
		return ce.code
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "wirescan: %s\n", ue.msg)
		return exitUsage
	}
	fmt.Fprintf(stderr, "wirescan: %v\n", err)
	return exitError
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"
