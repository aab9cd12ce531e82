package http

import "github.com/wirescan/wirescan/engine/app"

// Frame types, in Suricata's rule-keyword spelling (frame:http1.request).
const (
	FrameRequest  = "http1.request"
	FrameResponse = "http1.response"
)

// openFrame starts the request or response frame of a message whose first
// byte is at stream offset off; data is the rest of the slice being parsed
// (reported as already consumed only while replaying).
func (h *half) openFrame(off int64, data []byte) {
	if h.frameID != 0 {
		// A message that never completed (interim response, lost
		// framing) ends where the next one starts.
		h.p.sink.FrameLength(h.dir, h.frameID, off-h.frameOff)
		h.frameID, h.frameEnd = 0, false
	}
	p := h.p
	p.nextFrame++
	f := app.Frame{Dir: h.dir, Type: FrameRequest, ID: p.nextFrame, StreamOffset: off, Length: -1,
		TxID: p.nextTxID, HasTx: true}
	if h.dir == app.ToClient {
		f.Type = FrameResponse
		if len(p.pending) > 0 {
			f.TxID = p.pending[0].ID
		}
	}
	if h.replay {
		f.Data = data
	}
	h.frameID, h.frameOff = f.ID, off
	p.sink.Frame(f)
}

// closeFrame sets the length of a frame whose message completed, now that
// h.pos is the offset right after it.
func (h *half) closeFrame() {
	if !h.frameEnd {
		return
	}
	h.frameEnd = false
	h.p.sink.FrameLength(h.dir, h.frameID, h.pos-h.frameOff)
	h.frameID = 0
}
