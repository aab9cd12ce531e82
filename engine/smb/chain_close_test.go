package smb

import (
	"encoding/binary"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// writeCloseChain1 is a WRITE_ANDX whose AndX chain continues with a CLOSE of
// the same FID placed after the data (smb-eicar-andx carries LOCKING_ANDX +
// WRITE_ANDX + CLOSE in one message).
func writeCloseChain1(h h1, fid uint16, data []byte) []byte {
	m := writeAndX1(h, fid, 0, data, 0)
	m[smb1HeaderLen+1] = smb1CloseCmd
	binary.LittleEndian.PutUint16(m[smb1HeaderLen+3:], uint16(len(m)))
	cw := le16(nil, fid)
	cw = le32(cw, 0xffffffff)
	return cat(m, block(cw, nil))
}

func TestSMB1WriteAndXChainedClose(t *testing.T) {
	const uid, tid, fid = 0x800, 0x801, 0x4002
	h := func(cmd uint8, mid uint16, reply bool) h1 {
		return h1{cmd: cmd, uid: uid, tid: tid, pid: 1, mid: mid, reply: reply, ntError: true}
	}
	data := pattern(68)
	tests := []struct {
		name string
		cfg  *Config
	}{
		{"window holds the message", nil},
		{"data streamed past the window", &Config{MaxHeaderBuffer: 256}},
	}
	big := pattern(700)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := data
			if tc.cfg != nil {
				d = big
			}
			segs := []seg{
				cli(nbss(treeConnect1(h(smb1TreeConnectAndX, 1, false), `\\srv\share`, "?????"))),
				srv(nbss(treeConnectResp1(h(smb1TreeConnectAndX, 1, true), "A:"))),
				cli(nbss(ntCreateReq1(h(smb1NTCreateAndX, 2, false), `eicar.txt`))),
				srv(nbss(ntCreateResp1(h(smb1NTCreateAndX, 2, true), fid))),
				cli(nbss(writeCloseChain1(h(smb1WriteAndX, 3, false), fid, d))),
			}
			s := checkChunking(t, tc.cfg, segs)
			checkFiles(t, s, []fileWant{{name: `eicar.txt`, dir: app.ToServer, content: d, closed: true}})
		})
	}
}

func TestSMB2CompoundSetInfoDeleteOnClose(t *testing.T) {
	rel := h2{msgID: 4, session: sess, tree: tree1, related: true}
	segs := append(setup2("x", fidA),
		cli(nbss(compound(
			createReq(h2{msgID: 3, session: sess, tree: tree1}, `test`, 1, 0),
			setInfoDisposition(rel, allOnesFID))),
		))
	s := checkChunking(t, nil, segs)
	found := false
	for _, m := range s.txs {
		if m["command"] == "SMB2_COMMAND_SET_INFO" {
			found = m["filename"] == "test" && m["access"] == "delete on close"
		}
	}
	if !found {
		t.Fatalf("no SET_INFO delete-on-close for the chained CREATE: %v", s.txs)
	}
}

// setInfoDisposition builds a SET_INFO FileDispositionInformation (delete).
func setInfoDisposition(h h2, fid fileID) []byte {
	h.cmd = smb2SetInfo
	b := le16(nil, 33)
	b = append(b, smb2InfoFile, fileDispositionInformation)
	b = le32(b, 1)
	b = le16(b, 64+32)
	b = le16(b, 0)
	b = le32(b, 0)
	b = append(b, fid[:]...)
	return cat(h.bytes(), b, []byte{1})
}

func TestCloseTruncatesFilesWithoutClose(t *testing.T) {
	for _, tc := range []struct {
		name      string
		close     bool
		truncated bool
	}{
		{"CLOSE seen", true, false},
		{"connection ends first", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			segs := append(setup2("f", fidA),
				cli(nbss(writeReq(h2{msgID: 3, session: sess, tree: tree1}, fidA, 0, pattern(10), 0))))
			if tc.close {
				segs = append(segs, cli(nbss(closeReq(h2{msgID: 4, session: sess, tree: tree1}, fidA))))
			}
			s := checkChunking(t, nil, segs)
			if f := s.files[s.order[0]]; !f.closed || f.truncated != tc.truncated {
				t.Fatalf("closed=%v truncated=%v, want truncated=%v", f.closed, f.truncated, tc.truncated)
			}
		})
	}
}
