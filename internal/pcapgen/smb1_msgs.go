package pcapgen

import (
	"encoding/binary"
	"time"
)

// Wire records of the SMB1 commands pcapgen writes ([MS-CIFS] 2.2.4): pure
// encoders, no state. Strings are OEM (ASCII), as DOS-era clients, printers
// and scanners send them; every function returns the words and bytes of one
// command block.

const (
	smb1HeaderSize = 32

	smb1CmdCreateNew        = 0x0F
	smb1CmdOpen             = 0x02
	smb1CmdCreate           = 0x03
	smb1CmdClose            = 0x04
	smb1CmdRead             = 0x0A
	smb1CmdWrite            = 0x0B
	smb1CmdWriteAndClose    = 0x2C
	smb1CmdReadAndX         = 0x2E
	smb1CmdWriteAndX        = 0x2F
	smb1CmdTrans2           = 0x32
	smb1CmdTreeDisconnect   = 0x71
	smb1CmdNegotiate        = 0x72
	smb1CmdSessionSetupAndX = 0x73
	smb1CmdLogoffAndX       = 0x74
	smb1CmdTreeConnectAndX  = 0x75
	smb1CmdNTCreateAndX     = 0xA2

	trans2QueryPathInformation = 0x05
	trans2SetFileInformation   = 0x08
	smbQueryFileStandardInfo   = 0x102
	smbPassthroughRename       = 1010
	smbPassthroughDisposition  = 1013

	nbssSessionRequest  = 0x81
	nbssPositiveSession = 0x82
	smb1NoAndX          = 0xFF
)

// smb1Hdr is the part of the SMB1 header that varies between messages.
type smb1Hdr struct {
	command  uint8
	status   uint32
	response bool
	tid, uid uint16
	mid      uint16
}

// frame returns the NBSS-framed message: header, then the command block
// (word count, words, byte count, bytes).
func (h smb1Hdr) frame(words, data []byte) []byte {
	n := smb1HeaderSize + 1 + len(words) + 2 + len(data)
	b := make([]byte, 0, 4+n)
	b = append(b, 0, byte(n>>16), byte(n>>8), byte(n))
	b = append(b, 0xff, 'S', 'M', 'B', h.command)
	b = binary.LittleEndian.AppendUint32(b, h.status)
	flags := byte(0x18) // case-insensitive, canonicalised paths
	if h.response {
		flags |= 0x80
	}
	b = append(b, flags)
	b = binary.LittleEndian.AppendUint16(b, 0x0001) // long names allowed; OEM strings, DOS errors
	b = append(b, make([]byte, 12)...)              // PIDHigh, SecurityFeatures, Reserved
	b = binary.LittleEndian.AppendUint16(b, h.tid)
	b = binary.LittleEndian.AppendUint16(b, smb1ProcessID)
	b = binary.LittleEndian.AppendUint16(b, h.uid)
	b = binary.LittleEndian.AppendUint16(b, h.mid)
	b = append(b, byte(len(words)/2))
	b = append(b, words...)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

// smb1ProcessID is the PID every pcapgen SMB1 client uses.
const smb1ProcessID = 0x0feb

func u16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }
func u32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func u64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// oemString is a NUL-terminated OEM string.
func oemString(s string) []byte { return append([]byte(s), 0) }

// utime is the 32-bit seconds-since-1970 time of the core protocol.
func utime(t time.Time) uint32 { return uint32(t.Unix()) }

func andx() []byte { return []byte{smb1NoAndX, 0, 0, 0} }

// nbssSessionRequestFrame is the NetBIOS session request of port 139:
// called and calling names, first-level encoded.
func nbssSessionRequestFrame(called, calling string) []byte {
	name := func(s string, suffix byte) []byte {
		var raw [16]byte
		for i := range raw {
			raw[i] = ' '
		}
		copy(raw[:15], s)
		raw[15] = suffix
		b := []byte{32}
		for _, c := range raw {
			b = append(b, 'A'+c>>4, 'A'+c&15)
		}
		return append(b, 0)
	}
	body := append(name(called, 0x20), name(calling, 0x00)...)
	return append([]byte{nbssSessionRequest, 0, byte(len(body) >> 8), byte(len(body))}, body...)
}

func smb1NegotiateReq() (words, data []byte) {
	for _, d := range []string{"PC NETWORK PROGRAM 1.0", "LANMAN1.0", "LM1.2X002", "NT LM 0.12"} {
		data = append(data, 0x02)
		data = append(data, oemString(d)...)
	}
	return nil, data
}

