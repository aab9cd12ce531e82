// Command gen writes the project's testdata captures, expected.json and
// README.md (see internal/pcapgen) into a directory.
//
// Usage:
//
//	go run ./internal/pcapgen/cmd/gen -o testdata
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

func main() {
	out := flag.String("o", "testdata", "directory to write the captures into")
	flag.Parse()
	if err := pcapgen.WriteTestdata(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
