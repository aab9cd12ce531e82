package pcapgen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// Hostile SMB2: offsets and lengths meant to overflow, state meant never to
// be freed, chains meant to loop. Each session logs on normally first, so
// the parser is deep in a session when the attack comes.

// hostileSession opens connection i to the SMB server, logs on to
// \\victim\data and hands the session to attack; the connection is closed
// by FIN afterwards.
func hostileSession(c *Capture, i int, attack func(r *smb2Run) error) error {
	return conn(c, hostileClient(i), hostileSMB, ConnOptions{}, func(cv *Conversation) error {
		r := &smb2Run{cv: cv, rng: rand.New(rand.NewPCG(uint64(i), 0x736d6232))}
		s := SMB2Session{Server: "victim", Share: "data", Domain: "EVIL", User: "mallory", Workstation: "X1"}
		if err := r.logon(s); err != nil {
			return err
		}
		return attack(r)
	})
}

// nextFileID returns a fresh file id for the session.
func (r *smb2Run) nextFileID() fileID {
	r.files++
	var id fileID
	binary.LittleEndian.PutUint64(id[:8], r.files)
	binary.LittleEndian.PutUint64(id[8:], r.rng.Uint64())
	return id
}

// create opens name for writing and returns its id.
func (r *smb2Run) create(name string) (fileID, error) {
	id := r.nextFileID()
	return id, r.exchange(smb2Create, createReq(name, true), statusSuccess, createResp(id, 0, r.cv.Capture().Now(), true))
}

// write sends one WRITE of data at off (any 64-bit value) and its response.
func (r *smb2Run) write(id fileID, off uint64, data []byte) error {
	return r.exchange(smb2Write, writeReq(id, int64(off), data), statusSuccess, writeResp(len(data)))
}

// hostileOffsets are file offsets no file reaches: near 2^64 (with the data
// wrapping past it), at 2^63 (negative as int64) and just past 2^40.
var hostileOffsets = []uint64{1<<64 - 1, 1<<64 - 4096, 1 << 63, 1<<63 - 1, 1<<40 + 1}

func writeSMBOffsets(c *Capture, n int) error {
	data := Text(rand.New(rand.NewPCG(31, 31)), n<<10)
	return hostileSession(c, 0, func(r *smb2Run) error {
		id, err := r.create(`share\offsets.bin`)
		if err != nil {
			return err
		}
		for _, off := range hostileOffsets {
			if err := r.write(id, off, data); err != nil {
				return err
			}
		}
		return r.exchange(smb2Close, closeReq(id), statusSuccess, closeResp())
	})
}

// holeEnd is where the second WRITE of the hole capture ends: 1 TiB.
const holeEnd = 1 << 40

func writeSMBHole(c *Capture, n int) error {
	data := Text(rand.New(rand.NewPCG(32, 32)), n<<10)
	return hostileSession(c, 0, func(r *smb2Run) error {
		id, err := r.create(`share\sparse.vhd`)
		if err != nil {
			return err
		}
		if err := r.write(id, 0, data); err != nil {
			return err
		}
		if err := r.write(id, holeEnd-uint64(len(data)), data); err != nil {
			return err
		}
		return r.exchange(smb2Close, closeReq(id), statusSuccess, closeResp())
	})
}

// pipeline sends the requests of one command in one TCP write and then
// their responses in another, as a client with many credits does.
func (r *smb2Run) pipeline(cmd uint16, reqs, resps [][]byte) error {
	var out, in []byte
	for i := range reqs {
		h := smb2Hdr{command: cmd, msgID: r.msgID + uint64(i), treeID: r.tree, session: r.session, charge: 1, credits: 1}
		out = append(out, h.frame(reqs[i])...)
		h.response = true
		in = append(in, h.frame(resps[i])...)
	}
	r.msgID += uint64(len(reqs))
	if err := r.cv.FromClient(out); err != nil {
		return err
	}
	return r.cv.FromServer(in)
}

