package smb

import (
	"encoding/binary"

	"github.com/wirescan/wirescan/engine/app"
)

// dataPlan is a handler's answer for a message that carries file data
// (SMB2 WRITE request, READ response; SMB1 WRITE_ANDX, READ_ANDX): the data
// range relative to the message start and where it goes. n == 0 means the
// message carries no data to deliver.
type dataPlan struct {
	off, n  int64
	file    *openFile
	fileOff int64
	pipe    *dcePipe // named-pipe payload (DCERPC) instead of a file
	// closeAfter closes file once its data is delivered (an SMB1 CLOSE
	// chained after the WRITE_ANDX that carries the data).
	closeAfter bool
}

// processWindow parses the messages held in s.buf (the start of a record, or
// of the next compound message). The window holds either the rest of the
// record or Config.MaxHeaderBuffer bytes of it; a message that does not fit
// is handled from its prefix and its remainder streamed (stBody). final means
// no more bytes will join the window because a gap follows.
func (p *Parser) processWindow(s *stream, final bool) {
	b := s.buf
	rest := int64(len(b)) + s.recLeft // window start to record end
	winStart := s.pos - int64(len(b)) // stream offset of b[0]
	if s.atStart {
		p.nbssFrames(s, winStart, b, rest)
	}
	off := 0
	for chain := 0; ; chain++ {
		if off >= len(b) {
			s.buf = s.buf[:0]
			if s.recLeft > 0 && !final {
				p.startWindow(s, false)
			} else {
				p.skipRecord(s)
			}
			return
		}
		if chain >= p.cfg.MaxCompound {
			p.anomaly(s.dir, AnomalyCompoundTooLong)
			p.skipRecord(s)
			return
		}
		avail := b[off:]
		remain := rest - int64(off)
		canRefill := !final && off > 0 && s.recLeft > 0
		if len(avail) < 4 || (avail[0] == magicSMB2 && len(avail) < smb2HeaderLen) {
			if canRefill {
				p.refill(s, off)
			} else {
				if !final {
					p.anomaly(s.dir, AnomalyMalformed)
				}
				p.skipRecord(s)
			}
			return
		}
		if avail[1] != 'S' || avail[2] != 'M' || avail[3] != 'B' {
			p.anomaly(s.dir, AnomalyBadMagic)
			p.skipRecord(s)
			return
		}
		msgLen, next := remain, false
		switch avail[0] {
		case magicSMB2:
			if nc := binary.LittleEndian.Uint32(avail[20:]); nc != 0 {
				if nc < smb2HeaderLen || int64(nc) > remain {
					p.anomaly(s.dir, AnomalyBadNextCommand)
				} else {
					msgLen, next = int64(nc), true
				}
			}
		case magicSMB1:
		case magicTransform:
			p.smbFrames(s.dir, magicTransform, winStart+int64(off), avail, remain)
			p.onTransform(s.dir)
			p.skipRecord(s)
			return
		case magicCompress:
			p.onTransform(s.dir)
			p.skipRecord(s)
			return
		default:
			p.anomaly(s.dir, AnomalyBadMagic)
			p.skipRecord(s)
			return
		}
		if int64(len(avail)) < msgLen && canRefill {
			p.refill(s, off)
			return
		}
		have := min(int64(len(avail)), msgLen)
		mb := avail[:have]
		p.smbFrames(s.dir, avail[0], winStart+int64(off), mb, msgLen)
		p.stats.Messages++
		var plan dataPlan
		if avail[0] == magicSMB2 {
			plan = p.handleSMB2(s.dir, mb, msgLen)
		} else {
			plan = p.handleSMB1(s.dir, mb, msgLen)
		}
		if have < msgLen {
			p.startBody(s, plan, mb, msgLen)
			return
		}
		if plan.n > 0 {
			p.deliverTo(plan.file, plan.pipe, plan.fileOff, mb[plan.off:plan.off+plan.n])
		}
		if plan.closeAfter {
			p.closeAfterData(plan.file)
		}
		off += int(msgLen)
		if !next {
			s.buf = s.buf[:0]
			p.skipRecord(s)
			return
		}
	}
}

// refill moves the unparsed tail of the window to its front and buffers more
// of the record, so that a compound message is parsed from a full window.
func (p *Parser) refill(s *stream, off int) {
	n := copy(s.buf, s.buf[off:])
	s.buf = s.buf[:n]
	p.startWindow(s, false)
}

// startBody delivers the data of a truncated message that lies inside the
// window and sets up streaming for the rest of the message.
func (p *Parser) startBody(s *stream, plan dataPlan, mb []byte, msgLen int64) {
	have := int64(len(mb))
	bp := bodyPlan{file: plan.file, pipe: plan.pipe, closeAfter: plan.closeAfter}
	if plan.n > 0 {
		start, end := plan.off, plan.off+plan.n
		var done int64
		if start < have {
			e := min(end, have)
			p.deliverTo(plan.file, plan.pipe, plan.fileOff, mb[start:e])
			done = e - start
		}
		bp.skip = max(0, start-have)
		bp.data = plan.n - done
		bp.off = plan.fileOff + done
	}
	s.body = bp
	s.msgLeft = msgLen - have
	s.buf = s.buf[:0]
	s.st = stBody
}

// closeAfterData closes a file whose CLOSE was chained after its data.
func (p *Parser) closeAfterData(f *openFile) {
	if f == nil || f.closed {
		return
	}
	k := f.key
	p.closeFID(k.version, k.session, k.tree, k.fid)
}

// onTransform counts an SMB3 encrypted (or compressed) message; the content
// is invisible, so no file or transaction results.
func (p *Parser) onTransform(dir app.Direction) {
	p.stats.Encrypted++
	if !p.conn.encrypted {
		p.conn.encrypted = true
		p.anomaly(dir, AnomalyEncrypted)
	}
}
