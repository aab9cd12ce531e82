package capture

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"time"
)

// pcapng block types and constants (draft-ietf-opsawg-pcapng).
const (
	blockSHB        = 0x0a0d0d0a // Section Header Block
	blockIDB        = 1          // Interface Description Block
	blockPB         = 2          // obsolete Packet Block
	blockSPB        = 3          // Simple Packet Block
	blockEPB        = 6          // Enhanced Packet Block
	byteOrderMagic  = 0x1a2b3c4d
	pcapngMajorVer  = 1
	blockHeaderLen  = 8  // type + total length
	blockMinLen     = 12 // type + total length + trailing total length
	shbMinLen       = 28
	optIfTsresol    = 9
	optIfTsoffset   = 14
	defaultTsresol  = 6 // microseconds
	maxDecimalExp   = 19
	maxBinaryExp    = 63
	epbFixedBodyLen = 20 // interface id, timestamp (2), captured and original length
	spbFixedBodyLen = 4  // original length
	idbFixedBodyLen = 8  // link type, reserved, snap length
)

// Implementation limits of the pcapng reader.
const (
	// maxBlockOverhead is the room allowed in a packet block beyond the
	// packet bytes (fixed fields, padding, options such as comments).
	maxBlockOverhead = 64 << 10
	// maxInterfaces bounds the interfaces one section may describe, so a
	// stream of Interface Description Blocks cannot grow memory.
	maxInterfaces = 1024
	// maxBlocksWithoutPacket bounds how many non-packet blocks Next skips
	// before giving up on the file, so Next always returns.
	maxBlocksWithoutPacket = 1 << 20
)

// pow10 holds 10^0 .. 10^19, all of which fit in a uint64.
var pow10 = [maxDecimalExp + 1]uint64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// iface is what an Interface Description Block says about its packets.
type iface struct {
	link   LinkType
	pow2   bool  // if_tsresol is a power of two, not of ten
	exp    uint8 // if_tsresol exponent
	offset int64 // if_tsoffset, seconds
}

// pcapngState is the per-section state of a pcapng reader.
type pcapngState struct {
	ifaces []iface
	lastTS time.Time // timestamp for Simple Packet Blocks, which carry none
}

// readFirstSection reads the Section Header Block that starts the file.
func (r *reader) readFirstSection() error {
	hdr := r.scratch[:blockHeaderLen]
	if n, err := r.fill(hdr); err != nil {
		return fmt.Errorf("capture: %s: %w", r.name, notCaptureErr("%v", readErr(err, "section header", n, len(hdr))))
	}
	if cause := r.readSHB([4]byte(hdr[4:8])); cause != nil {
		return fmt.Errorf("capture: %s: %w", r.name, notCaptureErr("%v", cause))
	}
	return nil
}

// readSHB reads the rest of a Section Header Block whose raw total-length
// field is rawLen, switching the reader to the section's byte order.
func (r *reader) readSHB(rawLen [4]byte) error {
	m := r.scratch[:16] // byte-order magic, major, minor, section length
	if n, err := r.fill(m); err != nil {
		return readErr(err, "section header", blockHeaderLen+n, shbMinLen)
	}
	var order binary.ByteOrder
	switch {
	case binary.LittleEndian.Uint32(m[0:4]) == byteOrderMagic:
		order = binary.LittleEndian
	case binary.BigEndian.Uint32(m[0:4]) == byteOrderMagic:
		order = binary.BigEndian
	default:
		return corruptErr("section header has bad byte-order magic %#08x", binary.BigEndian.Uint32(m[0:4]))
	}
	length := order.Uint32(rawLen[:])
	if length < shbMinLen || length%4 != 0 {
		return corruptErr("section header has invalid length %d", length)
	}
	if major := order.Uint16(m[4:6]); major != pcapngMajorVer {
		return corruptErr("unsupported pcapng version %d", major)
	}
	r.order = order
	r.pcapng.ifaces = r.pcapng.ifaces[:0]
	return r.skipBody(int64(length)-shbMinLen, length)
}

