package pcapgen

import (
	"encoding/binary"
	"time"
)

// Wire records of the SMB 3 messages pcapgen writes beyond SMB 2.1
// (smb2_msgs.go): NEGOTIATE offering SMB 3.0.2 with capabilities,
// SESSION_SETUP with flags and a previous session, CREATE with create
// contexts ([MS-SMB2] 2.2.13.2, 2.2.14.2). Pure encoders, no state.

// SMB 3 values ([MS-SMB2] 2.2.3, 2.2.5, 2.2.13, 2.2.13.2).
const (
	smb2Dialect300        = 0x0300
	smb2Dialect302        = 0x0302
	capMultiChannel       = 0x00000008
	sessionFlagBinding    = 0x01
	oplockBatch           = 0x09
	ctxDurableRequest     = "DHnQ"
	ctxDurableReconnect   = "DHnC"
	ctxDurableRequestV2   = "DH2Q"
	ctxDurableReconnectV2 = "DH2C"
	durableTimeoutMillis  = 60000
)

// createContext is one create context: a 4-byte name and its data.
type createContext struct {
	name string
	data []byte
}

// align8 pads b with zeros to a multiple of 8 bytes.
func align8(b []byte) []byte {
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// createContexts encodes a create context chain: each context 8-byte
// aligned, its name at offset 16 and its data at offset 24.
func createContexts(cs []createContext) []byte {
	var out []byte
	for i, c := range cs {
		e := make([]byte, 0, 24+len(c.data))
		e = binary.LittleEndian.AppendUint32(e, 0) // Next, set below
		e = binary.LittleEndian.AppendUint16(e, 16)
		e = binary.LittleEndian.AppendUint16(e, uint16(len(c.name)))
		e = binary.LittleEndian.AppendUint16(e, 0) // Reserved
		dataOff := uint16(0)
		if len(c.data) > 0 {
			dataOff = 24
		}
		e = binary.LittleEndian.AppendUint16(e, dataOff)
		e = binary.LittleEndian.AppendUint32(e, uint32(len(c.data)))
		e = align8(append(e, c.name...))
		e = append(e, c.data...)
		if i < len(cs)-1 {
			e = align8(e)
			binary.LittleEndian.PutUint32(e, uint32(len(e)))
		}
		out = append(out, e...)
	}
	return out
}

func negotiateReq3(clientGUID [16]byte, caps uint32) []byte {
	dialects := []uint16{smb2Dialect210, smb2Dialect300, smb2Dialect302}
	b := binary.LittleEndian.AppendUint16(nil, ssNegotiateReq)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dialects)))
	b = binary.LittleEndian.AppendUint16(b, securitySigningEnabled)
	b = binary.LittleEndian.AppendUint16(b, 0) // Reserved
	b = binary.LittleEndian.AppendUint32(b, caps)
	b = append(b, clientGUID[:]...)
	b = binary.LittleEndian.AppendUint64(b, 0) // ClientStartTime
	for _, d := range dialects {
		b = binary.LittleEndian.AppendUint16(b, d)
	}
	return b
}

// negotiateRespDialect is a NEGOTIATE response choosing dialect, with the
// server's capabilities.
func negotiateRespDialect(serverGUID [16]byte, dialect uint16, caps uint32, now time.Time, secBlob []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, ssNegotiateResp)
	b = binary.LittleEndian.AppendUint16(b, securitySigningEnabled)
	b = binary.LittleEndian.AppendUint16(b, dialect)
	b = binary.LittleEndian.AppendUint16(b, 0) // NegotiateContextCount/Reserved
	b = append(b, serverGUID[:]...)
	b = binary.LittleEndian.AppendUint32(b, caps)
	b = binary.LittleEndian.AppendUint32(b, serverMaxTransferLength) // MaxTransactSize
	b = binary.LittleEndian.AppendUint32(b, serverMaxTransferLength) // MaxReadSize
	b = binary.LittleEndian.AppendUint32(b, serverMaxTransferLength) // MaxWriteSize
	b = binary.LittleEndian.AppendUint64(b, filetime(now))
	b = binary.LittleEndian.AppendUint64(b, 0)                    // ServerStartTime
	b = binary.LittleEndian.AppendUint16(b, smb2HeaderSize+64)    // SecurityBufferOffset
	b = binary.LittleEndian.AppendUint16(b, uint16(len(secBlob))) // SecurityBufferLength
	b = binary.LittleEndian.AppendUint32(b, 0)                    // NegotiateContextOffset/Reserved2
	return append(b, secBlob...)
}

