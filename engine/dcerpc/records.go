package dcerpc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Connection-oriented DCERPC PDUs (DCE 1.1 RPC chapter 12, MS-RPCE 2.2.2).
// Pure decoding: no state, and every returned slice aliases the input.

// DCERPC packet types (PTYPE) the state machine acts on.
const (
	PtypeRequest     = 0
	PtypeResponse    = 2
	PtypeFault       = 3
	PtypeBind        = 11
	PtypeBindAck     = 12
	PtypeBindNak     = 13
	PtypeAlterCtx    = 14
	PtypeAlterCtxRes = 15
	PtypeAuth3       = 16
	PtypeShutdown    = 17
	PtypeCoCancel    = 18
	PtypeOrphaned    = 19
)

// Header constants.
const (
	// HeaderLen is the size of the common header of every PDU.
	HeaderLen = 16
	// VersionMajor is the connection-oriented protocol version.
	VersionMajor  = 5
	flagFirstFrag = 0x01
	flagLastFrag  = 0x02
	flagObject    = 0x80
	drepLittle    = 0x10
	// MaxContexts bounds the context items parsed per BIND (the wire
	// allows 255).
	MaxContexts = 64
)

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("dcerpc: malformed PDU")

// errShort is wrapped when a PDU is shorter than its fields.
var errShort = errors.New("short buffer")

// Header is the 16-byte common header of a connection-oriented PDU.
type Header struct {
	Ptype   uint8
	Flags   uint8
	Little  bool // integers are little-endian (data representation)
	FragLen uint16
	AuthLen uint16
	CallID  uint32
}

// First reports the first fragment of a call's PDU.
func (h *Header) First() bool { return h.Flags&flagFirstFrag != 0 }

// Last reports the last fragment of a call's PDU.
func (h *Header) Last() bool { return h.Flags&flagLastFrag != 0 }

// byteOrder returns the byte order of a PDU's integers (data representation).
func byteOrder(little bool) binary.ByteOrder {
	if little {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// ParseHeader decodes a PDU header. It checks the version and that the
// fragment length covers at least the header.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderLen {
		return h, fmt.Errorf("%w: header: %w", ErrMalformed, errShort)
	}
	if b[0] != VersionMajor || b[1] > 1 {
		return h, fmt.Errorf("%w: version %d.%d", ErrMalformed, b[0], b[1])
	}
	h.Ptype, h.Flags = b[2], b[3]
	h.Little = b[4]&drepLittle != 0
	o := byteOrder(h.Little)
	h.FragLen = o.Uint16(b[8:])
	h.AuthLen = o.Uint16(b[10:])
	h.CallID = o.Uint32(b[12:])
	if h.FragLen < HeaderLen {
		return h, fmt.Errorf("%w: fragment length %d", ErrMalformed, h.FragLen)
	}
	return h, nil
}

// Body returns the PDU body between the header and the auth trailer.
func Body(h *Header, pdu []byte) []byte {
	end := int(h.FragLen)
	if end > len(pdu) {
		end = len(pdu)
	}
	if h.AuthLen > 0 {
		// auth_verifier: 8-byte sec_trailer plus auth_length bytes.
		if t := end - int(h.AuthLen) - 8; t >= HeaderLen {
			end = t
		}
	}
	return pdu[HeaderLen:end]
}

// Context is one presentation context of a BIND or ALTER_CONTEXT.
type Context struct {
	ID     uint16
	UUID   [16]byte // canonical (string) byte order
	Major  uint16
	Minor  uint16
	Result uint16 // from the BIND_ACK, when acknowledged
	Reason uint16
}

// uuidFromWire converts a UUID from its wire order to the canonical order in
// which it is printed (the first three fields follow the PDU's byte order).
func uuidFromWire(w []byte, little bool) (u [16]byte) {
	copy(u[:], w[:16])
	if little {
		u[0], u[1], u[2], u[3] = w[3], w[2], w[1], w[0]
		u[4], u[5] = w[5], w[4]
		u[6], u[7] = w[7], w[6]
	}
	return u
}

// ParseBind decodes the context list of a BIND or ALTER_CONTEXT body.
// At most MaxContexts items are returned.
func ParseBind(h *Header, body []byte) ([]Context, error) {
	o := byteOrder(h.Little)
	if len(body) < 12 {
		return nil, fmt.Errorf("%w: bind: %w", ErrMalformed, errShort)
	}
	n := int(body[8])
	pos := 12
	out := make([]Context, 0, min(n, MaxContexts))
	for i := 0; i < n && i < MaxContexts; i++ {
		if len(body)-pos < 24 {
			return out, fmt.Errorf("%w: bind context %d: %w", ErrMalformed, i, errShort)
		}
		c := Context{ID: o.Uint16(body[pos:])}
		ntrans := int(body[pos+2])
		c.UUID = uuidFromWire(body[pos+4:], h.Little)
		c.Major = o.Uint16(body[pos+20:])
		c.Minor = o.Uint16(body[pos+22:])
		out = append(out, c)
		pos += 24 + 20*ntrans
	}
	return out, nil
}