// skipBody discards n body bytes and checks the trailing block length.
func (r *reader) skipBody(n int64, length uint32) error {
	if k, err := r.discard(n); err != nil {
		return readErr(err, "block", int(k), int(n)+4)
	}
	t := r.scratch[:4]
	if k, err := r.fill(t); err != nil {
		return readErr(err, "block trailer", k, len(t))
	}
	if got := r.order.Uint32(t); got != length {
		return corruptErr("block trailer length %d does not match header length %d", got, length)
	}
	return nil
}

// nextPcapng reads blocks until it has a packet.
func (r *reader) nextPcapng() (Packet, error) {
	for range maxBlocksWithoutPacket {
		start := r.off
		hdr := r.scratch[:blockHeaderLen]
		n, err := r.fill(hdr)
		if err != nil {
			if n == 0 && err == io.EOF {
				return Packet{}, io.EOF
			}
			return Packet{}, r.damage(start, readErr(err, "block header", n, len(hdr)))
		}
		typ := r.order.Uint32(hdr[0:4])
		if typ == blockSHB {
			if cause := r.readSHB([4]byte(hdr[4:8])); cause != nil {
				return Packet{}, r.damage(start, cause)
			}
			continue
		}
		length := r.order.Uint32(hdr[4:8])
		if length < blockMinLen || length%4 != 0 {
			return Packet{}, r.damage(start, corruptErr("block type %#x has invalid length %d", typ, length))
		}
		switch typ {
		case blockIDB, blockEPB, blockSPB, blockPB:
		default:
			if cause := r.skipBody(int64(length)-blockMinLen, length); cause != nil {
				return Packet{}, r.damage(start, cause)
			}
			continue
		}
		if int64(length)-blockHeaderLen > int64(r.recordLimit()) {
			return Packet{}, r.damage(start, corruptErr("block length %d exceeds limit %d", length, r.recordLimit()+blockHeaderLen))
		}
		buf := r.record(int(length) - blockHeaderLen)
		if n, err := r.fill(buf); err != nil {
			return Packet{}, r.damage(start, readErr(err, "block", blockHeaderLen+n, int(length)))
		}
		body := buf[:len(buf)-4]
		if got := r.order.Uint32(buf[len(buf)-4:]); got != length {
			return Packet{}, r.damage(start, corruptErr("block trailer length %d does not match header length %d", got, length))
		}
		var (
			p     Packet
			cause error
		)
		switch typ {
		case blockIDB:
			if cause = r.addInterface(body); cause != nil {
				return Packet{}, r.damage(start, cause)
			}
			continue
		case blockEPB:
			p, cause = r.packetBlock(body, false)
		case blockPB:
			p, cause = r.packetBlock(body, true)
		case blockSPB:
			p, cause = r.simplePacket(body)
		}
		if cause != nil {
			return Packet{}, r.damage(start, cause)
		}
		return p, nil
	}
	return Packet{}, r.damage(r.off, corruptErr("more than %d blocks without a packet", maxBlocksWithoutPacket))
}

// addInterface records an Interface Description Block.
func (r *reader) addInterface(body []byte) error {
	if len(body) < idbFixedBodyLen {
		return corruptErr("interface description block too short (%d bytes)", len(body))
	}
	if len(r.pcapng.ifaces) >= maxInterfaces {
		return corruptErr("more than %d interfaces in one section", maxInterfaces)
	}
	ifc := iface{link: LinkType(r.order.Uint16(body[0:2])), exp: defaultTsresol}
	opts := body[idbFixedBodyLen:]
	// Every option consumes at least 4 bytes, so the loop is bounded by the block.
	for len(opts) >= 4 {
		code := r.order.Uint16(opts[0:2])
		n := int(r.order.Uint16(opts[2:4]))
		if code == 0 { // opt_endofopt
			break
		}
		padded := (n + 3) &^ 3
		if 4+padded > len(opts) {
			break // an option running past the block: ignore the rest
		}
		val := opts[4 : 4+n]
		switch {
		case code == optIfTsresol && n >= 1:
			ifc.pow2 = val[0]&0x80 != 0
			ifc.exp = val[0] & 0x7f
			if (!ifc.pow2 && ifc.exp > maxDecimalExp) || (ifc.pow2 && ifc.exp > maxBinaryExp) {
				return corruptErr("unsupported if_tsresol %#02x", val[0])
			}
		case code == optIfTsoffset && n >= 8:
			ifc.offset = int64(r.order.Uint64(val[0:8]))
		}
		opts = opts[4+padded:]
	}
	r.pcapng.ifaces = append(r.pcapng.ifaces, ifc)
	return nil
}

