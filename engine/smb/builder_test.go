package smb

import (
	"encoding/binary"
	"unicode/utf16"

	"github.com/wirescan/wirescan/engine/app"
)

// A small encoder for hand-assembled SMB2 and SMB1 messages (MS-SMB2 2.2,
// MS-CIFS 2.2). Every test input in this package is built here.

func le16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }
func le32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func le64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = le16(b, u)
	}
	return b
}

// seg is one piece of a conversation: bytes in one direction, or a gap.
type seg struct {
	dir  app.Direction
	data []byte
	gap  int64
}

func cli(b ...[]byte) seg { return seg{dir: app.ToServer, data: cat(b...)} }
func srv(b ...[]byte) seg { return seg{dir: app.ToClient, data: cat(b...)} }

func cat(b ...[]byte) []byte {
	var out []byte
	for _, x := range b {
		out = append(out, x...)
	}
	return out
}

// nbss wraps messages in one NBSS session message record.
func nbss(msgs ...[]byte) []byte {
	body := cat(msgs...)
	n := len(body)
	return append([]byte{0, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// h2 is an SMB2 header description.
type h2 struct {
	cmd     uint16
	resp    bool
	async   bool
	related bool
	status  uint32
	msgID   uint64
	tree    uint32
	session uint64
	asyncID uint64
	next    uint32
}

func (h h2) bytes() []byte {
	b := []byte{0xfe, 'S', 'M', 'B'}
	b = le16(b, 64)
	b = le16(b, 1)
	b = le32(b, h.status)
	b = le16(b, h.cmd)
	b = le16(b, 1)
	var fl uint32
	if h.resp {
		fl |= smb2FlagResponse
	}
	if h.async {
		fl |= smb2FlagAsync
	}
	if h.related {
		fl |= smb2FlagRelated
	}
	b = le32(b, fl)
	b = le32(b, h.next)
	b = le64(b, h.msgID)
	if h.async {
		b = le64(b, h.asyncID)
	} else {
		b = le32(b, 0)
		b = le32(b, h.tree)
	}
	b = le64(b, h.session)
	return append(b, make([]byte, 16)...)
}

// compound chains SMB2 messages with 8-byte aligned NextCommand offsets.
func compound(msgs ...[]byte) []byte {
	var out []byte
	for i, m := range msgs {
		m = append([]byte(nil), m...)
		if i < len(msgs)-1 {
			for len(m)%8 != 0 {
				m = append(m, 0)
			}
			binary.LittleEndian.PutUint32(m[20:], uint32(len(m)))
		}
		out = append(out, m...)
	}
	return out
}

func fidOf(persistent uint64) fileID {
	var f fileID
	binary.LittleEndian.PutUint64(f[:], persistent)
	binary.LittleEndian.PutUint64(f[8:], 0xffffffff00000000|persistent)
	return f
}

func treeConnectReq(h h2, path string) []byte {
	h.cmd = smb2TreeConnect
	p := utf16le(path)
	b := le16(nil, 9)
	b = le16(b, 0)
	b = le16(b, 64+8)
	b = le16(b, uint16(len(p)))
	return cat(h.bytes(), b, p)
}

func treeConnectResp(h h2, shareType uint8) []byte {
	h.cmd, h.resp = smb2TreeConnect, true
	b := le16(nil, 16)
	b = append(b, shareType, 0)
	b = le32(b, 0)
	b = le32(b, 0)
	b = le32(b, 0x1f01ff)
	return cat(h.bytes(), b)
}

func createReq(h h2, name string, disposition, options uint32) []byte {
	h.cmd = smb2Create
	n := utf16le(name)
	b := le16(nil, 57)
	b = append(b, 0, 0)
	b = le32(b, 2)
	b = le64(b, 0)
	b = le64(b, 0)
	b = le32(b, 0x12019f)
	b = le32(b, 0x80)
	b = le32(b, 7)
	b = le32(b, disposition)
	b = le32(b, options)
	b = le16(b, 64+56)
	b = le16(b, uint16(len(n)))
	b = le32(b, 0)
	b = le32(b, 0)
	return cat(h.bytes(), b, n)
}

func createResp(h h2, fid fileID, size uint64) []byte {
	h.cmd, h.resp = smb2Create, true
	b := le16(nil, 89)
	b = append(b, 0, 0)
	b = le32(b, 1)
	ft := uint64(132516000000000000) // 2020-12-05
	for i := 0; i < 4; i++ {
		b = le64(b, ft)
	}
	b = le64(b, size)
	b = le64(b, size)
	b = le32(b, 0x20)
	b = le32(b, 0)
	b = append(b, fid[:]...)
	b = le32(b, 0)
	b = le32(b, 0)
	return cat(h.bytes(), b)
}

// writeReq builds a WRITE with pad bytes between the fixed part and data.
func writeReq(h h2, fid fileID, off uint64, data []byte, pad int) []byte {
	h.cmd = smb2Write
	b := le16(nil, 49)
	b = le16(b, uint16(64+48+pad))
	b = le32(b, uint32(len(data)))
	b = le64(b, off)
	b = append(b, fid[:]...)
	b = le32(b, 0)
	b = le32(b, 0)
	b = le16(b, 0)
	b = le16(b, 0)
	b = le32(b, 0)
	return cat(h.bytes(), b, make([]byte, pad), data)
}

func writeResp(h h2, n uint32) []byte {
	h.cmd, h.resp = smb2Write, true
	b := le16(nil, 17)
	b = le16(b, 0)
	b = le32(b, n)
	b = le32(b, 0)
	b = le16(b, 0)
	b = le16(b, 0)
	return cat(h.bytes(), b)
}

func readReq(h h2, fid fileID, off uint64, n uint32) []byte {
	h.cmd = smb2Read
	b := le16(nil, 49)
	b = append(b, 0, 0)
	b = le32(b, n)
	b = le64(b, off)
	b = append(b, fid[:]...)
	b = le32(b, 0)
	b = le32(b, 0)
	b = le32(b, 0)
	b = le16(b, 0)
	b = le16(b, 0)
	b = append(b, 0)
	return cat(h.bytes(), b)
}

func readResp(h h2, data []byte) []byte {
	h.cmd, h.resp = smb2Read, true
	b := le16(nil, 17)
	b = append(b, 0x50, 0)
	b = le32(b, uint32(len(data)))
	b = le32(b, 0)
	b = le32(b, 0)
	return cat(h.bytes(), b, data)
}

// interim builds a STATUS_PENDING async interim response.
func interim(h h2) []byte {
	h.resp, h.async, h.status = true, true, statusPending
	b := le16(nil, 9)
	b = append(b, 0, 0)
	b = le32(b, 0)
	b = append(b, 0)
	return cat(h.bytes(), b)
}

func closeReq(h h2, fid fileID) []byte {
	h.cmd = smb2Close
	b := le16(nil, 24)
	b = le16(b, 0)
	b = le32(b, 0)
	b = append(b, fid[:]...)
	return cat(h.bytes(), b)
}

func closeResp(h h2) []byte {
	h.cmd, h.resp = smb2Close, true
	b := le16(nil, 60)
	return cat(h.bytes(), b, make([]byte, 58))
}

func negotiateReq(h h2, dialects ...uint16) []byte {
	h.cmd = smb2Negotiate
	b := le16(nil, 36)
	b = le16(b, uint16(len(dialects)))
	b = append(b, make([]byte, 32)...)
	for _, d := range dialects {
		b = le16(b, d)
	}
	return cat(h.bytes(), b)
}

func negotiateResp(h h2, dialect uint16) []byte {
	h.cmd, h.resp = smb2Negotiate, true
	b := le16(nil, 65)
	b = le16(b, 1)
	b = le16(b, dialect)
	b = le16(b, 0)
	b = append(b, "0123456789abcdef"...)
	b = append(b, make([]byte, 64-24)...)
	return cat(h.bytes(), b)
}

// h1 is an SMB1 header description.
type h1 struct {
	cmd              uint8
	reply            bool
	status           uint32
	tid, pid, uid    uint16
	mid              uint16
	unicode, ntError bool
}

func (h h1) bytes() []byte {
	b := []byte{0xff, 'S', 'M', 'B', h.cmd}
	b = le32(b, h.status)
	var fl uint8 = 0x18
	if h.reply {
		fl |= smb1FlagReply
	}
	var fl2 uint16 = 0x0001
	if h.unicode {
		fl2 |= smb1Flags2Unicode
	}
	if h.ntError {
		fl2 |= smb1Flags2NTError
	}
	b = append(b, fl)
	b = le16(b, fl2)
	b = le16(b, 0)
	b = append(b, make([]byte, 10)...)
	b = le16(b, h.tid)
	b = le16(b, h.pid)
	b = le16(b, h.uid)
	return le16(b, h.mid)
}

// block builds an SMB1 command block.
func block(words []byte, data []byte) []byte {
	b := []byte{byte(len(words) / 2)}
	b = append(b, words...)
	b = le16(b, uint16(len(data)))
	return append(b, data...)
}

func andx(next uint8, off uint16) []byte {
	b := []byte{next, 0}
	return le16(b, off)
}

// ntCreateReq1 builds an NT_CREATE_ANDX request (Unicode name).
func ntCreateReq1(h h1, name string) []byte {
	h.cmd, h.unicode = smb1NTCreateAndX, true
	n := utf16le(name + "\x00")
	w := andx(0xff, 0)
	w = append(w, 0)
	w = le16(w, uint16(len(n)))
	w = le32(w, 0)
	w = le32(w, 0)
	w = le32(w, 0x2019f)
	w = le64(w, 0)
	w = le32(w, 0x80)
	w = le32(w, 7)
	w = le32(w, 5) // FILE_OVERWRITE_IF
	w = le32(w, 0x44)
	w = le32(w, 2)
	w = append(w, 0)
	// header 32 + wc 1 + 48 words + bc 2 = 83: odd, so one pad byte.
	return cat(h.bytes(), block(w, append([]byte{0}, n...)))
}

func ntCreateResp1(h h1, fid uint16) []byte {
	h.cmd, h.reply = smb1NTCreateAndX, true
	w := andx(0xff, 0)
	w = append(w, 0)
	w = le16(w, fid)
	w = le32(w, 2)
	for i := 0; i < 4; i++ {
		w = le64(w, 132516000000000000)
	}
	w = le32(w, 0x20)
	w = le64(w, 0)
	w = le64(w, 0)
	w = le16(w, 0)
	w = le16(w, 0)
	w = append(w, 0)
	return cat(h.bytes(), block(w, nil))
}

// writeAndX1 builds a WRITE_ANDX request with pad bytes before the data and
// a 64-bit offset (14 words).
func writeAndX1(h h1, fid uint16, off uint64, data []byte, pad int) []byte {
	h.cmd = smb1WriteAndX
	dataOff := 32 + 1 + 28 + 2 + pad
	w := andx(0xff, 0)
	w = le16(w, fid)
	w = le32(w, uint32(off))
	w = le32(w, 0)
	w = le16(w, 0)
	w = le16(w, 0)
	w = le16(w, uint16(len(data)>>16))
	w = le16(w, uint16(len(data)))
	w = le16(w, uint16(dataOff))
	w = le32(w, uint32(off>>32))
	return cat(h.bytes(), block(w, cat(make([]byte, pad), data)))
}

func readAndX1(h h1, fid uint16, off uint64, n uint16) []byte {
	h.cmd = smb1ReadAndX
	w := andx(0xff, 0)
	w = le16(w, fid)
	w = le32(w, uint32(off))
	w = le16(w, n)
	w = le16(w, n)
	w = le32(w, 0)
	w = le16(w, 0)
	w = le32(w, uint32(off>>32))
	return cat(h.bytes(), block(w, nil))
}

func readAndXResp1(h h1, data []byte) []byte {
	h.cmd, h.reply = smb1ReadAndX, true
	dataOff := 32 + 1 + 24 + 2 + 1
	w := andx(0xff, 0)
	w = le16(w, 0xffff)
	w = le16(w, 0)
	w = le16(w, 0)
	w = le16(w, uint16(len(data)))
	w = le16(w, uint16(dataOff))
	w = le16(w, uint16(len(data)>>16))
	w = append(w, make([]byte, 8)...)
	return cat(h.bytes(), block(w, cat([]byte{0}, data)))
}

func close1(h h1, fid uint16) []byte {
	h.cmd = smb1CloseCmd
	w := le16(nil, fid)
	w = le32(w, 0)
	return cat(h.bytes(), block(w, nil))
}

func closeResp1(h h1) []byte {
	h.cmd, h.reply = smb1CloseCmd, true
	return cat(h.bytes(), block(nil, nil))
}

// treeConnect1 builds a TREE_CONNECT_ANDX request (ASCII path).
func treeConnect1(h h1, path, service string) []byte {
	h.cmd = smb1TreeConnectAndX
	w := andx(0xff, 0)
	w = le16(w, 0)
	w = le16(w, 1)
	d := cat([]byte{0}, []byte(path), []byte{0}, []byte(service), []byte{0})
	return cat(h.bytes(), block(w, d))
}

func treeConnectResp1(h h1, service string) []byte {
	h.cmd, h.reply = smb1TreeConnectAndX, true
	w := andx(0xff, 0)
	w = le16(w, 0)
	return cat(h.bytes(), block(w, cat([]byte(service), []byte{0}, []byte("NTFS\x00"))))
}
