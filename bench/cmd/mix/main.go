// Command mix writes a benchmark capture of benign HTTP and SMB2 transfers
// (pcapgen.SyntheticMix) for replaying onto an interface, as
// bench/live_drops.sh does.
//
// Usage:
//
//	go run ./bench/cmd/mix -o mix.pcap [-mb 200] [-seed 1]
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
	mb := flag.Int64("mb", 200, "file bytes to carry, in MiB (the capture is a little larger)")
	seed := flag.Int64("seed", 1, "generator seed: the same seed gives the same capture")
	flag.Parse()
	if *out == "" || *mb <= 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*out, *mb<<20, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "mix:", err)
		os.Exit(1)
	}
}

// write generates the capture into path, removing it on failure.
func write(path string, total, seed int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = pcapgen.SyntheticMix(w, total, seed)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
