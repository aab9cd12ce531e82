package smb

import "github.com/wirescan/wirescan/engine/app"

// negotiateReq2 records the dialects a client offers.
func (p *Parser) negotiateReq2(dir app.Direction, h *hdr2, mb []byte) {
	r, err := parseNegotiateReq2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
	}
	tx := p.newTx(2, h.command, txNegotiate, h.session, h.tree)
	tx.clientDialects = make([]string, 0, len(r.dialects))
	for _, d := range r.dialects {
		tx.clientDialects = append(tx.clientDialects, smb2DialectName(d))
	}
	p.addPending(pendKey{2, h.msgID}, &pending{command: h.command, tx: tx, session: h.session, tree: h.tree})
}

// negotiateResp2 sets the connection's dialect. An SMB2 response may answer
// an SMB1 multi-protocol NEGOTIATE, so an SMB1 request is matched too.
func (p *Parser) negotiateResp2(dir app.Direction, h *hdr2, mb []byte) {
	r, err := parseNegotiateResp2(mb)
	if err != nil {
		if h.status == statusSuccess {
			p.anomaly(dir, AnomalyMalformed)
		}
	} else if h.status == statusSuccess {
		p.conn.dialect2 = r.dialect
		p.conn.serverGUID = r.serverGUID
		p.conn.multiChannel = r.dialect >= smb2Dialect300 && r.dialect != smb2DialectWildcard &&
			r.capabilities&smb2CapMultiChannel != 0
	}
	pd := p.takePending(pendKey{2, h.msgID})
	if pd == nil || pd.command != smb2Negotiate {
		if pd != nil && pd.tx != nil {
			pd.tx.setNTStatus(h.status)
			p.report(dir, pd.tx)
		}
		pd = p.takeSMB1Negotiate()
	}
	if pd == nil || pd.tx == nil {
		return
	}
	pd.tx.setNTStatus(h.status)
	if err == nil {
		pd.tx.serverGUID = fuidString(r.serverGUID)
	}
	p.report(dir, pd.tx)
}

// takeSMB1Negotiate removes a pending SMB1 NEGOTIATE, if any. The scan is
// bounded by MaxOutstanding.
func (p *Parser) takeSMB1Negotiate() *pending {
	for k, v := range p.conn.pend {
		if k.version == 1 && v.command == smb1Negotiate {
			delete(p.conn.pend, k)
			return v
		}
	}
	return nil
}

// sessionSetupReq2 opens a session setup transaction with the NTLMSSP
// identity, when the security blob carries an AUTHENTICATE message, and
// notes a request that binds this connection to an existing session.
func (p *Parser) sessionSetupReq2(dir app.Direction, h *hdr2, mb []byte) {
	tx := p.newTx(2, h.command, txSession, h.session, h.tree)
	flags, blob, err := parseSessionSetupReq2(mb)
	if err != nil {
		p.anomaly(dir, AnomalyMalformed)
	} else if n, ok := parseNTLMSSPAuth(blob); ok {
		tx.ntlm = &n
	}
	p.addPending(pendKey{2, h.msgID}, &pending{command: h.command, tx: tx, session: h.session, tree: h.tree,
		binding: flags&smb2SessionFlagBinding != 0 && h.session != 0})
}

// sessionSetupResp2 completes a session setup: a successful binding makes
// this connection a channel of the session (multichannel).
func (p *Parser) sessionSetupResp2(h *hdr2, pd *pending) {
	if pd.tx != nil {
		pd.tx.sessionID = h.session
	}
	if pd.binding && h.status == statusSuccess && !p.conn.bound {
		p.conn.bound = true
		p.stats.SessionBinds++
	}
}
