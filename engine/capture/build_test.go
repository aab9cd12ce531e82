package capture

import (
	"bytes"
	"encoding/binary"
)

// pcapFile builds a classic pcap byte stream by hand for tests.
type pcapFile struct {
	order    binary.ByteOrder
	modified bool
	buf      bytes.Buffer
}

// newPcapFile writes a pcap header with the given magic (as written in the
// file's own byte order) and link type.
func newPcapFile(order binary.ByteOrder, magic uint32, link LinkType) *pcapFile {
	f := &pcapFile{order: order, modified: magic == magicModifiedLE}
	h := make([]byte, pcapFileHeaderLen)
	order.PutUint32(h[0:4], magic)
	order.PutUint16(h[4:6], 2)
	order.PutUint16(h[6:8], 4)
	order.PutUint32(h[16:20], 65535)
	order.PutUint32(h[20:24], uint32(link))
	f.buf.Write(h)
	return f
}

// add appends a record and returns the offset it starts at.
func (f *pcapFile) add(sec, frac uint32, data []byte, orig uint32) int64 {
	off := int64(f.buf.Len())
	h := make([]byte, pcapRecordHeaderLen)
	f.order.PutUint32(h[0:4], sec)
	f.order.PutUint32(h[4:8], frac)
	f.order.PutUint32(h[8:12], uint32(len(data)))
	f.order.PutUint32(h[12:16], orig)
	f.buf.Write(h)
	if f.modified {
		f.buf.Write(make([]byte, pcapModifiedExtraLen))
	}
	f.buf.Write(data)
	return off
}

// ngFile builds a pcapng byte stream by hand for tests.
type ngFile struct {
	order binary.ByteOrder
	buf   bytes.Buffer
}

// block appends a block of type typ around body (padded to 4 bytes) and
// returns its offset.
func (f *ngFile) block(typ uint32, body []byte) int64 {
	off := int64(f.buf.Len())
	padded := (len(body) + 3) &^ 3
	total := uint32(blockMinLen + padded)
	var w [4]byte
	f.order.PutUint32(w[:], typ)
	f.buf.Write(w[:])
	f.order.PutUint32(w[:], total)
	f.buf.Write(w[:])
	f.buf.Write(body)
	f.buf.Write(make([]byte, padded-len(body)))
	f.order.PutUint32(w[:], total)
	f.buf.Write(w[:])
	return off
}

// shb starts a new section in the builder's current byte order.
func (f *ngFile) shb() int64 {
	b := make([]byte, 16)
	f.order.PutUint32(b[0:4], byteOrderMagic)
	f.order.PutUint16(b[4:6], 1)
	f.order.PutUint64(b[8:16], ^uint64(0))
	return f.block(blockSHB, b)
}

// opt encodes one pcapng option.
func (f *ngFile) opt(code uint16, val []byte) []byte {
	b := make([]byte, 4, 4+len(val)+3)
	f.order.PutUint16(b[0:2], code)
	f.order.PutUint16(b[2:4], uint16(len(val)))
	b = append(b, val...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// idb appends an Interface Description Block with the given options.
func (f *ngFile) idb(link LinkType, opts ...[]byte) int64 {
	b := make([]byte, idbFixedBodyLen)
	f.order.PutUint16(b[0:2], uint16(link))
	f.order.PutUint32(b[4:8], 65535)
	for _, o := range opts {
		b = append(b, o...)
	}
	if len(opts) > 0 {
		b = append(b, 0, 0, 0, 0)
	}
	return f.block(blockIDB, b)
}

// epb appends an Enhanced Packet Block.
func (f *ngFile) epb(id uint32, units uint64, data []byte, orig uint32) int64 {
	b := f.packetBody(units, data, orig)
	f.order.PutUint32(b[0:4], id)
	return f.block(blockEPB, b)
}

// pb appends an obsolete Packet Block.
func (f *ngFile) pb(id uint16, units uint64, data []byte, orig uint32) int64 {
	b := f.packetBody(units, data, orig)
	f.order.PutUint16(b[0:2], id)
	return f.block(blockPB, b)
}

// packetBody encodes the fields shared by EPB and PB, leaving the
// interface id (first 4 bytes) zero.
func (f *ngFile) packetBody(units uint64, data []byte, orig uint32) []byte {
	b := make([]byte, epbFixedBodyLen, epbFixedBodyLen+len(data))
	f.order.PutUint32(b[4:8], uint32(units>>32))
	f.order.PutUint32(b[8:12], uint32(units))
	f.order.PutUint32(b[12:16], uint32(len(data)))
	f.order.PutUint32(b[16:20], orig)
	return append(b, data...)
}

// spb appends a Simple Packet Block.
func (f *ngFile) spb(data []byte, orig uint32) int64 {
	b := make([]byte, spbFixedBodyLen, spbFixedBodyLen+len(data))
	f.order.PutUint32(b[0:4], orig)
	return f.block(blockSPB, append(b, data...))
}

// payload returns n distinct bytes tagged with seed, for telling packets apart.
func payload(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}
