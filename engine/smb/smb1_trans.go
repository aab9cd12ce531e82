package smb

import "github.com/wirescan/wirescan/engine/app"

// SMB1 TRANS (MS-CIFS 2.2.4.33) with the TransactNmPipe subcommand writes its
// data to a named pipe and returns the pipe's answer in the response data:
// both carry DCERPC. Other TRANS requests are generic transactions.

const smb1TransactNmPipe = 0x26

// transReq1 routes a TransactNmPipe request's data to the pipe's DCERPC
// reassembler and remembers the request for its response.
func (p *Parser) transReq1(c *cmd1) dataPlan {
	b := c.blk
	if b.wc < 16 || b.w16(28) != smb1TransactNmPipe {
		p.genericReq1(c)
		return dataPlan{}
	}
	fid := fid1(b.w16(30))
	session, tree := uint64(c.h.uid), uint32(c.h.tid)
	p.addPending(c.h.pendKey(c.idx), &pending{command: smb1Trans, transceive: true, session: session, tree: tree, fid: fid})
	off, n := int64(b.w16(24)), int64(b.w16(22))
	return p.pipePlan1(c, session, tree, fid, off, n, app.ToServer)
}

// transResp1 routes a TransactNmPipe response's data to the pipe.
func (p *Parser) transResp1(c *cmd1, pd *pending) dataPlan {
	b := c.blk
	if b.wc < 10 || (c.h.status != 0 && c.h.status != statusBufferOverflow) {
		return dataPlan{}
	}
	off, n := int64(b.w16(14)), int64(b.w16(12))
	return p.pipePlan1(c, pd.session, pd.tree, pd.fid, off, n, app.ToClient)
}

// pipePlan1 validates an SMB1 pipe data range and plans its delivery.
func (p *Parser) pipePlan1(c *cmd1, session uint64, tree uint32, fid fileID, off, n int64, dir app.Direction) dataPlan {
	if n == 0 {
		return dataPlan{}
	}
	if off < smb1HeaderLen || n > c.msgLen-off {
		p.anomaly(c.dir, AnomalyMalformed)
		return dataPlan{}
	}
	ref := fileRef{version: 1, session: session, tree: tree, fid: fid, dir: dir}
	return dataPlan{off: off, n: n, pipe: p.pipeOf(ref, c.pipeCtx(session, tree, smb1Trans))}
}
