package smb

import "github.com/wirescan/wirescan/engine/app"

// createReq2 opens a CREATE transaction with the file name and disposition.
func (p *Parser) createReq2(dir app.Direction, h *hdr2, mb []byte) {
	r, err := parseCreateReq2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
	}
	tx := p.newTx(2, h.command, txCreate, h.session, h.tree)
	tx.filename = decodeUTF16(r.name)
	tx.disposition = r.disposition
	tx.deleteOnClose = r.options&createOptDeleteOnClose != 0
	tx.directory = r.options&createOptDirectory != 0
	pd := &pending{command: h.command, tx: tx, session: h.session, tree: h.tree, name: tx.filename}
	if err == nil {
		d, derr := parseDurableReq(mb, r.ctxOff, r.ctxLen)
		if derr != nil {
			p.anomaly(dir, AnomalyMalformed)
		}
		pd.durable = d
	}
	p.addPending(pendKey{2, h.msgID}, pd)
	p.conn.chainCreate, p.conn.chainHas = h.msgID, true
}

// createResp2 binds the file id to the requested name, fills the CREATE
// transaction and hands the id to files opened through a related FileId.
func (p *Parser) createResp2(dir app.Direction, h *hdr2, mb []byte, pd *pending) {
	if pd.command != smb2Create || pd.tx == nil || h.status != statusSuccess {
		return
	}
	r, err := parseCreateResp2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
		return
	}
	tx := pd.tx
	tx.created = windowsTime(r.created)
	tx.accessed = windowsTime(r.accessed)
	tx.modified = windowsTime(r.modified)
	tx.changed = windowsTime(r.changed)
	tx.size = r.size
	tx.fuid = fuidString(r.fid)
	tx.timesSet = true
	pipe := false
	if t := p.conn.trees[treeKey{pd.session, pd.tree}]; t != nil {
		pipe = t.pipe
	}
	fi := &fidInfo{name: pd.name, pipe: pipe}
	p.durableOpen(dir, fi, pd.durable, mb, r)
	p.addFID(fidKey{2, r.fid}, fi)
	p.conn.lastCreate, p.conn.lastCreated = r.fid, true
	p.rekeyRelated(h.msgID, r.fid, tx.fuid)
}

// closeReq2 closes the files of a FileId and opens a CLOSE transaction.
func (p *Parser) closeReq2(dir app.Direction, h *hdr2, mb []byte) {
	fid, err := parseCloseReq2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
	} else {
		p.closeFID(2, h.session, h.tree, fid)
		if fid != allOnesFID {
			delete(p.conn.fids, fidKey{2, fid})
		}
	}
	p.genericReq2(h)
}

// durableOpen records on fi what the durable contexts of a successful
// CREATE made of the open: a durable handle the server granted (its
// response carries DHnQ/DH2Q), or a durable handle reconnected.
func (p *Parser) durableOpen(dir app.Direction, fi *fidInfo, req durableCtx, mb []byte, r createResp2) {
	switch {
	case req.reconnect:
		fi.durable, fi.reconnect = true, true
		p.stats.DurableReconnects++
	case req.request:
		granted, err := parseDurableResp(mb, r.ctxOff, r.ctxLen)
		if err != nil {
			p.anomaly(dir, AnomalyMalformed)
		}
		if !granted {
			return
		}
		fi.durable = true
		p.stats.DurableOpens++
	default:
		return
	}
	if req.v2 {
		fi.createGUID = req.createGUID
	}
}
