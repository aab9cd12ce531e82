package smb

import "github.com/wirescan/wirescan/engine/app"

// streamState is where one direction's byte stream is in the NBSS/SMB framing.
type streamState uint8

const (
	// stHeader: reading a 4-byte NBSS header.
	stHeader streamState = iota
	// stWindow: buffering the start of a record (or of the next compound
	// message) until want bytes are held, then parsing it.
	stWindow
	// stBody: streaming the part of a message that did not fit the window;
	// READ/WRITE data goes to the file, everything else is skipped.
	stBody
	// stSkip: skipping the rest of the current record.
	stSkip
	// stResync: framing lost; searching for an NBSS header followed by an
	// SMB protocol id.
	stResync
)

// bodyPlan is how to treat the rest of a message that is being streamed.
type bodyPlan struct {
	skip int64     // bytes to skip before the data
	data int64     // data bytes still to come
	file *openFile // destination of the data; nil discards it
	pipe *dcePipe  // named-pipe destination (DCERPC) when file is nil
	// closeAfter closes file when the message ends (dataPlan.closeAfter).
	closeAfter bool
	off        int64 // file offset of the next data byte
}

// stream is the framing state of one direction. buf is bounded by
// Config.MaxHeaderBuffer and reused across records.
type stream struct {
	dir     app.Direction
	st      streamState
	hdr     [nbssHeaderLen]byte
	hdrN    int
	recLeft int64 // bytes of the current record not yet received
	buf     []byte
	want    int
	atStart bool // the window begins at the record's first byte
	checked bool // the protocol id at the record start was verified
	msgLeft int64
	body    bodyPlan
	win     [8]byte
	winN    int
	synced  bool
	ended   bool
	// raw is the SMB1 READ_RAW/WRITE_RAW data message the direction
	// awaits next (smb1_raw.go).
	raw rawExpect
	// pos is the stream offset of the next byte (bytes fed plus gap bytes),
	// for frame offsets.
	pos int64
}

// feed runs the framing state machine over data. Every iteration consumes
// at least one byte; a state that cannot make progress resynchronises.
func (p *Parser) feed(s *stream, data []byte) {
	for len(data) > 0 {
		before := len(data)
		switch s.st {
		case stHeader:
			n := copy(s.hdr[s.hdrN:], data)
			s.hdrN += n
			data = data[n:]
			s.pos += int64(n)
			if s.hdrN == nbssHeaderLen {
				s.hdrN = 0
				p.onNBSSHeader(s)
			}
		case stWindow:
			n := s.want - len(s.buf)
			if s.atStart && !s.checked && n > 4-len(s.buf) {
				n = 4 - len(s.buf)
			}
			n = min(n, len(data))
			if !p.bufRoom(s, len(s.buf)+n) {
				p.skipRecord(s)
				continue
			}
			s.buf = append(s.buf, data[:n]...)
			s.recLeft -= int64(n)
			data = data[n:]
			s.pos += int64(n)
			if s.atStart && !s.checked && len(s.buf) == 4 && !p.checkMagic(s) {
				continue
			}
			if len(s.buf) >= s.want {
				p.processWindow(s, false)
			}
		case stBody:
			n := int(min(s.msgLeft, int64(len(data))))
			p.bodyBytes(s, data[:n])
			s.msgLeft -= int64(n)
			s.recLeft -= int64(n)
			data = data[n:]
			s.pos += int64(n)
			if s.msgLeft == 0 {
				p.afterMessage(s)
			}
		case stSkip:
			n := int(min(s.recLeft, int64(len(data))))
			s.recLeft -= int64(n)
			p.stats.SkippedBytes += uint64(n)
			data = data[n:]
			s.pos += int64(n)
			if s.recLeft == 0 {
				s.st = stHeader
			}
		case stResync:
			k := p.resyncScan(s, data)
			data = data[k:]
			s.pos += int64(k)
		}
		if len(data) == before {
			// Defensive: no state may stall on input; a stall means an
			// internal inconsistency, so drop framing rather than spin.
			p.enterResync(s, nil)
		}
	}
}

// onNBSSHeader starts a record after its 4-byte header.
func (p *Parser) onNBSSHeader(s *stream) {
	h := s.hdr
	switch {
	case h[0] == nbssMessage:
		// Direct TCP (445) uses a 24-bit length; NBSS (139) 17 bits, which
		// is a subset.
		n := int64(h[1])<<16 | int64(h[2])<<8 | int64(h[3])
		p.stats.Records++
		if n > int64(p.cfg.MaxRecordBytes) {
			p.anomaly(s.dir, AnomalyRecordTooLarge)
			p.enterResync(s, h[1:])
			return
		}
		if s.raw.armed {
			if n == 0 {
				s.raw = rawExpect{} // READ_RAW error or end of file
				return
			}
			if p.startRaw(s, n) {
				return
			}
		}
		if n == 0 {
			return
		}
		s.recLeft = n
		s.buf = s.buf[:0]
		s.checked = false
		p.startWindow(s, true)
	case s.synced && (h[0] == nbssSessionRequest || h[0] == nbssPositiveResponse ||
		h[0] == nbssNegativeResponse || h[0] == nbssRetargetResponse || h[0] == nbssKeepAlive),
		!s.synced && (h[0] == nbssSessionRequest || h[0] == nbssKeepAlive) && h[1]&0xfe == 0:
		n := int64(h[1]&1)<<16 | int64(h[2])<<8 | int64(h[3])
		s.recLeft = n
		if n > 0 {
			s.st = stSkip
		}
	default:
		if s.synced {
			p.anomaly(s.dir, AnomalyBadNBSS)
		}
		p.enterResync(s, h[1:])
	}
}

