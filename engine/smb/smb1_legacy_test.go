package smb

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// Builders for the SMB1 core and TRANS2/NT_TRANSACT messages of legacy
// clients (MS-CIFS 2.2.4). Names are ASCII unless the header says Unicode.

func smbString(h h1, s string) []byte {
	if h.unicode {
		return utf16le(s + "\x00")
	}
	return []byte(s + "\x00")
}

func coreOpen1(h h1, cmd uint8, name string) []byte {
	h.cmd = cmd
	w := le16(nil, 0x42)
	if cmd != smb1Open {
		w = le32(le16(nil, 0x20), 0)
	}
	d := cat([]byte{bufferFormatString}, smbString(h, name))
	return cat(h.bytes(), block(w, d))
}

func coreOpenResp1(h h1, cmd uint8, fid uint16, size uint32) []byte {
	h.cmd, h.reply = cmd, true
	w := le16(nil, fid)
	if cmd == smb1Open {
		w = le16(w, 0x20)
		w = le32(w, 1700000000)
		w = le32(w, size)
		w = le16(w, 2)
	}
	return cat(h.bytes(), block(w, nil))
}

func coreRead1(h h1, cmd uint8, fid uint16, off uint32, n uint16) []byte {
	h.cmd = cmd
	w := le16(nil, fid)
	w = le16(w, n)
	w = le32(w, off)
	w = le16(w, 0)
	return cat(h.bytes(), block(w, nil))
}

func coreReadResp1(h h1, cmd uint8, data []byte) []byte {
	h.cmd, h.reply = cmd, true
	w := le16(nil, uint16(len(data)))
	w = append(w, make([]byte, 8)...)
	d := le16([]byte{bufferFormatData}, uint16(len(data)))
	return cat(h.bytes(), block(w, cat(d, data)))
}

func coreWrite1(h h1, cmd uint8, fid uint16, off uint32, data []byte) []byte {
	h.cmd = cmd
	w := le16(nil, fid)
	w = le16(w, uint16(len(data)))
	w = le32(w, off)
	w = le16(w, 0)
	d := le16([]byte{bufferFormatData}, uint16(len(data)))
	return cat(h.bytes(), block(w, cat(d, data)))
}

func writeAndClose1(h h1, fid uint16, off uint32, data []byte) []byte {
	h.cmd = smb1WriteAndClose
	w := le16(nil, fid)
	w = le16(w, uint16(len(data)))
	w = le32(w, off)
	w = le32(w, 0)
	return cat(h.bytes(), block(w, cat([]byte{0}, data)))
}

func readRaw1(h h1, fid uint16, off uint32, max uint16) []byte {
	h.cmd = smb1ReadRaw
	w := le16(nil, fid)
	w = le32(w, off)
	w = le16(w, max)
	w = le16(w, 0)
	w = le32(w, 0)
	w = le16(w, 0)
	return cat(h.bytes(), block(w, nil))
}

// writeRaw1 builds a WRITE_RAW request announcing total bytes and carrying
// the first of them.
func writeRaw1(h h1, fid uint16, off uint32, total int, first []byte) []byte {
	h.cmd = smb1WriteRaw
	w := le16(nil, fid)
	w = le16(w, uint16(total))
	w = le16(w, 0)
	w = le32(w, off)
	w = le32(w, 0)
	w = le16(w, 0)
	w = le32(w, 0)
	w = le16(w, uint16(len(first)))
	w = le16(w, 32+1+24+2)
	return cat(h.bytes(), block(w, first))
}

func writeRawInterim1(h h1) []byte {
	h.cmd, h.reply = smb1WriteRaw, true
	return cat(h.bytes(), block(le16(nil, 0xffff), nil))
}

// trans2Req1 builds a TRANS2 request whose parameters and data follow the
// block's byte count (4-aligned).
func trans2Req1(h h1, sub uint16, params, data []byte) []byte {
	h.cmd = smb1Trans2
	const wc = 15
	start := 32 + 1 + 2*wc + 2
	pad1 := (4 - start%4) % 4
	poff := start + pad1
	pad2 := (4 - (poff+len(params))%4) % 4
	doff := poff + len(params) + pad2
	w := le16(nil, uint16(len(params)))
	w = le16(w, uint16(len(data)))
	w = le16(w, 64)
	w = le16(w, 4096)
	w = append(w, 0, 0)
	w = le16(w, 0)
	w = le32(w, 0)
	w = le16(w, 0)
	w = le16(w, uint16(len(params)))
	w = le16(w, uint16(poff))
	w = le16(w, uint16(len(data)))
	w = le16(w, uint16(doff))
	w = append(w, 1, 0)
	w = le16(w, sub)
	return cat(h.bytes(), block(w, cat(make([]byte, pad1), params, make([]byte, pad2), data)))
}

