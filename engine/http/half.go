package http

import (
	"github.com/wirescan/wirescan/engine/app"
)

// This file is the per-direction reader: it finds header blocks, hands
// bodies to their framing and resynchronises after gaps.

type hState uint8

const (
	hsStart  hState = iota // between messages
	hsHead                 // inside a header block
	hsBody                 // inside a body
	hsResync               // lost framing: looking for a request/status line
	hsTrail                // after a complete response body or a request without one: trailing lines (trail.go)
	hsTunnel               // not HTTP any more
	hsEnded                // End seen
)

type half struct {
	// Fields are grouped by size (pointers and words, then bytes and
	// flags): a connection holds two halves for its whole life, and what
	// only some messages need (after a body, after a gap, after an interim
	// head) is in x.

	p *Parser

	head    []byte // header block so far (≤ MaxHeaderBytes)
	lineRaw int32  // bytes on the current line before its LF
	lines   int32  // complete lines in the block

	body *body
	tx   *Transaction // transaction of the body in progress

	trail   *body        // hsTrail: the completed body whose file is still open
	trailTx *Transaction // hsTrail after a request without body: its transaction

	// x holds the trailing-line buffer, resync and interim state; nil
	// until a message first needs it (halfAside), then kept with its
	// buffers.
	x *halfAside

	// pos is the stream offset of the first byte of the slice the current
	// state function works on (bytes fed plus gap bytes), for frames.
	pos int64
	// frameID is the open request/response frame (0: none), frameOff its
	// stream offset; frameEnd (below) asks the feed loop to close it.
	frameID  app.FrameID
	frameOff int64

	// junkStart (undecided) is the offset of the current line in head;
	// junkLines counts complete lines that were not status lines, up to
	// maxJunkLines+1.
	junkStart int32
	junkLines uint8
	dir       app.Direction
	// state is the reader's state; the flags below say where in it.
	state hState
	// resp09 is set while the start of a response to an HTTP/0.9 request
	// is checked for a status line.
	resp09                   bool
	lossPending, lossSkipped bool
	// unpaired makes the next response a transaction of its own (see
	// resolveLoss).
	unpaired      bool
	lineFirstCR   bool // the current line starts with CR
	prevCR        bool // the previous byte was CR: maybe a lone-CR line end
	lineOnlyCR    bool // the current line holds only CRs so far
	prevBareLF    bool // the previous line ended with LF without CR
	overflow      bool
	undecided     bool // response start not yet known to be a status line
	lineNotStatus bool // undecided: the current line is not a status line
	rsSkip        bool // resync: skipping to the end of the line
	trailLine     bool // hsTrail: the current line is body data up to its LF
	trailSeen     bool // hsTrail: trailing data was reported
	// replay is set while bytes already consumed are fed again (resync,
	// trailing-line peek): a message starting in them reports them.
	replay   bool
	frameEnd bool
}

// halfAside is the part of a half only some messages need. It is
// allocated the first time one does and kept (with its buffers) for the
// connection.
type halfAside struct {
	// lossBytes (with lossPending and lossSkipped in half) describes a gap
	// between messages until resync finds the next message (see
	// mayHaveLost).
	lossBytes int64

	// interim is the last interim (1xx) head of the pending request: a
	// response that goes on without a status line is that head's body
	// (libhtp reads it as body of the same transaction), so its file name
	// comes from the interim Content-Disposition.
	interim *message

	rs        []byte // resync: start of the current line (≤ 16 bytes)
	trailPeek []byte // hsTrail: start of the current line (≤ maxTrailPeek+1)
}

// peek returns the held-back start of a trailing line (hsTrail).
func (h *half) peek() []byte {
	if h.x == nil {
		return nil
	}
	return h.x.trailPeek
}

// clearPeek empties the held-back start of a trailing line.
func (h *half) clearPeek() {
	if h.x != nil {
		h.x.trailPeek = h.x.trailPeek[:0]
	}
}

// aside returns h's side state, creating it.
func (h *half) aside() *halfAside {
	if h.x == nil {
		h.x = &halfAside{}
	}
	return h.x
}

