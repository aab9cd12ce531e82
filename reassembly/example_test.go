package reassembly_test

import (
	"fmt"

	"github.com/wirescan/wirescan/engine/memcap"
	"github.com/wirescan/wirescan/reassembly"
)

// printer is a Handler that prints what the stream delivers.
type printer struct{}

func (printer) Data(dir reassembly.Direction, data []byte) { fmt.Printf("data %q\n", data) }
func (printer) Gap(dir reassembly.Direction, n int64)      { fmt.Printf("gap %d\n", n) }
func (printer) Anomaly(dir reassembly.Direction, name string) {
	fmt.Printf("anomaly %s\n", name)
}
func (printer) End(dir reassembly.Direction) { fmt.Printf("end %d\n", dir) }

// Segments arriving out of order are delivered in order; a hole the stream
// never filled is reported as a gap when it closes.
func Example() {
	mem := memcap.New(256 << 20) // shared by every stream of every worker
	cfg := reassembly.DefaultConfig()
	var stats reassembly.Stats
	s := reassembly.NewStream(&cfg, mem, &stats, printer{})
	c2s := reassembly.ClientToServer
	s.Add(c2s, reassembly.Segment{Seq: 1000, SYN: true})
	s.Add(c2s, reassembly.Segment{Seq: 1006, ACK: true, Payload: []byte("world")})
	s.Add(c2s, reassembly.Segment{Seq: 1001, ACK: true, Payload: []byte("hello")})
	s.Add(c2s, reassembly.Segment{Seq: 1016, ACK: true, Payload: []byte("!")})
	s.Close()
	// Output:
	// data "hello"
	// data "world"
	// gap 5
	// data "!"
	// end 0
	// end 1
}
