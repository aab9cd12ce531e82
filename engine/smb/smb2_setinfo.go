package smb

import "github.com/wirescan/wirescan/engine/app"

// setInfoReq2 records renames and delete-on-close dispositions as
// transactions; other SET_INFO classes are not logged (as in Suricata).
func (p *Parser) setInfoReq2(dir app.Direction, h *hdr2, mb []byte) {
	r, err := parseSetInfoReq2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
		return
	}
	if r.infoType != smb2InfoFile {
		return
	}
	fid := r.fid
	var oldName string
	chained := false
	if fid == allOnesFID && h.related() && p.conn.chainHas {
		// Compound CREATE + SET_INFO: the file is the chain's CREATE,
		// whose FileId is not known before its response.
		if pd := p.conn.pend[pendKey{2, p.conn.chainCreate}]; pd != nil {
			oldName, chained = pd.name, true
		}
	}
	if fid == allOnesFID && !chained && p.conn.lastCreated {
		fid = p.conn.lastCreate
	}
	if fi := p.conn.fids[fidKey{2, fid}]; fi != nil && !chained {
		oldName = fi.name
	}
	var tx *Tx
	switch r.class {
	case fileRenameInformation:
		name, err := parseRenameInfo(r.buf)
		if err != nil {
			p.anomaly(dir, AnomalyMalformed)
			return
		}
		tx = p.newTx(2, h.command, txRename, h.session, h.tree)
		tx.renameFrom = oldName
		tx.renameTo = decodeUTF16(name)
		if fi := p.conn.fids[fidKey{2, fid}]; fi != nil {
			fi.name = tx.renameTo
		}
	case fileDispositionInformation:
		if len(r.buf) < 1 {
			p.anomaly(dir, AnomalyMalformed)
			return
		}
		tx = p.newTx(2, h.command, txSetFileInfo, h.session, h.tree)
		tx.filename = oldName
		tx.deleteOnClose = r.buf[0] != 0
	default:
		return
	}
	tx.fuid = fuidString(fid)
	tx.setInfoClass = r.class
	p.addPending(pendKey{2, h.msgID}, &pending{command: h.command, tx: tx, session: h.session, tree: h.tree})
}
