package smb

import "github.com/wirescan/wirescan/engine/app"

// handleSMB2 parses one SMB2 message (mb is its first bytes, msgLen its full
// length) and dispatches it by command. It returns where the message's file
// data, if any, goes.
func (p *Parser) handleSMB2(dir app.Direction, mb []byte, msgLen int64) dataPlan {
	h, err := parseHdr2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
		return dataPlan{}
	}
	if h.response() != (dir == app.ToClient) {
		p.anomaly(dir, AnomalyDataDirection)
		return dataPlan{}
	}
	if !h.response() {
		return p.smb2Request(dir, &h, mb, msgLen)
	}
	if h.status == statusPending {
		// Interim response of an async operation; the final response
		// carries the same message id.
		return dataPlan{}
	}
	return p.smb2Response(dir, &h, mb, msgLen)
}

// smb2Request handles a client request.
func (p *Parser) smb2Request(dir app.Direction, h *hdr2, mb []byte, msgLen int64) dataPlan {
	c := &p.conn
	if h.related() {
		if h.session == ^uint64(0) {
			h.session = c.chainSession
		}
		if h.tree == ^uint32(0) {
			h.tree = c.chainTree
		}
	} else {
		c.chainHas = false
	}
	c.chainSession, c.chainTree = h.session, h.tree
	switch h.command {
	case smb2Negotiate:
		p.negotiateReq2(dir, h, mb)
	case smb2SessionSetup:
		p.sessionSetupReq2(dir, h, mb)
	case smb2TreeConnect:
		p.treeConnectReq2(dir, h, mb)
	case smb2TreeDisconnect:
		delete(c.trees, treeKey{h.session, h.tree})
		p.genericReq2(h)
	case smb2Create:
		p.createReq2(dir, h, mb)
	case smb2Read:
		p.readReq2(dir, h, mb)
	case smb2Write:
		return p.writeReq2(dir, h, mb, msgLen)
	case smb2Ioctl:
		return p.ioctlReq2(dir, h, mb, msgLen)
	case smb2Close:
		p.closeReq2(dir, h, mb)
	case smb2SetInfo:
		p.setInfoReq2(dir, h, mb)
	case smb2QueryInfo:
		// Suricata logs no transaction for GET_INFO.
	case smb2Cancel:
		// CANCEL reuses the message id of the request it cancels and has
		// no response: log it at once.
		p.report(dir, p.newTx(2, h.command, txGeneric, h.session, h.tree))
	default:
		p.genericReq2(h)
	}
	return dataPlan{}
}

// genericReq2 opens a transaction completed by the matching response.
func (p *Parser) genericReq2(h *hdr2) {
	tx := p.newTx(2, h.command, txGeneric, h.session, h.tree)
	p.addPending(pendKey{2, h.msgID}, &pending{command: h.command, tx: tx, session: h.session, tree: h.tree})
}

// smb2Response handles a final server response.
func (p *Parser) smb2Response(dir app.Direction, h *hdr2, mb []byte, msgLen int64) dataPlan {
	switch h.command {
	case smb2Read:
		return p.readResp2(dir, h, mb, msgLen)
	case smb2Ioctl:
		if pd := p.conn.pend[pendKey{2, h.msgID}]; pd != nil && pd.transceive {
			return p.ioctlResp2(dir, h, mb, msgLen)
		}
	case smb2Negotiate:
		p.negotiateResp2(dir, h, mb)
		return dataPlan{}
	}
	pd := p.takePending(pendKey{2, h.msgID})
	if pd == nil {
		return dataPlan{}
	}
	if pd.tx != nil {
		pd.tx.setNTStatus(h.status)
	}
	switch h.command {
	case smb2SessionSetup:
		p.sessionSetupResp2(h, pd)
	case smb2Ioctl:
		p.ioctlResp2Generic(h, pd)
	case smb2TreeConnect:
		p.treeConnectResp2(dir, h, mb, pd)
	case smb2Create:
		p.createResp2(dir, h, mb, pd)
	case smb2TreeDisconnect:
		delete(p.conn.trees, treeKey{h.session, h.tree})
	}
	if pd.tx != nil {
		p.report(dir, pd.tx)
	}
	return dataPlan{}
}
