package pcapgen

import (
	"encoding/binary"
	"time"
)

// Wire records of the SMB2 commands pcapgen writes: pure encoders, no state.
// Each body function returns the bytes after the 64-byte header, laid out as
// [MS-SMB2] section 2.2 specifies.

// smb2Hdr is the part of the SMB2 header that varies between messages.
type smb2Hdr struct {
	command  uint16
	status   uint32
	response bool
	msgID    uint64
	treeID   uint32
	session  uint64
	charge   uint16
	credits  uint16
}

// frame returns the NBSS-framed message: 4-byte session message header
// (type 0, 24-bit length), SMB2 header, body.
func (h smb2Hdr) frame(body []byte) []byte {
	n := smb2HeaderSize + len(body)
	b := make([]byte, 0, 4+n)
	b = append(b, 0, byte(n>>16), byte(n>>8), byte(n))
	b = append(b, 0xfe, 'S', 'M', 'B')
	b = binary.LittleEndian.AppendUint16(b, smb2HeaderSize)
	b = binary.LittleEndian.AppendUint16(b, h.charge)
	b = binary.LittleEndian.AppendUint32(b, h.status) // ChannelSequence/Reserved in requests: 0
	b = binary.LittleEndian.AppendUint16(b, h.command)
	b = binary.LittleEndian.AppendUint16(b, h.credits)
	var flags uint32
	if h.response {
		flags |= smb2FlagsResponse
	}
	b = binary.LittleEndian.AppendUint32(b, flags)
	b = binary.LittleEndian.AppendUint32(b, 0) // NextCommand
	b = binary.LittleEndian.AppendUint64(b, h.msgID)
	b = binary.LittleEndian.AppendUint32(b, smb2ProcessID)
	b = binary.LittleEndian.AppendUint32(b, h.treeID)
	b = binary.LittleEndian.AppendUint64(b, h.session)
	b = append(b, make([]byte, 16)...) // Signature: unsigned
	return append(b, body...)
}

// filetime converts t to a Windows FILETIME.
func filetime(t time.Time) uint64 {
	return uint64(t.UnixNano()/100 + filetimeEpoch)
}

// fileID is an SMB2_FILEID: persistent and volatile halves.
type fileID [16]byte

func negotiateReq(clientGUID [16]byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, ssNegotiateReq)
	b = binary.LittleEndian.AppendUint16(b, 1) // DialectCount
	b = binary.LittleEndian.AppendUint16(b, securitySigningEnabled)
	b = binary.LittleEndian.AppendUint16(b, 0) // Reserved
	b = binary.LittleEndian.AppendUint32(b, capLargeMTU)
	b = append(b, clientGUID[:]...)
	b = binary.LittleEndian.AppendUint64(b, 0) // ClientStartTime
	return binary.LittleEndian.AppendUint16(b, smb2Dialect210)
}

func negotiateResp(serverGUID [16]byte, now time.Time, secBlob []byte) []byte {
	return negotiateRespDialect(serverGUID, smb2Dialect210, capLargeMTU, now, secBlob)
}

func sessionSetupReq(secBlob []byte) []byte { return sessionSetupReq3(0, 0, secBlob) }

func sessionSetupResp(secBlob []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, ssSessionSetupResp)
	b = binary.LittleEndian.AppendUint16(b, 0)                // SessionFlags
	b = binary.LittleEndian.AppendUint16(b, smb2HeaderSize+8) // SecurityBufferOffset
	b = binary.LittleEndian.AppendUint16(b, uint16(len(secBlob)))
	return append(b, secBlob...)
}

func treeConnectReq(path string) []byte {
	p := utf16le(path)
	b := binary.LittleEndian.AppendUint16(nil, ssTreeConnectReq)
	b = binary.LittleEndian.AppendUint16(b, 0)                // Flags/Reserved
	b = binary.LittleEndian.AppendUint16(b, smb2HeaderSize+8) // PathOffset
	b = binary.LittleEndian.AppendUint16(b, uint16(len(p)))
	return append(b, p...)
}

func treeConnectResp() []byte {
	b := binary.LittleEndian.AppendUint16(nil, ssTreeConnectResp)
	b = append(b, shareTypeDisk, 0)
	b = binary.LittleEndian.AppendUint32(b, 0) // ShareFlags
	b = binary.LittleEndian.AppendUint32(b, 0) // Capabilities
	return binary.LittleEndian.AppendUint32(b, maximalAccessFull)
}

