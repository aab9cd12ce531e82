// Command hostile writes captures of attacks aimed at the sensor itself, for
// benchmarks and the full-size runs of the hostile tests (see the README's
// Reliability section):
//
//	go run ./bench/cmd/hostile -kind synflood -n 1000000 -o syn.pcap
//	go run ./bench/cmd/hostile -kind gzip-bomb -o bomb.pcap    # 10 GiB of zeros in 10 MB
//	go run ./bench/cmd/hostile -list
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

func main() {
	out := flag.String("o", "", "capture `file` to write (required)")
	kind := flag.String("kind", "synflood", "what to write: synflood, halfopen (n half-open HTTP responses), idle (n connections that only shake hands), download (an EICAR download under a flood of n SYNs and n/10 half-open responses), or one of "+strings.Join(pcapgen.HostileKinds(), ", ")+" (-list describes them)")
	n := flag.Int("n", 0, "scale: SYNs (synflood, download, default 1000000), connections (halfopen, idle, default 1000000); for the other kinds see -list (default: full size)")
	list := flag.Bool("list", false, "describe the hostile kinds, their scale and full size, and exit")
	seed := flag.Uint64("seed", 1, "generator seed: the same seed gives the same capture")
	flag.Parse()
	if *list {
		for _, h := range pcapgen.Hostiles() {
			fmt.Printf("%-15s full -n %-7d test -n %-6d %s\n", h.Kind, h.Full, h.Small, h.Description)
		}
		return
	}
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*out, *kind, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
}

func write(path, kind string, n int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	floodN := n
	if floodN <= 0 {
		floodN = 1000000
	}
	switch kind {
	case "synflood":
		err = pcapgen.WriteSynFlood(bw, floodN, seed)
	case "halfopen":
		err = pcapgen.WriteDownloadUnderFlood(bw, 0, floodN)
	case "idle":
		err = pcapgen.WriteIdleConnections(bw, floodN)
	case "download":
		err = pcapgen.WriteDownloadUnderFlood(bw, floodN, floodN/10)
	default:
		err = pcapgen.WriteHostile(bw, kind, fullSize(kind, n))
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// fullSize returns n, or the full size of the hostile kind when n is 0.
func fullSize(kind string, n int) int {
	if n > 0 {
		return n
	}
	for _, h := range pcapgen.Hostiles() {
		if h.Kind == kind {
			return h.Full
		}
	}
	return 0 // unknown kind: WriteHostile names it
}
