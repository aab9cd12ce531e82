package smb

import "github.com/wirescan/wirescan/engine/app"

// DCERPC over named pipes: the payload of SMB2 WRITE/READ/IOCTL
// (FSCTL_PIPE_TRANSCEIVE) and SMB1 WRITE_ANDX/READ_ANDX/TRANS on a pipe is a
// stream of connection-oriented DCERPC PDUs per pipe and direction. Each
// request (BIND, ALTER_CONTEXT, REQUEST, ...) starts a transaction keyed by
// (pipe, call id) that the matching response fragment(s) complete, as
// Suricata logs them: the SMB command is the one that carried the request.

// pipeKey identifies one direction of an open named pipe.
type pipeKey struct {
	fid fidKey
	dir app.Direction
}

// pipeCtx is what the SMB message currently delivering pipe bytes tells the
// DCERPC layer: the command, ids and (for responses) the status.
type pipeCtx struct {
	version   uint8
	command   uint16
	session   uint64
	tree      uint32
	statusSet bool
	ntStatus  bool
	status    uint32
	dosClass  uint8
	dosCode   uint16
}

// dcePipe reassembles the PDUs of one pipe direction. buf never exceeds one
// fragment (at most 65535 bytes, the largest frag_length).
type dcePipe struct {
	key pipeKey
	buf []byte
	bad bool // lost PDU framing: drop bytes until the next SMB message
	seq uint64
	ctx pipeCtx
}

// dceIface is one presentation context bound on the connection.
type dceIface struct {
	dceContext
	acked bool
}

// dceTxKey finds the transaction of a call.
type dceTxKey struct {
	fid    fidKey
	callID uint32
}

// dceTx is the DCERPC part of an SMB transaction.
type dceTx struct {
	reqType, resType uint8
	reqSet, resSet   bool
	opnum, ctxID     uint16
	callID           uint32
	reqFrags         int
	resFrags         int
	reqFirst         bool // the request's first fragment was seen
	reqStubLen       int64
	resStubLen       int64
	reqStub, resStub []byte // the first Config.MaxDCERPCStubBytes of the stub
	ifaces           []dceIface
	seq              uint64
	key              dceTxKey
	dir              app.Direction
}

// pipeFor returns the DCERPC reassembler for data of ref when ref names a
// named pipe (a pipe tree, a pipe file id, or, midstream, DCERPC payload on
// an unknown tree), else nil. ctx describes the carrying message.
func (p *Parser) pipeFor(ref fileRef, probe []byte, ctx pipeCtx) *dcePipe {
	if !p.isPipe(ref, probe) {
		return nil
	}
	return p.pipeOf(ref, ctx)
}

// pipeOf returns (creating it) the DCERPC reassembler of ref's pipe
// direction, bounded by Config.MaxOpenFiles (the oldest is evicted).
func (p *Parser) pipeOf(ref fileRef, ctx pipeCtx) *dcePipe {
	k := pipeKey{fidKey{ref.version, ref.fid}, ref.dir}
	c := &p.conn
	pp := c.pipes[k]
	if pp == nil {
		if len(c.pipes) >= p.cfg.MaxOpenFiles {
			if evictOldest(c.pipes, func(v *dcePipe) uint64 { return v.seq }) {
				p.stats.Evictions++
			}
		}
		pp = &dcePipe{key: k, seq: c.nextSeq()}
		c.pipes[k] = pp
	}
	if pp.bad {
		pp.bad, pp.buf = false, pp.buf[:0]
	}
	pp.ctx = ctx
	return pp
}

// isPipe reports whether ref's data travels on a named pipe.
func (p *Parser) isPipe(ref fileRef, probe []byte) bool {
	if t, ok := p.conn.trees[treeKey{ref.session, ref.tree}]; ok {
		if t.pipe {
			return true
		}
		if fi := p.conn.fids[fidKey{ref.version, ref.fid}]; fi != nil && fi.pipe {
			return true
		}
		return false
	}
	if fi := p.conn.fids[fidKey{ref.version, ref.fid}]; fi != nil && fi.pipe {
		return true
	}
	if looksLikeDCERPC(probe) {
		p.addTree(treeKey{ref.session, ref.tree}, &treeInfo{pipe: true})
		return true
	}
	return false
}

