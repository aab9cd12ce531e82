package smb

import "fmt"

// Pure decoders for SMB2 CREATE contexts (MS-SMB2 2.2.13.2, 2.2.14.2): the
// durable-handle requests and reconnects that let an open survive its
// connection. No state; returned values are copies.

// durableCtx is what the durable-handle contexts of one CREATE request or
// response say.
type durableCtx struct {
	// request: DHnQ or DH2Q (request: durability asked for; response:
	// granted).
	request bool
	// reconnect: DHnC or DH2C, reopening the open of oldFID.
	reconnect bool
	// v2: DH2Q or DH2C, which carry createGUID.
	v2         bool
	createGUID [16]byte
	oldFID     fileID
}

// walkCreateContexts calls fn with the name and data of each create context
// of the chain at off (relative to the SMB2 header, n bytes long) in m, at
// most maxCreateContexts of them. m may be a prefix of the message: contexts
// beyond it are not seen. The chain must stay inside [off, off+n).
func walkCreateContexts(m []byte, off, n int, fn func(name string, data []byte)) error {
	if n == 0 {
		return nil
	}
	if off < smb2HeaderLen || n < 0 {
		return fmt.Errorf("smb2 create contexts at %d+%d: outside the message", off, n)
	}
	end := off + n
	for i := 0; i < maxCreateContexts; i++ {
		if off+16 > end {
			return fmt.Errorf("smb2 create context at %d: header beyond the chain's %d bytes", off, n)
		}
		hdr, ok := window(m, off, 16)
		if !ok {
			return nil // beyond the buffered prefix
		}
		c := newCursor(hdr)
		next := int(c.u32())
		nameOff, nameLen := int(c.u16()), int(c.u16())
		c.skip(2)
		dataOff, dataLen := int(c.u16()), int(c.u32())
		if nameOff+nameLen > end-off || (dataLen > 0 && dataOff+dataLen > end-off) || next < 0 || (next > 0 && next < 16) || next > end-off {
			return fmt.Errorf("smb2 create context at %d: fields outside the chain", off)
		}
		name, okName := window(m, off+nameOff, nameLen)
		var data []byte
		okData := true
		if dataLen > 0 {
			data, okData = window(m, off+dataOff, dataLen)
		}
		if okName && okData {
			fn(string(name), data)
		}
		if next == 0 {
			return nil
		}
		off += next
	}
	return fmt.Errorf("smb2 create contexts: more than %d", maxCreateContexts)
}

// parseDurableReq returns what the durable contexts of a CREATE request ask
// for. A context too short for its kind is an error; others are ignored.
func parseDurableReq(m []byte, off, n int) (durableCtx, error) {
	var d durableCtx
	var bad error
	err := walkCreateContexts(m, off, n, func(name string, data []byte) {
		c := newCursor(data)
		switch name {
		case ctxDurableRequest:
			d.request = true
		case ctxDurableRequestV2:
			c.skip(16) // Timeout, Flags, Reserved
			g := c.fid()
			if c.err() == nil {
				d.request, d.v2, d.createGUID = true, true, g
			}
		case ctxDurableReconnect:
			f := c.fid()
			if c.err() == nil {
				d.reconnect, d.oldFID = true, f
			}
		case ctxDurableReconnectV2:
			f := c.fid()
			g := c.fid()
			if c.err() == nil {
				d.reconnect, d.v2, d.oldFID, d.createGUID = true, true, f, g
			}
		default:
			return
		}
		if c.err() != nil && bad == nil {
			bad = fmt.Errorf("smb2 create context %s: %w", name, c.err())
		}
	})
	if err == nil {
		err = bad
	}
	return d, err
}

// parseDurableResp reports whether a CREATE response grants a durable
// handle (a DHnQ or DH2Q response context).
func parseDurableResp(m []byte, off, n int) (bool, error) {
	granted := false
	err := walkCreateContexts(m, off, n, func(name string, _ []byte) {
		if name == ctxDurableRequest || name == ctxDurableRequestV2 {
			granted = true
		}
	})
	return granted, err
}