func writeSMBFileIDs(c *Capture, n int) error {
	const batch = 64
	payload := []byte("0123456789abcdef")
	return hostileSession(c, 0, func(r *smb2Run) error {
		for done := 0; done < n; done += batch {
			k := min(batch, n-done)
			var creates, created, writes, written [][]byte
			now := r.cv.Capture().Now()
			for j := range k {
				id := r.nextFileID()
				creates = append(creates, createReq(fmt.Sprintf(`share\open%06d.tmp`, done+j), true))
				created = append(created, createResp(id, 0, now, true))
				writes = append(writes, writeReq(id, 0, payload))
				written = append(written, writeResp(len(payload)))
			}
			if err := r.pipeline(smb2Create, creates, created); err != nil {
				return err
			}
			if err := r.pipeline(smb2Write, writes, written); err != nil {
				return err
			}
		}
		// None is closed. The session goes on with an ordinary upload of
		// the EICAR file.
		return r.transfer(SMBFile{Name: `share\eicar.com`, Data: []byte(EICAR), Write: true}, DefaultSMBChunk)
	})
}

// hugeNBSS sets the NBSS length of a framed message to 0xFFFFFF, the
// largest the 24-bit field holds.
func hugeNBSS(framed []byte) []byte {
	framed[1], framed[2], framed[3] = 0xff, 0xff, 0xff
	return framed
}

func writeSMBHugeNBSS(c *Capture, n int) error {
	data := Text(rand.New(rand.NewPCG(33, 33)), n<<10)
	// A WRITE whose record and DataLength claim 16 MiB; the connection
	// ends after n KiB of it.
	err := hostileSession(c, 0, func(r *smb2Run) error {
		id, err := r.create(`share\huge.bin`)
		if err != nil {
			return err
		}
		body := writeReq(id, 0, data)
		binary.LittleEndian.PutUint32(body[4:], 0xffffff-smb2HeaderSize-48) // Length: the rest of the record
		h := smb2Hdr{command: smb2Write, msgID: r.msgID, treeID: r.tree, session: r.session, charge: 256, credits: 1}
		return r.cv.FromClient(hugeNBSS(h.frame(body)))
	})
	if err != nil {
		return err
	}
	// A record of 0xFFFFFF bytes that is not SMB at all, then an ordinary
	// read of the EICAR file on the same session.
	return hostileSession(c, 1, func(r *smb2Run) error {
		junk := append([]byte{0, 0xff, 0xff, 0xff}, data...)
		if err := r.cv.FromClient(junk); err != nil {
			return err
		}
		return r.transfer(SMBFile{Name: `share\eicar.com`, Data: []byte(EICAR)}, DefaultSMBChunk)
	})
}

// echoMsg returns an ECHO request (header and body, no NBSS) with the given
// NextCommand, padded to 72 bytes so chains stay 8-byte aligned.
func (r *smb2Run) echoMsg(msgID uint64, next uint32) []byte {
	h := smb2Hdr{command: smb2Echo, msgID: msgID, session: r.session, charge: 1, credits: 1}
	body := binary.LittleEndian.AppendUint16(nil, ssEcho)
	m := h.frame(append(body, 0, 0, 0, 0, 0, 0))[4:]
	binary.LittleEndian.PutUint32(m[smb2NextCommandAt:], next)
	return m
}

// nbssRecord frames a compound chain as one NBSS session message.
func nbssRecord(chain []byte) []byte {
	n := len(chain)
	return append([]byte{0, byte(n >> 16), byte(n >> 8), byte(n)}, chain...)
}

// echoResp is the ECHO response a server sends to each chain.
func (r *smb2Run) echoResp() []byte {
	h := smb2Hdr{command: smb2Echo, msgID: r.msgID, session: r.session, response: true, charge: 1, credits: 1}
	return h.frame(binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, ssEcho), 0))
}

