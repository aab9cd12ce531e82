package pcapgen

import (
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Snaplen is the snapshot length written in the pcap header. It exceeds the
// largest frame pcapgen builds, so every packet is captured whole.
const Snaplen = 65536

// DefaultStep is how far the capture clock advances per packet unless a
// conversation says otherwise.
const DefaultStep = 50 * time.Microsecond

// Capture writes Ethernet frames to a classic pcap stream with a deterministic
// clock. Conversations write through it; several conversations may share one
// Capture (their packets interleave in call order).
//
// A Capture is not safe for concurrent use.
type Capture struct {
	w    *pcapgo.Writer
	now  time.Time
	step time.Duration
	buf  gopacket.SerializeBuffer
	ipID uint16
	pkts uint64
	err  error
}

// NewCapture writes the pcap file header to w and starts the clock at start.
func NewCapture(w io.Writer, start time.Time) (*Capture, error) {
	pw := pcapgo.NewWriter(w)
	if err := pw.WriteFileHeader(Snaplen, layers.LinkTypeEthernet); err != nil {
		return nil, fmt.Errorf("pcapgen: write pcap header: %w", err)
	}
	return &Capture{w: pw, now: start.UTC(), step: DefaultStep, buf: gopacket.NewSerializeBuffer()}, nil
}

// Now is the timestamp the next packet will get.
func (c *Capture) Now() time.Time { return c.now }

// Sleep advances the clock by d, like a pause between requests.
func (c *Capture) Sleep(d time.Duration) { c.now = c.now.Add(d) }

// Packets is the number of packets written so far.
func (c *Capture) Packets() uint64 { return c.pkts }

// Err returns the first write error; after it every write is skipped.
func (c *Capture) Err() error { return c.err }

// nextIPID returns the IPv4 identification for the next packet.
func (c *Capture) nextIPID() uint16 {
	c.ipID++
	return c.ipID
}

// writeFrame serialises layers (lengths and checksums computed) and writes
// the frame with the current timestamp, then advances the clock.
func (c *Capture) writeFrame(ls ...gopacket.SerializableLayer) error {
	if c.err != nil {
		return c.err
	}
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(c.buf, opts, ls...); err != nil {
		c.err = fmt.Errorf("pcapgen: serialise packet %d: %w", c.pkts+1, err)
		return c.err
	}
	data := c.buf.Bytes()
	ci := gopacket.CaptureInfo{Timestamp: c.now, CaptureLength: len(data), Length: len(data)}
	if err := c.w.WritePacket(ci, data); err != nil {
		c.err = fmt.Errorf("pcapgen: write packet %d: %w", c.pkts+1, err)
		return c.err
	}
	c.pkts++
	c.now = c.now.Add(c.step)
	return nil
}