func (h *half) feed(data []byte) {
	// Every pass consumes at least one byte or changes state toward one that
	// does, so the loop is bounded by len(data) plus a constant per message.
	for len(data) > 0 {
		start, before := h.pos, len(data)
		switch h.state {
		case hsStart:
			data = h.start(data)
		case hsHead:
			data = h.headBytes(data)
		case hsBody:
			data = h.bodyBytes(data)
		case hsResync:
			data = h.resync(data)
		case hsTrail:
			data = h.trailBytes(data)
		default:
			h.pos = start + int64(before)
			return
		}
		h.pos = start + int64(before-len(data))
		h.closeFrame()
	}
}

// start skips blank lines between messages and opens the next message.
func (h *half) start(data []byte) []byte {
	i := 0
	for i < len(data) && (data[i] == '\r' || data[i] == '\n') {
		i++
	}
	data = data[i:]
	if len(data) == 0 {
		return nil
	}
	h.openFrame(h.pos+int64(i), data)
	// After an HTTP/0.9 request the response is a raw body until close,
	// unless it starts with a status line: then the request was not really
	// 0.9 (binary junk, a client speaking something else) and the response
	// is parsed normally, as libhtp does.
	h.resp09 = h.dir == app.ToClient && len(h.p.pending) > 0 && h.p.pending[0].req09
	h.head = h.head[:0]
	h.lineRaw, h.lines, h.overflow = 0, 0, false
	h.lineFirstCR, h.prevCR, h.lineOnlyCR, h.prevBareLF = false, false, true, false
	h.undecided = h.dir == app.ToClient
	h.lineNotStatus, h.junkStart, h.junkLines = false, 0, 0
	h.state = hsHead
	return data
}

// headBytes accumulates the header block until its empty line. Lines end
// with LF, CRLF or a lone CR (followed by anything but CR or LF); only an
// exactly empty line ("\n" or "\r\n") ends the block, as in libhtp.
func (h *half) headBytes(data []byte) []byte {
	for i, c := range data {
		if h.prevCR {
			h.prevCR = false
			if c != '\n' && c != '\r' && h.lineRaw > 1 {
				// A lone CR ended the line: store it as LF (unless a
				// limit kept the CR out of the buffer).
				if n := len(h.head); n > 0 && h.head[n-1] == '\r' {
					h.head[n-1] = '\n'
				}
				if h.lineEnd(false) {
					return data[i:]
				}
			}
		}
		h.pushHead(c)
		switch c {
		case '\n':
			if h.lineEnd(h.emptyLine()) {
				return data[i+1:]
			}
			continue
		case '\r':
			h.prevCR = true
			if h.lineRaw == 0 {
				h.lineFirstCR = true
			}
		default:
			h.lineOnlyCR = false
		}
		h.lineRaw++
		if h.undecided && !h.lineNotStatus && h.statusLineStarts() {
			return data[i+1:]
		}
	}
	return nil
}

// emptyLine reports whether the line just ended by LF (the last byte of
// head) ends the header block: "", "\r", a single SP or HT (libhtp's
// terminator rule), or only CRs right after a line that ended in a bare LF.
func (h *half) emptyLine() bool {
	n := len(h.head)
	switch {
	case h.lineRaw == 0 || (h.lineRaw == 1 && h.lineFirstCR):
		return true
	case h.lineRaw == 1 && n >= 2 && (h.head[n-2] == ' ' || h.head[n-2] == '\t'):
		return true
	case h.lineOnlyCR && h.prevBareLF:
		return true
	}
	return false
}

// lineEnd accounts a finished header line; true means the head is complete
// (an empty line after the start line, or an HTTP/0.9 request line).
func (h *half) lineEnd(empty bool) bool {
	n := len(h.head)
	h.prevBareLF = n > 0 && h.head[n-1] == '\n' && (n < 2 || h.head[n-2] != '\r')
	h.lineRaw, h.lineFirstCR, h.lineOnlyCR = 0, false, true
	if h.undecided {
		return h.junkLineEnd()
	}
	if empty && h.lines > 0 {
		h.headDone()
		return true
	}
	h.lines++
	if h.lines == 1 && h.dir == app.ToServer && is09(h.head) {
		h.headDone()
		return true
	}
	return false
}

