package main

import (
	"bufio"
	"encoding/binary"
	"time"

	"github.com/wirescan/wirescan/engine/capture"
)

// ngWriter writes one pcapng section (little endian) carrying packets of
// any link types: one interface per link type, declared when first used,
// timestamps in nanoseconds. wirescan reads it from standard input like a
// capture file, so captures of different link types can follow each other
// in one replay.
type ngWriter struct {
	w      *bufio.Writer
	ifaces map[capture.LinkType]uint32
	buf    []byte
}

// pcapng block types and options ([pcapng] sections 4.1 to 4.3).
const (
	blockSHB    = 0x0a0d0d0a
	blockIDB    = 1
	blockEPB    = 6
	byteOrder   = 0x1a2b3c4d
	optTsresol  = 9
	nanoseconds = 9
)

func newNGWriter(w *bufio.Writer) (*ngWriter, error) {
	n := &ngWriter{w: w, ifaces: map[capture.LinkType]uint32{}}
	body := binary.LittleEndian.AppendUint32(nil, byteOrder)
	body = binary.LittleEndian.AppendUint16(body, 1) // major
	body = binary.LittleEndian.AppendUint16(body, 0) // minor
	body = binary.LittleEndian.AppendUint64(body, ^uint64(0))
	return n, n.block(blockSHB, body)
}

// block writes one block around body (padded to 4 bytes).
func (n *ngWriter) block(typ uint32, body []byte) error {
	pad := (4 - len(body)%4) % 4
	total := uint32(12 + len(body) + pad)
	b := n.buf[:0]
	b = binary.LittleEndian.AppendUint32(b, typ)
	b = binary.LittleEndian.AppendUint32(b, total)
	b = append(b, body...)
	b = append(b, make([]byte, pad)...)
	b = binary.LittleEndian.AppendUint32(b, total)
	n.buf = b
	_, err := n.w.Write(b)
	return err
}

// packet writes one packet, declaring its link type's interface first.
func (n *ngWriter) packet(link capture.LinkType, ts time.Time, data []byte, origLen int) error {
	id, ok := n.ifaces[link]
	if !ok {
		id = uint32(len(n.ifaces))
		n.ifaces[link] = id
		body := binary.LittleEndian.AppendUint16(nil, uint16(link))
		body = binary.LittleEndian.AppendUint16(body, 0)
		body = binary.LittleEndian.AppendUint32(body, 0) // no snap length
		body = binary.LittleEndian.AppendUint16(body, optTsresol)
		body = binary.LittleEndian.AppendUint16(body, 1)
		body = append(body, nanoseconds, 0, 0, 0)
		body = binary.LittleEndian.AppendUint32(body, 0) // opt_endofopt
		if err := n.block(blockIDB, body); err != nil {
			return err
		}
	}
	ns := uint64(ts.UnixNano())
	body := make([]byte, 0, 20+len(data))
	body = binary.LittleEndian.AppendUint32(body, id)
	body = binary.LittleEndian.AppendUint32(body, uint32(ns>>32))
	body = binary.LittleEndian.AppendUint32(body, uint32(ns))
	body = binary.LittleEndian.AppendUint32(body, uint32(len(data)))
	body = binary.LittleEndian.AppendUint32(body, uint32(max(origLen, len(data))))
	body = append(body, data...)
	return n.block(blockEPB, body)
}
