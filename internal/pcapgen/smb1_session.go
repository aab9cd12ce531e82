package pcapgen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"
)

// SMB1Style is how an SMB1 client moves a file.
type SMB1Style uint8

// SMB1 transfer styles.
const (
	// SMB1Core: core OPEN + READ (download) or CREATE + WRITE, the last
	// chunk in WRITE_AND_CLOSE (upload): DOS-era clients, printers,
	// scanners.
	SMB1Core SMB1Style = iota
	// SMB1AndX: NT_CREATE_ANDX + READ_ANDX, then CLOSE (downloads only).
	SMB1AndX
)

// SMB1File is one file moved in an SMB1 session.
type SMB1File struct {
	// Name is the path on the share as the client sends it (`\SCANS\a.pdf`).
	Name string
	// Data is the file content.
	Data []byte
	// Write uploads the file; otherwise it is downloaded.
	Write bool
	// Style picks the commands.
	Style SMB1Style
	// Query sends a TRANS2 QUERY_PATH_INFORMATION for the name first.
	Query bool
	// RenameTo, when set, renames the open file with TRANS2
	// SET_FILE_INFORMATION before it is closed.
	RenameTo string
	// Delete marks the open file delete-on-close (SET_FILE_INFORMATION).
	Delete bool
}

// SMB1Session describes one legacy SMB1 session (NT LM 0.12 without
// extended security, OEM strings): optionally a NetBIOS session request
// (port 139), NEGOTIATE, SESSION_SETUP_ANDX with LM/NTLM responses,
// TREE_CONNECT_ANDX to \\Server\Share, the files in order, TREE_DISCONNECT
// and LOGOFF_ANDX.
type SMB1Session struct {
	Server, Share, Domain, User string
	// NetBIOS starts with a NetBIOS session request (port 139 clients).
	NetBIOS bool
	Files   []SMB1File
	// ChunkSize is the READ/WRITE length; 0 means 4096 (what a 4356-byte
	// negotiated buffer allows).
	ChunkSize int
	// Seed makes challenges and ids deterministic.
	Seed uint64
}

// smb1Chunk is the default SMB1 READ/WRITE length.
const smb1Chunk = 4096

type smb1Run struct {
	cv       *Conversation
	rng      *rand.Rand
	mid      uint16
	tid, uid uint16
	nextFID  uint16
}

// WriteSMB1 writes session s over cv. It does not close cv.
func WriteSMB1(cv *Conversation, s SMB1Session) error {
	r := &smb1Run{cv: cv, rng: rand.New(rand.NewPCG(s.Seed, 0x736d6231)), nextFID: 0x4000} // "smb1"
	chunk := s.ChunkSize
	if chunk <= 0 {
		chunk = smb1Chunk
	}
	if s.NetBIOS {
		if err := cv.FromClient(nbssSessionRequestFrame(s.Server, "SCANNER")); err != nil {
			return fmt.Errorf("pcapgen: netbios session request: %w", err)
		}
		if err := cv.FromServer([]byte{nbssPositiveSession, 0, 0, 0}); err != nil {
			return fmt.Errorf("pcapgen: netbios session response: %w", err)
		}
	}
	if err := r.logon(s); err != nil {
		return err
	}
	for _, f := range s.Files {
		if err := r.transfer(f, chunk); err != nil {
			return fmt.Errorf("pcapgen: smb1 %s: %w", f.Name, err)
		}
	}
	if err := r.exchange(smb1CmdTreeDisconnect, nil, nil, nil, nil); err != nil {
		return err
	}
	return r.exchange(smb1CmdLogoffAndX, andx(), nil, andx(), nil)
}

// exchange sends one request and its successful response.
func (r *smb1Run) exchange(cmd uint8, reqWords, reqData, respWords, respData []byte) error {
	r.mid++
	h := smb1Hdr{command: cmd, tid: r.tid, uid: r.uid, mid: r.mid}
	if err := r.cv.FromClient(h.frame(reqWords, reqData)); err != nil {
		return fmt.Errorf("pcapgen: smb1 command %#x request: %w", cmd, err)
	}
	r.cv.Capture().Sleep(700 * time.Microsecond)
	h.response = true
	if err := r.cv.FromServer(h.frame(respWords, respData)); err != nil {
		return fmt.Errorf("pcapgen: smb1 command %#x response: %w", cmd, err)
	}
	r.cv.Capture().Sleep(300 * time.Microsecond)
	return nil
}

