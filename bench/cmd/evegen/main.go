// Command evegen writes a large EVE log (internal/evegen) for measuring
// `wirescan report`: mostly flow, fileinfo, http and smb lines, one flow in
// 20 alerting on a file from a pool of a few thousand incident keys.
//
// Usage:
//
//	go run ./bench/cmd/evegen -o /tmp/eve.json [-mb 1024] [-incidents 3000] [-alert-every 20] [-seed 1]
//
// It prints what it wrote (lines, alerts, distinct keys, summaries) so a
// report on the file can be checked against it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/wirescan/wirescan/internal/evegen"
)

func main() {
	out := flag.String("o", "", "EVE `file` to write (required)")
	mb := flag.Int64("mb", 1024, "size to write, in MiB")
	incidents := flag.Int("incidents", 3000, "pool of distinct alert keys")
	seed := flag.Int64("seed", 1, "generator seed: the same seed gives the same file")
	alertEvery := flag.Int("alert-every", 20, "one flow in this many alerts")
	flag.Parse()
	if *out == "" || *mb <= 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "evegen:", err)
		os.Exit(1)
	}
	st, err := evegen.Write(f, evegen.Config{Bytes: *mb << 20, Seed: *seed, Incidents: *incidents, FlowsPerAlert: *alertEvery})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "evegen:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d bytes, %d lines, %d alerts on %d distinct keys, %d incident summaries (+%d hits)\n",
		*out, st.Bytes, st.Lines, st.Alerts, st.Keys, st.Summaries, st.SummaryHits)
}
