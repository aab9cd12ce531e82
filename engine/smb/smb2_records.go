package smb

import "fmt"

// Pure decoders for SMB2 wire records (MS-SMB2 section 2.2). They hold no
// state; returned slices alias the input message. Offsets in SMB2 bodies are
// relative to the start of the SMB2 header, so decoders take the whole
// message (which may be a truncated prefix of it).

// hdr2 is a decoded SMB2 header.
type hdr2 struct {
	status  uint32
	command uint16
	flags   uint32
	next    uint32
	msgID   uint64
	asyncID uint64
	tree    uint32
	session uint64
}

func (h *hdr2) response() bool { return h.flags&smb2FlagResponse != 0 }
func (h *hdr2) related() bool  { return h.flags&smb2FlagRelated != 0 }

// parseHdr2 decodes the 64-byte SMB2 header at the start of m.
func parseHdr2(m []byte) (hdr2, error) {
	var h hdr2
	c := newCursor(m)
	c.skip(4)
	if sz := c.u16(); c.err() == nil && sz != smb2HeaderLen {
		return h, fmt.Errorf("smb2: header structure size %d", sz)
	}
	c.skip(2) // credit charge
	h.status = c.u32()
	h.command = c.u16()
	c.skip(2) // credits
	h.flags = c.u32()
	h.next = c.u32()
	h.msgID = c.u64()
	if h.flags&smb2FlagAsync != 0 {
		h.asyncID = c.u64()
	} else {
		c.skip(4)
		h.tree = c.u32()
	}
	h.session = c.u64()
	c.skip(16)
	if err := c.err(); err != nil {
		return h, fmt.Errorf("smb2 header: %w", err)
	}
	return h, nil
}

// body2 returns a cursor over the command body after the header.
func body2(m []byte) cursor {
	c := newCursor(m)
	c.skip(smb2HeaderLen)
	return c
}

type negotiateReq2 struct{ dialects []uint16 }

// maxDialects bounds the dialects decoded from a NEGOTIATE.
const maxDialects = 32

func parseNegotiateReq2(m []byte) (negotiateReq2, error) {
	var r negotiateReq2
	c := body2(m)
	c.skip(2)
	n := int(c.u16())
	c.skip(32)
	if err := c.err(); err != nil {
		return r, fmt.Errorf("smb2 negotiate request: %w", err)
	}
	for i := 0; i < n && i < maxDialects && c.need(2) == nil; i++ {
		r.dialects = append(r.dialects, c.u16())
	}
	return r, nil
}

type negotiateResp2 struct {
	dialect      uint16
	serverGUID   fileID
	capabilities uint32
}

func parseNegotiateResp2(m []byte) (negotiateResp2, error) {
	var r negotiateResp2
	c := body2(m)
	c.skip(4)
	r.dialect = c.u16()
	c.skip(2)
	r.serverGUID = c.fid()
	r.capabilities = c.u32()
	if err := c.err(); err != nil {
		return r, fmt.Errorf("smb2 negotiate response: %w", err)
	}
	return r, nil
}

// parseSessionSetupReq2 returns the flags (SMB2_SESSION_FLAG_BINDING) and
// the security blob of a SESSION_SETUP request.
func parseSessionSetupReq2(m []byte) (flags uint8, blob []byte, err error) {
	c := body2(m)
	c.skip(2)
	flags = c.u8()
	c.skip(9)
	off, n := int(c.u16()), int(c.u16())
	if err := c.err(); err != nil {
		return 0, nil, fmt.Errorf("smb2 session setup request: %w", err)
	}
	blob, _ = window(m, off, min(n, max(0, len(m)-off)))
	return flags, blob, nil
}

// parseTreeConnectReq2 returns the UTF-16 share path of a TREE_CONNECT.
func parseTreeConnectReq2(m []byte) ([]byte, error) {
	c := body2(m)
	c.skip(4)
	off, n := int(c.u16()), int(c.u16())
	if err := c.err(); err != nil {
		return nil, fmt.Errorf("smb2 tree connect request: %w", err)
	}
	path, ok := window(m, off, n)
	if !ok {
		return nil, fmt.Errorf("smb2 tree connect request: path %d+%d outside %d-byte message", off, n, len(m))
	}
	return path, nil
}

// parseTreeConnectResp2 returns the share type of a TREE_CONNECT response.
func parseTreeConnectResp2(m []byte) (uint8, error) {
	c := body2(m)
	c.skip(2)
	t := c.u8()
	if err := c.err(); err != nil {
		return 0, fmt.Errorf("smb2 tree connect response: %w", err)
	}
	return t, nil
}

type createReq2 struct {
	name        []byte
	disposition uint32
	options     uint32
	// ctxOff and ctxLen locate the create contexts (see parseDurableReq).
	ctxOff, ctxLen int
}

