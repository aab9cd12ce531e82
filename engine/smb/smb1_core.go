package smb

import "github.com/wirescan/wirescan/engine/app"

// SMB1 core protocol file commands (MS-CIFS 2.2.4): what DOS-era clients,
// printers, scanners and old NAS firmware use instead of the AndX forms.
// OPEN, CREATE and CREATE_NEW name a FID; READ and LOCK_AND_READ move data
// to the client, WRITE_AND_UNLOCK (like WRITE) and WRITE_AND_CLOSE to the
// server. Data blocks start with a buffer-format byte (0x01) and a 16-bit
// length; names with 0x04.

const (
	bufferFormatData   = 0x01
	bufferFormatString = 0x04
	// Suricata's disposition spellings for the core opens.
	dispositionOpen        = 1 // FILE_OPEN
	dispositionCreate      = 2 // FILE_CREATE
	dispositionOverwriteIf = 5 // FILE_OVERWRITE_IF
)

// coreOpenReq1 opens a CREATE transaction for OPEN, CREATE or CREATE_NEW.
func (p *Parser) coreOpenReq1(c *cmd1) {
	tx := p.newTx(1, uint16(c.cmd), txCreate, uint64(c.h.uid), uint32(c.h.tid))
	switch c.cmd {
	case smb1Open:
		tx.disposition = dispositionOpen
	case smb1Create:
		tx.disposition = dispositionOverwriteIf
	default:
		tx.disposition = dispositionCreate
	}
	b := c.blk
	if len(b.bytes) > 1 && b.bytes[0] == bufferFormatString {
		r := strReader{b: b.bytes[1:], base: b.bytesOff + 1, unicode: c.h.unicode()}
		tx.filename = r.next()
	} else {
		p.anomaly(c.dir, AnomalyMalformed)
	}
	p.addPending(c.h.pendKey(c.idx), &pending{command: uint16(c.cmd), tx: tx, session: uint64(c.h.uid), tree: uint32(c.h.tid), name: tx.filename})
}

// coreOpenResp1 binds the FID of an OPEN, CREATE or CREATE_NEW response.
func (p *Parser) coreOpenResp1(c *cmd1, pd *pending) {
	b := c.blk
	if c.h.status != 0 || b.wc < 1 {
		return
	}
	fid := b.w16(0)
	if c.cmd == smb1Open && b.wc >= 7 {
		pd.tx.size = uint64(b.w32(8))
		pd.tx.modified = int64(b.w32(4)) // seconds since 1970 (UTIME)
		pd.tx.timesSet = pd.tx.modified != 0
	}
	pd.tx.fuid = fid1String(fid)
	p.bindFID1(c, fid, pd.name)
}

// bindFID1 remembers an SMB1 FID's name (and whether it is a pipe).
func (p *Parser) bindFID1(c *cmd1, fid uint16, name string) {
	pipe := false
	if t := p.conn.trees[treeKey{uint64(c.h.uid), uint32(c.h.tid)}]; t != nil {
		pipe = t.pipe
	}
	p.addFID(fidKey{1, fid1(fid)}, &fidInfo{name: name, pipe: pipe})
}

// coreReadReq1 remembers a READ or LOCK_AND_READ request (FID, 32-bit
// offset) for its response.
func (p *Parser) coreReadReq1(c *cmd1) {
	b := c.blk
	if b.wc < 5 {
		p.anomaly(c.dir, AnomalyMalformed)
		return
	}
	p.addPending(c.h.pendKey(c.idx), &pending{command: uint16(c.cmd), session: uint64(c.h.uid),
		tree: uint32(c.h.tid), fid: fid1(b.w16(0)), offset: uint64(b.w32(4))})
}

// coreReadResp1 plans delivery of a READ or LOCK_AND_READ response's data
// block at the requested offset.
func (p *Parser) coreReadResp1(c *cmd1, pd *pending) dataPlan {
	b := c.blk
	if c.h.status != 0 || b.wc < 5 || len(b.bytes) < 3 {
		return dataPlan{}
	}
	if b.bytes[0] != bufferFormatData {
		p.anomaly(c.dir, AnomalyMalformed)
		return dataPlan{}
	}
	n := int64(b.bytes[1]) | int64(b.bytes[2])<<8
	return p.planData1(c, pd.session, pd.tree, pd.fid, pd.offset, int64(b.bytesOff)+3, n, app.ToClient, uint16(c.cmd))
}

// writeAndCloseReq1 plans a WRITE_AND_CLOSE request's data and closes the
// file once it is delivered (at once when there is none).
func (p *Parser) writeAndCloseReq1(c *cmd1) dataPlan {
	b := c.blk
	if b.wc < 6 {
		p.anomaly(c.dir, AnomalyMalformed)
		return dataPlan{}
	}
	fid := fid1(b.w16(0))
	n := int64(b.w16(2))
	session, tree := uint64(c.h.uid), uint32(c.h.tid)
	// One pad byte precedes the data.
	plan := p.planData1(c, session, tree, fid, uint64(b.w32(4)), int64(b.bytesOff)+1, n, app.ToServer, smb1WriteAndClose)
	switch {
	case plan.file != nil:
		plan.closeAfter = true
	case plan.pipe == nil:
		p.closeFID(1, session, tree, fid)
	}
	delete(p.conn.fids, fidKey{1, fid})
	return plan
}
