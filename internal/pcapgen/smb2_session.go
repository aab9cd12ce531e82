package pcapgen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"
)

// DefaultSMBChunk is the READ/WRITE size of an SMB2 transfer unless the
// session sets one: 64 KiB, what Windows clients use for SMB 2.1.
const DefaultSMBChunk = 64 << 10

// SMBFile is one file transferred in an SMB2 session.
type SMBFile struct {
	// Name is the path relative to the share, as CREATE carries it
	// (`docs\report.pdf`).
	Name string
	// Data is the file content.
	Data []byte
	// Write uploads the file (CREATE overwrite-if, WRITE); otherwise it is
	// downloaded (CREATE open, READ).
	Write bool
}

// SMB2Session describes one SMB 2.1 session: NEGOTIATE, NTLMSSP
// SESSION_SETUP, TREE_CONNECT to \\Server\Share, then for each file CREATE,
// READ or WRITE in chunks, CLOSE; finally TREE_DISCONNECT and LOGOFF.
type SMB2Session struct {
	// Server and Share name the tree (\\Server\Share) and the NTLM target.
	Server, Share string
	// Domain, User and Workstation are the NTLMSSP identity of the client.
	Domain, User, Workstation string
	// Files are transferred in order, each with its own CREATE and CLOSE.
	Files []SMBFile
	// ChunkSize is the READ/WRITE length; 0 means DefaultSMBChunk.
	ChunkSize int
	// Seed makes GUIDs, challenges and session ids deterministic.
	Seed uint64
}

// smb2Run is the state of a session being written.
type smb2Run struct {
	cv      *Conversation
	rng     *rand.Rand
	msgID   uint64
	session uint64
	tree    uint32
	files   uint64
}

// WriteSMB2 writes session s over cv (which should connect to SMBPort). It
// does not close cv.
func WriteSMB2(cv *Conversation, s SMB2Session) error {
	r := &smb2Run{cv: cv, rng: rand.New(rand.NewPCG(s.Seed, 0x736d6232))} // "smb2"
	chunk := s.ChunkSize
	if chunk <= 0 {
		chunk = DefaultSMBChunk
	}
	if err := r.logon(s); err != nil {
		return err
	}
	for _, f := range s.Files {
		if err := r.transfer(f, chunk); err != nil {
			return fmt.Errorf("pcapgen: smb2 %s: %w", f.Name, err)
		}
	}
	if err := r.exchange(smb2TreeDisconnect, emptyBody(), statusSuccess, emptyBody()); err != nil {
		return err
	}
	r.tree = 0
	return r.exchange(smb2Logoff, emptyBody(), statusSuccess, emptyBody())
}

// exchange sends one request and its response.
func (r *smb2Run) exchange(cmd uint16, req []byte, status uint32, resp []byte) error {
	h := smb2Hdr{command: cmd, msgID: r.msgID, treeID: r.tree, session: r.session, charge: 1, credits: 1}
	if cmd == smb2Negotiate {
		h.charge = 0
	}
	if n := max(len(req), len(resp)); n > DefaultSMBChunk {
		h.charge = uint16((n-1)/DefaultSMBChunk + 1)
	}
	if err := r.cv.FromClient(h.frame(req)); err != nil {
		return fmt.Errorf("pcapgen: smb2 command %#x request: %w", cmd, err)
	}
	r.cv.Capture().Sleep(500 * time.Microsecond)
	h.response, h.status = true, status
	if err := r.cv.FromServer(h.frame(resp)); err != nil {
		return fmt.Errorf("pcapgen: smb2 command %#x response: %w", cmd, err)
	}
	r.msgID += uint64(max(h.charge, 1))
	r.cv.Capture().Sleep(200 * time.Microsecond)
	return nil
}

func (r *smb2Run) guid() (g [16]byte) {
	binary.LittleEndian.PutUint64(g[:8], r.rng.Uint64())
	binary.LittleEndian.PutUint64(g[8:], r.rng.Uint64())
	return g
}

