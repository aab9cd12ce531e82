package smb

// SMB1 NT_CREATE_ANDX and OPEN_ANDX.

// createReq1 opens a CREATE transaction with the file name.
func (p *Parser) createReq1(c *cmd1) {
	tx := p.newTx(1, uint16(c.cmd), txCreate, uint64(c.h.uid), uint32(c.h.tid))
	b := c.blk
	r := c.strings()
	switch {
	case c.cmd == smb1NTCreateAndX && b.wc >= 24:
		tx.disposition = b.w32(35)
		opts := b.w32(39)
		tx.deleteOnClose = opts&createOptDeleteOnClose != 0
		tx.directory = opts&createOptDirectory != 0
		tx.filename = r.next()
	case c.cmd == smb1OpenAndX && b.wc >= 15:
		tx.disposition = 1 // FILE_OPEN
		tx.filename = r.next()
	}
	p.addPending(c.h.pendKey(c.idx), &pending{command: uint16(c.cmd), tx: tx, session: uint64(c.h.uid), tree: uint32(c.h.tid), name: tx.filename})
}

// createResp1 binds the FID to the requested name.
func (p *Parser) createResp1(c *cmd1, pd *pending) {
	if c.h.status != 0 {
		return
	}
	b := c.blk
	tx := pd.tx
	var fid uint16
	switch {
	case c.cmd == smb1NTCreateAndX && b.wc >= 34:
		fid = b.w16(5)
		tx.created = windowsTime(b.w64(11))
		tx.accessed = windowsTime(b.w64(19))
		tx.modified = windowsTime(b.w64(27))
		tx.changed = windowsTime(b.w64(35))
		tx.size = b.w64(55)
		tx.timesSet = true
	case c.cmd == smb1OpenAndX && b.wc >= 15:
		fid = b.w16(4)
		tx.size = uint64(b.w32(12))
	default:
		return
	}
	tx.fuid = fid1String(fid)
	pipe := false
	if t := p.conn.trees[treeKey{uint64(c.h.uid), uint32(c.h.tid)}]; t != nil {
		pipe = t.pipe
	}
	p.addFID(fidKey{1, fid1(fid)}, &fidInfo{name: pd.name, pipe: pipe})
}