// smb1NegotiateResp selects dialect index idx (NT LM 0.12 format, no
// extended security: an 8-byte challenge follows).
func smb1NegotiateResp(idx uint16, now time.Time, challenge [8]byte, domain string) (words, data []byte) {
	w := u16(nil, idx)
	w = append(w, 0x03)                // SecurityMode: user level, encrypt passwords
	w = u16(w, 2)                      // MaxMpxCount
	w = u16(w, 1)                      // MaxNumberVcs
	w = u32(w, 4356)                   // MaxBufferSize
	w = u32(w, 65536)                  // MaxRawSize
	w = u32(w, 0)                      // SessionKey
	w = u32(w, 0x0000e3fd&^0x80004000) // Capabilities: no extended security, no Unicode
	w = u64(w, filetime(now))
	w = u16(w, 0)    // ServerTimeZone
	w = append(w, 8) // ChallengeLength
	data = append(challenge[:], oemString(domain)...)
	return w, data
}

func smb1SessionSetupReq(user, domain string, lm, nt [24]byte) (words, data []byte) {
	w := andx()
	w = u16(w, 4356) // MaxBufferSize
	w = u16(w, 2)    // MaxMpxCount
	w = u16(w, 0)    // VcNumber
	w = u32(w, 0)    // SessionKey
	w = u16(w, 24)   // OEMPasswordLen
	w = u16(w, 24)   // UnicodePasswordLen
	w = u32(w, 0)    // Reserved
	w = u32(w, 0)    // Capabilities
	data = append(append(data, lm[:]...), nt[:]...)
	data = append(data, oemString(user)...)
	data = append(data, oemString(domain)...)
	data = append(data, oemString("Embedded Scan Engine 2.1")...)
	data = append(data, oemString("LAN Manager 2.1")...)
	return w, data
}

func smb1SessionSetupResp() (words, data []byte) {
	w := u16(andx(), 0) // Action
	data = append(oemString("Windows Server 2003 3790 Service Pack 2"), oemString("Windows Server 2003 5.2")...)
	return w, append(data, oemString("CORP")...)
}

func smb1TreeConnectReq(path string) (words, data []byte) {
	w := u16(andx(), 0) // Flags
	w = u16(w, 1)       // PasswordLength: one NUL
	data = append([]byte{0}, oemString(path)...)
	return w, append(data, oemString("?????")...)
}

func smb1TreeConnectResp() (words, data []byte) {
	w := u16(andx(), 0) // OptionalSupport
	return w, append(oemString("A:"), oemString("NTFS")...)
}

// smb1OpenReq is a core OPEN (read) or CREATE (write) of name.
func smb1OpenReq(name string, write bool, now time.Time) (cmd uint8, words, data []byte) {
	data = append([]byte{0x04}, oemString(name)...)
	if write {
		return smb1CmdCreate, u32(u16(nil, 0x20), utime(now)), data
	}
	return smb1CmdOpen, u16(u16(nil, 0x0040), 0x0016), data // read, deny none; hidden+system+directory search
}

func smb1OpenResp(write bool, fid uint16, size int, now time.Time) (words []byte) {
	w := u16(nil, fid)
	if write {
		return w
	}
	w = u16(w, 0x20)
	w = u32(w, utime(now))
	w = u32(w, uint32(size))
	return u16(w, 0x0040)
}

func smb1CoreReadReq(fid uint16, off, n int) (words []byte) {
	w := u16(nil, fid)
	w = u16(w, uint16(n))
	w = u32(w, uint32(off))
	return u16(w, 0)
}

// smb1DataBlock is a core READ response or WRITE request body: 0x01 and
// the 16-bit length before the bytes.
func smb1DataBlock(p []byte) []byte {
	return append(u16([]byte{0x01}, uint16(len(p))), p...)
}

func smb1CoreReadResp(p []byte) (words, data []byte) {
	return append(u16(nil, uint16(len(p))), make([]byte, 8)...), smb1DataBlock(p)
}

func smb1CoreWriteReq(fid uint16, off int, p []byte) (words, data []byte) {
	w := u16(nil, fid)
	w = u16(w, uint16(len(p)))
	w = u32(w, uint32(off))
	return u16(w, 0), smb1DataBlock(p)
}

func smb1WriteAndCloseReq(fid uint16, off int, p []byte, now time.Time) (words, data []byte) {
	w := u16(nil, fid)
	w = u16(w, uint16(len(p)))
	w = u32(w, uint32(off))
	w = u32(w, utime(now))
	return w, append([]byte{0}, p...) // one pad byte
}

