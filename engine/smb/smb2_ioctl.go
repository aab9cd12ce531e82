package smb

import (
	"strings"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/dcerpc"
)

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
	if c.err() != nil || code != fsctlPipeTransceive || !p.transceiveCarriesDCERPC(h, fid, mb, inOff, inLen) {
		p.genericReq2(h)
		if c.err() == nil && code == fsctlLMRRequestResiliency {
			if pd := p.conn.pend[pendKey{2, h.msgID}]; pd != nil {
				pd.resiliency, pd.fid = true, fid
			}
		}
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

// transceiveCarriesDCERPC reports whether a FSCTL_PIPE_TRANSCEIVE input goes
// to the DCERPC reassembler: not on a pipe known to speak something else
// (PsExec's PSEXESVC), and not when the input, where it is in mb, neither
// starts a DCERPC PDU nor continues one. Other transceives (PsExec's own
// protocol) are generic IOCTL transactions, as in Suricata.
func (p *Parser) transceiveCarriesDCERPC(h *hdr2, fid fileID, mb []byte, inOff, inLen int64) bool {
	if fi := p.conn.fids[fidKey{2, fid}]; fi != nil && nonDCERPCPipe(fi.name) {
		return false
	}
	if inLen == 0 || inOff < ioctlReq2Fixed || inOff+min(inLen, 16) > int64(len(mb)) {
		return true // nothing to look at: the pipe decides
	}
	if dcerpc.LooksLike(mb[inOff:min(inOff+inLen, int64(len(mb)))]) {
		return true
	}
	pp := p.conn.pipes[pipeKey{fidKey{2, fid}, app.ToServer}]
	return pp != nil && pp.stream.Pending() > 0
}

// nonDCERPCPipe names pipes whose data is not DCERPC.
func nonDCERPCPipe(name string) bool {
	name = strings.TrimPrefix(name, `\`)
	return strings.EqualFold(name, "PSEXESVC")
}

// ioctlResp2Generic completes a generic IOCTL: a granted
// FSCTL_LMR_REQUEST_RESILIENCY makes the handle resilient, which, like a
// durable one, may be reopened on another connection (MS-SMB2 3.3.5.15.9).
func (p *Parser) ioctlResp2Generic(h *hdr2, pd *pending) {
	if !pd.resiliency || h.status != statusSuccess {
		return
	}
	if fi := p.conn.fids[fidKey{2, pd.fid}]; fi != nil && !fi.durable {
		fi.durable = true
		p.stats.DurableOpens++
	}
}