// startWindow begins buffering at a message boundary; bytes already in buf
// (a compound message carried over) count towards the window.
func (p *Parser) startWindow(s *stream, atStart bool) {
	s.atStart = atStart
	s.want = int(min(int64(len(s.buf))+s.recLeft, int64(p.cfg.MaxHeaderBuffer)))
	if s.want == 0 {
		s.st = stHeader
		return
	}
	s.st = stWindow
}

// checkMagic verifies the protocol id at the start of a record. On failure
// it raises an anomaly (when we were in sync) and resynchronises, rescanning
// the bytes after the header's first byte.
func (p *Parser) checkMagic(s *stream) bool {
	s.checked = true
	b := s.buf
	if b[1] == 'S' && b[2] == 'M' && b[3] == 'B' &&
		(b[0] == magicSMB1 || b[0] == magicSMB2 || b[0] == magicTransform || b[0] == magicCompress) {
		s.synced = true
		return true
	}
	if s.synced {
		p.anomaly(s.dir, AnomalyBadMagic)
	}
	var tail [7]byte
	copy(tail[:3], s.hdr[1:])
	copy(tail[3:], b[:4])
	p.enterResync(s, tail[:])
	return false
}

// afterMessage moves on once a streamed message is complete.
func (p *Parser) afterMessage(s *stream) {
	if s.body.closeAfter {
		p.closeAfterData(s.body.file)
	}
	s.body = bodyPlan{}
	s.buf = s.buf[:0]
	if s.recLeft > 0 {
		p.startWindow(s, false)
		return
	}
	s.st = stHeader
}

// bodyBytes consumes streamed message bytes according to the body plan.
func (p *Parser) bodyBytes(s *stream, b []byte) {
	bp := &s.body
	if bp.skip > 0 {
		k := int(min(bp.skip, int64(len(b))))
		bp.skip -= int64(k)
		b = b[k:]
	}
	if bp.data > 0 && len(b) > 0 {
		k := int(min(bp.data, int64(len(b))))
		p.deliverTo(bp.file, bp.pipe, bp.off, b[:k])
		bp.data -= int64(k)
		bp.off += int64(k)
	}
}

// skipRecord discards the rest of the current record.
func (p *Parser) skipRecord(s *stream) {
	s.buf = s.buf[:0]
	s.body = bodyPlan{}
	if s.recLeft > 0 {
		s.st = stSkip
		return
	}
	s.st = stHeader
}

// gap applies n lost bytes to the framing state.
func (p *Parser) gap(s *stream, n int64) {
	for guard := 0; n > 0 && guard < 8; guard++ {
		switch s.st {
		case stHeader:
			p.enterResync(s, nil)
			return
		case stResync:
			s.winN = 0
			return
		case stWindow:
			if !s.synced || (s.atStart && !s.checked) {
				p.enterResync(s, nil)
				return
			}
			// Parse what we hold as a truncated message so READ/WRITE data
			// that follows (or is lost) lands at the right file offset.
			p.processWindow(s, true)
		case stBody:
			k := min(n, s.msgLeft)
			bp := &s.body
			if bp.skip > 0 {
				sk := min(bp.skip, k)
				bp.skip -= sk
				k2 := k - sk
				if bp.data > 0 && k2 > 0 {
					d := min(bp.data, k2)
					p.deliverGap(bp.file, bp.off, d)
					p.pipeGap(bp.pipe)
					bp.data -= d
					bp.off += d
				}
			} else if bp.data > 0 {
				d := min(bp.data, k)
				p.deliverGap(bp.file, bp.off, d)
				p.pipeGap(bp.pipe)
				bp.data -= d
				bp.off += d
			}
			s.msgLeft -= k
			s.recLeft -= k
			n -= k
			if s.msgLeft == 0 {
				p.afterMessage(s)
			}
		case stSkip:
			k := min(n, s.recLeft)
			s.recLeft -= k
			n -= k
			if s.recLeft == 0 {
				s.st = stHeader
			}
		}
	}
	if n > 0 && s.st != stResync {
		p.enterResync(s, nil)
	}
}
