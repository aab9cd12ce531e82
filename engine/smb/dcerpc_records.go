package smb

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Connection-oriented DCERPC PDUs (DCE 1.1 RPC chapter 12, MS-RPCE 2.2.2) as
// carried in named-pipe payloads. Pure decoding: no state, and every returned
// slice aliases the input.

// DCERPC packet types (PTYPE).
const (
	dceRequest     = 0
	dceResponse    = 2
	dceFault       = 3
	dceBind        = 11
	dceBindAck     = 12
	dceBindNak     = 13
	dceAlterCtx    = 14
	dceAlterCtxRes = 15
	dceAuth3       = 16
	dceShutdown    = 17
	dceCoCancel    = 18
	dceOrphaned    = 19
)

// DCERPC header constants.
const (
	dceHeaderLen     = 16
	dceFlagFirstFrag = 0x01
	dceFlagLastFrag  = 0x02
	dceFlagObject    = 0x80
	dceDrepLittle    = 0x10
	dceMaxContexts   = 64 // context items parsed per BIND (the wire allows 255)
)

// errDCE is wrapped by every DCERPC decoding error.
var errDCE = errors.New("smb: dcerpc")

// dceHdr is the 16-byte common header of a connection-oriented PDU.
type dceHdr struct {
	ptype   uint8
	flags   uint8
	little  bool
	fragLen uint16
	authLen uint16
	callID  uint32
}

func (h *dceHdr) first() bool { return h.flags&dceFlagFirstFrag != 0 }
func (h *dceHdr) last() bool  { return h.flags&dceFlagLastFrag != 0 }

