package smb

import "github.com/wirescan/wirescan/engine/app"

// probeLen is how many bytes Probe needs for a decision: an NBSS header and
// a protocol id.
const probeLen = nbssHeaderLen + 4

// Probe decides from the first bytes of a stream whether it carries SMB, so
// SMB is detected by content on any port: an NBSS message header followed by
// "\xffSMB", "\xfeSMB" or "\xfdSMB", or an NBSS session request (0x81, the
// client's first message on port 139). dir is accepted for symmetry with
// other protocols' probes; both directions are judged alike.
func Probe(dir app.Direction, data []byte) app.Verdict {
	_ = dir
	if len(data) == 0 {
		return app.NeedMore
	}
	switch data[0] {
	case nbssMessage:
	case nbssSessionRequest, nbssPositiveResponse:
		if len(data) < 2 {
			return app.NeedMore
		}
		if data[1]&0xfe != 0 {
			return app.No
		}
		return app.Yes
	default:
		return app.No
	}
	want := [...]byte{0, 0, 0, 0, 0, 'S', 'M', 'B'}
	for i := 5; i < probeLen && i < len(data); i++ {
		if data[i] != want[i] {
			return app.No
		}
	}
	if len(data) > 4 {
		switch data[4] {
		case magicSMB1, magicSMB2, magicTransform:
		default:
			return app.No
		}
	}
	if len(data) < probeLen {
		return app.NeedMore
	}
	n := int(data[1])<<16 | int(data[2])<<8 | int(data[3])
	if n < smb1HeaderLen {
		return app.No
	}
	return app.Yes
}