func (r *smb1Run) logon(s SMB1Session) error {
	now := r.cv.Capture().Now()
	var challenge [8]byte
	binary.LittleEndian.PutUint64(challenge[:], r.rng.Uint64())
	w, d := smb1NegotiateReq()
	rw, rd := smb1NegotiateResp(3, now, challenge, s.Domain)
	if err := r.exchange(smb1CmdNegotiate, w, d, rw, rd); err != nil {
		return err
	}
	var lm, nt [24]byte
	for i := range 3 {
		binary.LittleEndian.PutUint64(lm[8*i:], r.rng.Uint64())
		binary.LittleEndian.PutUint64(nt[8*i:], r.rng.Uint64())
	}
	w, d = smb1SessionSetupReq(s.User, s.Domain, lm, nt)
	r.mid++
	h := smb1Hdr{command: smb1CmdSessionSetupAndX, mid: r.mid}
	if err := r.cv.FromClient(h.frame(w, d)); err != nil {
		return fmt.Errorf("pcapgen: smb1 session setup: %w", err)
	}
	r.uid = 0x0800 + uint16(r.rng.IntN(0x100))
	h.response, h.uid = true, r.uid
	rw, rd = smb1SessionSetupResp()
	if err := r.cv.FromServer(h.frame(rw, rd)); err != nil {
		return fmt.Errorf("pcapgen: smb1 session setup: %w", err)
	}
	w, d = smb1TreeConnectReq(`\\` + s.Server + `\` + s.Share)
	r.mid++
	h = smb1Hdr{command: smb1CmdTreeConnectAndX, uid: r.uid, mid: r.mid}
	if err := r.cv.FromClient(h.frame(w, d)); err != nil {
		return fmt.Errorf("pcapgen: smb1 tree connect: %w", err)
	}
	r.tid = 0x0100 + uint16(r.rng.IntN(0x100))
	h.response, h.tid = true, r.tid
	rw, rd = smb1TreeConnectResp()
	if err := r.cv.FromServer(h.frame(rw, rd)); err != nil {
		return fmt.Errorf("pcapgen: smb1 tree connect: %w", err)
	}
	return nil
}

// transfer moves f: optional QUERY_PATH_INFORMATION, open, data in
// chunk-sized commands, optional rename/delete, close.
func (r *smb1Run) transfer(f SMB1File, chunk int) error {
	now := r.cv.Capture().Now()
	if f.Query {
		params := append(u32(u16(nil, smbQueryFileStandardInfo), 0), oemString(f.Name)...)
		w, d := smb1Trans2Req(trans2QueryPathInformation, params, nil)
		size := len(f.Data)
		if f.Write {
			size = 0
		}
		rw, rd := smb1Trans2Resp(u16(nil, 0), smb1QueryStandardInfo(size))
		if err := r.exchange(smb1CmdTrans2, w, d, rw, rd); err != nil {
			return err
		}
	}
	r.nextFID++
	fid := r.nextFID
	if f.Style == SMB1AndX && !f.Write {
		w, d := smb1NTCreateReq(f.Name)
		if err := r.exchange(smb1CmdNTCreateAndX, w, d, smb1NTCreateResp(fid, len(f.Data), now), nil); err != nil {
			return err
		}
	} else {
		cmd, w, d := smb1OpenReq(f.Name, f.Write, now)
		if err := r.exchange(cmd, w, d, smb1OpenResp(f.Write, fid, len(f.Data), now), nil); err != nil {
			return err
		}
	}
	closed := false
	for off := 0; off < len(f.Data); off += chunk {
		part := f.Data[off:min(off+chunk, len(f.Data))]
		last := off+len(part) == len(f.Data)
		var err error
		switch {
		case f.Write && last && f.RenameTo == "" && !f.Delete:
			w, d := smb1WriteAndCloseReq(fid, off, part, now)
			err = r.exchange(smb1CmdWriteAndClose, w, d, u16(nil, uint16(len(part))), nil)
			closed = true
		case f.Write:
			w, d := smb1CoreWriteReq(fid, off, part)
			err = r.exchange(smb1CmdWrite, w, d, u16(nil, uint16(len(part))), nil)
		case f.Style == SMB1AndX:
			rw, rd := smb1ReadAndXResp(part)
			err = r.exchange(smb1CmdReadAndX, smb1ReadAndXReq(fid, off, len(part)), nil, rw, rd)
		default:
			rw, rd := smb1CoreReadResp(part)
			err = r.exchange(smb1CmdRead, smb1CoreReadReq(fid, off, len(part)), nil, rw, rd)
		}
		if err != nil {
			return err
		}
	}
	if f.RenameTo != "" {
		data := append([]byte{0, 0, 0, 0}, u32(u32(nil, 0), uint32(len(f.RenameTo)))...)
		data = append(data, f.RenameTo...)
		w, d := smb1Trans2Req(trans2SetFileInformation, u16(u16(u16(nil, fid), smbPassthroughRename), 0), data)
		rw, rd := smb1Trans2Resp(u16(nil, 0), nil)
		if err := r.exchange(smb1CmdTrans2, w, d, rw, rd); err != nil {
			return err
		}
	}
	if f.Delete {
		w, d := smb1Trans2Req(trans2SetFileInformation, u16(u16(u16(nil, fid), smbPassthroughDisposition), 0), []byte{1})
		rw, rd := smb1Trans2Resp(u16(nil, 0), nil)
		if err := r.exchange(smb1CmdTrans2, w, d, rw, rd); err != nil {
			return err
		}
	}
	if closed {
		return nil
	}
	return r.exchange(smb1CmdClose, smb1CloseReq(fid), nil, nil, nil)
}