// dceOrder returns the byte order of a PDU's integers (data representation).
func dceOrder(little bool) binary.ByteOrder {
	if little {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// parseDCEHdr decodes a PDU header. It checks the version and that the
// fragment length covers at least the header.
func parseDCEHdr(b []byte) (dceHdr, error) {
	var h dceHdr
	if len(b) < dceHeaderLen {
		return h, fmt.Errorf("%w: header: %w", errDCE, errShort)
	}
	if b[0] != dcerpcVersionMajor || b[1] > 1 {
		return h, fmt.Errorf("%w: version %d.%d", errDCE, b[0], b[1])
	}
	h.ptype, h.flags = b[2], b[3]
	h.little = b[4]&dceDrepLittle != 0
	o := dceOrder(h.little)
	h.fragLen = o.Uint16(b[8:])
	h.authLen = o.Uint16(b[10:])
	h.callID = o.Uint32(b[12:])
	if h.fragLen < dceHeaderLen {
		return h, fmt.Errorf("%w: fragment length %d", errDCE, h.fragLen)
	}
	return h, nil
}

// dceBody returns the PDU body between the header and the auth trailer.
func dceBody(h *dceHdr, pdu []byte) []byte {
	end := int(h.fragLen)
	if end > len(pdu) {
		end = len(pdu)
	}
	if h.authLen > 0 {
		// auth_verifier: 8-byte sec_trailer plus auth_length bytes.
		if t := end - int(h.authLen) - 8; t >= dceHeaderLen {
			end = t
		}
	}
	return pdu[dceHeaderLen:end]
}

// dceContext is one presentation context of a BIND or ALTER_CONTEXT.
type dceContext struct {
	id     uint16
	uuid   [16]byte // canonical (string) byte order
	major  uint16
	minor  uint16
	result uint16
	reason uint16
}

// dceUUID converts a UUID from its wire order to the canonical order in
// which it is printed (the first three fields follow the PDU's byte order).
func dceUUID(w []byte, little bool) (u [16]byte) {
	copy(u[:], w[:16])
	if little {
		u[0], u[1], u[2], u[3] = w[3], w[2], w[1], w[0]
		u[4], u[5] = w[5], w[4]
		u[6], u[7] = w[7], w[6]
	}
	return u
}

// parseDCEBind decodes the context list of a BIND or ALTER_CONTEXT body.
// At most dceMaxContexts items are returned.
func parseDCEBind(h *dceHdr, body []byte) ([]dceContext, error) {
	o := dceOrder(h.little)
	if len(body) < 12 {
		return nil, fmt.Errorf("%w: bind: %w", errDCE, errShort)
	}
	n := int(body[8])
	pos := 12
	out := make([]dceContext, 0, min(n, dceMaxContexts))
	for i := 0; i < n && i < dceMaxContexts; i++ {
		if len(body)-pos < 24 {
			return out, fmt.Errorf("%w: bind context %d: %w", errDCE, i, errShort)
		}
		c := dceContext{id: o.Uint16(body[pos:])}
		ntrans := int(body[pos+2])
		c.uuid = dceUUID(body[pos+4:], h.little)
		c.major = o.Uint16(body[pos+20:])
		c.minor = o.Uint16(body[pos+22:])
		out = append(out, c)
		pos += 24 + 20*ntrans
	}
	return out, nil
}

// dceResult is one entry of a BIND_ACK result list.
type dceResult struct{ result, reason uint16 }

// parseDCEBindAck decodes the result list of a BIND_ACK or
// ALTER_CONTEXT_RESP body (at most dceMaxContexts results).
func parseDCEBindAck(h *dceHdr, body []byte) ([]dceResult, error) {
	o := dceOrder(h.little)
	if len(body) < 10 {
		return nil, fmt.Errorf("%w: bind_ack: %w", errDCE, errShort)
	}
	secLen := int(o.Uint16(body[8:]))
	// Results start 4-aligned relative to the PDU start (header is 16).
	pos := 10 + secLen
	pos += (4 - (pos+dceHeaderLen)%4) % 4
	if len(body)-pos < 4 {
		return nil, fmt.Errorf("%w: bind_ack results: %w", errDCE, errShort)
	}
	n := int(body[pos])
	pos += 4
	out := make([]dceResult, 0, min(n, dceMaxContexts))
	for i := 0; i < n && i < dceMaxContexts; i++ {
		if len(body)-pos < 24 {
			return out, fmt.Errorf("%w: bind_ack result %d: %w", errDCE, i, errShort)
		}
		out = append(out, dceResult{o.Uint16(body[pos:]), o.Uint16(body[pos+2:])})
		pos += 24
	}
	return out, nil
}

// dceReq is a REQUEST body.
type dceReq struct {
	ctxID uint16
	opnum uint16
	stub  []byte
}

// parseDCERequest decodes a REQUEST body (optional object UUID skipped).
func parseDCERequest(h *dceHdr, body []byte) (dceReq, error) {
	o := dceOrder(h.little)
	if len(body) < 8 {
		return dceReq{}, fmt.Errorf("%w: request: %w", errDCE, errShort)
	}
	r := dceReq{ctxID: o.Uint16(body[4:]), opnum: o.Uint16(body[6:])}
	pos := 8
	if h.flags&dceFlagObject != 0 {
		pos += 16
		if len(body) < pos {
			return r, fmt.Errorf("%w: request object: %w", errDCE, errShort)
		}
	}
	r.stub = body[pos:]
	return r, nil
}

// parseDCEResponse returns a RESPONSE body's stub data.
func parseDCEResponse(body []byte) ([]byte, error) {
	if len(body) < 8 {
		return nil, fmt.Errorf("%w: response: %w", errDCE, errShort)
	}
	return body[8:], nil
}

// dceTypeName is Suricata's spelling of a packet type in EVE.
func dceTypeName(t uint8) string {
	switch t {
	case dceRequest:
		return "REQUEST"
	case 1:
		return "PING"
	case dceResponse:
		return "RESPONSE"
	case dceFault:
		return "FAULT"
	case 4:
		return "WORKING"
	case 5:
		return "NOCALL"
	case 6:
		return "REJECT"
	case 7:
		return "ACK"
	case 8:
		return "CL_CANCEL"
	case 9:
		return "FACK"
	case 10:
		return "CANCEL_ACK"
	case dceBind:
		return "BIND"
	case dceBindAck:
		return "BINDACK"
	case dceBindNak:
		return "BINDNAK"
	case dceAlterCtx:
		return "ALTER_CONTEXT"
	case dceAlterCtxRes:
		return "ALTER_CONTEXT_RESP"
	case dceAuth3:
		return "AUTH3"
	case dceShutdown:
		return "SHUTDOWN"
	case dceCoCancel:
		return "CO_CANCEL"
	case dceOrphaned:
		return "ORPHANED"
	}
	return fmt.Sprintf("UNKNOWN_%d", t)
}

// uuidString formats a canonical-order UUID as 8-4-4-4-12 lowercase hex.
func uuidString(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
