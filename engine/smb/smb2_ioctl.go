package smb

import "github.com/wirescan/wirescan/engine/app"

// SMB2 IOCTL (MS-SMB2 2.2.31/2.2.32). FSCTL_PIPE_TRANSCEIVE writes its input
// to a named pipe and returns the pipe's answer as output: both carry
// DCERPC. Other control codes are generic transactions.

const (
	fsctlPipeTransceive = 0x0011C017
	ioctlReq2Fixed      = smb2HeaderLen + 56
	ioctlResp2Fixed     = smb2HeaderLen + 48
)

// ioctlReq2 routes a FSCTL_PIPE_TRANSCEIVE input buffer to the pipe's DCERPC
// reassembler and remembers the request for its response.
func (p *Parser) ioctlReq2(dir app.Direction, h *hdr2, mb []byte, msgLen int64) dataPlan {
	c := newCursor(mb)
	c.skip(smb2HeaderLen + 4)
	code := c.u32()
	fid := c.fid()
	inOff, inLen := int64(c.u32()), int64(c.u32())
	if c.err() != nil || code != fsctlPipeTransceive {
		p.genericReq2(h)
		return dataPlan{}
	}
	p.addPending(pendKey{2, h.msgID}, &pending{command: smb2Ioctl, transceive: true, session: h.session, tree: h.tree, fid: fid})
	if inLen == 0 {
		return dataPlan{}
	}
	if inOff < ioctlReq2Fixed || inLen > msgLen-inOff {
		p.anomaly(dir, AnomalyMalformed)
		return dataPlan{}
	}
	ref := fileRef{version: 2, session: h.session, tree: h.tree, fid: fid, dir: app.ToServer}
	pp := p.pipeOf(ref, pipeCtx{version: 2, command: smb2Ioctl, session: h.session, tree: h.tree})
	return dataPlan{off: inOff, n: inLen, pipe: pp}
}

// ioctlResp2 routes a FSCTL_PIPE_TRANSCEIVE output buffer to the pipe.
func (p *Parser) ioctlResp2(dir app.Direction, h *hdr2, mb []byte, msgLen int64) dataPlan {
	pd := p.takePending(pendKey{2, h.msgID})
	if h.status != statusSuccess && h.status != statusBufferOverflow {
		return dataPlan{}
	}
	c := newCursor(mb)
	c.skip(smb2HeaderLen + 32)
	outOff, outLen := int64(c.u32()), int64(c.u32())
	if c.err() != nil {
		p.anomaly(dir, AnomalyMalformed)
		return dataPlan{}
	}
	if outLen == 0 {
		return dataPlan{}
	}
	if outOff < ioctlResp2Fixed || outLen > msgLen-outOff {
		p.anomaly(dir, AnomalyMalformed)
		return dataPlan{}
	}
	ref := fileRef{version: 2, session: pd.session, tree: pd.tree, fid: pd.fid, dir: app.ToClient}
	pp := p.pipeOf(ref, pipeCtx{version: 2, command: smb2Ioctl, session: pd.session, tree: pd.tree,
		statusSet: true, ntStatus: true, status: h.status})
	return dataPlan{off: outOff, n: outLen, pipe: pp}
}
