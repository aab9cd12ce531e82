package http

import (
	"bytes"
	"strings"

	"github.com/wirescan/wirescan/engine/app"
)

// This file handles the bytes that follow a complete, framed response body
// on the same connection. libhtp (RES_FINALIZE) looks at each following line:
// a line that does not start like a status line (after optional whitespace,
// "HTTP" in any case) is appended to the body of the response that just
// ended, as "unexpected response body" data. Servers that send
// "Hello World!\r\n" with Content-Length: 12 are the common case. Within
// the bytes of one packet wirescan applies the rule however they are
// segmented: the file stays open until the next status line, a gap, the end
// of the direction, or Flush (parser.go) at the end of a packet after
// which no byte of a further line arrived. libhtp likewise completes the
// response when its input runs out, so a download's file (its hashes,
// end-of-file rules and fileinfo) is decided at the packet that completed
// it, not when a keep-alive connection next carries data or closes.

// maxTrailPeek bounds the bytes held back while deciding whether a line after
// a body starts a new response; a line of whitespace longer than this is
// taken as body data.
const maxTrailPeek = 256

// bodyComplete ends a body whose framing completed. A response body without
// content decoding keeps its file open for trailing lines; everything else
// finishes at once.
func (h *half) bodyComplete() {
	b := h.body
	if h.dir != app.ToClient || b.layers() > 0 || b.mp != nil || !b.file.open || b.broken {
		h.finishBody(false)
		return
	}
	tx := h.tx
	h.body, h.tx = nil, nil
	h.trail = b
	h.clearPeek()
	h.trailLine, h.trailSeen = false, false
	h.state = hsTrail
	h.messageDone(tx)
}

// trailBytes consumes bytes after a complete body: whole lines that are not
// status lines go to the previous file; a status line ends the file and
// starts the next response.
func (h *half) trailBytes(data []byte) []byte {
	x := h.aside()
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
		x.trailPeek = append(x.trailPeek, c)
		if h.dir == app.ToServer && c == '\n' {
			// A whole line without a blank: a method alone, or body.
			if isBlank(x.trailPeek) {
				x.trailPeek = x.trailPeek[:0]
				continue
			}
		} else if c == '\n' || len(x.trailPeek) > maxTrailPeek {
			h.trailLine = c != '\n'
			h.trailFlushPeek()
			continue
		}
		yes, need := h.trailStartsMessage()
		switch {
		case yes:
			peek := append([]byte(nil), x.trailPeek...)
			h.endTrail()
			h.state = hsStart
			h.pos += int64(orig-len(data)) - int64(len(peek))
			h.replay = true
			h.feed(peek)
			h.replay = false
			return data
		case !need:
			h.trailLine = x.trailPeek[len(x.trailPeek)-1] != '\n'
			h.trailFlushPeek()
		}
	}
	return nil
}

// trailFlushPeek appends the held-back bytes to the previous file.
func (h *half) trailFlushPeek() {
	h.trailWrite(h.peek())
	h.clearPeek()
}

func (h *half) trailWrite(p []byte) {
	if len(p) == 0 {
		return
	}
	if h.trail == nil {
		// After a request without body: the first unexpected line
		// opens the request's body.
		if h.trailTx == nil || isBlank(p) {
			return
		}
		h.trail = h.p.newBody(h.dir, h.trailTx, &message{}, frClose, 0)
		h.trail.openFile()
	}
	b := h.trail
	if !h.trailSeen {
		h.trailSeen = true
		if h.dir == app.ToServer {
			h.p.anomaly(h.dir, AnomRequestBodyUnexpected)
		} else {
			h.p.anomaly(h.dir, AnomUnexpectedBody)
		}
	}
	h.p.stats.BodyBytes += uint64(len(p))
	if h.dir == app.ToClient {
		b.tx.ResponseLength += int64(len(p))
	}
	b.file.data(p)
}

// endTrail closes the file kept open after a complete body.
func (h *half) endTrail() {
	b := h.trail
	if b == nil && h.trailTx == nil {
		return
	}
	h.trail, h.trailTx = nil, nil
	h.clearPeek()
	h.trailLine = false
	if b != nil {
		b.finish(false)
	}
	if h.state == hsTrail {
		h.state = hsStart
	}
}

// startRequestTrail watches the lines after a request without body: libhtp
// (REQ_FINALIZE) takes a line whose first word is not a known method as
// "unexpected request body" of that request, which is what a server that
// ignores the missing Content-Length reads. Blank lines are skipped.
func (h *half) startRequestTrail(tx *Transaction) {
	h.trail, h.trailTx = nil, tx
	h.clearPeek()
	h.trailLine, h.trailSeen = false, false
	h.state = hsTrail
}

// trailStartsMessage decides whether the held-back line start begins the
// next message: a status line after a response, a known method after a
// request. need is true while the bytes do not tell yet.
func (h *half) trailStartsMessage() (yes, need bool) {
	if h.dir == app.ToClient {
		return looksLikeStatusLine(h.peek())
	}
	p := h.peek()
	i := 0
	for i < len(p) && isSpace(p[i]) {
		i++
	}
	j := i
	for j < len(p) && !isSpace(p[j]) {
		j++
	}
	if j == len(p) {
		return false, true // the first word goes on
	}
	if i == j {
		return false, false // blank line start: ended by LF in trailBytes
	}
	return knownMethod(p[i:j]), false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

func isBlank(p []byte) bool {
	for _, c := range p {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// knownMethod reports whether m is a method libhtp knows (any case).
func knownMethod(m []byte) bool {
	switch strings.ToUpper(string(m)) {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
		"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "VERSION-CONTROL",
		"CHECKOUT", "UNCHECKOUT", "CHECKIN", "UPDATE", "LABEL", "REPORT", "MKWORKSPACE",
		"MKACTIVITY", "BASELINE-CONTROL", "MERGE", "INVALID":
		return true
	}
	return false
}
