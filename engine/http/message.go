package http

import (
	"strconv"
	"strings"

	"github.com/wirescan/wirescan/engine/app"
)

// This file decides what a parsed head means: which transaction it belongs
// to and how its body is framed (RFC 9112 section 6.3, with client leniency).

// request handles a parsed request head.
func (h *half) request(m *message) {
	p := h.p
	p.stats.Requests++
	h.headAnomalies(m)
	tx := p.newTx()
	tx.HasRequest = true
	tx.Method, tx.Target, tx.Protocol = m.method, m.target, m.proto
	tx.RequestLine, tx.RequestHeaders, tx.RequestRaw = m.startLine, m.headers, m.raw
	tx.req09 = m.proto == ""
	tx.isHead = strings.EqualFold(m.method, "HEAD")
	tx.isConnect = strings.EqualFold(m.method, "CONNECT")
	if tx.req09 {
		p.anomaly(h.dir, AnomRequestWithoutVersion)
	}
	p.enqueue(tx)
	if tx.req09 || tx.isConnect {
		h.startBody(tx, m, frNone, 0)
		return
	}
	fr, n := h.framing(m, false)
	h.startBody(tx, m, fr, n)
}

// response handles a parsed response head.
func (h *half) response(m *message) {
	p := h.p
	p.stats.Responses++
	h.headAnomalies(m)
	tx := h.responseTx()
	tx.HasResponse = true
	tx.Status, tx.StatusMsg, tx.ResponseProto = m.status, m.statusMsg, m.proto
	tx.ResponseLine, tx.ResponseHeaders, tx.ResponseRaw = m.startLine, m.headers, m.raw
	_, upgrade := m.get("Upgrade")
	if h.x != nil {
		h.x.interim = nil
	}
	switch {
	case m.status == 101 && upgrade:
		h.popPending(tx)
		tx.responseDone = true
		p.maybeReport(tx)
		p.startTunnel(AnomUpgrade)
		return
	case m.status >= 100 && m.status < 200 && m.status != 101:
		h.aside().interim = m
		return // interim: the final response follows for the same request
	}
	h.popPending(tx)
	if tx.isConnect && m.status >= 200 && m.status < 300 {
		tx.responseDone = true
		p.maybeReport(tx)
		p.startTunnel(AnomConnectTunnel)
		return
	}
	if tx.isHead {
		h.startBody(tx, m, frNone, 0)
		return
	}
	fr, n := h.framing(m, true)
	if m.status == 204 || m.status == 304 || m.status == 101 {
		// No body by the RFC; a sender that announces one anyway gets it
		// parsed (lenient clients read it), else nothing follows.
		if fr == frClose {
			fr = frNone
		}
	}
	h.startBody(tx, m, fr, n)
}

// framing picks the body framing of a message.
func (h *half) framing(m *message, response bool) (framing, int64) {
	te, nte := m.all("Transfer-Encoding")
	cl, ncl := m.all("Content-Length")
	length, clOK := h.contentLength(cl, ncl)
	if nte > 0 {
		if isChunked(te) {
			if ncl > 0 {
				h.p.anomaly(h.dir, AnomTEAndCL)
			}
			if !strings.EqualFold(strings.TrimSpace(te), "chunked") {
				h.p.anomaly(h.dir, AnomUnknownTE)
			}
			return frChunked, 0
		}
		h.p.anomaly(h.dir, AnomUnknownTE)
	}
	if clOK {
		return frLength, length
	}
	if response {
		return frClose, 0
	}
	return frNone, 0
}

// isChunked reports whether a Transfer-Encoding value selects chunked. Like
// libhtp it looks for "chunked" anywhere, case-insensitively and ignoring NUL
// bytes, so "xchunked", "chunked;" and ": chunked" all count: a sensor must
// decode what lenient clients decode.
func isChunked(te string) bool {
	if strings.IndexByte(te, 0) >= 0 {
		te = strings.ReplaceAll(te, "\x00", "")
	}
	return strings.Contains(strings.ToLower(te), "chunked")
}

// contentLength parses the joined Content-Length values. Leading digits
// count (trailing junk is an anomaly); differing values are an anomaly and
// the first wins.
func (h *half) contentLength(v string, count int) (int64, bool) {
	if count == 0 {
		return 0, false
	}
	var first int64 = -1
	multiple, invalid := false, false
	for _, tok := range strings.Split(v, ",") {
		tok = strings.TrimSpace(tok)
		n, clean := leadingInt(tok)
		if n < 0 || !clean {
			// "34 68", "34(68)": not a length; clients then read to close.
			invalid = true
			continue
		}
		if first < 0 {
			first = n
		} else if n != first {
			multiple = true
		}
	}
	if multiple {
		h.p.anomaly(h.dir, AnomMultipleCL)
	}
	if invalid {
		h.p.anomaly(h.dir, AnomInvalidCL)
	}
	return first, first >= 0
}

// leadingInt parses leading decimal digits; -1 when there are none or the
// value overflows 2^62. clean is false when other bytes follow.
func leadingInt(s string) (int64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 18 {
		return -1, false
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return -1, false
	}
	return n, i == len(s)
}