// pipeData appends pipe bytes and handles every complete PDU.
func (p *Parser) pipeData(pp *dcePipe, b []byte) {
	for len(b) > 0 && !pp.bad {
		want := dceHeaderLen
		if len(pp.buf) >= dceHeaderLen {
			h, err := parseDCEHdr(pp.buf)
			if err != nil {
				p.pipeLost(pp)
				return
			}
			want = int(h.fragLen)
		}
		n := min(want-len(pp.buf), len(b))
		pp.buf = append(pp.buf, b[:n]...)
		b = b[n:]
		if len(pp.buf) == dceHeaderLen {
			if _, err := parseDCEHdr(pp.buf); err != nil {
				p.pipeLost(pp)
				return
			}
			continue
		}
		if len(pp.buf) >= dceHeaderLen && len(pp.buf) == want {
			p.dcePDU(pp, pp.buf)
			pp.buf = pp.buf[:0]
		}
	}
}

// pipeLost drops PDU framing on a pipe until its next SMB message. Pipes
// that carry something other than DCERPC end up here silently.
func (p *Parser) pipeLost(pp *dcePipe) {
	pp.bad = true
	pp.buf = pp.buf[:0]
}

// pipeGap notes lost pipe bytes: the PDU in progress is abandoned.
func (p *Parser) pipeGap(pp *dcePipe) {
	if pp != nil {
		p.pipeLost(pp)
	}
}

// dcePDU handles one complete PDU.
func (p *Parser) dcePDU(pp *dcePipe, pdu []byte) {
	h, err := parseDCEHdr(pdu)
	if err != nil {
		p.pipeLost(pp)
		return
	}
	p.stats.DCERPCPDUs++
	body := dceBody(&h, pdu)
	if pp.key.dir == app.ToServer {
		p.dceRequestPDU(pp, &h, body)
		return
	}
	p.dceResponsePDU(pp, &h, body)
}

// dceRequestPDU handles a client PDU: it starts or continues the call's
// transaction.
func (p *Parser) dceRequestPDU(pp *dcePipe, h *dceHdr, body []byte) {
	k := dceTxKey{pp.key.fid, h.callID}
	tx := p.conn.dceTxs[k]
	if tx != nil && (h.ptype != dceRequest || h.first() || tx.dce.reqType != dceRequest) {
		// A new call reusing the id: the old one is finished as it is.
		p.finishDCE(tx)
		tx = nil
	}
	if tx == nil {
		tx = p.newDCETx(pp, h, k)
	}
	d := tx.dce
	switch h.ptype {
	case dceRequest:
		r, err := parseDCERequest(h, body)
		if err != nil {
			p.anomaly(app.ToServer, AnomalyMalformed)
			return
		}
		if d.reqFrags == 0 || h.first() {
			d.opnum, d.ctxID = r.opnum, r.ctxID
		}
		d.reqFirst = d.reqFirst || h.first()
		d.reqFrags++
		d.reqStubLen += int64(len(r.stub))
		d.reqStub = p.appendStub(d.reqStub, r.stub)
	case dceBind, dceAlterCtx:
		ctxs, err := parseDCEBind(h, body)
		if err != nil {
			p.anomaly(app.ToServer, AnomalyMalformed)
		}
		if h.ptype == dceBind {
			p.conn.dceIfaces = p.conn.dceIfaces[:0]
		}
		for _, c := range ctxs {
			if len(p.conn.dceIfaces) >= dceMaxContexts {
				break
			}
			p.conn.dceIfaces = append(p.conn.dceIfaces, dceIface{dceContext: c})
		}
		d.reqFrags++
	default:
		d.reqFrags++
		if h.ptype == dceAuth3 || h.ptype == dceOrphaned || h.ptype == dceCoCancel {
			// No response follows.
			p.finishDCE(tx)
		}
	}
}

