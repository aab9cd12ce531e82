package capture_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/wirescan/wirescan/engine/capture"
)

// A capture is read packet by packet; damage (here: the file is cut in the
// middle of its second record) is reported with the packet number and byte
// offset, and what came before it is kept.
func Example() {
	var file bytes.Buffer
	w, _ := capture.NewWriter(&file, capture.LinkTypeRaw, 0)
	for i := range 2 {
		_ = w.WritePacket(time.Unix(int64(i), 0), []byte("0123456789"), 10)
	}
	cut := file.Bytes()[:file.Len()-4]

	src, err := capture.NewReader(bytes.NewReader(cut), "cut.pcap", capture.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()
	for {
		pkt, err := src.Next()
		var dmg *capture.DamageError
		switch {
		case errors.Is(err, io.EOF):
			return
		case errors.As(err, &dmg):
			fmt.Println("warning:", dmg)
			continue
		case err != nil:
			fmt.Println(err)
			return
		}
		fmt.Printf("packet %d: %d bytes\n", pkt.Num, len(pkt.Data))
	}
	// Output:
	// packet 1: 10 bytes
	// warning: capture: cut.pcap: packet 2 at byte offset 50: truncated record (got 6 of 10 bytes)
}
