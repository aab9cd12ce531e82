package decode_test

import (
	"fmt"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/decode"
)

// A raw frame is decoded in place into a Packet the decoder reuses: read
// what you need before the next Decode.
func Example() {
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: []byte{192, 0, 2, 1}, DstIP: []byte{192, 0, 2, 2}}
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 1000, ACK: true, PSH: true}
	_ = tcp.SetNetworkLayerForChecksum(ip)
	buf := gopacket.NewSerializeBuffer()
	_ = gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, tcp, gopacket.Payload("GET / HTTP/1.1\r\n"))
	frame := buf.Bytes()

	cfg := decode.DefaultConfig()
	var st decode.Stats
	d := decode.NewDecoder(&cfg, &st)
	if p, ok := d.Decode(capture.LinkTypeRaw, frame, time.Unix(0, 0), 1, len(frame)); ok {
		fmt.Printf("%v:%d -> %v:%d seq %d payload %q\n", p.SrcIP, p.SrcPort, p.DstIP, p.DstPort, p.Seq, p.Payload)
	}
	// Output:
	// 192.0.2.1:40000 -> 192.0.2.2:80 seq 1000 payload "GET / HTTP/1.1\r\n"
}
