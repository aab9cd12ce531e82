package smb

import "github.com/wirescan/wirescan/engine/app"

// treeConnectReq2 opens a tree connect transaction with the share path.
func (p *Parser) treeConnectReq2(dir app.Direction, h *hdr2, mb []byte) {
	tx := p.newTx(2, h.command, txTree, h.session, h.tree)
	path, err := parseTreeConnectReq2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
	}
	tx.share = decodeUTF16(path)
	p.addPending(pendKey{2, h.msgID}, &pending{command: h.command, tx: tx, session: h.session, tree: h.tree, name: tx.share})
}

// treeConnectResp2 binds the share to the tree id the server assigned.
func (p *Parser) treeConnectResp2(dir app.Direction, h *hdr2, mb []byte, pd *pending) {
	if pd.command != smb2TreeConnect || pd.tx == nil || h.status != statusSuccess {
		return
	}
	st, err := parseTreeConnectResp2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
		return
	}
	tx := pd.tx
	tx.shareType = st
	tx.pipe = st == smb2SharePipe
	tx.treeID = h.tree
	tx.sessionID = h.session
	p.addTree(treeKey{h.session, h.tree}, &treeInfo{share: tx.share, pipe: tx.pipe})
}