// gap handles lost bytes according to the state of the direction. A gap
// ends on a segment boundary, which is often a message boundary, so resync
// first tries the bytes right after it before skipping to the next line.
func (h *half) gap(n int64) {
	switch h.state {
	case hsTrail:
		h.endTrail()
		h.mayHaveLost(n)
		h.gapSync()
	case hsStart:
		h.mayHaveLost(n)
		h.gapSync()
	case hsHead:
		h.p.anomaly(h.dir, AnomGapInHeaders)
		h.head = h.head[:0]
		h.messageLost()
		h.gapSync()
	case hsBody:
		h.bodyGap(n)
	case hsResync:
		x := h.aside()
		x.rs, h.rsSkip = x.rs[:0], false
		h.mayHaveLost(n)
	}
}

// minMessageHead is the shortest complete message head ("HTTP/1.1 200
// OK\r\n\r\n" is 19 bytes): a gap shorter than this between messages can't
// have swallowed a whole one.
const minMessageHead = 19

// mayHaveLost notes n lost bytes between messages. Whether they held the
// start of a message is decided when resync finds the next message start:
// if it is right after the gap and the gap was too short for a message head,
// nothing was lost (typically a trailing CRLF); otherwise one message was.
func (h *half) mayHaveLost(n int64) {
	h.lossPending = true
	h.aside().lossBytes += n
}

// resolveLoss is called when resync finds a message start.
func (h *half) resolveLoss() {
	if h.lossPending && (h.lossSkipped || h.aside().lossBytes >= minMessageHead) {
		h.messageLost()
		// Resync skipped data and several requests still wait: more than
		// one response may have been lost, so which request this response
		// answers is unknown. It gets a transaction of its own rather than
		// a neighbour's name (the waiting requests stay queued).
		if h.dir == app.ToClient && h.lossSkipped && len(h.p.pending) >= 2 {
			h.unpaired = true
		}
	}
	h.lossPending, h.lossSkipped = false, false
	if h.x != nil {
		h.x.lossBytes = 0
	}
}

// messageLost keeps requests and responses paired when a gap swallowed the
// start of a message: a lost response ends the oldest pending request's
// transaction (its response is gone); a lost request enqueues a placeholder
// transaction, so the response it gets is not credited to the next request.
// Without this, every file after the gap would carry its neighbour's name.
func (h *half) messageLost() {
	if h.dir == app.ToClient {
		if len(h.p.pending) == 0 {
			return
		}
		tx := h.p.pending[0]
		h.popPending(tx)
		tx.responseDone = true
		h.p.maybeReport(tx)
		return
	}
	if h.p.orphanResponses > 0 {
		// The lost request's response already arrived (before the gap in
		// the request direction was known) and was logged on its own.
		h.p.orphanResponses--
		return
	}
	tx := h.p.newTx()
	tx.requestDone = true
	h.p.enqueue(tx)
}

// gapSync loses sync after a gap, probing the first bytes after it.
func (h *half) gapSync() {
	h.lostSync()
	h.rsSkip = false
}

func (h *half) bodyGap(n int64) {
	b := h.body
	switch b.framing {
	case frLength:
		k := min(n, b.remaining)
		b.gap(k)
		b.remaining -= k
		if b.remaining == 0 {
			h.finishBody(false)
		}
		if n > k {
			h.p.anomaly(h.dir, AnomGapLostSync)
			h.mayHaveLost(n - k)
			h.gapSync()
		}
	case frChunked:
		if b.ck.state == ckData && n <= b.ck.size {
			b.gap(n)
			b.ck.size -= n
			if b.ck.size == 0 {
				b.ck.state, b.ck.lineLen = ckDataEnd, 0
			}
			return
		}
		if b.ck.state == ckData {
			b.gap(b.ck.size)
		}
		h.p.anomaly(h.dir, AnomGapLostSync)
		h.finishBody(!b.ck.lastSeen())
		h.gapSync()
	default:
		b.gap(n)
	}
}

// resync discards bytes until a line starts like a request (ToServer) or a
// status line (ToClient).
func (h *half) resync(data []byte) []byte {
	x := h.aside()
	for i, c := range data {
		if h.rsSkip {
			h.lossSkipped = true
			if c == '\n' {
				h.rsSkip = false
			}
			continue
		}
		x.rs = append(x.rs, c)
		switch Probe(h.dir, x.rs) {
		case app.Yes:
			h.resolveLoss()
			h.state = hsStart
			rs := x.rs
			x.rs = x.rs[:0]
			h.pos += int64(i+1) - int64(len(rs))
			h.feedHeadPrefix(rs)
			return data[i+1:]
		case app.No:
			h.lossSkipped = true
			x.rs = x.rs[:0]
			h.rsSkip = c != '\n'
		}
	}
	return nil
}

// feedHeadPrefix restarts header parsing with bytes already consumed.
func (h *half) feedHeadPrefix(prefix []byte) {
	tmp := append([]byte(nil), prefix...)
	h.replay = true
	h.feed(tmp)
	h.replay = false
}

// end finishes the direction.
func (h *half) end() {
	switch h.state {
	case hsTrail:
		h.trailFlushPeek()
		h.endTrail()
	case hsHead:
		if h.undecided && len(h.head) > 0 {
			h.toRawResponse()
		} else if len(h.head) > 0 {
			h.headDone()
		}
	case hsStart:
		if h.dir == app.ToClient && len(h.p.pending) > 0 && h.p.pending[0].req09 {
			h.popPending(h.p.pending[0])
		}
	}
	if h.state == hsBody {
		b := h.body
		switch b.framing {
		case frClose:
			h.finishBody(false)
		case frChunked:
			h.finishBody(!b.ck.lastSeen())
		default:
			h.finishBody(true)
		}
	}
	h.state = hsEnded
}