// Limits on junk before a status line; beyond them the response is taken to
// have no status line at all (HTTP/0.9 style raw body).
const (
	maxJunkLines = 8
	maxJunkBytes = 1024
)

// statusLineStarts checks the current line of an undecided response start;
// true means the bytes went to a raw body and the caller must return.
func (h *half) statusLineStarts() bool {
	line := h.head[h.junkStart:]
	yes, need := looksLikeStatusLine(line)
	switch {
	case yes:
		if h.junkStart > 0 {
			h.p.anomaly(h.dir, AnomJunkBeforeStatus)
			h.head = h.head[:copy(h.head, line)]
			h.junkStart = 0
		}
		h.undecided = false
	case !need || len(line) > 64:
		if h.resp09 {
			h.rawResponse()
			h.body.wire(h.head)
			h.head = h.head[:0]
			h.undecided = false
			return true
		}
		h.lineNotStatus = true
	}
	return false
}

// junkLineEnd ends a line that was not a status line. Junk lines are kept
// until a status line shows up; too much junk means a raw body.
func (h *half) junkLineEnd() bool {
	h.junkLines++
	h.junkStart = int32(len(h.head))
	h.lineNotStatus = false
	if h.junkLines > maxJunkLines || len(h.head) > maxJunkBytes {
		h.toRawResponse()
		return true
	}
	return false
}

// toRawResponse turns the bytes of an undecided response start into the
// beginning of a raw body.
func (h *half) toRawResponse() {
	h.p.anomaly(h.dir, AnomNoStatusLine)
	h.rawResponse()
	h.body.wire(h.head)
	h.head = h.head[:0]
	h.undecided = false
}

// pushHead appends one byte, bounded by MaxHeaderBytes.
func (h *half) pushHead(c byte) {
	if !h.overflow && len(h.head) < h.p.cfg.MaxHeaderBytes && h.headRoom() {
		if h.head == nil {
			h.head = make([]byte, 0, firstHeadBytes)
		}
		h.head = append(h.head, c)
		return
	}
	if !h.overflow {
		h.overflow = true
		h.p.stats.HeaderOverflows++
		h.p.anomaly(h.dir, AnomHeaderTooLong)
	}
}

// firstHeadBytes is the header buffer a message starts with (it grows as
// the block does).
const firstHeadBytes = 256

// releaseHead gives the header buffer up and the header quota back to the
// shared budget once a header block is parsed: a connection between
// messages — or one that stays in mid-response for ever, as an attacker's
// do — holds neither, so idle connections can't exhaust app-layer-memcap
// (nor the heap) for the live ones. The parsed block is the transaction's
// own copy.
func (h *half) releaseHead() {
	h.head = nil
	p := h.p
	p.mem.Shrink(p.mem.Held() - int64(p.headSteps[h.dir])*headStep)
	p.headSteps[h.dir] = 0
}

// headRoom makes sure the header buffer may hold one more byte under the
// shared budget, reserving headStep bytes at a time.
func (h *half) headRoom() bool {
	p := h.p
	if len(h.head) < int(p.headSteps[h.dir])*headStep {
		return true
	}
	if !p.mem.Ensure(p.mem.Held() + headStep) {
		p.memcapHit(h.dir)
		return false
	}
	p.headSteps[h.dir]++
	return true
}

// is09 reports whether a request line lacks a protocol (HTTP/0.9).
func is09(line []byte) bool {
	var m message
	m.parseRequestLine(string(line))
	return m.proto == ""
}

// headDone parses the finished header block.
func (h *half) headDone() {
	block := string(h.head)
	h.head = h.head[:0]
	h.releaseHead()
	h.state = hsStart
	if h.dir == app.ToServer {
		h.request(parseHead(block, false, h.p.cfg.MaxHeaders))
	} else {
		h.response(parseHead(block, true, h.p.cfg.MaxHeaders))
	}
}

// headAnomalies reports oddities of a parsed head.
func (h *half) headAnomalies(m *message) {
	if m.truncated {
		h.p.stats.HeaderOverflows++
		h.p.anomaly(h.dir, AnomTooManyHeaders)
	}
	if m.folded {
		h.p.anomaly(h.dir, AnomFoldedHeader)
	}
	if m.invalid > 0 {
		h.p.anomaly(h.dir, AnomInvalidHeader)
	}
}