func trans2Resp1(h h1, params, data []byte) []byte {
	h.cmd, h.reply = smb1Trans2, true
	const wc = 10
	start := 32 + 1 + 2*wc + 2
	pad1 := (4 - start%4) % 4
	poff := start + pad1
	pad2 := (4 - (poff+len(params))%4) % 4
	doff := poff + len(params) + pad2
	w := le16(nil, uint16(len(params)))
	w = le16(w, uint16(len(data)))
	w = le16(w, 0)
	w = le16(w, uint16(len(params)))
	w = le16(w, uint16(poff))
	w = le16(w, 0)
	w = le16(w, uint16(len(data)))
	w = le16(w, uint16(doff))
	w = le16(w, 0)
	w = append(w, 0, 0)
	return cat(h.bytes(), block(w, cat(make([]byte, pad1), params, make([]byte, pad2), data)))
}

// ntTransCreate1 builds an NT_TRANSACT_CREATE request.
func ntTransCreate1(h h1, name string, disposition uint32) []byte {
	h.cmd, h.unicode = smb1NTTrans, true
	n := utf16le(name)
	p := le32(nil, 0)
	p = le32(p, 0)
	p = le32(p, 0x2019f)
	p = le64(p, 0)
	p = le32(p, 0x80)
	p = le32(p, 7)
	p = le32(p, disposition)
	p = le32(p, 0x44)
	p = le32(p, 0)
	p = le32(p, 0)
	p = le32(p, uint32(len(n)))
	p = le32(p, 2)
	p = append(p, 0)
	const wc = 19
	start := 32 + 1 + 2*wc + 2
	pad := (4 - start%4) % 4
	poff := start + pad
	if (poff+len(p))%2 == 1 {
		p = append(p, 0) // align the Unicode name
	}
	p = append(p, n...)
	w := []byte{0, 0, 0}
	w = le32(w, uint32(len(p)))
	w = le32(w, 0)
	w = le32(w, 256)
	w = le32(w, 0)
	w = le32(w, uint32(len(p)))
	w = le32(w, uint32(poff))
	w = le32(w, 0)
	w = le32(w, uint32(poff+len(p)))
	w = append(w, 0)
	w = le16(w, ntTransactCreate)
	return cat(h.bytes(), block(w, cat(make([]byte, pad), p)))
}

func ntTransCreateResp1(h h1, fid uint16, size uint64) []byte {
	h.cmd, h.reply, h.unicode = smb1NTTrans, true, true
	p := []byte{0, 0}
	p = le16(p, fid)
	p = le32(p, 1)
	p = le32(p, 0)
	for i := 0; i < 4; i++ {
		p = le64(p, 132516000000000000)
	}
	p = le32(p, 0x20)
	p = le64(p, 4096)
	p = le64(p, size)
	p = append(p, 0, 0, 0, 0, 0)
	const wc = 18
	start := 32 + 1 + 2*wc + 2
	pad := (4 - start%4) % 4
	poff := start + pad
	w := []byte{0, 0, 0}
	w = le32(w, uint32(len(p)))
	w = le32(w, 0)
	w = le32(w, uint32(len(p)))
	w = le32(w, uint32(poff))
	w = le32(w, 0)
	w = le32(w, 0)
	w = le32(w, 0)
	w = le32(w, 0)
	w = append(w, 0)
	return cat(h.bytes(), block(w, cat(make([]byte, pad), p)))
}

