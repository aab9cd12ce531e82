package smb

import (
	"encoding/binary"
	"fmt"
)

// EVE and rule buffers of the DCERPC part of an SMB transaction.

// eve returns Suricata's "smb.dcerpc" object. The map does not alias d.
func (d *dceTx) eve() map[string]any {
	m := map[string]any{"call_id": d.callID}
	if d.reqSet {
		m["request"] = dceTypeName(d.reqType)
	} else {
		m["request"] = "REQUEST_LOST"
	}
	if d.resSet {
		m["response"] = dceTypeName(d.resType)
	} else {
		m["response"] = "UNREPLIED"
	}
	if d.reqSet {
		switch d.reqType {
		case dceRequest:
			m["opnum"] = d.opnum
			m["req"] = map[string]any{"frag_cnt": d.reqFrags, "stub_data_size": d.reqStubLen}
			var ifs []any
			for _, f := range d.ifaces {
				if f.id != d.ctxID {
					continue
				}
				o := map[string]any{"uuid": uuidString(f.uuid), "version": fmt.Sprintf("%d.%d", f.major, f.minor)}
				if svc, ok := dceServiceName(f.uuid); ok {
					o["service"] = svc
					if proc, ok := dceProcedureName(svc, d.opnum); ok {
						o["procedure"] = proc
					}
				}
				ifs = append(ifs, o)
			}
			if len(ifs) > 0 {
				m["interfaces"] = ifs
			}
		case dceBind:
			if len(d.ifaces) > 0 {
				ifs := make([]any, 0, len(d.ifaces))
				for _, f := range d.ifaces {
					o := map[string]any{"uuid": uuidString(f.uuid), "version": fmt.Sprintf("%d.%d", f.major, f.minor)}
					if f.acked {
						// Suricata records only the result of a BIND_ACK
						// entry and logs ack_reason 0; do the same.
						o["ack_result"] = f.result
						o["ack_reason"] = 0
					}
					if svc, ok := dceServiceName(f.uuid); ok {
						o["service"] = svc
					}
					ifs = append(ifs, o)
				}
				m["interfaces"] = ifs
			}
		}
	}
	if d.resSet && d.resType == dceResponse {
		m["res"] = map[string]any{"frag_cnt": d.resFrags, "stub_data_size": d.resStubLen}
	}
	return m
}

// buffer returns a DCERPC rule buffer of a REQUEST call. The encodings are a
// contract with signatures/dcerpc.go:
//
//   - "dcerpc.opnum": the opnum, 2 bytes big-endian.
//   - "dcerpc.iface": the interfaces the server accepted on the connection
//     (ack result 0), 18 bytes each: the UUID in canonical order, then the
//     major version, 2 bytes big-endian.
//   - "dcerpc.stub_data.to_server" / "dcerpc.stub_data.to_client": the
//     request or response stub (at most Config.MaxDCERPCStubBytes).
//
// Non-REQUEST calls have no buffers, as in Suricata. Returned bytes are fresh.
func (d *dceTx) buffer(name string) ([]byte, bool) {
	if !d.reqSet || d.reqType != dceRequest {
		return nil, false
	}
	switch name {
	case "dcerpc.opnum":
		return binary.BigEndian.AppendUint16(nil, d.opnum), true
	case "dcerpc.iface":
		var b []byte
		for _, f := range d.ifaces {
			if f.acked && f.result == 0 {
				b = append(b, f.uuid[:]...)
				b = binary.BigEndian.AppendUint16(b, f.major)
			}
		}
		return b, true
	case "dcerpc.stub_data.to_server":
		return append([]byte(nil), d.reqStub...), true
	case "dcerpc.stub_data.to_client":
		if d.resSet {
			return append([]byte(nil), d.resStub...), true
		}
	}
	return nil, false
}
