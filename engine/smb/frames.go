package smb

import "github.com/wirescan/wirescan/engine/app"

// Frame types, in Suricata's rule-keyword spelling (frame:smb2.hdr).
const (
	FrameNBSSPDU  = "nbss.pdu"
	FrameNBSSHdr  = "nbss.hdr"
	FrameNBSSData = "nbss.data"
	FrameSMB1PDU  = "smb1.pdu"
	FrameSMB1Hdr  = "smb1.hdr"
	FrameSMB1Data = "smb1.data"
	FrameSMB2PDU  = "smb2.pdu"
	FrameSMB2Hdr  = "smb2.hdr"
	FrameSMB2Data = "smb2.data"
	FrameSMB3PDU  = "smb3.pdu"
	FrameSMB3Hdr  = "smb3.hdr"
	FrameSMB3Data = "smb3.data"
)

// frame reports one frame whose first bytes are prefix+data, at stream
// offset off.
func (p *Parser) frame(dir app.Direction, typ string, off, length int64, prefix, data []byte) {
	if int64(len(prefix)) > length {
		prefix, data = prefix[:length], nil
	} else if int64(len(prefix)+len(data)) > length {
		data = data[:length-int64(len(prefix))]
	}
	p.sink.Frame(app.Frame{Dir: dir, Type: typ, StreamOffset: off, Length: length, Prefix: prefix, Data: data})
}

// nbssFrames reports the frames of an NBSS session message whose payload
// starts at stream offset off (the window start): the record, its 4-byte
// header and its payload. b is the part of the payload in the window and
// recLen the payload's full length.
func (p *Parser) nbssFrames(s *stream, off int64, b []byte, recLen int64) {
	p.frame(s.dir, FrameNBSSPDU, off-nbssHeaderLen, recLen+nbssHeaderLen, s.hdr[:], b)
	p.frame(s.dir, FrameNBSSHdr, off-nbssHeaderLen, nbssHeaderLen, s.hdr[:], nil)
	p.frame(s.dir, FrameNBSSData, off, recLen, nil, b)
}

// smbFrames reports the PDU, header and data frames of one SMB message at
// stream offset off: mb is the part of it in the window, msgLen its length
// and hdrLen the length of its header for its version.
func (p *Parser) smbFrames(dir app.Direction, magic byte, off int64, mb []byte, msgLen int64) {
	pdu, hdr, data := FrameSMB2PDU, FrameSMB2Hdr, FrameSMB2Data
	hdrLen := int64(smb2HeaderLen)
	switch magic {
	case magicSMB1:
		pdu, hdr, data, hdrLen = FrameSMB1PDU, FrameSMB1Hdr, FrameSMB1Data, smb1HeaderLen
	case magicTransform:
		pdu, hdr, data, hdrLen = FrameSMB3PDU, FrameSMB3Hdr, FrameSMB3Data, smb2TransformLen
	}
	p.frame(dir, pdu, off, msgLen, nil, mb)
	p.frame(dir, hdr, off, min(hdrLen, msgLen), nil, mb)
	if msgLen > hdrLen {
		var rest []byte
		if int64(len(mb)) > hdrLen {
			rest = mb[hdrLen:]
		}
		p.frame(dir, data, off+hdrLen, msgLen-hdrLen, nil, rest)
	}
}
