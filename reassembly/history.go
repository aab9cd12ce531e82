package reassembly

import "bytes"

// history is a ring of the last bytes delivered in one direction, so that a
// retransmission of delivered data can be compared with what the parser saw.
// Its capacity grows on demand up to Config.HistoryBytes; the owner reserves
// the capacity in the memcap before calling resize.
type history struct {
	buf  []byte // ring storage; len(buf) is the capacity
	n    int    // valid bytes, at most len(buf)
	head int    // index the next byte is written to
}

// resize moves the valid bytes into a new ring of size c (c >= h.n).
func (h *history) resize(c int) {
	nb := make([]byte, c)
	h.copyOut(nb[:h.n], h.n)
	h.buf, h.head = nb, h.n%c
}

// add records p as the newest delivered bytes.
func (h *history) add(p []byte) {
	c := len(h.buf)
	if c == 0 {
		return
	}
	if len(p) >= c {
		copy(h.buf, p[len(p)-c:])
		h.head, h.n = 0, c
		return
	}
	k := copy(h.buf[h.head:], p)
	copy(h.buf, p[k:])
	h.head = (h.head + len(p)) % c
	h.n = min(h.n+len(p), c)
}

// reset forgets the contents (after a gap the ring is no longer contiguous
// with the stream position) but keeps the capacity.
func (h *history) reset() { h.n, h.head = 0, 0 }

// copyOut copies the len(dst) bytes that start dist bytes before the newest
// end (dist >= len(dst), dist <= h.n) into dst.
func (h *history) copyOut(dst []byte, dist int) {
	c := len(h.buf)
	if len(dst) == 0 {
		return
	}
	start := ((h.head-dist)%c + c) % c
	k := copy(dst, h.buf[start:])
	copy(dst[k:], h.buf)
}

// differs compares p, whose first byte lies dist bytes before the newest end
// (len(p) <= dist), with the bytes kept. Bytes older than the history are not
// compared. It reports whether any compared byte differs.
func (h *history) differs(dist int, p []byte) bool {
	if dist > h.n {
		skip := dist - h.n
		if skip >= len(p) {
			return false
		}
		p, dist = p[skip:], h.n
	}
	c := len(h.buf)
	start := ((h.head-dist)%c + c) % c
	first := min(len(p), c-start)
	if !bytes.Equal(p[:first], h.buf[start:start+first]) {
		return true
	}
	return !bytes.Equal(p[first:], h.buf[:len(p)-first])
}
