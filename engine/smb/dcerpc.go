package smb

import (
	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/dcerpc"
)

// DCERPC over named pipes: the payload of SMB2 WRITE/READ/IOCTL
// (FSCTL_PIPE_TRANSCEIVE) and SMB1 WRITE_ANDX/READ_ANDX/TRANS on a pipe is a
// stream of connection-oriented DCERPC PDUs per pipe and direction, parsed
// by package dcerpc. Each call becomes an SMB transaction whose command is
// the one that carried the request, as Suricata logs them.

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

// dcePipe is one pipe direction: its PDU reassembler and the context of the
// SMB message delivering its bytes.
type dcePipe struct {
	stream dcerpc.Stream[fidKey]
	seq    uint64
	ctx    pipeCtx
}

// newDCEConn returns the connection's DCERPC state reporting to p.
func (p *Parser) newDCEConn() *dcerpc.Conn[fidKey] {
	return dcerpc.NewConn[fidKey](
		dcerpc.Limits{MaxCalls: p.cfg.MaxOutstanding, MaxStubBytes: p.cfg.MaxDCERPCStubBytes},
		dcerpc.Hooks{NewCall: p.dceNewCall, Response: p.dceResponse, Done: p.dceDone, Event: p.dceEvent})
}

// dceNewCall creates the SMB transaction of a call, from the carrying
// message.
func (p *Parser) dceNewCall(c *dcerpc.Call) {
	ctx := &p.dceCur.ctx
	tx := p.newTx(ctx.version, ctx.command, txDCERPC, ctx.session, ctx.tree)
	tx.dce = c
	c.Ref = tx
}

// dceResponse records the status of the message carrying a response.
func (p *Parser) dceResponse(c *dcerpc.Call) {
	p.dceCur.ctx.apply(c.Ref.(*Tx))
}

// dceDone reports a finished call.
func (p *Parser) dceDone(c *dcerpc.Call) {
	p.report(c.Dir, c.Ref.(*Tx))
}

func (p *Parser) dceEvent(dir app.Direction, ev dcerpc.Event) {
	switch ev {
	case dcerpc.EventPDU:
		p.stats.DCERPCPDUs++
	case dcerpc.EventMalformed:
		p.anomaly(dir, AnomalyMalformed)
	case dcerpc.EventTooManyCalls:
		p.anomaly(dir, AnomalyTooManyOutstanding)
		p.stats.Evictions++
	}
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
		pp = &dcePipe{stream: dcerpc.Stream[fidKey]{Scope: k.fid, Dir: k.dir}, seq: c.nextSeq()}
		c.pipes[k] = pp
	}
	pp.stream.Resume()
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
	if dcerpc.LooksLike(probe) {
		p.addTree(treeKey{ref.session, ref.tree}, &treeInfo{pipe: true})
		return true
	}
	return false
}

// pipeData hands pipe bytes to the DCERPC layer. Pipes that carry
// something other than DCERPC lose framing silently until their next SMB
// message.
func (p *Parser) pipeData(pp *dcePipe, b []byte) {
	p.dceCur = pp
	p.dce.Feed(&pp.stream, b)
	p.dceCur = nil
}

// pipeGap notes lost pipe bytes: the PDU in progress is abandoned.
func (p *Parser) pipeGap(pp *dcePipe) {
	if pp != nil {
		pp.stream.Lost()
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

// finishAllDCE reports every unanswered call, oldest first (Close).
func (p *Parser) finishAllDCE() {
	p.dce.FinishAll()
}
