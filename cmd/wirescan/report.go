package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wirescan/wirescan/engine/output"
	"github.com/wirescan/wirescan/engine/output/nats"
	"github.com/wirescan/wirescan/engine/output/redis"
	"github.com/wirescan/wirescan/triage/report"
)

// maxDamageWarnings bounds the damage warnings printed per input; the rest
// are counted in one line.
const maxDamageWarnings = 50

// errReportDamage makes report exit 1 after printing the report: an input
// was missing or had damaged lines (each already named on stderr).
var errReportDamage = errors.New("report: some input was missing or damaged (see the warnings above)")

const reportUsage = `usage: wirescan report [--since DUR|TIME] [--until DUR|TIME] [--json] [--html FILE] [--top N] [--by KEYS] EVE...

Groups the alerts of EVE files (wirescan's or Suricata's eve.json, plain or
gzip, "-" for standard input) or of the events sensors sent to a Redis list
or stream (redis://HOST:PORT/KEY[?mode=stream]) or a NATS JetStream subject
(nats://HOST:PORT/SUBJECT) into incidents: one signature on one file
(SHA-256) between one client and one server, with counts, first/last seen,
file names, fanout and evidence. Exit status: 0 clean, 1 an input was
missing or had damaged lines (the report is still printed), 2 usage error.

`

// cmdReport runs `wirescan report`. Flags may come before or after the
// files.
func cmdReport(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	since := fs.String("since", "", "count only events at or after this `time`: a duration before now (30m, 24h, 7d) or an RFC 3339 time (replayed captures carry packet times: use a time)")
	until := fs.String("until", "", "count only events before this `time` (same forms as --since)")
	asJSON := fs.Bool("json", false, "print every incident and the counters as JSON instead of the table")
	htmlOut := fs.String("html", "", "also write a self-contained HTML page (timeline, top incidents, hosts) to `file`")
	top := fs.Int("top", 20, "incidents in the table and the HTML page (0: all)")
	by := fs.String("by", "sid,sha256,client,server", "incident key: `fields` among sid, sha256, client, server, sensor (sid required)")
	maxIncidents := fs.Int("max-incidents", report.DefaultMaxIncidents, "incident table `size`; new keys beyond it fold into one overflow incident per signature")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), reportUsage)
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("report: no EVE file given (use - for standard input)")
	}
	if *top < 0 {
		return usagef("report: --top must not be negative")
	}
	if *maxIncidents <= 0 {
		return usagef("report: --max-incidents must be positive")
	}
	cfg := report.DefaultConfig()
	cfg.MaxIncidents = *maxIncidents
	if cfg.By, err = report.ParseKeys(*by); err != nil {
		return usageError{err.Error()}
	}
	now := time.Now()
	for _, b := range []struct {
		flag, val string
		dst       *time.Time
	}{{"--since", *since, &cfg.Since}, {"--until", *until, &cfg.Until}} {
		if b.val == "" {
			continue
		}
		if *b.dst, err = report.ParseTime(b.val, now); err != nil {
			return usagef("%s: %v", b.flag, err)
		}
	}
	agg, err := report.NewAggregator(cfg)
	if err != nil {
		return usageError{err.Error()}
	}
	// Sinks are opened before anything is read, so a bad URL, an
	// unreachable server or refused credentials stop the report at once
	// (exit 2) instead of after the files.
	sinks := map[string]report.Source{}
	defer func() {
		for _, src := range sinks {
			src.Close()
		}
	}()
	for _, path := range files {
		if !isSinkURL(path) {
			continue
		}
		src, err := openSinkReader(path)
		if err != nil {
			return usagef("report: %v", err)
		}
		sinks[path] = src
	}
	bad := false
	for _, path := range files {
		if src := sinks[path]; src != nil {
			delete(sinks, path)
			bad = feedReport(agg, src, path, stderr) || bad
			continue
		}
		if readReportInput(agg, path, stdin, cfg.MaxLineBytes, stderr) {
			bad = true
		}
	}
	rep := agg.Report()
	if *htmlOut != "" {
		if err := writeHTMLFile(*htmlOut, rep, *top, now); err != nil {
			return err
		}
	}
	if *asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout, *top)
	}
	if err != nil {
		return fmt.Errorf("report: writing: %w", err)
	}
	if bad {
		return errReportDamage
	}
	return nil
}

// readReportInput feeds one input to agg, printing each damage as
// "FILE:LINE: what is wrong" (at most maxDamageWarnings, then a count). It
// reports whether the input was missing, unreadable or damaged.
func readReportInput(agg *report.Aggregator, path string, stdin io.Reader, maxLine int, stderr io.Writer) (bad bool) {
	src, err := report.Open(path, stdin, maxLine)
	if err != nil {
		fmt.Fprintf(stderr, "wirescan: %v\n", err)
		return true
	}
	return feedReport(agg, src, path, stderr)
}

// feedReport feeds src (closing it) to agg; see readReportInput.
func feedReport(agg *report.Aggregator, src report.Source, path string, stderr io.Writer) (bad bool) {
	defer src.Close()
	damaged := 0
	err := agg.Feed(src, func(d *report.DamageError) {
		damaged++
		if damaged <= maxDamageWarnings {
			fmt.Fprintln(stderr, d.Error())
		}
	})
	if damaged > maxDamageWarnings {
		fmt.Fprintf(stderr, "%s: %d more damaged lines not shown (%d in all)\n", path, damaged-maxDamageWarnings, damaged)
	}
	if err != nil {
		fmt.Fprintf(stderr, "wirescan: %v\n", err)
		return true
	}
	return damaged > 0
}

// isSinkURL reports whether a report input names a sink (redis://, nats://)
// rather than a file.
func isSinkURL(path string) bool {
	return strings.HasPrefix(path, "redis://") || strings.HasPrefix(path, "nats://")
}

// openSinkReader opens a reader over the events a sink holds, from its
// first event to the last one there now.
func openSinkReader(url string) (report.Source, error) {
	ctx := context.Background()
	if strings.HasPrefix(url, "redis://") {
		redis.Quiet() // errors come back to us; the client library's own log is noise
		return redis.OpenReader(ctx, url, output.DefaultDialTimeout)
	}
	return nats.OpenReader(ctx, url, output.DefaultDialTimeout)
}

func writeHTMLFile(path string, rep *report.Report, top int, now time.Time) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := rep.WriteHTML(f, top, now); err != nil {
		f.Close()
		return fmt.Errorf("report: %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return nil
}

// parseInterleaved parses flags that may stand before, between or after
// the positional arguments (as users of grep or jq expect) and returns the
// positional ones. Everything after "--" is positional.
func parseInterleaved(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args, stderr); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