// packetBlock decodes an Enhanced Packet Block or an obsolete Packet Block
// body (obsolete is true); both carry the packet fields at the same
// offsets, the obsolete block with a 16-bit interface id.
func (r *reader) packetBlock(body []byte, obsolete bool) (Packet, error) {
	if len(body) < epbFixedBodyLen {
		return Packet{}, corruptErr("packet block too short (%d bytes)", len(body))
	}
	id := r.order.Uint32(body[0:4])
	if obsolete {
		id = uint32(r.order.Uint16(body[0:2]))
	}
	if uint64(id) >= uint64(len(r.pcapng.ifaces)) {
		return Packet{}, corruptErr("interface id %d out of range (%d interfaces)", id, len(r.pcapng.ifaces))
	}
	ifc := &r.pcapng.ifaces[id]
	units := uint64(r.order.Uint32(body[4:8]))<<32 | uint64(r.order.Uint32(body[8:12]))
	capLen := r.order.Uint32(body[12:16])
	origLen := r.order.Uint32(body[16:20])
	if uint64(capLen) > uint64(r.opts.MaxRecordBytes) {
		return Packet{}, corruptErr("record length %d exceeds limit %d", capLen, r.opts.MaxRecordBytes)
	}
	if int(capLen) > len(body)-epbFixedBodyLen {
		return Packet{}, corruptErr("captured length %d exceeds block body (%d bytes)", capLen, len(body)-epbFixedBodyLen)
	}
	ts := ifc.timestamp(units)
	r.pcapng.lastTS = ts
	return Packet{
		Data:      body[epbFixedBodyLen : epbFixedBodyLen+int(capLen)],
		Timestamp: ts,
		LinkType:  ifc.link,
		Length:    int(origLen),
	}, nil
}

// simplePacket decodes a Simple Packet Block: interface 0, no timestamp
// (the previous packet's is used), captured length implied by the block.
func (r *reader) simplePacket(body []byte) (Packet, error) {
	if len(body) < spbFixedBodyLen {
		return Packet{}, corruptErr("simple packet block too short (%d bytes)", len(body))
	}
	if len(r.pcapng.ifaces) == 0 {
		return Packet{}, corruptErr("simple packet block before any interface description")
	}
	origLen := r.order.Uint32(body[0:4])
	data := body[spbFixedBodyLen:]
	if uint64(len(data)) > uint64(origLen) {
		data = data[:origLen]
	}
	if len(data) > r.opts.MaxRecordBytes {
		return Packet{}, corruptErr("record length %d exceeds limit %d", len(data), r.opts.MaxRecordBytes)
	}
	return Packet{
		Data:      data,
		Timestamp: r.pcapng.lastTS,
		LinkType:  r.pcapng.ifaces[0].link,
		Length:    int(origLen),
	}, nil
}

// timestamp converts a 64-bit pcapng timestamp in the interface's units.
func (ifc *iface) timestamp(units uint64) time.Time {
	var sec, nsec uint64
	if ifc.pow2 {
		sec = units >> ifc.exp
		if ifc.exp > 0 {
			frac := units & (1<<ifc.exp - 1)
			hi, lo := bits.Mul64(frac, 1e9)
			nsec = lo>>ifc.exp | hi<<(64-ifc.exp)
		}
	} else {
		perSec := pow10[ifc.exp]
		sec = units / perSec
		rem := units % perSec
		if ifc.exp <= 9 {
			nsec = rem * pow10[9-ifc.exp]
		} else {
			nsec = rem / pow10[ifc.exp-9]
		}
	}
	return unixTime(int64(sec)+ifc.offset, int64(nsec))
}
