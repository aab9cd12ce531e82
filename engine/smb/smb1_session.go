package smb

// SMB1 NEGOTIATE, SESSION_SETUP_ANDX and TREE_CONNECT_ANDX.

// smb1CapExtendedSecurity marks a NEGOTIATE response carrying a server GUID.
const smb1CapExtendedSecurity = 0x80000000

// negotiateReq1 records the dialect strings a client offers.
func (p *Parser) negotiateReq1(c *cmd1) {
	tx := p.newTx(1, uint16(c.cmd), txNegotiate, uint64(c.h.uid), uint32(c.h.tid))
	b := c.blk.bytes
	for i := 0; i < len(b) && len(tx.clientDialects) < maxDialects; {
		if b[i] != 0x02 { // buffer format: dialect string
			break
		}
		n, used := cstringEnd(b[i+1:], false)
		tx.clientDialects = append(tx.clientDialects, decodeASCII(b[i+1:i+1+n]))
		i += 1 + used
	}
	pd := &pending{command: uint16(c.cmd), tx: tx, session: uint64(c.h.uid), tree: uint32(c.h.tid)}
	pd.dialects = tx.clientDialects
	p.addPending(c.h.pendKey(c.idx), pd)
}

// negotiateResp1 sets the connection's dialect from the chosen index.
func (p *Parser) negotiateResp1(c *cmd1, pd *pending) {
	b := c.blk
	if b.wc < 1 {
		return
	}
	idx := int(b.w16(0))
	if idx < len(pd.dialects) {
		p.conn.dialect1 = pd.dialects[idx]
	}
	if b.wc >= 17 && b.w32(19)&smb1CapExtendedSecurity != 0 && len(b.bytes) >= fileIDLen {
		var g fileID
		copy(g[:], b.bytes)
		pd.tx.serverGUID = fuidString(g)
	}
}

// sessionSetupReq1 records the client's native OS/LAN manager and NTLMSSP
// identity.
func (p *Parser) sessionSetupReq1(c *cmd1) {
	tx := p.newTx(1, uint16(c.cmd), txSession, uint64(c.h.uid), uint32(c.h.tid))
	b := c.blk
	r := c.strings()
	switch b.wc {
	case 12: // extended security
		blobLen := int(b.w16(14))
		blob, _ := window(b.bytes, 0, min(blobLen, len(b.bytes)))
		if n, ok := parseNTLMSSPAuth(blob); ok {
			tx.ntlm = &n
		}
		r.skip(blobLen)
		tx.request = &hostInfo{os: r.next(), lm: r.next()}
	case 13:
		r.skip(int(b.w16(14)) + int(b.w16(16)))
		r.next() // account
		r.next() // primary domain
		tx.request = &hostInfo{os: r.next(), lm: r.next()}
	}
	p.addPending(c.h.pendKey(c.idx), &pending{command: uint16(c.cmd), tx: tx, session: uint64(c.h.uid), tree: uint32(c.h.tid)})
}

// sessionSetupResp1 records the server's native OS/LAN manager.
func (p *Parser) sessionSetupResp1(c *cmd1, pd *pending) {
	b := c.blk
	r := c.strings()
	switch b.wc {
	case 4:
		r.skip(int(b.w16(6)))
	case 3:
	default:
		return
	}
	if len(b.bytes) == 0 {
		return
	}
	pd.tx.response = &hostInfo{os: r.next(), lm: r.next()}
	pd.tx.sessionID = uint64(c.h.uid)
}

// treeConnectReq1 opens a tree connect transaction with the share path.
func (p *Parser) treeConnectReq1(c *cmd1) {
	tx := p.newTx(1, uint16(c.cmd), txTree, uint64(c.h.uid), uint32(c.h.tid))
	b := c.blk
	if b.wc >= 4 {
		r := c.strings()
		r.skip(int(b.w16(6)))
		tx.share = r.next()
		tx.treeServiceReq = r.nextAs(false)
	}
	p.addPending(c.h.pendKey(c.idx), &pending{command: uint16(c.cmd), tx: tx, session: uint64(c.h.uid), tree: uint32(c.h.tid)})
}

// treeConnectResp1 binds the share to the tree id; service "IPC" is a pipe.
func (p *Parser) treeConnectResp1(c *cmd1, pd *pending) {
	if c.h.status != 0 || c.blk.wc < 3 {
		return
	}
	r := c.strings()
	svc := r.nextAs(false)
	tx := pd.tx
	tx.treeServiceResp = svc
	tx.pipe = svc == "IPC"
	tx.treeID = uint32(c.h.tid)
	p.addTree(treeKey{uint64(c.h.uid), uint32(c.h.tid)}, &treeInfo{share: tx.share, pipe: tx.pipe})
}