func createReq(name string, write bool) []byte { return createReq3(name, write, nil) }

func createResp(id fileID, size int64, now time.Time, write bool) []byte {
	action := uint32(actionOpened)
	if write {
		action = actionOverwritten
	}
	ft := filetime(now)
	b := binary.LittleEndian.AppendUint16(nil, ssCreateResp)
	b = append(b, 0, 0) // OplockLevel, Flags
	b = binary.LittleEndian.AppendUint32(b, action)
	for range 4 { // Creation, LastAccess, LastWrite, Change
		b = binary.LittleEndian.AppendUint64(b, ft)
	}
	b = binary.LittleEndian.AppendUint64(b, uint64((size+4095)&^4095)) // AllocationSize
	b = binary.LittleEndian.AppendUint64(b, uint64(size))              // EndofFile
	b = binary.LittleEndian.AppendUint32(b, attrArchive)
	b = binary.LittleEndian.AppendUint32(b, 0) // Reserved2
	b = append(b, id[:]...)
	b = binary.LittleEndian.AppendUint32(b, 0) // CreateContextsOffset
	return binary.LittleEndian.AppendUint32(b, 0)
}

func readReq(id fileID, off int64, n int) []byte {
	b := binary.LittleEndian.AppendUint16(nil, ssReadReq)
	b = append(b, smb2ReadDataOffset, 0) // Padding, Flags
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = binary.LittleEndian.AppendUint64(b, uint64(off))
	b = append(b, id[:]...)
	b = binary.LittleEndian.AppendUint32(b, 0) // MinimumCount
	b = binary.LittleEndian.AppendUint32(b, 0) // Channel
	b = binary.LittleEndian.AppendUint32(b, 0) // RemainingBytes
	b = binary.LittleEndian.AppendUint16(b, 0) // ReadChannelInfoOffset
	b = binary.LittleEndian.AppendUint16(b, 0) // ReadChannelInfoLength
	return append(b, 0)                        // Buffer: one byte when empty
}

func readResp(data []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, ssReadResp)
	b = append(b, smb2ReadDataOffset, 0) // DataOffset, Reserved
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = binary.LittleEndian.AppendUint32(b, 0) // DataRemaining
	b = binary.LittleEndian.AppendUint32(b, 0) // Reserved2
	return append(b, data...)
}

func writeReq(id fileID, off int64, data []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, ssWriteReq)
	b = binary.LittleEndian.AppendUint16(b, smb2WriteDataOffset)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = binary.LittleEndian.AppendUint64(b, uint64(off))
	b = append(b, id[:]...)
	b = binary.LittleEndian.AppendUint32(b, 0) // Channel
	b = binary.LittleEndian.AppendUint32(b, 0) // RemainingBytes
	b = binary.LittleEndian.AppendUint16(b, 0) // WriteChannelInfoOffset
	b = binary.LittleEndian.AppendUint16(b, 0) // WriteChannelInfoLength
	b = binary.LittleEndian.AppendUint32(b, 0) // Flags
	return append(b, data...)
}

func writeResp(n int) []byte {
	b := binary.LittleEndian.AppendUint16(nil, ssWriteResp)
	b = binary.LittleEndian.AppendUint16(b, 0) // Reserved
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = binary.LittleEndian.AppendUint32(b, 0) // Remaining
	b = binary.LittleEndian.AppendUint16(b, 0) // WriteChannelInfoOffset
	return binary.LittleEndian.AppendUint16(b, 0)
}

func closeReq(id fileID) []byte {
	b := binary.LittleEndian.AppendUint16(nil, ssCloseReq)
	b = binary.LittleEndian.AppendUint16(b, 0) // Flags
	b = binary.LittleEndian.AppendUint32(b, 0) // Reserved
	return append(b, id[:]...)
}

func closeResp() []byte {
	b := binary.LittleEndian.AppendUint16(nil, ssCloseResp)
	b = binary.LittleEndian.AppendUint16(b, 0) // Flags: attributes not returned
	return append(b, make([]byte, 4+4*8+8+8+4)...)
}

// emptyBody is the 4-byte body of TREE_DISCONNECT and LOGOFF.
func emptyBody() []byte {
	return binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, ssLogoff), 0)
}