// Result is one entry of a BIND_ACK result list.
type Result struct{ Result, Reason uint16 }

// ParseBindAck decodes the result list of a BIND_ACK or
// ALTER_CONTEXT_RESP body (at most MaxContexts results).
func ParseBindAck(h *Header, body []byte) ([]Result, error) {
	o := byteOrder(h.Little)
	if len(body) < 10 {
		return nil, fmt.Errorf("%w: bind_ack: %w", ErrMalformed, errShort)
	}
	secLen := int(o.Uint16(body[8:]))
	// Results start 4-aligned relative to the PDU start (header is 16).
	pos := 10 + secLen
	pos += (4 - (pos+HeaderLen)%4) % 4
	if len(body)-pos < 4 {
		return nil, fmt.Errorf("%w: bind_ack results: %w", ErrMalformed, errShort)
	}
	n := int(body[pos])
	pos += 4
	out := make([]Result, 0, min(n, MaxContexts))
	for i := 0; i < n && i < MaxContexts; i++ {
		if len(body)-pos < 24 {
			return out, fmt.Errorf("%w: bind_ack result %d: %w", ErrMalformed, i, errShort)
		}
		out = append(out, Result{o.Uint16(body[pos:]), o.Uint16(body[pos+2:])})
		pos += 24
	}
	return out, nil
}

// Request is a REQUEST body.
type Request struct {
	CtxID uint16
	Opnum uint16
	Stub  []byte // aliases the body
}

// ParseRequest decodes a REQUEST body (optional object UUID skipped).
func ParseRequest(h *Header, body []byte) (Request, error) {
	o := byteOrder(h.Little)
	if len(body) < 8 {
		return Request{}, fmt.Errorf("%w: request: %w", ErrMalformed, errShort)
	}
	r := Request{CtxID: o.Uint16(body[4:]), Opnum: o.Uint16(body[6:])}
	pos := 8
	if h.Flags&flagObject != 0 {
		pos += 16
		if len(body) < pos {
			return r, fmt.Errorf("%w: request object: %w", ErrMalformed, errShort)
		}
	}
	r.Stub = body[pos:]
	return r, nil
}

// ParseResponse returns a RESPONSE body's stub data.
func ParseResponse(body []byte) ([]byte, error) {
	if len(body) < 8 {
		return nil, fmt.Errorf("%w: response: %w", ErrMalformed, errShort)
	}
	return body[8:], nil
}

// TypeName is Suricata's spelling of a packet type in EVE.
func TypeName(t uint8) string {
	switch t {
	case PtypeRequest:
		return "REQUEST"
	case 1:
		return "PING"
	case PtypeResponse:
		return "RESPONSE"
	case PtypeFault:
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
	case PtypeBind:
		return "BIND"
	case PtypeBindAck:
		return "BINDACK"
	case PtypeBindNak:
		return "BINDNAK"
	case PtypeAlterCtx:
		return "ALTER_CONTEXT"
	case PtypeAlterCtxRes:
		return "ALTER_CONTEXT_RESP"
	case PtypeAuth3:
		return "AUTH3"
	case PtypeShutdown:
		return "SHUTDOWN"
	case PtypeCoCancel:
		return "CO_CANCEL"
	case PtypeOrphaned:
		return "ORPHANED"
	}
	return fmt.Sprintf("UNKNOWN_%d", t)
}

// UUIDString formats a canonical-order UUID as 8-4-4-4-12 lowercase hex.
func UUIDString(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// LooksLike reports whether b starts like a connection-oriented PDU: the
// version, a known packet type and a plausible fragment length. It is the
// probe for named pipes seen without their TREE_CONNECT.
func LooksLike(b []byte) bool {
	if len(b) < HeaderLen {
		return false
	}
	if b[0] != VersionMajor || b[1] > 1 || b[2] > PtypeOrphaned {
		return false
	}
	fragLen := int(b[8]) | int(b[9])<<8
	if b[4]&drepLittle == 0 {
		fragLen = int(b[9]) | int(b[8])<<8
	}
	return fragLen >= HeaderLen
}
