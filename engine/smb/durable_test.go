package smb

import (
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// Builders for SMB 3 messages: NEGOTIATE responses with a ServerGuid and
// capabilities, SESSION_SETUP with flags, CREATE with create contexts
// (MS-SMB2 2.2.4, 2.2.5, 2.2.13.2, 2.2.14.2), IOCTL.

var serverGUID = [16]byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}

func negotiateResp3(h h2, dialect uint16, caps uint32) []byte {
	h.cmd, h.resp = smb2Negotiate, true
	b := le16(nil, 65)
	b = le16(b, 1)
	b = le16(b, dialect)
	b = le16(b, 0)
	b = append(b, serverGUID[:]...)
	b = le32(b, caps)
	b = append(b, make([]byte, 64-28)...)
	return cat(h.bytes(), b)
}

func sessionSetupReq(h h2, flags uint8) []byte {
	h.cmd = smb2SessionSetup
	b := le16(nil, 25)
	b = append(b, flags, 1)
	b = le32(b, 0)
	b = le32(b, 0)
	b = le16(b, 64+24)
	b = le16(b, 4)
	b = le64(b, 0)
	return cat(h.bytes(), b, []byte("blob"))
}

func sessionSetupResp(h h2) []byte {
	h.cmd, h.resp = smb2SessionSetup, true
	b := le16(nil, 9)
	b = le16(b, 0)
	b = le16(b, 0)
	b = le16(b, 0)
	return cat(h.bytes(), b, []byte{0})
}

type cctx struct {
	name string
	data []byte
}

// contexts encodes a create context chain, 8-byte aligned.
func contexts(cs ...cctx) []byte {
	var out []byte
	for i, c := range cs {
		e := le32(nil, 0)
		e = le16(e, 16)
		e = le16(e, uint16(len(c.name)))
		e = le16(e, 0)
		e = le16(e, 24)
		e = le32(e, uint32(len(c.data)))
		e = append(e, c.name...)
		for len(e)%8 != 0 {
			e = append(e, 0)
		}
		e = append(e, c.data...)
		if i < len(cs)-1 {
			for len(e)%8 != 0 {
				e = append(e, 0)
			}
			copy(e, le32(nil, uint32(len(e))))
		}
		out = append(out, e...)
	}
	return out
}

func createReqCtx(h h2, name string, ctx []byte) []byte {
	h.cmd = smb2Create
	n := utf16le(name)
	ctxOff := (64 + 56 + len(n) + 7) &^ 7
	b := le16(nil, 57)
	b = append(b, 0, 9)
	b = le32(b, 2)
	b = le64(b, 0)
	b = le64(b, 0)
	b = le32(b, 0x12019f)
	b = le32(b, 0x80)
	b = le32(b, 7)
	b = le32(b, 1)
	b = le32(b, 0)
	b = le16(b, 64+56)
	b = le16(b, uint16(len(n)))
	b = le32(b, uint32(ctxOff))
	b = le32(b, uint32(len(ctx)))
	b = append(b, n...)
	for 64+len(b) < ctxOff {
		b = append(b, 0)
	}
	return cat(h.bytes(), b, ctx)
}

func createRespCtx(h h2, fid fileID, size uint64, ctx []byte) []byte {
	m := createResp(h, fid, size)
	if len(ctx) == 0 {
		return m
	}
	copy(m[len(m)-8:], le32(nil, uint32(len(m))))
	copy(m[len(m)-4:], le32(nil, uint32(len(ctx))))
	return cat(m, ctx)
}

func ioctlCtlReq(h h2, code uint32, fid fileID) []byte {
	h.cmd = smb2Ioctl
	b := le16(nil, 57)
	b = le16(b, 0)
	b = le32(b, code)
	b = append(b, fid[:]...)
	b = le32(b, 0)                            // InputOffset
	b = le32(b, 0)                            // InputCount
	b = le32(b, 0)                            // MaxInputResponse
	b = le32(b, 0)                            // OutputOffset
	b = le32(b, 0)                            // OutputCount
	b = le32(b, 0)                            // MaxOutputResponse
	b = le32(b, 1)                            // Flags: FSCTL
	b = le32(b, 0)                            // Reserved2
	return cat(h.bytes(), b, make([]byte, 8)) // NetworkResiliencyRequest
}

func ioctlCtlResp(h h2, code uint32, fid fileID) []byte {
	h.cmd, h.resp = smb2Ioctl, true
	b := le16(nil, 49)
	b = le16(b, 0)
	b = le32(b, code)
	b = append(b, fid[:]...)
	b = le32(b, 0)
	b = le32(b, 0)
	b = le32(b, 0)
	b = le32(b, 0)
	b = le32(b, 0)
	b = le32(b, 0)
	return cat(h.bytes(), b)
}

