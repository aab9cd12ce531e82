package smb

import (
	"strconv"
	"strings"
	"testing"
)

// TestFrames checks the frames of the first record (an SMB2 NEGOTIATE
// request) under every chunking: the NBSS record, its header and payload,
// then the SMB2 PDU, its 64-byte header and its body.
func TestFrames(t *testing.T) {
	segs := setup2("a.txt", fidA)
	n := int64(len(segs[0].data)) - nbssHeaderLen
	ref := checkChunking(t, nil, segs)
	var got []string
	for _, l := range ref.log {
		if strings.HasPrefix(l, "frame 0 ") && len(got) < 6 {
			got = append(got, l)
		}
	}
	want := []string{
		fmtFrame(FrameNBSSPDU, 0, n+4), fmtFrame(FrameNBSSHdr, 0, 4), fmtFrame(FrameNBSSData, 4, n),
		fmtFrame(FrameSMB2PDU, 4, n), fmtFrame(FrameSMB2Hdr, 4, 64), fmtFrame(FrameSMB2Data, 68, n-64),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("frames:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func fmtFrame(typ string, off, n int64) string {
	return "frame 0 " + typ + " @" + strconv.FormatInt(off, 10) + " len " + strconv.FormatInt(n, 10)
}
