package http

import (
	"bytes"

	"github.com/wirescan/wirescan/engine/app"
)

// This file handles the bytes that follow a complete, framed response body
// on the same connection. libhtp (RES_FINALIZE) looks at each following line:
// a line that does not start like a status line (after optional whitespace,
// "HTTP" in any case) is appended to the body of the response that just
// ended, as "unexpected response body" data. Servers that send
// "Hello World!\r\n" with Content-Length: 12 are the common case. wirescan
// applies the rule however the bytes are segmented, so the file stays open
// until the next status line, a gap or the end of the direction.

// maxTrailPeek bounds the bytes held back while deciding whether a line after
// a body starts a new response; a line of whitespace longer than this is
// taken as body data.
const maxTrailPeek = 256

// bodyComplete ends a body whose framing completed. A response body without
// content decoding keeps its file open for trailing lines; everything else
// finishes at once.
func (h *half) bodyComplete() {
	b := h.body
	if h.dir != app.ToClient || b.dec.Layers() > 0 || b.mp != nil || !b.file.open || b.broken {
		h.finishBody(false)
		return
	}
	tx := h.tx
	h.body, h.tx = nil, nil
	h.trail = b
	h.trailPeek, h.trailLine, h.trailSeen = h.trailPeek[:0], false, false
	h.state = hsTrail
	h.messageDone(tx)
}

// trailBytes consumes bytes after a complete body: whole lines that are not
// status lines go to the previous file; a status line ends the file and
// starts the next response.
func (h *half) trailBytes(data []byte) []byte {
	orig := len(data)
	for len(data) > 0 {
		if h.trailLine {
			j := bytes.IndexByte(data, '\n')
			if j < 0 {
				h.trailWrite(data)
				return nil
			}
			h.trailWrite(data[:j+1])
			data = data[j+1:]
			h.trailLine = false
			continue
		}
		c := data[0]
		data = data[1:]
		h.trailPeek = append(h.trailPeek, c)
		if c == '\n' || len(h.trailPeek) > maxTrailPeek {
			h.trailLine = c != '\n'
			h.trailFlushPeek()
			continue
		}
		yes, need := looksLikeStatusLine(h.trailPeek)
		switch {
		case yes:
			peek := append([]byte(nil), h.trailPeek...)
			h.endTrail()
			h.state = hsStart
			h.pos += int64(orig-len(data)) - int64(len(peek))
			h.replay = true
			h.feed(peek)
			h.replay = false
			return data
		case !need:
			h.trailLine = true
			h.trailFlushPeek()
		}
	}
	return nil
}

// trailFlushPeek appends the held-back bytes to the previous file.
func (h *half) trailFlushPeek() {
	h.trailWrite(h.trailPeek)
	h.trailPeek = h.trailPeek[:0]
}

func (h *half) trailWrite(p []byte) {
	if len(p) == 0 {
		return
	}
	b := h.trail
	if !h.trailSeen {
		h.trailSeen = true
		h.p.anomaly(h.dir, AnomUnexpectedBody)
	}
	h.p.stats.BodyBytes += uint64(len(p))
	b.tx.ResponseLength += int64(len(p))
	b.file.data(p)
}

// endTrail closes the file kept open after a complete body.
func (h *half) endTrail() {
	b := h.trail
	if b == nil {
		return
	}
	h.trail = nil
	h.trailPeek, h.trailLine = h.trailPeek[:0], false
	b.finish(false)
	if h.state == hsTrail {
		h.state = hsStart
	}
}