var (
	createGUID = [16]byte{0xc0, 0xff, 0xee, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}
	dh2q       = cctx{"DH2Q", cat(le32(nil, 60000), make([]byte, 12), createGUID[:])}
	dh2qResp   = cctx{"DH2Q", cat(le32(nil, 60000), le32(nil, 0))}
	dhnq       = cctx{"DHnQ", make([]byte, 16)}
	dhnqResp   = cctx{"DHnQ", make([]byte, 8)}
	mxac       = cctx{"MxAc", nil}
	dh2c       = cctx{"DH2C", cat(fidA[:], createGUID[:], le32(nil, 0))}
	dhnc       = cctx{"DHnC", fidA[:]}
)

// smb3Conv is a session on an SMB 3.0.2 connection (multichannel when caps
// says so) that opens name with request contexts reqCtx (answered with
// respCtx) and reads data.
func smb3Conv(caps uint32, reqCtx, respCtx []byte, data []byte) []seg {
	h := func(id uint64) h2 { return h2{msgID: id, session: sess, tree: tree1} }
	return []seg{
		cli(nbss(negotiateReq(h2{}, 0x210, 0x300, 0x302))),
		srv(nbss(negotiateResp3(h2{}, 0x302, caps))),
		cli(nbss(sessionSetupReq(h2{msgID: 1}, 0))),
		srv(nbss(sessionSetupResp(h2{msgID: 1, session: sess}))),
		cli(nbss(treeConnectReq(h(2), `\\srv\share`))),
		srv(nbss(treeConnectResp(h(2), smb2ShareDisk))),
		cli(nbss(createReqCtx(h(3), `dir\file.bin`, reqCtx))),
		srv(nbss(createRespCtx(h(3), fidA, uint64(len(data)), respCtx))),
		cli(nbss(readReq(h(4), fidA, 0, uint32(len(data))))),
		srv(nbss(readResp(h(4), data))),
		cli(nbss(closeReq(h(5), fidA))),
		srv(nbss(closeResp(h(5)))),
	}
}

// openOf returns the identity the parser reported for the only file.
func openOf(t *testing.T, s *recSink) *app.SMBOpen {
	t.Helper()
	if len(s.order) != 1 {
		t.Fatalf("%d files, want 1:\n%s", len(s.order), s.summary())
	}
	return s.files[s.order[0]].meta.SMB
}

func TestSMB3OpenIdentity(t *testing.T) {
	data := pattern(300)
	want := func(durable, reconnect, multi bool, guid [16]byte) app.SMBOpen {
		return app.SMBOpen{ServerGUID: serverGUID, SessionID: sess, PersistentFileID: 0x55, CreateGUID: guid,
			Durable: durable, Reconnect: reconnect, MultiChannel: multi}
	}
	cases := []struct {
		name      string
		caps      uint32
		req, resp []byte
		want      app.SMBOpen
		anomaly   string
		stats     Stats
	}{
		{name: "plain", want: want(false, false, false, [16]byte{})},
		{name: "multichannel capability", caps: smb2CapMultiChannel, want: want(false, false, true, [16]byte{})},
		{name: "DH2Q granted", req: contexts(mxac, dh2q), resp: contexts(dh2qResp), want: want(true, false, false, createGUID),
			stats: Stats{DurableOpens: 1}},
		{name: "DH2Q refused", req: contexts(dh2q), want: want(false, false, false, [16]byte{})},
		{name: "DHnQ granted", req: contexts(dhnq, mxac), resp: contexts(mxac, dhnqResp), want: want(true, false, false, [16]byte{}),
			stats: Stats{DurableOpens: 1}},
		{name: "DH2C reconnect", req: contexts(dh2c), want: want(true, true, false, createGUID), stats: Stats{DurableReconnects: 1}},
		{name: "DHnC reconnect", req: contexts(dhnc), want: want(true, true, false, [16]byte{}), stats: Stats{DurableReconnects: 1}},
		{name: "DH2Q too short", req: contexts(cctx{"DH2Q", make([]byte, 20)}), resp: contexts(dh2qResp),
			want: want(false, false, false, [16]byte{}), anomaly: AnomalyMalformed},
		{name: "chain beyond its length", req: contexts(dh2q)[:20], want: want(false, false, false, [16]byte{}), anomaly: AnomalyMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			segs := smb3Conv(tc.caps, tc.req, tc.resp, data)
			s := checkChunking(t, nil, segs)
			if got := openOf(t, s); got == nil || *got != tc.want {
				t.Fatalf("identity %+v, want %+v", got, tc.want)
			}
			if tc.anomaly != "" && !strings.Contains(strings.Join(s.anomalies, " "), tc.anomaly) {
				t.Errorf("anomalies %v, want %s", s.anomalies, tc.anomaly)
			}
			if tc.anomaly == "" && len(s.anomalies) > 0 {
				t.Errorf("anomalies %v", s.anomalies)
			}
			var st Stats
			p := NewParser(nil, &st, newRecSink())
			for _, sg := range segs {
				p.Feed(sg.dir, sg.data)
			}
			if st.DurableOpens != tc.stats.DurableOpens || st.DurableReconnects != tc.stats.DurableReconnects {
				t.Errorf("stats: durable %d reconnects %d, want %d %d", st.DurableOpens, st.DurableReconnects,
					tc.stats.DurableOpens, tc.stats.DurableReconnects)
			}
		})
	}
}