// startBody switches to body parsing, or finishes the message at once.
func (h *half) startBody(tx *Transaction, m *message, fr framing, length int64) {
	if fr == frNone || (fr == frLength && length == 0) {
		h.messageDone(tx)
		if h.dir == app.ToServer && !tx.req09 && !tx.isConnect && h.state == hsStart {
			h.startRequestTrail(tx)
		}
		return
	}
	h.tx = tx
	h.body = h.p.newBody(h.dir, tx, m, fr, length)
	h.state = hsBody
}

// rawResponse starts a response without status line: body until close.
func (h *half) rawResponse() {
	tx := h.responseTx()
	tx.HasResponse = true
	h.popPending(tx)
	h.tx = tx
	m := &message{}
	if x := h.x; x != nil && x.interim != nil {
		if cd, ok := x.interim.get("Content-Disposition"); ok {
			m.headers = []Header{{Name: "Content-Disposition", Value: cd}}
		}
		x.interim = nil
	}
	h.body = h.p.newBody(h.dir, tx, m, frClose, 0)
	h.state = hsBody
}

// responseTx returns the transaction the next response belongs to.
func (h *half) responseTx() *Transaction {
	if h.unpaired {
		h.unpaired = false
		h.p.anomaly(h.dir, AnomResponseUnpaired)
		return h.p.newTx()
	}
	if len(h.p.pending) > 0 {
		return h.p.pending[0]
	}
	h.p.orphanResponses++
	h.p.anomaly(h.dir, AnomResponseWithoutReq)
	return h.p.newTx()
}

func (h *half) popPending(tx *Transaction) {
	if len(h.p.pending) > 0 && h.p.pending[0] == tx {
		h.p.pending[0] = nil
		h.p.pending = h.p.pending[:copy(h.p.pending, h.p.pending[1:])]
	}
}

func (h *half) messageDone(tx *Transaction) {
	h.frameEnd = h.frameID != 0
	if h.dir == app.ToServer {
		tx.requestDone = true
		if rs, ok := h.p.sink.(app.RequestSink); ok && !tx.reported {
			rs.RequestComplete(tx)
		}
	} else {
		tx.responseDone = true
	}
	h.p.maybeReport(tx)
}

func (h *half) bodyBytes(data []byte) []byte {
	b := h.body
	switch b.framing {
	case frLength:
		n := int(min(int64(len(data)), b.remaining))
		b.wire(data[:n])
		b.remaining -= int64(n)
		if b.remaining == 0 {
			h.bodyComplete()
		}
		return data[n:]
	case frChunked:
		n := b.ck.feed(data, b.wire)
		data = data[n:]
		switch b.ck.state {
		case ckDone:
			h.bodyComplete()
		case ckBad:
			h.chunkFailure()
		}
		return data
	default:
		b.wire(data)
		return nil
	}
}

// chunkFailure handles broken chunked framing: a first size line that is not
// hex means the body was never chunked (clients then read it as is);
// anything later loses sync.
func (h *half) chunkFailure() {
	b := h.body
	h.p.stats.ChunkErrors++
	switch b.ck.err {
	case chunkLineTooLong:
		h.p.anomaly(h.dir, AnomChunkLineTooLong)
	case chunkOverhead:
		h.p.anomaly(h.dir, AnomChunkOverhead)
	default:
		h.p.anomaly(h.dir, AnomInvalidChunk)
	}
	if b.ck.chunks == 0 && b.ck.err == chunkInvalid && h.dir == app.ToClient {
		b.framing = frClose
		b.wire(b.ck.first)
		return
	}
	h.finishBody(true)
	h.lostSync()
}

func (h *half) finishBody(truncated bool) {
	b, tx := h.body, h.tx
	h.body, h.tx = nil, nil
	if h.state == hsBody {
		h.state = hsStart
	}
	b.finish(truncated)
	h.messageDone(tx)
}

func (h *half) lostSync() {
	h.p.stats.Resyncs++
	h.state = hsResync
	x := h.aside()
	x.rs, h.rsSkip = x.rs[:0], true
}
