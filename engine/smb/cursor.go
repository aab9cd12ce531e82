package smb

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// errShort is returned (wrapped) when a wire structure is cut short.
var errShort = errors.New("smb: short buffer")

// cursor reads little-endian wire fields from a byte slice. Every read goes
// through need, so a short structure yields an error instead of a panic. The
// error is sticky: after the first failure all reads return zero and err()
// reports the failure, so a decoder may read a whole fixed structure and check
// once.
type cursor struct {
	b   []byte
	off int
	bad error
}

// newCursor returns a cursor at offset 0 of b. The cursor aliases b.
func newCursor(b []byte) cursor { return cursor{b: b} }

// need reports whether n more bytes are available.
func (c *cursor) need(n int) error {
	if c.bad != nil {
		return c.bad
	}
	if n < 0 || len(c.b)-c.off < n {
		c.bad = fmt.Errorf("%w: need %d bytes at offset %d, have %d", errShort, n, c.off, len(c.b)-c.off)
		return c.bad
	}
	return nil
}

// err returns the first failure, if any.
func (c *cursor) err() error { return c.bad }

// skip advances n bytes.
func (c *cursor) skip(n int) {
	if c.need(n) == nil {
		c.off += n
	}
}

func (c *cursor) u8() uint8 {
	if c.need(1) != nil {
		return 0
	}
	v := c.b[c.off]
	c.off++
	return v
}

func (c *cursor) u16() uint16 {
	if c.need(2) != nil {
		return 0
	}
	v := binary.LittleEndian.Uint16(c.b[c.off:])
	c.off += 2
	return v
}

func (c *cursor) u32() uint32 {
	if c.need(4) != nil {
		return 0
	}
	v := binary.LittleEndian.Uint32(c.b[c.off:])
	c.off += 4
	return v
}

func (c *cursor) u64() uint64 {
	if c.need(8) != nil {
		return 0
	}
	v := binary.LittleEndian.Uint64(c.b[c.off:])
	c.off += 8
	return v
}

// bytes returns the next n bytes, aliasing the cursor's slice.
func (c *cursor) bytes(n int) []byte {
	if c.need(n) != nil {
		return nil
	}
	v := c.b[c.off : c.off+n]
	c.off += n
	return v
}

// fid reads a 16-byte SMB2 file id.
func (c *cursor) fid() (f fileID) {
	if b := c.bytes(fileIDLen); b != nil {
		copy(f[:], b)
	}
	return f
}

// window returns b[off:off+n] when that range lies inside b, else nil and
// false. It is the one place offsets read from the wire become slices.
func window(b []byte, off, n int) ([]byte, bool) {
	if off < 0 || n < 0 || off > len(b) || n > len(b)-off {
		return nil, false
	}
	return b[off : off+n], true
}