// TestSessionBinding: a second connection binds itself to the session and
// reads a file opened on the first (no CREATE on this connection).
func TestSessionBinding(t *testing.T) {
	data := pattern(200)
	for _, tc := range []struct {
		name   string
		status uint32
		bound  bool
	}{{"bound", statusSuccess, true}, {"binding refused", statusAccessDenied, false}} {
		t.Run(tc.name, func(t *testing.T) {
			segs := []seg{
				cli(nbss(negotiateReq(h2{}, 0x302))),
				srv(nbss(negotiateResp3(h2{}, 0x302, smb2CapMultiChannel))),
				cli(nbss(sessionSetupReq(h2{msgID: 1, session: sess}, smb2SessionFlagBinding))),
				srv(nbss(sessionSetupResp(h2{msgID: 1, session: sess, status: tc.status}))),
				cli(nbss(readReq(h2{msgID: 2, session: sess, tree: tree1}, fidA, 4096, 200))),
				srv(nbss(readResp(h2{msgID: 2, session: sess, tree: tree1}, data))),
			}
			s := checkChunking(t, nil, segs)
			o := openOf(t, s)
			want := app.SMBOpen{ServerGUID: serverGUID, SessionID: sess, PersistentFileID: 0x55, MultiChannel: true, Bound: tc.bound}
			if o == nil || *o != want {
				t.Fatalf("identity %+v, want %+v", o, want)
			}
			var st Stats
			p := NewParser(nil, &st, newRecSink())
			for _, sg := range segs {
				p.Feed(sg.dir, sg.data)
			}
			if (st.SessionBinds == 1) != tc.bound {
				t.Errorf("session binds %d", st.SessionBinds)
			}
		})
	}
}

// TestResilientHandle: FSCTL_LMR_REQUEST_RESILIENCY granted makes the handle
// one another connection may continue.
func TestResilientHandle(t *testing.T) {
	data := pattern(100)
	h := func(id uint64) h2 { return h2{msgID: id, session: sess, tree: tree1} }
	segs := append(smb3Conv(0, nil, nil, nil)[:8],
		cli(nbss(ioctlCtlReq(h(10), fsctlLMRRequestResiliency, fidA))),
		srv(nbss(ioctlCtlResp(h(10), fsctlLMRRequestResiliency, fidA))),
		cli(nbss(readReq(h(11), fidA, 0, 100))),
		srv(nbss(readResp(h(11), data))),
	)
	s := checkChunking(t, nil, segs)
	if o := openOf(t, s); o == nil || !o.Durable || o.Reconnect {
		t.Fatalf("identity %+v, want a durable (resilient) open", o)
	}
}

// TestNoIdentity: SMB1 files and files of a related compound's all-ones
// FileId carry no SMB identity; neither does an SMB 2 open before the
// NEGOTIATE is seen (the identity then has a zero ServerGUID).
func TestNoIdentity(t *testing.T) {
	s := checkChunking(t, nil, []seg{cli(nbss(compound(createReq(h2{msgID: 2, session: sess, tree: 1}, "c", 5, 0),
		writeReq(h2{msgID: 3, related: true}, allOnesFID, 0, pattern(50), 0))))})
	if o := openOf(t, s); o != nil {
		t.Errorf("compound write through the all-ones FileId: identity %+v", o)
	}
	s = checkChunking(t, nil, []seg{
		cli(nbss(readReq(h2{msgID: 7, session: sess}, fidA, 0, 9))),
		srv(nbss(readResp(h2{msgID: 7, session: sess}, pattern(9)))),
	})
	if o := openOf(t, s); o == nil || o.ServerGUID != [16]byte{} {
		t.Errorf("midstream: identity %+v, want one without a ServerGUID", o)
	}
}
