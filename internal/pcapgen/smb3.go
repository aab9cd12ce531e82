package pcapgen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"
)

// SMB3Server is the server side shared by the connections of SMB 3
// scenarios where one file travels over several connections: multichannel
// (a second connection bound to the session, maybe to another of the
// server's addresses) and durable handles reopened after a reconnect. It
// hands out session and file ids, so every channel agrees on them.
type SMB3Server struct {
	// Name and Share name the tree (\\Name\Share).
	Name, Share string
	// GUID is the ServerGuid every NEGOTIATE response carries: how a
	// client (and a sensor) knows two connections reach one server.
	GUID [16]byte
	// MultiChannel advertises SMB2_GLOBAL_CAP_MULTI_CHANNEL.
	MultiChannel bool

	rng   *rand.Rand
	files uint64
}

// NewSMB3Server returns a server whose ids come from seed.
func NewSMB3Server(name, share string, multiChannel bool, seed uint64) *SMB3Server {
	s := &SMB3Server{Name: name, Share: share, MultiChannel: multiChannel, rng: rand.New(rand.NewPCG(seed, 0x736d6233))} // "smb3"
	binary.LittleEndian.PutUint64(s.GUID[:8], s.rng.Uint64())
	binary.LittleEndian.PutUint64(s.GUID[8:], s.rng.Uint64())
	return s
}

func (s *SMB3Server) caps() uint32 {
	c := uint32(capLargeMTU)
	if s.MultiChannel {
		c |= capMultiChannel
	}
	return c
}

// Durability is the kind of durable handle a CREATE asks for.
type Durability int

const (
	// NotDurable is an ordinary open.
	NotDurable Durability = iota
	// DurableV1 asks for a durable handle with DHnQ (SMB 2.1).
	DurableV1
	// DurableV2 asks for a durable handle with DH2Q and a CreateGuid (SMB 3).
	DurableV2
)

// SMBHandle is an open file as the client holds it: what a reconnect needs
// to reopen it.
type SMBHandle struct {
	// Name is the path relative to the share.
	Name       string
	id         fileID
	createGUID [16]byte
	durable    Durability
	write      bool
}

// SMB3Channel drives one TCP connection of an SMB 3.0.2 session request by
// request, so that several channels can interleave in one capture. Not
// safe for concurrent use.
type SMB3Channel struct {
	run *smb2Run
	srv *SMB3Server
}

// NewSMB3Channel starts a channel on cv (which should connect to SMBPort);
// seed makes its GUIDs and challenges deterministic.
func NewSMB3Channel(cv *Conversation, srv *SMB3Server, seed uint64) *SMB3Channel {
	return &SMB3Channel{srv: srv, run: &smb2Run{cv: cv, rng: rand.New(rand.NewPCG(seed, 0x6368616e))}} // "chan"
}

// Negotiate runs NEGOTIATE: the client offers 2.1, 3.0 and 3.0.2, the server
// picks 3.0.2.
func (ch *SMB3Channel) Negotiate() error {
	r := ch.run
	return r.exchange(smb2Negotiate, negotiateReq3(r.guid(), capLargeMTU|capMultiChannel), statusSuccess,
		negotiateRespDialect(ch.srv.GUID, smb2Dialect302, ch.srv.caps(), r.cv.Capture().Now(), spnegoInit(nil)))
}

// Logon runs the two NTLMSSP SESSION_SETUP rounds of a new session, with
// the session a reconnecting client had before (0: none), and returns the
// session id the server assigned.
func (ch *SMB3Channel) Logon(id SMB2Session, previous uint64) (uint64, error) {
	r := ch.run
	h := smb2Hdr{command: smb2SessionSetup, msgID: r.msgID, charge: 1, credits: 1}
	if err := r.cv.FromClient(h.frame(sessionSetupReq3(0, previous, spnegoInit(ntlmNegotiateMsg())))); err != nil {
		return 0, fmt.Errorf("pcapgen: smb3 session setup: %w", err)
	}
	r.session = 0x0000100000000001 | (ch.srv.rng.Uint64()&0xffff)<<8
	if err := ch.authenticate(h, id, 0, previous); err != nil {
		return 0, err
	}
	return r.session, nil
}

// Bind binds this connection to an existing session, as a multichannel
// client does for each further channel: SESSION_SETUP with
// SMB2_SESSION_FLAG_BINDING, the session's id in the header.
func (ch *SMB3Channel) Bind(session uint64, tree uint32, id SMB2Session) error {
	r := ch.run
	r.session = session
	h := smb2Hdr{command: smb2SessionSetup, msgID: r.msgID, session: session, charge: 1, credits: 1}
	if err := r.cv.FromClient(h.frame(sessionSetupReq3(sessionFlagBinding, 0, spnegoInit(ntlmNegotiateMsg())))); err != nil {
		return fmt.Errorf("pcapgen: smb3 bind: %w", err)
	}
	if err := ch.authenticate(h, id, sessionFlagBinding, 0); err != nil {
		return err
	}
	r.tree = tree // trees belong to the session, not the connection
	return nil
}