// logon runs NEGOTIATE, the two SESSION_SETUP rounds and TREE_CONNECT.
func (r *smb2Run) logon(s SMB2Session) error {
	now := r.cv.Capture().Now()
	if err := r.exchange(smb2Negotiate, negotiateReq(r.guid()), statusSuccess,
		negotiateResp(r.guid(), now, spnegoInit(nil))); err != nil {
		return err
	}
	var challenge [8]byte
	binary.LittleEndian.PutUint64(challenge[:], r.rng.Uint64())
	setup1 := sessionSetupReq(spnegoInit(ntlmNegotiateMsg()))
	// The server assigns the session id in its first response; the client
	// uses it from then on.
	h := smb2Hdr{command: smb2SessionSetup, msgID: r.msgID, charge: 1, credits: 1}
	if err := r.cv.FromClient(h.frame(setup1)); err != nil {
		return fmt.Errorf("pcapgen: smb2 session setup: %w", err)
	}
	r.session = 0x0000040000000001 | (r.rng.Uint64()&0xffff)<<8
	h.response, h.status, h.session = true, statusMoreProcessingRequired, r.session
	chal := ntlmChallengeMsg(s.Server, s.Domain, challenge)
	if err := r.cv.FromServer(h.frame(sessionSetupResp(spnegoResp(1, true, chal)))); err != nil {
		return fmt.Errorf("pcapgen: smb2 session setup: %w", err)
	}
	r.msgID++
	var lm, nt [24]byte
	for i := range 3 {
		binary.LittleEndian.PutUint64(lm[8*i:], r.rng.Uint64())
		binary.LittleEndian.PutUint64(nt[8*i:], r.rng.Uint64())
	}
	auth := ntlmAuthenticateMsg(s.Domain, s.User, s.Workstation, lm, nt)
	if err := r.exchange(smb2SessionSetup, sessionSetupReq(spnegoResp(-1, false, auth)), statusSuccess,
		sessionSetupResp(spnegoResp(0, false, nil))); err != nil {
		return err
	}
	path := `\\` + s.Server + `\` + s.Share
	h = smb2Hdr{command: smb2TreeConnect, msgID: r.msgID, session: r.session, charge: 1, credits: 1}
	if err := r.cv.FromClient(h.frame(treeConnectReq(path))); err != nil {
		return fmt.Errorf("pcapgen: smb2 tree connect: %w", err)
	}
	r.tree = 1 + uint32(r.rng.IntN(8))
	h.response, h.treeID = true, r.tree
	if err := r.cv.FromServer(h.frame(treeConnectResp())); err != nil {
		return fmt.Errorf("pcapgen: smb2 tree connect: %w", err)
	}
	r.msgID++
	return nil
}

// transfer opens f, moves its bytes in chunk-sized READs or WRITEs and
// closes it.
func (r *smb2Run) transfer(f SMBFile, chunk int) error {
	r.files++
	var id fileID
	binary.LittleEndian.PutUint64(id[:8], r.files)
	binary.LittleEndian.PutUint64(id[8:], r.rng.Uint64())
	size := int64(len(f.Data))
	if f.Write {
		size = 0
	}
	if err := r.exchange(smb2Create, createReq(f.Name, f.Write), statusSuccess,
		createResp(id, size, r.cv.Capture().Now(), f.Write)); err != nil {
		return err
	}
	for off := 0; off < len(f.Data); off += chunk {
		part := f.Data[off:min(off+chunk, len(f.Data))]
		var err error
		if f.Write {
			err = r.exchange(smb2Write, writeReq(id, int64(off), part), statusSuccess, writeResp(len(part)))
		} else {
			err = r.exchange(smb2Read, readReq(id, int64(off), len(part)), statusSuccess, readResp(part))
		}
		if err != nil {
			return err
		}
	}
	return r.exchange(smb2Close, closeReq(id), statusSuccess, closeResp())
}