// TestSMB1LegacyFiles: files moved with the core commands are extracted
// whole, named by their OPEN/CREATE, under every chunking.
func TestSMB1LegacyFiles(t *testing.T) {
	data := pattern(9000)
	hc := h1{tid: 7, pid: 1, uid: 100}
	m := func(id uint16) h1 { return withMID(hc, id) }
	cases := []struct {
		name  string
		segs  []seg
		files []fileWant
	}{
		{
			name: "core-open-read-close",
			segs: []seg{
				cli(nbss(coreOpen1(m(1), smb1Open, `\SCANS\SCAN0001.PDF`))),
				srv(nbss(coreOpenResp1(m(1), smb1Open, 0x11, 9000))),
				cli(nbss(coreRead1(m(2), smb1Read, 0x11, 0, 4096))),
				srv(nbss(coreReadResp1(m(2), smb1Read, data[:4096]))),
				cli(nbss(coreRead1(m(3), smb1LockAndRead, 0x11, 4096, 4904))),
				srv(nbss(coreReadResp1(m(3), smb1LockAndRead, data[4096:]))),
				cli(nbss(close1(m(4), 0x11))),
				srv(nbss(closeResp1(m(4)))),
			},
			files: []fileWant{{name: `\SCANS\SCAN0001.PDF`, dir: app.ToClient, content: data, closed: true}},
		},
		{
			name: "core-create-write-write-and-close",
			segs: []seg{
				cli(nbss(coreOpen1(m(1), smb1CreateNew, `\PRINT\JOB42.PRN`))),
				srv(nbss(coreOpenResp1(m(1), smb1CreateNew, 0x12, 0))),
				cli(nbss(coreWrite1(m(2), smb1Write, 0x12, 0, data[:3000]))),
				srv(nbss(coreReadResp1(m(2), smb1Write, nil))),
				cli(nbss(coreWrite1(m(3), smb1WriteAndUnlock, 0x12, 3000, data[3000:6000]))),
				cli(nbss(writeAndClose1(m(4), 0x12, 6000, data[6000:]))),
			},
			files: []fileWant{{name: `\PRINT\JOB42.PRN`, dir: app.ToServer, content: data, closed: true}},
		},
		{
			name: "nt-transact-create-unicode-then-read-andx",
			segs: []seg{
				cli(nbss(ntTransCreate1(m(1), `share\report.doc`, 1))),
				srv(nbss(ntTransCreateResp1(m(1), 0x21, 9000))),
				cli(nbss(readAndX1(m(2), 0x21, 0, 9000))),
				srv(nbss(readAndXResp1(m(2), data))),
			},
			files: []fileWant{{name: `share\report.doc`, dir: app.ToClient, content: data, closed: true}},
		},
		{
			name: "trans2-open2-then-core-read",
			segs: []seg{
				cli(nbss(trans2Req1(m(1), trans2Open2, cat(make([]byte, 28), []byte("\\NAS\\BACKUP.TAR\x00")), nil))),
				srv(nbss(trans2Resp1(m(1), le32(le32(le16(le16(nil, 0x31), 0x20), 0), 9000), nil))),
				cli(nbss(coreRead1(m(2), smb1Read, 0x31, 0, 9000))),
				srv(nbss(coreReadResp1(m(2), smb1Read, data))),
			},
			files: []fileWant{{name: `\NAS\BACKUP.TAR`, dir: app.ToClient, content: data, closed: true}},
		},
		{
			name: "read-raw-then-zero-length-end",
			segs: []seg{
				cli(nbss(coreOpen1(m(1), smb1Open, `\DOS\GAME.EXE`))),
				srv(nbss(coreOpenResp1(m(1), smb1Open, 0x51, 9000))),
				cli(nbss(readRaw1(m(2), 0x51, 0, 6000))),
				srv(nbss(data[:6000])), // raw: no SMB header
				cli(nbss(readRaw1(m(3), 0x51, 6000, 6000))),
				srv(nbss(data[6000:])),
				cli(nbss(readRaw1(m(4), 0x51, 9000, 6000))),
				srv(nbss(nil)), // end of file
				cli(nbss(close1(m(5), 0x51))),
				srv(nbss(closeResp1(m(5)))),
			},
			files: []fileWant{{name: `\DOS\GAME.EXE`, dir: app.ToClient, content: data, closed: true}},
		},
		{
			name: "write-raw-first-bytes-then-raw-rest",
			segs: []seg{
				cli(nbss(coreOpen1(m(1), smb1Create, `\DOS\SAVE.DAT`))),
				srv(nbss(coreOpenResp1(m(1), smb1Create, 0x52, 0))),
				cli(nbss(writeRaw1(m(2), 0x52, 0, 9000, data[:1000]))),
				srv(nbss(writeRawInterim1(m(2)))),
				cli(nbss(data[1000:])), // raw rest
				cli(nbss(close1(m(3), 0x52))),
				srv(nbss(closeResp1(m(3)))),
			},
			files: []fileWant{{name: `\DOS\SAVE.DAT`, dir: app.ToServer, content: data, closed: true}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := checkChunking(t, nil, tc.segs)
			checkFiles(t, s, tc.files)
			if len(s.anomalies) != 0 {
				t.Errorf("anomalies %v", s.anomalies)
			}
		})
	}
}