// sessionSetupReq3 is a SESSION_SETUP request with flags (binding) and the
// session a reconnecting client had before.
func sessionSetupReq3(flags uint8, previous uint64, secBlob []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, ssSessionSetupReq)
	b = append(b, flags, byte(securitySigningEnabled))         // Flags, SecurityMode
	b = binary.LittleEndian.AppendUint32(b, 0)                 // Capabilities
	b = binary.LittleEndian.AppendUint32(b, 0)                 // Channel
	b = binary.LittleEndian.AppendUint16(b, smb2HeaderSize+24) // SecurityBufferOffset
	b = binary.LittleEndian.AppendUint16(b, uint16(len(secBlob)))
	b = binary.LittleEndian.AppendUint64(b, previous) // PreviousSessionId
	return append(b, secBlob...)
}

// createReq3 is a CREATE request with create contexts (after the name,
// 8-byte aligned) and, for a durable handle, a batch oplock.
func createReq3(name string, write bool, ctxs []createContext) []byte {
	n := utf16le(name)
	access, disposition := uint32(accessRead), uint32(dispositionOpen)
	if write {
		access, disposition = accessReadWrite, dispositionOverwriteIf
	}
	oplock := byte(0)
	if len(ctxs) > 0 {
		oplock = oplockBatch
	}
	ctx := createContexts(ctxs)
	ctxOff := 0
	if len(ctx) > 0 {
		ctxOff = (smb2HeaderSize + 56 + len(n) + 7) &^ 7
	}
	b := binary.LittleEndian.AppendUint16(nil, ssCreateReq)
	b = append(b, 0, oplock) // SecurityFlags, RequestedOplockLevel
	b = binary.LittleEndian.AppendUint32(b, impersonation)
	b = binary.LittleEndian.AppendUint64(b, 0) // SmbCreateFlags
	b = binary.LittleEndian.AppendUint64(b, 0) // Reserved
	b = binary.LittleEndian.AppendUint32(b, access)
	b = binary.LittleEndian.AppendUint32(b, attrNormal)
	b = binary.LittleEndian.AppendUint32(b, shareReadWriteDelete)
	b = binary.LittleEndian.AppendUint32(b, disposition)
	b = binary.LittleEndian.AppendUint32(b, optionNonDirectory)
	b = binary.LittleEndian.AppendUint16(b, smb2HeaderSize+56) // NameOffset
	b = binary.LittleEndian.AppendUint16(b, uint16(len(n)))
	b = binary.LittleEndian.AppendUint32(b, uint32(ctxOff))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ctx)))
	b = append(b, n...)
	if len(ctx) > 0 {
		for smb2HeaderSize+len(b) < ctxOff {
			b = append(b, 0)
		}
		b = append(b, ctx...)
	}
	return b
}

// createResp3 is a CREATE response with create contexts after the fixed
// part.
func createResp3(id fileID, size int64, now time.Time, write bool, ctxs []createContext) []byte {
	b := createResp(id, size, now, write)
	if len(ctxs) == 0 {
		return b
	}
	b[2] = oplockBatch
	ctx := createContexts(ctxs)
	binary.LittleEndian.PutUint32(b[len(b)-8:], smb2HeaderSize+uint32(len(b)))
	binary.LittleEndian.PutUint32(b[len(b)-4:], uint32(len(ctx)))
	return append(b, ctx...)
}

// durableRequestV2 is a DH2Q context's data: Timeout, Flags, Reserved,
// CreateGuid.
func durableRequestV2(guid [16]byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, durableTimeoutMillis)
	b = append(b, make([]byte, 12)...)
	return append(b, guid[:]...)
}

// durableReconnectV2 is a DH2C context's data: FileId, CreateGuid, Flags.
func durableReconnectV2(id fileID, guid [16]byte) []byte {
	b := append(append([]byte(nil), id[:]...), guid[:]...)
	return binary.LittleEndian.AppendUint32(b, 0)
}

// durableResponseV2 is a DH2Q response context's data: Timeout, Flags.
func durableResponseV2() []byte {
	return binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, durableTimeoutMillis), 0)
}
