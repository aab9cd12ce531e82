package smb

import (
	"encoding/binary"
	"strconv"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/dcerpc"
)

// DCERPC PDU encoder (DCE 1.1 ch. 12; little-endian data representation).

var (
	svcctlUUID        = [16]byte{0x81, 0xbb, 0x7a, 0x36, 0x44, 0x98, 0xf1, 0x35, 0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03} // wire order
	fidPipe           = fidOf(0x77)
	treePipe   uint32 = 5
)

func dcePDU(ptype, flags uint8, callID uint32, body []byte) []byte {
	b := []byte{5, 0, ptype, flags, 0x10, 0, 0, 0}
	b = le16(b, uint16(dcerpc.HeaderLen+len(body)))
	b = le16(b, 0)
	b = le32(b, callID)
	return append(b, body...)
}

func dceBindPDU(callID uint32, ctxIDs ...uint16) []byte {
	b := le16(nil, 4280)
	b = le16(b, 4280)
	b = le32(b, 0)
	b = append(b, byte(len(ctxIDs)), 0, 0, 0)
	for _, id := range ctxIDs {
		b = le16(b, id)
		b = append(b, 1, 0)
		b = append(b, svcctlUUID[:]...)
		b = le16(b, 2)
		b = le16(b, 0)
		b = append(b, make([]byte, 20)...) // one transfer syntax
	}
	return dcePDU(dcerpc.PtypeBind, 3, callID, b)
}

func dceBindAckPDU(callID uint32, results ...uint16) []byte {
	b := le16(nil, 4280)
	b = le16(b, 4280)
	b = le32(b, 0)
	b = le16(b, 4)
	b = append(b, "\\PIPE"[:4]...)
	b = append(b, 0, 0) // pad to 4 (PDU offset 16+16=32)
	b = append(b, byte(len(results)), 0, 0, 0)
	for _, r := range results {
		b = le16(b, r)
		b = le16(b, 0)
		b = append(b, make([]byte, 20)...)
	}
	return dcePDU(dcerpc.PtypeBindAck, 3, callID, b)
}

func dceReqPDU(callID uint32, flags uint8, ctxID, opnum uint16, stub []byte) []byte {
	b := le32(nil, uint32(len(stub)))
	b = le16(b, ctxID)
	b = le16(b, opnum)
	return dcePDU(dcerpc.PtypeRequest, flags, callID, append(b, stub...))
}

func dceRespPDU(callID uint32, flags uint8, stub []byte) []byte {
	b := le32(nil, uint32(len(stub)))
	b = le16(b, 0)
	b = append(b, 0, 0)
	return dcePDU(dcerpc.PtypeResponse, flags, callID, append(b, stub...))
}

// ioctlReq builds an SMB2 IOCTL FSCTL_PIPE_TRANSCEIVE request.
func ioctlReq(h h2, fid fileID, in []byte) []byte {
	h.cmd = smb2Ioctl
	b := le16(nil, 57)
	b = le16(b, 0)
	b = le32(b, fsctlPipeTransceive)
	b = append(b, fid[:]...)
	b = le32(b, 64+56)
	b = le32(b, uint32(len(in)))
	b = le32(b, 0)
	b = le32(b, 0)
	b = le32(b, 0)
	b = le32(b, 4280)
	b = le32(b, 1)
	b = le32(b, 0)
	return cat(h.bytes(), b, in)
}

func ioctlResp(h h2, fid fileID, out []byte) []byte {
	h.cmd, h.resp = smb2Ioctl, true
	b := le16(nil, 49)
	b = le16(b, 0)
	b = le32(b, fsctlPipeTransceive)
	b = append(b, fid[:]...)
	b = le32(b, 64+48)
	b = le32(b, 0)
	b = le32(b, 64+48)
	b = le32(b, uint32(len(out)))
	b = le32(b, 0)
	b = le32(b, 0)
	return cat(h.bytes(), b, out)
}

// pipeSetup connects IPC$ and opens the svcctl pipe.
func pipeSetup() []seg {
	hh := func(id uint64) h2 { return h2{msgID: id, session: sess, tree: treePipe} }
	return []seg{
		cli(nbss(treeConnectReq(h2{msgID: 1, session: sess}, `\\srv\IPC$`))),
		srv(nbss(treeConnectResp(hh(1), smb2SharePipe))),
		cli(nbss(createReq(hh(2), `svcctl`, 1, 0))),
		srv(nbss(createResp(hh(2), fidPipe, 0))),
	}
}

