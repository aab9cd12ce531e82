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
	if fid == allOnesFID && p.conn.lastCreated {
		fid = p.conn.lastCreate
	}
	var oldName string
	if fi := p.conn.fids[fidKey{2, fid}]; fi != nil {
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
