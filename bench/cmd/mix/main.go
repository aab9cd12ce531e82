// Command mix writes a benchmark capture of benign transfers: by default a mix
// of HTTP and SMB2 (pcapgen.SyntheticMix, as bench/live_drops.sh replays onto
// an interface and `wirescan bench -r` measures); -proto http, smb or
// smb-read writes one protocol only (bench/corpus.Capture; smb-read carries
// downloads only).
//
// Usage:
//
//	go run ./bench/cmd/mix -o mix.pcap [-mb 200] [-seed 1] [-proto mix|http|smb|smb-read]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/wirescan/wirescan/bench/corpus"
	"github.com/wirescan/wirescan/internal/pcapgen"
)

func main() {
	out := flag.String("o", "", "capture `file` to write (required)")
	mb := flag.Int64("mb", 200, "file bytes to carry, in MiB (the capture is a little larger)")
	seed := flag.Int64("seed", 1, "generator seed: the same seed gives the same capture")
	proto := flag.String("proto", "mix", "mix (HTTP and SMB2), http, smb (READs and WRITEs) or smb-read (downloads)")
	flag.Parse()
	if *out == "" || *mb <= 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*out, *proto, *mb<<20, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "mix:", err)
		os.Exit(1)
	}
}

// write generates the capture into path, removing it on failure.
func write(path, proto string, total, seed int64) error {
	return corpus.WriteFile(path, func(w *bufio.Writer) error {
		if proto == "mix" {
			return pcapgen.SyntheticMix(w, total, seed)
		}
		return corpus.Capture(w, proto, total, uint64(seed))
	})
}
