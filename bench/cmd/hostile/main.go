// Command hostile writes captures of attacks aimed at the sensor itself, for
// benchmarks and soak tests (see bench/README.md):
//
//	go run ./bench/cmd/hostile -kind synflood -n 1000000 -o syn.pcap
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

func main() {
	out := flag.String("o", "", "capture `file` to write (required)")
	kind := flag.String("kind", "synflood", "what to write: synflood, halfopen (n half-open HTTP responses), idle (n connections that only shake hands), download (an EICAR download under a flood of n SYNs and n/10 half-open responses)")
	n := flag.Int("n", 1000000, "SYNs (synflood, download) or connections (halfopen)")
	seed := flag.Uint64("seed", 1, "generator seed: the same seed gives the same capture")
	flag.Parse()
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
	switch kind {
	case "synflood":
		err = pcapgen.WriteSynFlood(bw, n, seed)
	case "halfopen":
		err = pcapgen.WriteDownloadUnderFlood(bw, 0, n)
	case "idle":
		err = pcapgen.WriteIdleConnections(bw, n)
	case "download":
		err = pcapgen.WriteDownloadUnderFlood(bw, n, n/10)
	default:
		err = fmt.Errorf("unknown kind %q", kind)
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