func TestDCERPCOverSMB2(t *testing.T) {
	hh := func(id uint64) h2 { return h2{msgID: id, session: sess, tree: treePipe} }
	stub1, stub2 := []byte("first-part-"), []byte("second-part")
	tests := []struct {
		name string
		segs []seg
		want []string // per DCERPC transaction: command request response opnum req-frags stub-size
		bufs map[string]string
	}{
		{
			name: "bind over write/read, request over ioctl",
			segs: append(pipeSetup(),
				cli(nbss(writeReq(hh(3), fidPipe, 0, dceBindPDU(1, 0, 1), 0))),
				srv(nbss(writeResp(hh(3), 0))),
				cli(nbss(readReq(hh(4), fidPipe, 0, 1024))),
				srv(nbss(readResp(hh(4), dceBindAckPDU(1, 0, 2)))),
				cli(nbss(ioctlReq(hh(5), fidPipe, dceReqPDU(2, 3, 0, 15, stub1)))),
				srv(nbss(ioctlResp(hh(5), fidPipe, dceRespPDU(2, 3, []byte("ok")))))),
			want: []string{
				"SMB2_COMMAND_WRITE BIND BINDACK - 1 0",
				"SMB2_COMMAND_IOCTL REQUEST RESPONSE 15 1 11",
			},
			bufs: map[string]string{"dcerpc.opnum": "\x00\x0f", "dcerpc.stub_data.to_server": "first-part-", "dcerpc.stub_data.to_client": "ok"},
		},
		{
			name: "request in two fragments, two writes",
			segs: append(pipeSetup(),
				cli(nbss(writeReq(hh(3), fidPipe, 0, dceBindPDU(1, 0), 0))),
				cli(nbss(readReq(hh(4), fidPipe, 0, 1024))),
				srv(nbss(readResp(hh(4), dceBindAckPDU(1, 0)))),
				cli(nbss(writeReq(hh(5), fidPipe, 0, dceReqPDU(7, 0x01, 0, 12, stub1), 0))),
				cli(nbss(writeReq(hh(6), fidPipe, 0, dceReqPDU(7, 0x02, 0, 12, stub2), 0))),
				cli(nbss(readReq(hh(7), fidPipe, 0, 1024))),
				srv(nbss(readResp(hh(7), dceRespPDU(7, 3, nil))))),
			want: []string{
				"SMB2_COMMAND_WRITE BIND BINDACK - 1 0",
				"SMB2_COMMAND_WRITE REQUEST RESPONSE 12 2 22",
			},
			bufs: map[string]string{"dcerpc.opnum": "\x00\x0c", "dcerpc.stub_data.to_server": "first-part-second-part"},
		},
		{
			name: "response split over a partial read",
			segs: func() []seg {
				resp := dceRespPDU(9, 3, []byte("0123456789"))
				return append(pipeSetup(),
					cli(nbss(ioctlReq(hh(3), fidPipe, dceReqPDU(9, 3, 0, 1, nil)))),
					srv(nbss(ioctlResp(h2{msgID: 3, session: sess, tree: treePipe, status: statusBufferOverflow}, fidPipe, resp[:20]))),
					cli(nbss(readReq(hh(4), fidPipe, 0, 1024))),
					srv(nbss(readResp(hh(4), resp[20:]))))
			}(),
			want: []string{"SMB2_COMMAND_IOCTL REQUEST RESPONSE 1 1 0"},
			bufs: map[string]string{"dcerpc.stub_data.to_client": "0123456789"},
		},
		{
			name: "unanswered request reported at close",
			segs: append(pipeSetup(),
				cli(nbss(writeReq(hh(3), fidPipe, 0, dceReqPDU(4, 3, 0, 2, stub1), 0)))),
			want: []string{"SMB2_COMMAND_WRITE REQUEST UNREPLIED 2 1 11"},
		},
		{
			name: "not DCERPC on a pipe: ignored",
			segs: append(pipeSetup(),
				cli(nbss(writeReq(hh(3), fidPipe, 0, []byte("plain pipe bytes, no PDU here"), 0)))),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := checkChunking(t, nil, tc.segs)
			var got []string
			var last *Tx
			for i, m := range s.txs {
				d, ok := m["dcerpc"].(map[string]any)
				if !ok {
					continue
				}
				op := "-"
				if v, ok := d["opnum"]; ok {
					op = strconv.Itoa(int(v.(uint16)))
				}
				frags, size := "1", "0"
				if r, ok := d["req"].(map[string]any); ok {
					frags, size = strconv.Itoa(r["frag_cnt"].(int)), strconv.Itoa(int(r["stub_data_size"].(int64)))
				}
				got = append(got, strings.Join([]string{m["command"].(string), d["request"].(string), d["response"].(string), op, frags, size}, " "))
				last = s.meta[i].(*Tx)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("transactions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if len(s.files) != 0 {
				t.Errorf("pipe data became %d files", len(s.files))
			}
			for name, want := range tc.bufs {
				b, ok := last.Buffer(name)
				if !ok || string(b) != want {
					t.Errorf("buffer %s = %q %v, want %q", name, b, ok, want)
				}
			}
		})
	}
}