// TestSMB1Trans2Metadata: QUERY_PATH_INFO names and sizes a file; SET_FILE_INFO
// renames and deletes are transactions as Suricata logs them.
func TestSMB1Trans2Metadata(t *testing.T) {
	hc := h1{tid: 7, pid: 1, uid: 100}
	m := func(id uint16) h1 { return withMID(hc, id) }
	std := cat(le64(nil, 4096), le64(nil, 123456), le32(nil, 1), []byte{0, 0})
	rename := cat([]byte{0, 0, 0, 0}, le32(nil, 0), le32(nil, 12), []byte(`\new\b.txt`), []byte{0, 0})
	segs := []seg{
		cli(nbss(trans2Req1(m(1), trans2QueryPathInfo, cat(le16(nil, levelQueryStandardInfo), le32(nil, 0), []byte("\\docs\\a.txt\x00")), nil))),
		srv(nbss(trans2Resp1(m(1), le16(nil, 0), std))),
		cli(nbss(coreOpen1(m(2), smb1Open, `\docs\a.txt`))),
		srv(nbss(coreOpenResp1(m(2), smb1Open, 0x44, 123456))),
		cli(nbss(trans2Req1(m(3), trans2SetFileInfo, cat(le16(nil, 0x44), le16(nil, passthroughLevel+fileRenameInformation), le16(nil, 0)), rename))),
		srv(nbss(trans2Resp1(m(3), le16(nil, 0), nil))),
		cli(nbss(trans2Req1(m(4), trans2QueryFileInfo, cat(le16(nil, 0x44), le16(nil, passthroughLevel+fileAllInfo)), nil))),
		srv(nbss(trans2Resp1(m(4), le16(nil, 0), cat(make([]byte, 40), std)))),
		cli(nbss(trans2Req1(m(5), trans2SetFileInfo, cat(le16(nil, 0x44), le16(nil, passthroughLevel+fileDispositionInformation), le16(nil, 0)), []byte{1}))),
		srv(nbss(trans2Resp1(m(5), le16(nil, 0), nil))),
		cli(nbss(trans2Req1(m(6), 0x01, le16(nil, 0x16), nil))), // FIND_FIRST2: generic
		srv(nbss(trans2Resp1(m(6), le16(nil, 0), nil))),
	}
	s := checkChunking(t, nil, segs)
	var got []string
	for _, tx := range s.txs {
		delete(tx, "id")
		delete(tx, "session_id")
		delete(tx, "tree_id")
		delete(tx, "dialect")
		delete(tx, "status")
		delete(tx, "status_code")
		for _, k := range []string{"created", "accessed", "changed"} {
			delete(tx, k)
		}
		b, _ := json.Marshal(tx)
		got = append(got, string(b))
	}
	want := []string{
		`{"command":"SMB1_COMMAND_TRANS2","filename":"\\docs\\a.txt","size":123456,"subcmd":"QUERY_PATH_INFO"}`,
		`{"access":"normal","command":"SMB1_COMMAND_OPEN","disposition":"FILE_OPEN","filename":"\\docs\\a.txt","fuid":"0044","modified":1700000000,"size":123456}`,
		`{"command":"SMB1_COMMAND_TRANS2","fuid":"0044","rename":{"from":"\\docs\\a.txt","to":"\\new\\b.txt"}}`,
		`{"command":"SMB1_COMMAND_TRANS2","filename":"\\new\\b.txt","fuid":"0044","size":123456,"subcmd":"QUERY_FILE_INFO"}`,
		`{"access":"delete on close","command":"SMB1_COMMAND_TRANS2","filename":"\\new\\b.txt","fuid":"0044","level_of_interest":"Set Disposition Information","subcmd":"SET_FILE_INFO"}`,
		`{"command":"SMB1_COMMAND_TRANS2"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("transactions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