func parseCreateReq2(m []byte) (createReq2, error) {
	var r createReq2
	c := body2(m)
	c.skip(36)
	r.disposition = c.u32()
	r.options = c.u32()
	off, n := int(c.u16()), int(c.u16())
	r.ctxOff, r.ctxLen = int(c.u32()), int(c.u32())
	if err := c.err(); err != nil {
		return r, fmt.Errorf("smb2 create request: %w", err)
	}
	if n > 0 {
		name, ok := window(m, off, n)
		if !ok {
			return r, fmt.Errorf("smb2 create request: name %d+%d outside %d-byte message", off, n, len(m))
		}
		r.name = name
	}
	return r, nil
}

type createResp2 struct {
	action                               uint32
	created, accessed, modified, changed uint64
	size                                 uint64
	fid                                  fileID
	ctxOff, ctxLen                       int
}

func parseCreateResp2(m []byte) (createResp2, error) {
	var r createResp2
	c := body2(m)
	c.skip(4)
	r.action = c.u32()
	r.created = c.u64()
	r.accessed = c.u64()
	r.modified = c.u64()
	r.changed = c.u64()
	c.skip(8) // allocation size
	r.size = c.u64()
	c.skip(8) // attributes, reserved
	r.fid = c.fid()
	if err := c.err(); err != nil {
		return r, fmt.Errorf("smb2 create response: %w", err)
	}
	// The create contexts follow; an older or truncated message without
	// them simply has none.
	r.ctxOff, r.ctxLen = int(c.u32()), int(c.u32())
	if c.err() != nil {
		r.ctxOff, r.ctxLen = 0, 0
	}
	return r, nil
}

type readReq2 struct {
	length uint32
	offset uint64
	fid    fileID
}

func parseReadReq2(m []byte) (readReq2, error) {
	var r readReq2
	c := body2(m)
	c.skip(4)
	r.length = c.u32()
	r.offset = c.u64()
	r.fid = c.fid()
	if err := c.err(); err != nil {
		return r, fmt.Errorf("smb2 read request: %w", err)
	}
	return r, nil
}

type readResp2 struct {
	dataOff uint8
	length  uint32
}

// readResp2Fixed is the header plus the fixed READ response body.
const readResp2Fixed = smb2HeaderLen + 16

func parseReadResp2(m []byte) (readResp2, error) {
	var r readResp2
	c := body2(m)
	c.skip(2)
	r.dataOff = c.u8()
	c.skip(1)
	r.length = c.u32()
	c.skip(8)
	if err := c.err(); err != nil {
		return r, fmt.Errorf("smb2 read response: %w", err)
	}
	return r, nil
}

type writeReq2 struct {
	dataOff uint16
	length  uint32
	offset  uint64
	fid     fileID
}

// writeReq2Fixed is the header plus the fixed WRITE request body.
const writeReq2Fixed = smb2HeaderLen + 48

func parseWriteReq2(m []byte) (writeReq2, error) {
	var r writeReq2
	c := body2(m)
	c.skip(2)
	r.dataOff = c.u16()
	r.length = c.u32()
	r.offset = c.u64()
	r.fid = c.fid()
	c.skip(16)
	if err := c.err(); err != nil {
		return r, fmt.Errorf("smb2 write request: %w", err)
	}
	return r, nil
}

// parseCloseReq2 returns the FileId a CLOSE request closes.
func parseCloseReq2(m []byte) (fileID, error) {
	c := body2(m)
	c.skip(8)
	f := c.fid()
	if err := c.err(); err != nil {
		return f, fmt.Errorf("smb2 close request: %w", err)
	}
	return f, nil
}

type setInfoReq2 struct {
	infoType uint8
	class    uint8
	buf      []byte
	fid      fileID
}

func parseSetInfoReq2(m []byte) (setInfoReq2, error) {
	var r setInfoReq2
	c := body2(m)
	c.skip(2)
	r.infoType = c.u8()
	r.class = c.u8()
	n := int(c.u32())
	off := int(c.u16())
	c.skip(6)
	r.fid = c.fid()
	if err := c.err(); err != nil {
		return r, fmt.Errorf("smb2 set info request: %w", err)
	}
	buf, ok := window(m, off, n)
	if !ok {
		return r, fmt.Errorf("smb2 set info request: buffer %d+%d outside %d-byte message", off, n, len(m))
	}
	r.buf = buf
	return r, nil
}

// parseRenameInfo returns the UTF-16 target name of FileRenameInformation.
func parseRenameInfo(b []byte) ([]byte, error) {
	c := newCursor(b)
	c.skip(16)
	n := int(c.u32())
	if err := c.err(); err != nil {
		return nil, fmt.Errorf("smb2 rename info: %w", err)
	}
	name, ok := window(b, 20, n)
	if !ok {
		return nil, fmt.Errorf("smb2 rename info: name length %d outside %d bytes", n, len(b))
	}
	return name, nil
}
