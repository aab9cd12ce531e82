package smb

import "github.com/wirescan/wirescan/engine/app"

// handleSMB1 parses one SMB1 message and walks its AndX chain. It returns
// where the message's file data, if any, goes.
func (p *Parser) handleSMB1(dir app.Direction, mb []byte, msgLen int64) dataPlan {
	h, err := parseHdr1(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
		return dataPlan{}
	}
	if h.reply() != (dir == app.ToClient) {
		p.anomaly(dir, AnomalyDataDirection)
		return dataPlan{}
	}
	var plan dataPlan
	pos, cmd := smb1HeaderLen, h.command
	for i := 0; i < p.cfg.MaxCompound; i++ {
		blk, err := parseBlock1(mb, pos)
		if err != nil {
			if int64(len(mb)) == msgLen && !(h.reply() && h.status != 0) {
				p.anomaly(dir, AnomalyMalformed)
			}
			// An error response may carry no block; still complete the tx.
			blk = block1{bytesOff: pos}
		}
		cm := cmd1{h: &h, cmd: cmd, idx: i, blk: &blk, mb: mb, msgLen: msgLen, dir: dir}
		var pl dataPlan
		if h.reply() {
			pl = p.smb1Response(&cm)
		} else if cmd == smb1CloseCmd && plan.n > 0 && plan.file != nil && blk.wc >= 1 {
			// WRITE_ANDX + CLOSE in one chain: the write's data is
			// delivered after the chain is parsed, so close afterwards.
			plan.closeAfter = true
			delete(p.conn.fids, fidKey{1, fid1(blk.w16(0))})
			p.genericReq1(&cm)
		} else {
			pl = p.smb1Request(&cm)
		}
		if pl.n > 0 && plan.n == 0 {
			plan = pl
		}
		if err != nil || !isAndX(cmd) || blk.wc < 2 {
			return plan
		}
		next, nextOff := blk.words[0], int(blk.w16(2))
		if next == smb1NoAndX {
			return plan
		}
		if nextOff <= pos || int64(nextOff) >= msgLen {
			p.anomaly(dir, AnomalyMalformed)
			return plan
		}
		pos, cmd = nextOff, next
	}
	p.anomaly(dir, AnomalyCompoundTooLong)
	return plan
}

// cmd1 is one command of an SMB1 message (one link of an AndX chain).
type cmd1 struct {
	h      *hdr1
	cmd    uint8
	idx    int
	blk    *block1
	mb     []byte
	msgLen int64
	dir    app.Direction
}

func (c *cmd1) strings() strReader {
	return strReader{b: c.blk.bytes, base: c.blk.bytesOff, unicode: c.h.unicode()}
}

// smb1Request handles one request command.
func (p *Parser) smb1Request(c *cmd1) dataPlan {
	switch c.cmd {
	case smb1Negotiate:
		p.negotiateReq1(c)
	case smb1SessionSetupAndX:
		p.sessionSetupReq1(c)
	case smb1TreeConnectAndX:
		p.treeConnectReq1(c)
	case smb1NTCreateAndX, smb1OpenAndX:
		p.createReq1(c)
	case smb1Open, smb1Create, smb1CreateNew:
		p.coreOpenReq1(c)
	case smb1ReadAndX:
		p.readReq1(c)
	case smb1Read, smb1LockAndRead:
		p.coreReadReq1(c)
	case smb1WriteAndX, smb1Write, smb1WriteAndUnlock:
		return p.writeReq1(c)
	case smb1WriteAndClose:
		return p.writeAndCloseReq1(c)
	case smb1ReadRaw:
		p.readRawReq1(c)
	case smb1WriteRaw:
		return p.writeRawReq1(c)
	case smb1Trans:
		return p.transReq1(c)
	case smb1Trans2:
		p.trans2Req1(c)
	case smb1NTTrans:
		p.ntTransReq1(c)
	case smb1CloseCmd:
		if c.blk.wc >= 1 {
			fid := fid1(c.blk.w16(0))
			p.closeFID(1, uint64(c.h.uid), uint32(c.h.tid), fid)
			delete(p.conn.fids, fidKey{1, fid})
		}
		p.genericReq1(c)
	case smb1TreeDisconnect:
		delete(p.conn.trees, treeKey{uint64(c.h.uid), uint32(c.h.tid)})
		p.genericReq1(c)
	case smb1NTCancel:
		p.report(c.dir, p.newTx(1, uint16(c.cmd), txGeneric, uint64(c.h.uid), uint32(c.h.tid)))
	case 0x26, smb1Trans2Secondary, 0xA1:
		// No transaction of their own (secondaries continue a transaction).
	default:
		p.genericReq1(c)
	}
	return dataPlan{}
}

// genericReq1 opens a transaction completed by the matching response.
func (p *Parser) genericReq1(c *cmd1) {
	tx := p.newTx(1, uint16(c.cmd), txGeneric, uint64(c.h.uid), uint32(c.h.tid))
	p.addPending(c.h.pendKey(c.idx), &pending{command: uint16(c.cmd), tx: tx, session: uint64(c.h.uid), tree: uint32(c.h.tid)})
}

// smb1Response handles one response command.
func (p *Parser) smb1Response(c *cmd1) dataPlan {
	pd := p.takePending(c.h.pendKey(c.idx))
	if pd == nil {
		return dataPlan{}
	}
	if pd.command != uint16(c.cmd) {
		if pd.tx != nil {
			c.h.setStatus(pd.tx)
			p.report(c.dir, pd.tx)
		}
		return dataPlan{}
	}
	switch c.cmd {
	case smb1ReadAndX:
		return p.readResp1(c, pd)
	case smb1Read, smb1LockAndRead:
		return p.coreReadResp1(c, pd)
	case smb1WriteRaw:
		p.writeRawResp1(c, pd)
		return dataPlan{}
	}
	if pd.transceive {
		return p.transResp1(c, pd)
	}
	if pd.tx == nil {
		return dataPlan{}
	}
	c.h.setStatus(pd.tx)
	switch c.cmd {
	case smb1Negotiate:
		p.negotiateResp1(c, pd)
	case smb1SessionSetupAndX:
		p.sessionSetupResp1(c, pd)
	case smb1TreeConnectAndX:
		p.treeConnectResp1(c, pd)
	case smb1NTCreateAndX, smb1OpenAndX:
		p.createResp1(c, pd)
	case smb1Open, smb1Create, smb1CreateNew:
		p.coreOpenResp1(c, pd)
	case smb1Trans2:
		p.trans2Resp1(c, pd)
	case smb1NTTrans:
		p.ntTransResp1(c, pd)
	}
	p.report(c.dir, pd.tx)
	return dataPlan{}
}

// fid1 stores an SMB1 FID in a fileID.
func fid1(v uint16) fileID {
	var f fileID
	f[0], f[1] = byte(v), byte(v>>8)
	return f
}
