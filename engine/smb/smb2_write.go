package smb

import "github.com/wirescan/wirescan/engine/app"

// writeReq2 plans the delivery of a WRITE request's data to its file at the
// request's offset. A related compound WRITE (all-ones FileId) is attached to
// the CREATE earlier in the chain and re-keyed when that CREATE's response
// reveals the real FileId.
func (p *Parser) writeReq2(dir app.Direction, h *hdr2, mb []byte, msgLen int64) dataPlan {
	r, err := parseWriteReq2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
		return dataPlan{}
	}
	off, n := int64(r.dataOff), int64(r.length)
	if !p.dataSane(dir, off, n, writeReq2Fixed, msgLen, int64(r.offset)) {
		return dataPlan{}
	}
	ref := fileRef{version: 2, session: h.session, tree: h.tree, fid: r.fid, dir: app.ToServer,
		command: smb2Write, fuid: fuidString(r.fid)}
	if h.related() && r.fid == allOnesFID && p.conn.chainHas {
		ref.createMsg, ref.hasCreateMsg = p.conn.chainCreate, true
		if pd := p.conn.pend[pendKey{2, p.conn.chainCreate}]; pd != nil {
			ref.name, ref.hasName = pd.name, true
		}
	}
	probe := dataProbe(mb, off, n)
	if pp := p.pipeFor(ref, probe, pipeCtx{version: 2, command: smb2Write, session: h.session, tree: h.tree}); pp != nil {
		return dataPlan{off: off, n: n, pipe: pp}
	}
	f := p.fileFor(ref, probe)
	return dataPlan{off: off, n: n, file: f, fileOff: int64(r.offset)}
}

// dataSane checks the data of a READ response or WRITE request: n bytes at
// message offset off (after a fixed part of fixed bytes) inside a message of
// msgLen, for file offset fileOff. Anything off is an anomaly and no data is
// planned; an empty transfer is simply nothing to do.
func (p *Parser) dataSane(dir app.Direction, off, n, fixed, msgLen, fileOff int64) bool {
	switch {
	case n == 0:
		return false
	case off < fixed || n > msgLen-off:
		p.anomaly(dir, AnomalyMalformed)
	case n > int64(p.cfg.MaxReadWriteBytes):
		p.anomaly(dir, AnomalyReadWriteTooLarge)
	case fileOff > maxSaneFileOffset || fileOff < 0:
		p.anomaly(dir, AnomalyOffsetTooLarge)
	default:
		return true
	}
	return false
}
