package smb

import "github.com/wirescan/wirescan/engine/app"

// SMB1 READ_RAW and WRITE_RAW (MS-CIFS 2.2.4.22, 2.2.4.25): the bulk
// transfers of DOS-era clients. Their data travels as one NBSS session
// message with no SMB header at all:
//
//   - READ_RAW: the server answers the request with the raw bytes (zero
//     bytes for an error or the end of the file).
//   - WRITE_RAW: the request carries the first bytes; once the server has
//     sent its interim WRITE_RAW response, the client sends the rest raw.
//
// A raw message is expected only in that exact state (one per request),
// so the stream is never searched for it: rawExpect arms the direction's
// next NBSS message, and onNBSSHeader streams it to the file.

const (
	smb1ReadRaw  = 0x1A
	smb1WriteRaw = 0x1D
)

// rawExpect is a raw data message one direction awaits.
type rawExpect struct {
	armed   bool
	session uint64
	tree    uint32
	fid     fileID
	offset  uint64
	limit   int64 // most bytes the raw message may carry
	command uint16
}

// readRawReq1 arms the server direction for the raw answer of a READ_RAW.
func (p *Parser) readRawReq1(c *cmd1) {
	b := c.blk
	if b.wc < 8 {
		p.anomaly(c.dir, AnomalyMalformed)
		return
	}
	off := uint64(b.w32(2))
	if b.wc >= 10 {
		off |= uint64(b.w32(16)) << 32
	}
	p.streams[app.ToClient].raw = rawExpect{armed: true, session: uint64(c.h.uid), tree: uint32(c.h.tid),
		fid: fid1(b.w16(0)), offset: off, limit: int64(b.w16(6)), command: smb1ReadRaw}
}

// writeRawReq1 plans the data a WRITE_RAW request carries and remembers the
// rest for the raw message its interim response invites.
func (p *Parser) writeRawReq1(c *cmd1) dataPlan {
	b := c.blk
	if b.wc < 12 {
		p.anomaly(c.dir, AnomalyMalformed)
		return dataPlan{}
	}
	fid := fid1(b.w16(0))
	total, off := int64(b.w16(2)), uint64(b.w32(6))
	if b.wc >= 14 {
		off |= uint64(b.w32(24)) << 32
	}
	n, dataOff := int64(b.w16(20)), int64(b.w16(22))
	session, tree := uint64(c.h.uid), uint32(c.h.tid)
	p.addPending(c.h.pendKey(c.idx), &pending{command: smb1WriteRaw, session: session, tree: tree, fid: fid,
		offset: off + uint64(n), length: uint32(max(total-n, 0))})
	return p.planData1(c, session, tree, fid, off, dataOff, n, app.ToServer, smb1WriteRaw)
}

// writeRawResp1 arms the client direction once the server invites the raw
// rest of a WRITE_RAW (an interim response with success status).
func (p *Parser) writeRawResp1(c *cmd1, pd *pending) {
	if c.h.status != 0 || pd.length == 0 {
		return
	}
	p.streams[app.ToServer].raw = rawExpect{armed: true, session: pd.session, tree: pd.tree, fid: pd.fid,
		offset: pd.offset, limit: int64(pd.length), command: smb1WriteRaw}
}

// startRaw streams the n-byte record that starts now as the raw data s
// awaited. It reports false (and disarms) when the record cannot be one.
func (p *Parser) startRaw(s *stream, n int64) bool {
	r := s.raw
	s.raw = rawExpect{}
	if n > r.limit || n > int64(p.cfg.MaxReadWriteBytes) || r.offset > maxSaneFileOffset {
		p.anomaly(s.dir, AnomalyReadWriteTooLarge)
		return false
	}
	fidv := uint16(r.fid[0]) | uint16(r.fid[1])<<8
	ref := fileRef{version: 1, session: r.session, tree: r.tree, fid: r.fid, dir: s.dir, command: r.command, fuid: fid1String(fidv)}
	f := p.fileFor(ref, nil)
	if f != nil {
		f.tx.setNTStatus(statusSuccess)
	}
	s.recLeft, s.msgLeft = n, n
	s.body = bodyPlan{data: n, file: f, off: int64(r.offset)}
	s.buf = s.buf[:0]
	s.st = stBody
	return true
}
