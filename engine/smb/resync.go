package smb

// enterResync drops the current framing and searches for the next record
// start: an NBSS message header followed by "\xffSMB", "\xfeSMB" or
// "\xfdSMB". pending holds bytes already consumed that must be rescanned
// (at most 7, so they can never complete a match on their own).
func (p *Parser) enterResync(s *stream, pending []byte) {
	p.stats.Resyncs++
	s.st = stResync
	s.hdrN = 0
	s.buf = s.buf[:0]
	s.body = bodyPlan{}
	s.msgLeft, s.recLeft = 0, 0
	s.winN = 0
	for _, c := range pending {
		s.push(c)
	}
}

// push shifts one byte into the 8-byte resync window.
func (s *stream) push(c byte) {
	if s.winN < len(s.win) {
		s.win[s.winN] = c
		s.winN++
		return
	}
	copy(s.win[:], s.win[1:])
	s.win[len(s.win)-1] = c
}

// resyncScan consumes bytes until a record start completes in the window and
// returns how many bytes it consumed. On a match the stream continues in
// stWindow with the protocol id already buffered.
func (p *Parser) resyncScan(s *stream, data []byte) int {
	for i, c := range data {
		s.push(c)
		if s.winN < len(s.win) {
			continue
		}
		w := s.win
		if w[0] != nbssMessage || w[5] != 'S' || w[6] != 'M' || w[7] != 'B' {
			continue
		}
		minLen := int64(smb1HeaderLen)
		switch w[4] {
		case magicSMB1:
		case magicSMB2:
			minLen = smb2HeaderLen
		case magicTransform:
			minLen = smb2TransformLen
		default:
			continue
		}
		n := int64(w[1])<<16 | int64(w[2])<<8 | int64(w[3])
		if n < minLen || n > int64(p.cfg.MaxRecordBytes) {
			continue
		}
		s.winN = 0
		s.synced = true
		copy(s.hdr[:], w[:nbssHeaderLen])
		p.stats.Records++
		s.buf = append(s.buf[:0], w[4:8]...)
		s.recLeft = n - 4
		s.checked = true
		p.startWindow(s, true)
		return i + 1
	}
	return len(data)
}
