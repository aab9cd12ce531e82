// Command sigset writes a generated signature set for benchmarks: n random
// literals (sigtest.Patterns: 6–64 bytes, half binary, half ASCII) as
// Suricata file_data rules, ClamAV .ndb body signatures or YARA rules, the same
// literals in every format for the same seed and count, so wirescan, clamscan
// and yara can be compared on equivalent signatures. -format hdb writes n
// ClamAV MD5 signatures of files that do not exist (hash lookups only).
//
// Usage:
//
//	go run ./bench/cmd/sigset -n 10000 [-format rules|ndb|hdb|yara] [-seed N] -o FILE
package main

import (
	"bufio"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/wirescan/wirescan/bench/corpus"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

func main() {
	out := flag.String("o", "", "signature `file` to write (required)")
	n := flag.Int("n", 10000, "number of signatures")
	format := flag.String("format", "rules", "rules (Suricata), ndb (ClamAV body), hdb (ClamAV MD5) or yara")
	seed := flag.Uint64("seed", 0, "pattern seed; 0 means n, as bench/ uses")
	flag.Parse()
	if *out == "" || *n <= 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *seed == 0 {
		*seed = uint64(*n)
	}
	if err := write(*out, *format, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "sigset:", err)
		os.Exit(1)
	}
}

// write generates the set into path, removing it on failure.
func write(path, format string, n int, seed uint64) error {
	return corpus.WriteFile(path, func(w *bufio.Writer) error { return render(w, format, n, seed) })
}

// render writes n signatures of one format.
func render(w io.Writer, format string, n int, seed uint64) error {
	switch format {
	case "rules":
		for _, line := range sigtest.Rules(sigtest.Patterns(seed, n), 1) {
			fmt.Fprintln(w, line)
		}
	case "ndb":
		for i, p := range sigtest.Patterns(seed, n) {
			fmt.Fprintf(w, "Bench.Gen.%d:0:*:%s\n", i, hex.EncodeToString(p))
		}
	case "yara":
		for i, p := range sigtest.Patterns(seed, n) {
			fmt.Fprintf(w, "rule gen_%d { strings: $a = { %s } condition: $a }\n", i, hex.EncodeToString(p))
		}
	case "hdb":
		var b [8]byte
		for i := range n {
			binary.LittleEndian.PutUint64(b[:], seed<<32^uint64(i))
			sum := md5.Sum(b[:])
			fmt.Fprintf(w, "%x:%d:Bench.Hash.%d\n", sum, 1000+i, i)
		}
	default:
		return fmt.Errorf("unknown -format %q (want rules, ndb, hdb or yara)", format)
	}
	return nil
}