// authenticate answers the first SESSION_SETUP with a challenge and runs
// the second round.
func (ch *SMB3Channel) authenticate(h smb2Hdr, id SMB2Session, flags uint8, previous uint64) error {
	r := ch.run
	var challenge [8]byte
	binary.LittleEndian.PutUint64(challenge[:], r.rng.Uint64())
	h.response, h.status, h.session = true, statusMoreProcessingRequired, r.session
	chal := ntlmChallengeMsg(ch.srv.Name, id.Domain, challenge)
	if err := r.cv.FromServer(h.frame(sessionSetupResp(spnegoResp(1, true, chal)))); err != nil {
		return fmt.Errorf("pcapgen: smb3 session setup: %w", err)
	}
	r.msgID++
	var lm, nt [24]byte
	for i := range 3 {
		binary.LittleEndian.PutUint64(lm[8*i:], r.rng.Uint64())
		binary.LittleEndian.PutUint64(nt[8*i:], r.rng.Uint64())
	}
	auth := ntlmAuthenticateMsg(id.Domain, id.User, id.Workstation, lm, nt)
	return r.exchange(smb2SessionSetup, sessionSetupReq3(flags, previous, spnegoResp(-1, false, auth)), statusSuccess,
		sessionSetupResp(spnegoResp(0, false, nil)))
}

// TreeConnect connects to \\Server\Share and returns the tree id.
func (ch *SMB3Channel) TreeConnect() (uint32, error) {
	r := ch.run
	h := smb2Hdr{command: smb2TreeConnect, msgID: r.msgID, session: r.session, charge: 1, credits: 1}
	if err := r.cv.FromClient(h.frame(treeConnectReq(`\\` + ch.srv.Name + `\` + ch.srv.Share))); err != nil {
		return 0, fmt.Errorf("pcapgen: smb3 tree connect: %w", err)
	}
	r.tree = 1 + uint32(ch.srv.rng.IntN(8))
	h.response, h.treeID = true, r.tree
	if err := r.cv.FromServer(h.frame(treeConnectResp())); err != nil {
		return 0, fmt.Errorf("pcapgen: smb3 tree connect: %w", err)
	}
	r.msgID++
	return r.tree, nil
}

// Create opens name (to write it when write), asking for a durable handle
// of kind d, which the server grants. size is the file's size for reads.
func (ch *SMB3Channel) Create(name string, write bool, size int64, d Durability) (SMBHandle, error) {
	r, srv := ch.run, ch.srv
	srv.files++
	h := SMBHandle{Name: name, durable: d, write: write}
	binary.LittleEndian.PutUint64(h.id[:8], srv.files)
	binary.LittleEndian.PutUint64(h.id[8:], srv.rng.Uint64())
	var req, resp []createContext
	switch d {
	case DurableV1:
		req = []createContext{{ctxDurableRequest, make([]byte, 16)}}
		resp = []createContext{{ctxDurableRequest, make([]byte, 8)}}
	case DurableV2:
		h.createGUID = r.guid()
		req = []createContext{{ctxDurableRequestV2, durableRequestV2(h.createGUID)}}
		resp = []createContext{{ctxDurableRequestV2, durableResponseV2()}}
	}
	if write {
		size = 0
	}
	err := r.exchange(smb2Create, createReq3(name, write, req), statusSuccess, createResp3(h.id, size, r.cv.Capture().Now(), write, resp))
	return h, err
}

// Reopen reconnects a durable handle after its connection was lost (DH2C or
// DHnC): the server keeps the persistent FileId and gives a new volatile
// one.
func (ch *SMB3Channel) Reopen(old SMBHandle, size int64) (SMBHandle, error) {
	r, srv := ch.run, ch.srv
	h := old
	binary.LittleEndian.PutUint64(h.id[8:], srv.rng.Uint64())
	var req []createContext
	switch old.durable {
	case DurableV1:
		req = []createContext{{ctxDurableReconnect, old.id[:]}}
	case DurableV2:
		req = []createContext{{ctxDurableReconnectV2, durableReconnectV2(old.id, old.createGUID)}}
	default:
		return old, fmt.Errorf("pcapgen: smb3 reopen %s: not a durable handle", old.Name)
	}
	if old.write {
		size = 0
	}
	err := r.exchange(smb2Create, createReq3(old.Name, old.write, req), statusSuccess, createResp3(h.id, size, r.cv.Capture().Now(), old.write, nil))
	return h, err
}

// Read reads data at off (the server's answer is data).
func (ch *SMB3Channel) Read(h SMBHandle, off int64, data []byte) error {
	return ch.run.exchange(smb2Read, readReq(h.id, off, len(data)), statusSuccess, readResp(data))
}

// Write writes data at off.
func (ch *SMB3Channel) Write(h SMBHandle, off int64, data []byte) error {
	return ch.run.exchange(smb2Write, writeReq(h.id, off, data), statusSuccess, writeResp(len(data)))
}

// Close closes the handle (on any channel of the session).
func (ch *SMB3Channel) Close(h SMBHandle) error {
	return ch.run.exchange(smb2Close, closeReq(h.id), statusSuccess, closeResp())
}

// Logoff disconnects the tree and logs the session off.
func (ch *SMB3Channel) Logoff() error {
	r := ch.run
	if err := r.exchange(smb2TreeDisconnect, emptyBody(), statusSuccess, emptyBody()); err != nil {
		return err
	}
	r.tree = 0
	return r.exchange(smb2Logoff, emptyBody(), statusSuccess, emptyBody())
}

// Pause advances the capture clock by d.
func (ch *SMB3Channel) Pause(d time.Duration) { ch.run.cv.Capture().Sleep(d) }
