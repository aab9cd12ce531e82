package smb

import (
	"encoding/binary"
	"fmt"
)

// Pure decoders for SMB1 wire records (MS-CIFS 2.2). Offsets inside SMB1
// messages are relative to the start of the SMB header; decoders take the
// whole message, which may be a truncated prefix of it.

// hdr1 is a decoded SMB1 header.
type hdr1 struct {
	command uint8
	status  uint32
	flags   uint8
	flags2  uint16
	pidHigh uint16
	tid     uint16
	pid     uint16
	uid     uint16
	mid     uint16
}

func (h *hdr1) reply() bool   { return h.flags&smb1FlagReply != 0 }
func (h *hdr1) unicode() bool { return h.flags2&smb1Flags2Unicode != 0 }

// pendKey packs (PID, MID) and the position in the AndX chain into the key
// of an outstanding SMB1 request.
func (h *hdr1) pendKey(idx int) pendKey {
	return pendKey{1, uint64(h.pidHigh)<<40 | uint64(h.pid)<<24 | uint64(h.mid)<<8 | uint64(idx&0xff)}
}

// setStatus records the header's status on tx, as an NTSTATUS or DOS error.
func (h *hdr1) setStatus(tx *Tx) {
	if h.flags2&smb1Flags2NTError != 0 || h.status == 0 {
		tx.setNTStatus(h.status)
		return
	}
	tx.setDOSError(uint8(h.status), uint16(h.status>>16))
}

func parseHdr1(m []byte) (hdr1, error) {
	var h hdr1
	c := newCursor(m)
	c.skip(4)
	h.command = c.u8()
	h.status = c.u32()
	h.flags = c.u8()
	h.flags2 = c.u16()
	h.pidHigh = c.u16()
	c.skip(10) // security features, reserved
	h.tid = c.u16()
	h.pid = c.u16()
	h.uid = c.u16()
	h.mid = c.u16()
	if err := c.err(); err != nil {
		return h, fmt.Errorf("smb1 header: %w", err)
	}
	return h, nil
}

// block1 is one SMB1 command block: parameter words and data bytes.
type block1 struct {
	wc       int
	words    []byte
	bytesOff int    // offset of the data bytes from the header start
	bytes    []byte // data bytes present in the buffered message (may be cut)
	bc       int    // declared byte count
}

// parseBlock1 decodes the command block at pos. The words must be present;
// the bytes are cut to what the buffered message holds.
func parseBlock1(m []byte, pos int) (block1, error) {
	var b block1
	if pos < 0 || pos >= len(m) {
		return b, fmt.Errorf("smb1 block at %d: %w", pos, errShort)
	}
	c := newCursor(m[pos:])
	b.wc = int(c.u8())
	b.words = c.bytes(2 * b.wc)
	b.bc = int(c.u16())
	if err := c.err(); err != nil {
		return b, fmt.Errorf("smb1 block at %d: %w", pos, err)
	}
	b.bytesOff = pos + c.off
	b.bytes = m[b.bytesOff:min(len(m), b.bytesOff+b.bc)]
	return b, nil
}

// w16 and w32 read parameter words; out-of-range reads return 0.
func (b *block1) w16(off int) uint16 {
	if off < 0 || off+2 > len(b.words) {
		return 0
	}
	return binary.LittleEndian.Uint16(b.words[off:])
}

func (b *block1) w32(off int) uint32 {
	if off < 0 || off+4 > len(b.words) {
		return 0
	}
	return binary.LittleEndian.Uint32(b.words[off:])
}

func (b *block1) w64(off int) uint64 {
	if off < 0 || off+8 > len(b.words) {
		return 0
	}
	return binary.LittleEndian.Uint64(b.words[off:])
}

// isAndX reports whether an SMB1 command starts with an AndX header.
func isAndX(cmd uint8) bool {
	switch cmd {
	case 0x24, smb1OpenAndX, smb1ReadAndX, smb1WriteAndX, smb1SessionSetupAndX,
		smb1LogoffAndX, smb1TreeConnectAndX, smb1NTCreateAndX:
		return true
	}
	return false
}

// strReader reads consecutive NUL-terminated strings from SMB1 data bytes,
// aligning Unicode strings to even offsets from the header start.
type strReader struct {
	b       []byte
	off     int // position in b
	base    int // offset of b[0] from the header start
	unicode bool
}

// next returns the next string (empty when the bytes are exhausted).
func (r *strReader) next() string {
	return r.nextAs(r.unicode)
}

// nextAs reads a string forcing the encoding (service names are ASCII).
func (r *strReader) nextAs(unicode bool) string {
	if unicode && (r.base+r.off)%2 == 1 && r.off < len(r.b) {
		r.off++
	}
	if r.off >= len(r.b) {
		return ""
	}
	n, used := cstringEnd(r.b[r.off:], unicode)
	s := decodeName(r.b[r.off:r.off+n], unicode)
	r.off += used
	return s
}

// skip advances n bytes (clamped).
func (r *strReader) skip(n int) {
	r.off = min(len(r.b), r.off+max(0, n))
}
