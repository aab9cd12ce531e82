package smb

import (
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// fuzzSegs turns fuzz input into a conversation: each byte 0xF0 switches
// direction; everything else is stream content. A small config keeps the
// limits reachable.
func fuzzSegs(data []byte) []seg {
	var segs []seg
	dir := app.ToServer
	start := 0
	for i, c := range data {
		if c == 0xF0 {
			if i > start {
				segs = append(segs, seg{dir: dir, data: data[start:i]})
			}
			dir ^= 1
			start = i + 1
		}
	}
	if start < len(data) {
		segs = append(segs, seg{dir: dir, data: data[start:]})
	}
	return segs
}

func fuzzConfig() *Config {
	c := DefaultConfig()
	c.MaxHeaderBuffer = 256
	c.MaxOutstanding = 8
	c.MaxOpenFiles = 4
	c.MaxCompound = 8
	return &c
}

// fuzzCheck asserts no panic (the recording sink panics on contract
// violations) and that one-byte and split feeding equal whole feeding.
func fuzzCheck(t *testing.T, data []byte) {
	segs := fuzzSegs(data)
	cfg := fuzzConfig()
	want := run(cfg, segs, whole).summary()
	if got := run(cfg, segs, oneByte).summary(); got != want {
		t.Fatalf("one-byte feeding differs:\n%s\nwant:\n%s", got, want)
	}
	if got := run(cfg, segs, randomSplit(int64(len(data)))).summary(); got != want {
		t.Fatalf("random split differs:\n%s\nwant:\n%s", got, want)
	}
	// Gaps anywhere must not break the contract either.
	if len(segs) > 0 {
		g := append([]seg{}, segs[:1]...)
		g = append(g, seg{dir: segs[0].dir, gap: int64(len(data) % 97)})
		g = append(g, segs[1:]...)
		run(cfg, g, whole)
	}
}

func FuzzSMB2(f *testing.F) {
	data := pattern(400)
	seeds := [][]byte{
		cat(nbss(negotiateReq(h2{}, 0x202, 0x311)), []byte{0xF0}, nbss(negotiateResp(h2{}, 0x311))),
		cat(nbss(createReq(h2{msgID: 2, session: sess, tree: 1}, "a.txt", 1, 0)), []byte{0xF0},
			nbss(createResp(h2{msgID: 2, session: sess, tree: 1}, fidA, 10)), []byte{0xF0},
			nbss(writeReq(h2{msgID: 3, session: sess, tree: 1}, fidA, 0, data, 8)),
			nbss(readReq(h2{msgID: 4, session: sess, tree: 1}, fidA, 0, 300)), []byte{0xF0},
			nbss(readResp(h2{msgID: 4, session: sess, tree: 1}, data[:300])), []byte{0xF0},
			nbss(closeReq(h2{msgID: 5, session: sess, tree: 1}, fidA))),
		nbss(compound(createReq(h2{msgID: 2}, "c", 5, 0), writeReq(h2{msgID: 3, related: true}, allOnesFID, 0, data[:50], 0), closeReq(h2{msgID: 4, related: true}, allOnesFID))),
		cat(nbss(readReq(h2{msgID: 7}, fidA, 0, 9)), []byte{0xF0}, nbss(interim(h2{cmd: smb2Read, msgID: 7})), nbss(readResp(h2{msgID: 7, async: true}, data[:9]))),
		nbss(treeConnectReq(h2{msgID: 1}, `\\h\IPC$`)),
		nbss([]byte("\xfdSMB0123456789012345678901234567890123456789012345678901234567890")),
		// SMB 3: multichannel capability, session binding, durable
		// handle requests and reconnects, resiliency.
		cat(nbss(negotiateResp3(h2{resp: true}, 0x302, smb2CapMultiChannel)), []byte{0xF0},
			nbss(sessionSetupReq(h2{msgID: 1, session: sess}, smb2SessionFlagBinding)), []byte{0xF0},
			nbss(sessionSetupResp(h2{msgID: 1, session: sess}))),
		cat(nbss(createReqCtx(h2{msgID: 2, session: sess, tree: 1}, "d.bin", contexts(mxac, dh2q))), []byte{0xF0},
			nbss(createRespCtx(h2{msgID: 2, session: sess, tree: 1}, fidA, 10, contexts(dh2qResp))), []byte{0xF0},
			nbss(createReqCtx(h2{msgID: 3, session: sess, tree: 1}, "e.bin", contexts(dhnc))), []byte{0xF0},
			nbss(createRespCtx(h2{msgID: 3, session: sess, tree: 1}, fidA, 10, nil)), []byte{0xF0},
			nbss(ioctlCtlReq(h2{msgID: 4, session: sess, tree: 1}, fsctlLMRRequestResiliency, fidA)), []byte{0xF0},
			nbss(ioctlCtlResp(h2{msgID: 4, session: sess, tree: 1}, fsctlLMRRequestResiliency, fidA))),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(fuzzCheck)
}

// FuzzCreateContexts feeds arbitrary context chains to the CREATE context
// decoders: no panic, and what they report is consistent (a v2 handle has
// its GUID from the chain's bytes).
func FuzzCreateContexts(f *testing.F) {
	for _, c := range [][]byte{contexts(dh2q), contexts(mxac, dhnq), contexts(dh2c, dhnc), contexts(dh2qResp),
		contexts(dh2q)[:30], {}} {
		f.Add(c, uint16(64))
	}
	f.Fuzz(func(t *testing.T, chain []byte, off uint16) {
		m := append(make([]byte, int(off)), chain...)
		for _, n := range []int{len(chain), len(chain) / 2, len(chain) + 8} {
			d, err := parseDurableReq(m, int(off), n)
			if err == nil && d.v2 && !d.request && !d.reconnect {
				t.Fatalf("a v2 context that neither requests nor reconnects: %+v", d)
			}
			if _, err := parseDurableResp(m, int(off), n); err != nil && n == len(chain) && len(chain) == 0 {
				t.Fatalf("empty chain: %v", err)
			}
		}
	})
}

func FuzzSMB1(f *testing.F) {
	data := pattern(300)
	hc := h1{tid: 1, pid: 2, uid: 3}
	seeds := [][]byte{
		cat(nbss(treeConnect1(withMID(hc, 1), `\\S\C$`, "?????")), []byte{0xF0}, nbss(treeConnectResp1(withMID(hc, 1), "A:"))),
		cat(nbss(ntCreateReq1(withMID(hc, 2), `\eicar`)), []byte{0xF0}, nbss(ntCreateResp1(withMID(hc, 2), 0x4001)), []byte{0xF0},
			nbss(writeAndX1(withMID(hc, 3), 0x4001, 0, data, 2)), nbss(close1(withMID(hc, 4), 0x4001))),
		cat(nbss(readAndX1(withMID(hc, 5), 7, 0, 200)), []byte{0xF0}, nbss(readAndXResp1(withMID(hc, 5), data[:200]))),
		[]byte{0x81, 0, 0, 4, 1, 2, 3, 4},
		// Legacy forms: core OPEN/READ, CREATE_NEW/WRITE_AND_CLOSE, TRANS2
		// QUERY/SET_FILE_INFO, NT_TRANSACT_CREATE.
		cat(nbss(coreOpen1(withMID(hc, 6), smb1Open, `\A.TXT`)), []byte{0xF0}, nbss(coreOpenResp1(withMID(hc, 6), smb1Open, 9, 100)), []byte{0xF0},
			nbss(coreRead1(withMID(hc, 7), smb1LockAndRead, 9, 0, 100)), []byte{0xF0}, nbss(coreReadResp1(withMID(hc, 7), smb1LockAndRead, data[:100]))),
		cat(nbss(coreOpen1(withMID(hc, 8), smb1CreateNew, `\B.PRN`)), []byte{0xF0}, nbss(coreOpenResp1(withMID(hc, 8), smb1CreateNew, 10, 0)), []byte{0xF0},
			nbss(coreWrite1(withMID(hc, 9), smb1WriteAndUnlock, 10, 0, data[:90])), nbss(writeAndClose1(withMID(hc, 10), 10, 90, data[90:150]))),
		cat(nbss(trans2Req1(withMID(hc, 11), trans2QueryPathInfo, cat(le16(nil, levelQueryAllInfo), le32(nil, 0), []byte("\\C.DOC\x00")), nil)), []byte{0xF0},
			nbss(trans2Resp1(withMID(hc, 11), le16(nil, 0), make([]byte, 72))), []byte{0xF0},
			nbss(trans2Req1(withMID(hc, 12), trans2SetFileInfo, cat(le16(nil, 10), le16(nil, passthroughLevel+fileRenameInformation), le16(nil, 0)),
				cat(make([]byte, 8), le32(nil, 4), []byte("D.TX"))))),
		cat(nbss(ntTransCreate1(withMID(hc, 13), `E.BIN`, 1)), []byte{0xF0}, nbss(ntTransCreateResp1(withMID(hc, 13), 11, 5))),
		cat(nbss(readRaw1(withMID(hc, 14), 9, 0, 200)), []byte{0xF0}, nbss(data[:150]), nbss(closeResp1(withMID(hc, 15)))),
		cat(nbss(writeRaw1(withMID(hc, 16), 10, 0, 120, data[:20])), []byte{0xF0}, nbss(writeRawInterim1(withMID(hc, 16))), []byte{0xF0},
			nbss(data[20:120])),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(fuzzCheck)
}
