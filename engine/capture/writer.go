package capture

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// DefaultSnaplen is the snap length NewWriter uses when given zero or less.
const DefaultSnaplen = 262144

// Writer writes a classic pcap file with nanosecond timestamps (magic
// a1b23c4d, little-endian), read by libpcap ≥ 1.5, tcpdump and Wireshark. It
// is used for evidence pcaps of alerting flows and by tests. A Writer is not
// safe for concurrent use; it does not buffer, so wrap w in a bufio.Writer
// (and flush it) for throughput.
type Writer struct {
	w       io.Writer
	snaplen int
	hdr     [pcapRecordHeaderLen]byte
}

// NewWriter writes the pcap file header for link to w and returns a Writer
// that truncates packets to snaplen bytes (DefaultSnaplen if snaplen <= 0).
func NewWriter(w io.Writer, link LinkType, snaplen int) (*Writer, error) {
	if snaplen <= 0 || snaplen > DefaultSnaplen {
		snaplen = DefaultSnaplen
	}
	var h [pcapFileHeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:4], magicNanoLE)
	binary.LittleEndian.PutUint16(h[4:6], pcapSupportedMajorVer)
	binary.LittleEndian.PutUint16(h[6:8], 4)
	binary.LittleEndian.PutUint32(h[16:20], uint32(snaplen))
	binary.LittleEndian.PutUint32(h[20:24], uint32(link))
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("capture: write pcap header: %w", err)
	}
	return &Writer{w: w, snaplen: snaplen}, nil
}

// WritePacket appends one record. data is cut to the snap length; origLen is
// the wire length (raised to len(data) when smaller). data is not retained.
func (w *Writer) WritePacket(ts time.Time, data []byte, origLen int) error {
	if origLen < len(data) {
		origLen = len(data)
	}
	if len(data) > w.snaplen {
		data = data[:w.snaplen]
	}
	if origLen > int(^uint32(0)>>1) {
		origLen = int(^uint32(0) >> 1)
	}
	sec, frac := ts.Unix(), ts.Nanosecond()
	binary.LittleEndian.PutUint32(w.hdr[0:4], uint32(sec))
	binary.LittleEndian.PutUint32(w.hdr[4:8], uint32(frac))
	binary.LittleEndian.PutUint32(w.hdr[8:12], uint32(len(data)))
	binary.LittleEndian.PutUint32(w.hdr[12:16], uint32(origLen))
	if _, err := w.w.Write(w.hdr[:]); err != nil {
		return fmt.Errorf("capture: write packet header: %w", err)
	}
	if _, err := w.w.Write(data); err != nil {
		return fmt.Errorf("capture: write packet data: %w", err)
	}
	return nil
}