func writeSMBCompoundLoops(c *Capture, n int) error {
	return hostileSession(c, 0, func(r *smb2Run) error {
		const msgLen = 72
		loops := [][]uint32{
			{msgLen, 1<<32 - msgLen},     // the second points back at the first (32-bit wrap)
			{msgLen, msgLen, 1<<32 - 8},  // the third points 8 bytes back, into the second
			{msgLen, 1<<31 - 8},          // past the record, by 2 GiB
			{1<<32 - msgLen, msgLen, 0},  // the first points before the record
			{msgLen, msgLen, msgLen, 72}, // the last points past the end
		}
		for _, nexts := range loops {
			var chain []byte
			for j, next := range nexts {
				chain = append(chain, r.echoMsg(r.msgID+uint64(j), next)...)
			}
			if err := r.cv.FromClient(nbssRecord(chain)); err != nil {
				return err
			}
			if err := r.cv.FromServer(r.echoResp()); err != nil {
				return err
			}
			r.msgID += uint64(len(nexts))
		}
		// n chained ECHOs: far more than any compound limit (and as many as
		// one NBSS record holds).
		n = min(n, 0xffffff/msgLen)
		chain := make([]byte, 0, n*msgLen)
		for j := range n {
			next := uint32(msgLen)
			if j == n-1 {
				next = 0
			}
			chain = append(chain, r.echoMsg(r.msgID+uint64(j), next)...)
		}
		if err := r.cv.FromClient(nbssRecord(chain)); err != nil {
			return err
		}
		if err := r.cv.FromServer(r.echoResp()); err != nil {
			return err
		}
		r.msgID += uint64(n)
		// The session goes on: an ordinary read of the EICAR file.
		return r.transfer(SMBFile{Name: `share\eicar.com`, Data: []byte(EICAR)}, DefaultSMBChunk)
	})
}

// pipeTree connects the session to \\victim\IPC$ (a pipe share) and opens
// the named pipe name on it.
func (r *smb2Run) pipeTree(name string) (fileID, error) {
	path := utf16le(`\\victim\IPC$`)
	req := binary.LittleEndian.AppendUint16(nil, ssTreeConnectReq)
	req = binary.LittleEndian.AppendUint16(req, 0)
	req = binary.LittleEndian.AppendUint16(req, smb2HeaderSize+8)
	req = binary.LittleEndian.AppendUint16(req, uint16(len(path)))
	req = append(req, path...)
	h := smb2Hdr{command: smb2TreeConnect, msgID: r.msgID, session: r.session, charge: 1, credits: 1}
	if err := r.cv.FromClient(h.frame(req)); err != nil {
		return fileID{}, err
	}
	resp := treeConnectResp()
	resp[2] = shareTypePipe
	r.tree++
	h.response, h.treeID = true, r.tree
	if err := r.cv.FromServer(h.frame(resp)); err != nil {
		return fileID{}, err
	}
	r.msgID++
	id := r.nextFileID()
	return id, r.exchange(smb2Create, createReq(name, true), statusSuccess, createResp(id, 0, r.cv.Capture().Now(), true))
}

// dceHeaderOnly is a DCERPC REQUEST PDU whose frag_length (16) covers its
// header and nothing else.
var dceHeaderOnly = []byte{5, 0, 0, 3, 0x10, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0}

// writeDCERPCHeaderOnly writes, on the svcctl pipe, n DCERPC PDUs that are
// a header and nothing else, in one WRITE.
func writeDCERPCHeaderOnly(c *Capture, n int) error {
	return hostileSession(c, 0, func(r *smb2Run) error {
		id, err := r.pipeTree("svcctl")
		if err != nil {
			return err
		}
		var pdus []byte
		for range max(n, 2) {
			pdus = append(pdus, dceHeaderOnly...)
		}
		return r.write(id, 0, pdus)
	})
}
