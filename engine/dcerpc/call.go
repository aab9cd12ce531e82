package dcerpc

import (
	"encoding/binary"
	"fmt"

	"github.com/wirescan/wirescan/engine/app"
)

// Iface is one presentation context bound on a connection, with the
// server's answer once its BIND_ACK was seen.
type Iface struct {
	Context
	Acked bool
}

// CallKey finds the call of a PDU: the transport's scope (a named pipe's
// file id, a TCP connection) and the call id.
type CallKey[K comparable] struct {
	Scope  K
	CallID uint32
}

// Call is one DCERPC call: a request (BIND, ALTER_CONTEXT, REQUEST, ...) and
// the response fragments that complete it, as Suricata logs them. Ref is
// the transport's own transaction, set by Hooks.NewCall.
type Call struct {
	ReqType, ResType uint8
	ReqSet, ResSet   bool // the request / response was seen
	Opnum, CtxID     uint16
	CallID           uint32
	ReqFrags         int
	ResFrags         int
	ReqStubLen       int64
	ResStubLen       int64
	// ReqStub and ResStub are the first Limits.MaxStubBytes of each stub.
	ReqStub, ResStub []byte
	// Ifaces are the interfaces bound on the connection when the call
	// finished.
	Ifaces []Iface
	// Dir is the direction of the last PDU of the call.
	Dir app.Direction
	// Ref is the transport's transaction for the call.
	Ref any

	reqFirst bool // the request's first fragment was seen
	seq      uint64
}

// EVE returns Suricata's "dcerpc" object of the call (also logged as
// "smb.dcerpc"). The map does not alias c.
func (c *Call) EVE() map[string]any {
	m := map[string]any{"call_id": c.CallID}
	if c.ReqSet {
		m["request"] = TypeName(c.ReqType)
	} else {
		m["request"] = "REQUEST_LOST"
	}
	if c.ResSet {
		m["response"] = TypeName(c.ResType)
	} else {
		m["response"] = "UNREPLIED"
	}
	if c.ReqSet {
		switch c.ReqType {
		case PtypeRequest:
			m["opnum"] = c.Opnum
			m["req"] = map[string]any{"frag_cnt": c.ReqFrags, "stub_data_size": c.ReqStubLen}
			var ifs []any
			for _, f := range c.Ifaces {
				if f.ID != c.CtxID {
					continue
				}
				o := map[string]any{"uuid": UUIDString(f.UUID), "version": fmt.Sprintf("%d.%d", f.Major, f.Minor)}
				if svc, ok := ServiceName(f.UUID); ok {
					o["service"] = svc
					if proc, ok := ProcedureName(svc, c.Opnum); ok {
						o["procedure"] = proc
					}
				}
				ifs = append(ifs, o)
			}
			if len(ifs) > 0 {
				m["interfaces"] = ifs
			}
		case PtypeBind:
			if len(c.Ifaces) > 0 {
				ifs := make([]any, 0, len(c.Ifaces))
				for _, f := range c.Ifaces {
					o := map[string]any{"uuid": UUIDString(f.UUID), "version": fmt.Sprintf("%d.%d", f.Major, f.Minor)}
					if f.Acked {
						// Suricata records only the result of a BIND_ACK
						// entry and logs ack_reason 0; do the same.
						o["ack_result"] = f.Result
						o["ack_reason"] = 0
					}
					if svc, ok := ServiceName(f.UUID); ok {
						o["service"] = svc
					}
					ifs = append(ifs, o)
				}
				m["interfaces"] = ifs
			}
		}
	}
	if c.ResSet && c.ResType == PtypeResponse {
		m["res"] = map[string]any{"frag_cnt": c.ResFrags, "stub_data_size": c.ResStubLen}
	}
	return m
}

// Buffer returns a rule buffer of a REQUEST call. The encodings are a
// contract with signatures/dcerpc.go:
//
//   - "dcerpc.opnum": the opnum, 2 bytes big-endian.
//   - "dcerpc.iface": the interfaces the server accepted on the connection
//     (ack result 0), 18 bytes each: the UUID in canonical order, then the
//     major version, 2 bytes big-endian.
//   - "dcerpc.stub_data.to_server" / "dcerpc.stub_data.to_client": the
//     request or response stub (at most Limits.MaxStubBytes).
//
// Non-REQUEST calls have no buffers, as in Suricata. Returned bytes are fresh.
func (c *Call) Buffer(name string) ([]byte, bool) {
	if !c.ReqSet || c.ReqType != PtypeRequest {
		return nil, false
	}
	switch name {
	case "dcerpc.opnum":
		return binary.BigEndian.AppendUint16(nil, c.Opnum), true
	case "dcerpc.iface":
		var b []byte
		for _, f := range c.Ifaces {
			if f.Acked && f.Result == 0 {
				b = append(b, f.UUID[:]...)
				b = binary.BigEndian.AppendUint16(b, f.Major)
			}
		}
		return b, true
	case "dcerpc.stub_data.to_server":
		return append([]byte(nil), c.ReqStub...), true
	case "dcerpc.stub_data.to_client":
		if c.ResSet {
			return append([]byte(nil), c.ResStub...), true
		}
	}
	return nil, false
}