func TestDCERPCBindEVEAndIface(t *testing.T) {
	hh := func(id uint64) h2 { return h2{msgID: id, session: sess, tree: treePipe} }
	segs := append(pipeSetup(),
		cli(nbss(writeReq(hh(3), fidPipe, 0, dceBindPDU(1, 0, 1, 2), 0))),
		cli(nbss(readReq(hh(4), fidPipe, 0, 1024))),
		srv(nbss(readResp(hh(4), dceBindAckPDU(1, 2, 0, 3)))),
		cli(nbss(writeReq(hh(5), fidPipe, 0, dceReqPDU(2, 3, 1, 15, nil), 0))),
		cli(nbss(readReq(hh(6), fidPipe, 0, 1024))),
		srv(nbss(readResp(hh(6), dceRespPDU(2, 3, nil)))))
	s := checkChunking(t, nil, segs)
	var bind, req map[string]any
	var reqTx *Tx
	for i, m := range s.txs {
		if d, ok := m["dcerpc"].(map[string]any); ok {
			if d["request"] == "BIND" {
				bind = d
			} else {
				req, reqTx = d, s.meta[i].(*Tx)
			}
		}
	}
	ifs := bind["interfaces"].([]any)
	if len(ifs) != 3 {
		t.Fatalf("bind interfaces %v", ifs)
	}
	for i, want := range []uint16{2, 0, 3} {
		o := ifs[i].(map[string]any)
		if o["uuid"] != "367abb81-9844-35f1-ad32-98f038001003" || o["version"] != "2.0" || o["ack_result"] != want || o["service"] != "svcctl" {
			t.Errorf("interface %d: %v", i, o)
		}
	}
	ri := req["interfaces"].([]any)
	if len(ri) != 1 || ri[0].(map[string]any)["uuid"] != "367abb81-9844-35f1-ad32-98f038001003" || req["call_id"] != uint32(2) {
		t.Errorf("request %v", req)
	}
	b, ok := reqTx.Buffer("dcerpc.iface")
	if !ok || len(b) != 18 || binary.BigEndian.Uint16(b[16:]) != 2 || dcerpc.UUIDString([16]byte(b[:16])) != "367abb81-9844-35f1-ad32-98f038001003" {
		t.Errorf("dcerpc.iface buffer %x", b)
	}
}

func TestDCERPCOverSMB1(t *testing.T) {
	const uid, tid, fid = 0x800, 0x801, 0x4001
	h := func(cmd uint8, mid uint16, reply bool) h1 {
		return h1{cmd: cmd, uid: uid, tid: tid, pid: 1, mid: mid, reply: reply, ntError: true}
	}
	trans := func(data []byte) []byte {
		hd := h(smb1Trans, 3, false)
		w := le16(nil, 0)
		w = le16(w, uint16(len(data)))
		w = le16(w, 0)
		w = le16(w, 1024)
		w = append(w, 0, 0)
		w = le16(w, 0)
		w = le32(w, 0)
		w = le16(w, 0)
		w = le16(w, 0) // param count
		w = le16(w, 0)
		w = le16(w, uint16(len(data)))
		off := smb1HeaderLen + 1 + 32 + 2
		w = le16(w, uint16(off))
		w = append(w, 2, 0)
		w = le16(w, smb1TransactNmPipe)
		w = le16(w, fid)
		return cat(hd.bytes(), block(w, data))
	}
	transResp := func(data []byte) []byte {
		hd := h(smb1Trans, 3, true)
		w := le16(nil, 0)
		w = le16(w, uint16(len(data)))
		w = le16(w, 0)
		w = le16(w, 0)
		w = le16(w, 0)
		w = le16(w, 0)
		w = le16(w, uint16(len(data)))
		w = le16(w, uint16(smb1HeaderLen+1+20+2))
		w = le16(w, 0)
		w = append(w, 0, 0)
		return cat(hd.bytes(), block(w, data))
	}
	segs := []seg{
		cli(nbss(treeConnect1(h(smb1TreeConnectAndX, 1, false), `\\srv\IPC$`, "?????"))),
		srv(nbss(treeConnectResp1(h(smb1TreeConnectAndX, 1, true), "IPC"))),
		cli(nbss(writeAndX1(h(smb1WriteAndX, 2, false), fid, 0, dceBindPDU(1, 0), 0))),
		cli(nbss(trans(dceReqPDU(2, 3, 0, 15, []byte("abc"))))),
		srv(nbss(transResp(dceRespPDU(2, 3, []byte("xy"))))),
	}
	s := checkChunking(t, nil, segs)
	var got []string
	for _, m := range s.txs {
		if d, ok := m["dcerpc"].(map[string]any); ok {
			got = append(got, m["command"].(string)+" "+d["request"].(string)+" "+d["response"].(string))
		}
	}
	want := "SMB1_COMMAND_TRANS REQUEST RESPONSE,SMB1_COMMAND_WRITE_ANDX BIND UNREPLIED"
	if strings.Join(got, ",") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, ","), want)
	}
}
