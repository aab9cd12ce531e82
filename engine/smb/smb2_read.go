package smb

import "github.com/wirescan/wirescan/engine/app"

// readReq2 remembers a READ request (file id, offset) until its response.
func (p *Parser) readReq2(dir app.Direction, h *hdr2, mb []byte) {
	r, err := parseReadReq2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
		return
	}
	if int64(r.length) > int64(p.cfg.MaxReadWriteBytes) {
		p.anomaly(dir, AnomalyReadWriteTooLarge)
		return
	}
	pd := &pending{command: smb2Read, session: h.session, tree: h.tree, fid: r.fid, offset: r.offset, length: r.length}
	if h.related() && r.fid == allOnesFID && p.conn.chainHas {
		pd.related, pd.createRef = true, p.conn.chainCreate
	}
	p.addPending(pendKey{2, h.msgID}, pd)
}

// readResp2 pairs a READ response with its request and plans the delivery
// of its data to the file at the requested offset.
func (p *Parser) readResp2(dir app.Direction, h *hdr2, mb []byte, msgLen int64) dataPlan {
	pd := p.takePending(pendKey{2, h.msgID})
	if pd == nil {
		return dataPlan{}
	}
	if pd.command != smb2Read {
		if pd.tx != nil {
			pd.tx.setNTStatus(h.status)
			p.report(dir, pd.tx)
		}
		return dataPlan{}
	}
	if h.status != statusSuccess && h.status != statusBufferOverflow {
		return dataPlan{}
	}
	r, err := parseReadResp2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
		return dataPlan{}
	}
	off, n := int64(r.dataOff), int64(r.length)
	if !p.dataSane(dir, off, n, readResp2Fixed, msgLen, int64(pd.offset)) {
		return dataPlan{}
	}
	fid := pd.fid
	if pd.related && p.conn.lastCreated {
		fid = p.conn.lastCreate
	}
	ref := fileRef{version: 2, session: pd.session, tree: pd.tree, fid: fid, dir: app.ToClient,
		command: smb2Read, fuid: fuidString(fid)}
	probe := dataProbe(mb, off, n)
	ctx := pipeCtx{version: 2, command: smb2Read, session: pd.session, tree: pd.tree,
		statusSet: true, ntStatus: true, status: h.status}
	if pp := p.pipeFor(ref, probe, ctx); pp != nil {
		return dataPlan{off: off, n: n, pipe: pp}
	}
	f := p.fileFor(ref, probe)
	if f != nil {
		f.tx.setNTStatus(h.status)
	}
	return dataPlan{off: off, n: n, file: f, fileOff: int64(pd.offset)}
}

// dataProbe returns the data bytes of a message that are in its buffered
// prefix (possibly none).
func dataProbe(mb []byte, off, n int64) []byte {
	if off >= int64(len(mb)) {
		return nil
	}
	return mb[off:min(int64(len(mb)), off+n)]
}
