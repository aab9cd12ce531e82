package smb

import "github.com/wirescan/wirescan/engine/app"

// SMB1 READ_ANDX, WRITE_ANDX, core WRITE and WRITE_AND_UNLOCK (the core READ
// forms are in smb1_core.go).

// readReq1 remembers a READ_ANDX request (FID, 32- or 64-bit offset).
func (p *Parser) readReq1(c *cmd1) {
	b := c.blk
	if b.wc < 10 {
		p.anomaly(c.dir, AnomalyMalformed)
		return
	}
	off := uint64(b.w32(6))
	if b.wc >= 12 {
		off |= uint64(b.w32(20)) << 32
	}
	p.addPending(c.h.pendKey(c.idx), &pending{command: smb1ReadAndX, session: uint64(c.h.uid),
		tree: uint32(c.h.tid), fid: fid1(b.w16(4)), offset: off})
}

// readResp1 plans delivery of a READ_ANDX response's data at the requested
// offset.
func (p *Parser) readResp1(c *cmd1, pd *pending) dataPlan {
	b := c.blk
	if (c.h.status != 0 && c.h.status != statusBufferOverflow) || b.wc < 12 {
		return dataPlan{}
	}
	n := int64(b.w16(10)) | int64(b.w16(14))<<16
	off := int64(b.w16(12))
	return p.planData1(c, pd.session, pd.tree, pd.fid, pd.offset, off, n, app.ToClient, smb1ReadAndX)
}

// writeReq1 plans delivery of a WRITE_ANDX (or core WRITE) request's data.
func (p *Parser) writeReq1(c *cmd1) dataPlan {
	b := c.blk
	if c.cmd == smb1Write || c.cmd == smb1WriteAndUnlock {
		if b.wc < 5 || len(b.bytes) < 3 {
			p.anomaly(c.dir, AnomalyMalformed)
			return dataPlan{}
		}
		n := int64(b.bytes[1]) | int64(b.bytes[2])<<8
		return p.planData1(c, uint64(c.h.uid), uint32(c.h.tid), fid1(b.w16(0)), uint64(b.w32(4)),
			int64(b.bytesOff)+3, n, app.ToServer, uint16(c.cmd))
	}
	if b.wc < 12 {
		p.anomaly(c.dir, AnomalyMalformed)
		return dataPlan{}
	}
	fileOff := uint64(b.w32(6))
	if b.wc >= 14 {
		fileOff |= uint64(b.w32(24)) << 32
	}
	n := int64(b.w16(20)) | int64(b.w16(18))<<16
	return p.planData1(c, uint64(c.h.uid), uint32(c.h.tid), fid1(b.w16(4)), fileOff,
		int64(b.w16(22)), n, app.ToServer, smb1WriteAndX)
}

// pipeCtx describes this command as the carrier of named-pipe bytes.
func (c *cmd1) pipeCtx(session uint64, tree uint32, command uint16) pipeCtx {
	ctx := pipeCtx{version: 1, command: command, session: session, tree: tree}
	if c.h.reply() {
		ctx.statusSet = true
		if c.h.flags2&smb1Flags2NTError != 0 || c.h.status == 0 {
			ctx.ntStatus, ctx.status = true, c.h.status
		} else {
			ctx.dosClass, ctx.dosCode = uint8(c.h.status), uint16(c.h.status>>16)
		}
	}
	return ctx
}

// planData1 validates an SMB1 data range and finds (or opens) its file.
func (p *Parser) planData1(c *cmd1, session uint64, tree uint32, fid fileID, fileOff uint64,
	off, n int64, dir app.Direction, command uint16) dataPlan {
	if n == 0 {
		return dataPlan{}
	}
	if off < smb1HeaderLen || n > c.msgLen-off {
		p.anomaly(c.dir, AnomalyMalformed)
		return dataPlan{}
	}
	if n > int64(p.cfg.MaxReadWriteBytes) {
		p.anomaly(c.dir, AnomalyReadWriteTooLarge)
		return dataPlan{}
	}
	if fileOff > maxSaneFileOffset {
		p.anomaly(c.dir, AnomalyOffsetTooLarge)
		return dataPlan{}
	}
	fidv := uint16(fid[0]) | uint16(fid[1])<<8
	ref := fileRef{version: 1, session: session, tree: tree, fid: fid, dir: dir, command: command, fuid: fid1String(fidv)}
	probe := dataProbe(c.mb, off, n)
	if pp := p.pipeFor(ref, probe, c.pipeCtx(session, tree, command)); pp != nil {
		return dataPlan{off: off, n: n, pipe: pp}
	}
	f := p.fileFor(ref, probe)
	if f != nil {
		f.tx.setNTStatus(statusSuccess)
	}
	return dataPlan{off: off, n: n, file: f, fileOff: int64(fileOff)}
}