// newDCETx starts the transaction of a call.
func (p *Parser) newDCETx(pp *dcePipe, h *dceHdr, k dceTxKey) *Tx {
	c := &p.conn
	if len(c.dceTxs) >= p.cfg.MaxOutstanding {
		p.anomaly(app.ToServer, AnomalyTooManyOutstanding)
		var oldest *Tx
		for _, v := range c.dceTxs {
			if oldest == nil || v.dce.seq < oldest.dce.seq {
				oldest = v
			}
		}
		p.finishDCE(oldest)
		p.stats.Evictions++
	}
	tx := p.newTx(pp.ctx.version, pp.ctx.command, txDCERPC, pp.ctx.session, pp.ctx.tree)
	tx.dce = &dceTx{reqType: h.ptype, reqSet: true, callID: h.callID, seq: c.nextSeq(), key: k, dir: app.ToServer}
	c.dceTxs[k] = tx
	return tx
}

// dceResponsePDU handles a server PDU: it completes the call's transaction
// at the last fragment.
func (p *Parser) dceResponsePDU(pp *dcePipe, h *dceHdr, body []byte) {
	k := dceTxKey{pp.key.fid, h.callID}
	tx := p.conn.dceTxs[k]
	if tx == nil {
		// A response to a request we did not see (midstream): Suricata logs
		// it with request REQUEST_LOST.
		tx = p.newTx(pp.ctx.version, pp.ctx.command, txDCERPC, pp.ctx.session, pp.ctx.tree)
		tx.dce = &dceTx{callID: h.callID, seq: p.conn.nextSeq(), key: k}
		p.conn.dceTxs[k] = tx
	}
	d := tx.dce
	d.resType, d.resSet = h.ptype, true
	d.dir = app.ToClient
	pp.ctx.apply(tx)
	done := true
	switch h.ptype {
	case dceResponse:
		stub, err := parseDCEResponse(body)
		if err != nil {
			p.anomaly(app.ToClient, AnomalyMalformed)
			break
		}
		d.resFrags++
		d.resStubLen += int64(len(stub))
		d.resStub = p.appendStub(d.resStub, stub)
		done = h.last()
	case dceBindAck, dceAlterCtxRes:
		res, err := parseDCEBindAck(h, body)
		if err != nil {
			p.anomaly(app.ToClient, AnomalyMalformed)
		}
		// Results answer the contexts of the BIND in order; an
		// ALTER_CONTEXT's results answer the contexts it appended.
		base := 0
		if h.ptype == dceAlterCtxRes {
			base = max(0, len(p.conn.dceIfaces)-len(res))
		}
		for i, r := range res {
			if j := base + i; j < len(p.conn.dceIfaces) {
				f := &p.conn.dceIfaces[j]
				f.result, f.reason, f.acked = r.result, r.reason, true
			}
		}
	}
	if done {
		p.finishDCE(tx)
	}
}

// apply records the carrying message's status on tx.
func (c *pipeCtx) apply(tx *Tx) {
	switch {
	case !c.statusSet:
	case c.ntStatus:
		tx.setNTStatus(c.status)
	default:
		tx.setDOSError(c.dosClass, c.dosCode)
	}
}

// appendStub keeps at most Config.MaxDCERPCStubBytes of a stub.
func (p *Parser) appendStub(dst, b []byte) []byte {
	room := p.cfg.MaxDCERPCStubBytes - len(dst)
	if room <= 0 {
		return dst
	}
	return append(dst, b[:min(room, len(b))]...)
}

// finishDCE snapshots the bound interfaces into tx and reports it.
func (p *Parser) finishDCE(tx *Tx) {
	if tx == nil || tx.dce == nil {
		return
	}
	d := tx.dce
	delete(p.conn.dceTxs, d.key)
	d.ifaces = append([]dceIface(nil), p.conn.dceIfaces...)
	p.report(d.dir, tx)
}

// finishAllDCE reports every unanswered call, oldest first (Close).
func (p *Parser) finishAllDCE() {
	for len(p.conn.dceTxs) > 0 {
		var oldest *Tx
		for _, v := range p.conn.dceTxs {
			if oldest == nil || v.dce.seq < oldest.dce.seq {
				oldest = v
			}
		}
		p.finishDCE(oldest)
	}
}
