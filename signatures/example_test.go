package signatures_test

import (
	"fmt"

	"github.com/wirescan/wirescan/signatures"
)

// A file is scanned as it streams, in pieces of any size: a pattern split
// across two writes is still found, at its end offset in the file.
func Example() {
	rule, err := signatures.ParseRule(`alert http any any -> any any (msg:"dropper stub"; file_data; content:"MZ"; depth:2; content:"This program"; distance:0; sid:9000001; rev:1;)`)
	if err != nil {
		fmt.Println(err)
		return
	}
	set, err := signatures.Compile([]*signatures.Rule{rule}, signatures.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	sc := set.NewScanner(signatures.FileData, &signatures.Context{Proto: "http"})
	for _, piece := range []string{"MZ\x90\x00 This pro", "gram cannot be run in DOS mode"} {
		for _, m := range sc.Write([]byte(piece)) {
			fmt.Printf("sid %d at offset %d\n", m.Rule.SID, m.Offset)
		}
	}
	for _, m := range sc.End(signatures.FileFacts{Size: 44, Complete: true}) {
		fmt.Printf("sid %d at end\n", m.Rule.SID)
	}
	// Output:
	// sid 9000001 at offset 17
}