func smb1CloseReq(fid uint16) (words []byte) { return u32(u16(nil, fid), 0xffffffff) }

func smb1NTCreateReq(name string) (words, data []byte) {
	w := andx()
	w = append(w, 0)
	w = u16(w, uint16(len(name)+1))
	w = u32(w, 0)       // Flags
	w = u32(w, 0)       // RootDirectoryFID
	w = u32(w, 0x20089) // read data, attributes, EA, control
	w = u64(w, 0)
	w = u32(w, 0x80)
	w = u32(w, 7)    // share read/write/delete
	w = u32(w, 1)    // FILE_OPEN
	w = u32(w, 0x44) // non-directory, sequential
	w = u32(w, 2)    // impersonation
	w = append(w, 0)
	return w, oemString(name)
}

func smb1NTCreateResp(fid uint16, size int, now time.Time) (words []byte) {
	w := append(andx(), 0) // OpLockLevel
	w = u16(w, fid)
	w = u32(w, 1) // FILE_OPENED
	for range 4 {
		w = u64(w, filetime(now))
	}
	w = u32(w, 0x20)
	w = u64(w, uint64(size+4095)&^4095)
	w = u64(w, uint64(size))
	w = u16(w, 0)
	w = u16(w, 0)
	return append(w, 0)
}

func smb1ReadAndXReq(fid uint16, off, n int) (words []byte) {
	w := u16(andx(), fid)
	w = u32(w, uint32(off))
	w = u16(w, uint16(n))
	w = u16(w, uint16(n))
	w = u32(w, 0)
	w = u16(w, 0)
	return u32(w, uint32(uint64(off)>>32))
}

func smb1ReadAndXResp(p []byte) (words, data []byte) {
	dataOff := smb1HeaderSize + 1 + 24 + 2 + 1 // one pad byte
	w := u16(andx(), 0xffff)                   // Available
	w = u16(w, 0)
	w = u16(w, 0)
	w = u16(w, uint16(len(p)))
	w = u16(w, uint16(dataOff))
	w = u16(w, uint16(len(p)>>16))
	w = append(w, make([]byte, 8)...)
	return w, append([]byte{0}, p...)
}

// trans2Layout places a TRANS2 message's parameters and data, each 4-aligned,
// after a block of wc words: their offsets and the block's bytes.
func trans2Layout(wc int, params, data []byte) (poff, doff int, bytes []byte) {
	start := smb1HeaderSize + 1 + 2*wc + 2
	pad1 := (4 - start%4) % 4
	poff = start + pad1
	pad2 := (4 - (poff+len(params))%4) % 4
	doff = poff + len(params) + pad2
	b := append(make([]byte, pad1), params...)
	b = append(b, make([]byte, pad2)...)
	return poff, doff, append(b, data...)
}

// smb1Trans2Req is a TRANS2 request of one setup word (the subcommand).
func smb1Trans2Req(sub uint16, params, data []byte) (words, bytes []byte) {
	poff, doff, bytes := trans2Layout(15, params, data)
	w := u16(nil, uint16(len(params)))
	w = u16(w, uint16(len(data)))
	w = u16(w, 64)
	w = u16(w, 4096)
	w = append(w, 0, 0)
	w = u16(w, 0)
	w = u32(w, 0)
	w = u16(w, 0)
	w = u16(w, uint16(len(params)))
	w = u16(w, uint16(poff))
	w = u16(w, uint16(len(data)))
	w = u16(w, uint16(doff))
	w = append(w, 1, 0)
	return u16(w, sub), bytes
}

// smb1Trans2Resp is a TRANS2 response without setup words.
func smb1Trans2Resp(params, data []byte) (words, bytes []byte) {
	poff, doff, bytes := trans2Layout(10, params, data)
	w := u16(nil, uint16(len(params)))
	w = u16(w, uint16(len(data)))
	w = u16(w, 0)
	w = u16(w, uint16(len(params)))
	w = u16(w, uint16(poff))
	w = u16(w, 0)
	w = u16(w, uint16(len(data)))
	w = u16(w, uint16(doff))
	w = u16(w, 0)
	return append(w, 0, 0), bytes
}

// smb1QueryStandardInfo is the SMB_QUERY_FILE_STANDARD_INFO of a file.
func smb1QueryStandardInfo(size int) []byte {
	b := u64(nil, uint64(size+4095)&^4095)
	b = u64(b, uint64(size))
	b = u32(b, 1)
	return append(b, 0, 0)
}
