package http

import "strings"

// This file decodes one Content-Encoding layer (gzip, x-gzip, deflate) on the
// fly. Like libhtp, a layer detects the real wrapping from the first bytes
// (gzip, zlib or raw deflate, whatever the header claimed) and, when the data
// does not decode at all, passes it through unchanged, which is what a lenient
// client ends up showing.

type codingKind uint8

const (
	codingIdentity codingKind = iota
	codingGzip
	codingDeflate
	codingUnsupported
)

// parseCoding maps one Content-Encoding token to a decoder kind.
func parseCoding(tok string) codingKind {
	switch strings.ToLower(strings.Trim(tok, " \t\r\n\v\f\"")) {
	case "", "identity", "none":
		return codingIdentity
	case "gzip", "x-gzip":
		return codingGzip
	case "deflate", "x-deflate":
		return codingDeflate
	}
	return codingUnsupported
}

type wrapMode uint8

const (
	wrapDetect wrapMode = iota
	wrapGzipHeader
	wrapZlibHeader
	wrapRaw
	wrapPassthrough
	wrapDone
	wrapFailed
)

// prefixKeep is how much of the start of an encoded body a layer keeps so it
// can retry another wrapping or fall back to passthrough.
const prefixKeep = 1024

// decodeLayer streams one encoding layer into next.
type decodeLayer struct {
	kind     codingKind
	mode     wrapMode
	start    wrapMode // wrapping detected from the first bytes
	tried    uint8    // attempts made: 0 detected wrapping, 1 raw, 2 passthrough
	zlibSeen int
	prefix   []byte
	consumed int64 // input bytes seen
	hdr      gzipHeader
	inf      inflater
	next     func([]byte) bool
	stopped  bool  // next asked to stop
	produced int64 // bytes passed on (committed)
	// hold keeps the first decoded bytes back until holdMax of them exist
	// or the body ends: until then the layer can still change its mind
	// (another wrapping, or passthrough) whatever the input's split.
	hold      []byte
	committed bool
}

// holdMax bounds the decoded bytes a layer holds back before committing.
const holdMax = 512

func newDecodeLayer(kind codingKind, next func([]byte) bool) *decodeLayer {
	l := &decodeLayer{kind: kind, next: next}
	l.inf.reset(l.out)
	return l
}

func (l *decodeLayer) out(p []byte) bool {
	if !l.committed {
		if len(l.hold)+len(p) <= holdMax {
			l.hold = append(l.hold, p...)
			return true
		}
		if !l.commit() {
			return false
		}
	}
	l.produced += int64(len(p))
	if !l.next(p) {
		l.stopped = true
		return false
	}
	return true
}

// commit passes the held bytes on; from now on errors are final.
func (l *decodeLayer) commit() bool {
	l.committed = true
	h := l.hold
	l.hold = nil
	if len(h) == 0 {
		return true
	}
	l.produced += int64(len(h))
	if !l.next(h) {
		l.stopped = true
		return false
	}
	return true
}

// write feeds encoded bytes; it returns errInflate once when the layer turns
// out to be corrupt after having produced output.
func (l *decodeLayer) write(p []byte) error {
	if l.stopped || len(p) == 0 {
		return nil
	}
	prev := l.consumed
	if l.consumed < prefixKeep {
		n := min(len(p), prefixKeep-int(l.consumed))
		l.prefix = append(l.prefix, p[:n]...)
	}
	l.consumed += int64(len(p))
	if l.mode != wrapDetect {
		return l.process(p)
	}
	if l.consumed < detectBytes {
		return nil // the bytes wait in prefix
	}
	return l.startDecoding(prev, p)
}

// detectBytes is how many bytes wrapping detection looks at.
const detectBytes = 6

// startDecoding detects the wrapping from prefix and decodes everything seen
// so far: prefix[:prev] followed by p (which prefix may also hold).
func (l *decodeLayer) startDecoding(prev int64, p []byte) error {
	var skip int
	l.mode, skip = l.detect()
	l.start = l.mode
	if l.consumed <= int64(len(l.prefix)) {
		return l.process(l.prefix[skip:])
	}
	if int64(skip) <= prev {
		if err := l.process(l.prefix[skip:prev]); err != nil || l.mode == wrapFailed {
			return err
		}
		return l.process(p)
	}
	return l.process(p[skip-int(prev):])
}

func (l *decodeLayer) process(p []byte) error {
	for len(p) > 0 && !l.stopped {
		switch l.mode {
		case wrapGzipHeader:
			n, done, bad := l.hdr.feed(p)
			p = p[n:]
			if bad {
				return l.retry()
			}
			if done {
				l.mode = wrapRaw
			}
		case wrapZlibHeader:
			k := min(len(p), 2-l.zlibSeen)
			l.zlibSeen += k
			p = p[k:]
			if l.zlibSeen == 2 {
				l.mode = wrapRaw
			}
		case wrapRaw:
			err := l.inf.write(p)
			p = nil
			if err != nil {
				return l.retry()
			}
			if l.inf.done() {
				l.mode = wrapDone
			}
		case wrapPassthrough:
			l.out(p)
			p = nil
		default: // wrapDone, wrapFailed: trailing bytes ignored
			p = nil
		}
	}
	return nil
}

// detect picks the wrapping from the first bytes. A gzip member preceded by
// a few line-end or blank bytes (sloppy servers, evasions) is found after
// them; skip is how many bytes to drop.
func (l *decodeLayer) detect() (wrapMode, int) {
	p := l.prefix
	k := 0
	for k < len(p) && k < 4 && (p[k] == '\r' || p[k] == '\n' || p[k] == ' ' || p[k] == '\t') {
		k++
	}
	if len(p) >= k+2 && p[k] == 0x1f && p[k+1] == 0x8b {
		return wrapGzipHeader, k
	}
	if len(p) < 2 {
		return wrapRaw, 0
	}
	b0, b1 := p[0], p[1]
	if b0&0x0f == 8 && b0>>4 <= 7 && (uint(b0)<<8|uint(b1))%31 == 0 && b1&0x20 == 0 {
		return wrapZlibHeader, 0
	}
	return wrapRaw, 0
}

// retry restarts the layer with the next wrapping when nothing was produced
// yet and the whole input so far is still in prefix; otherwise it fails.
func (l *decodeLayer) retry() error {
	if l.produced > 0 || l.consumed > int64(len(l.prefix)) || l.tried >= 2 {
		l.mode = wrapFailed
		if l.produced > 0 {
			return errInflate
		}
		return nil
	}
	l.tried++
	l.hold = l.hold[:0]
	l.inf.reset(l.out)
	l.hdr = gzipHeader{}
	l.zlibSeen = 0
	if l.tried == 1 && l.start != wrapRaw {
		l.mode = wrapRaw
	} else {
		l.tried = 2
		l.mode = wrapPassthrough
	}
	return l.process(l.prefix)
}

// end flushes the layer at the end of the body: a body too short or too
// broken to decode at all is passed through.
func (l *decodeLayer) end() error {
	defer l.commit()
	if l.mode == wrapDetect {
		if len(l.prefix) == 0 {
			return nil
		}
		if err := l.startDecoding(l.consumed, nil); err != nil {
			return err
		}
	}
	for i := 0; i < 3; i++ {
		switch l.mode {
		case wrapGzipHeader, wrapZlibHeader, wrapRaw:
			if l.produced > 0 || len(l.hold) > 0 || l.stopped {
				return nil // a truncated stream keeps what it decoded
			}
			if err := l.retry(); err != nil || l.mode == wrapFailed {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// gzipHeader skips an RFC 1952 member header fed in pieces.
type gzipHeader struct {
	n     int // bytes of the fixed part seen
	flags byte
	xlen  int
	stage uint8 // 0 fixed, 1 xlen, 2 extra, 3 name, 4 comment, 5 crc, 6 done
	cnt   int
}

// feed consumes header bytes; done reports the header ended after n bytes.
func (h *gzipHeader) feed(p []byte) (n int, done, bad bool) {
	for n < len(p) {
		c := p[n]
		switch h.stage {
		case 0:
			if (h.n == 0 && c != 0x1f) || (h.n == 1 && c != 0x8b) || (h.n == 2 && c != 8) {
				return n, false, true
			}
			if h.n == 3 {
				h.flags = c
			}
			h.n++
			n++
			if h.n == 10 {
				h.stage = 1
			}
			continue
		case 1:
			if h.flags&4 == 0 {
				h.stage = 3
				continue
			}
			h.xlen |= int(c) << (8 * h.cnt)
			h.cnt++
			n++
			if h.cnt == 2 {
				h.stage, h.cnt = 2, 0
			}
			continue
		case 2:
			k := min(h.xlen, len(p)-n)
			h.xlen -= k
			n += k
			if h.xlen == 0 {
				h.stage = 3
			}
			continue
		case 3, 4:
			bit := byte(8)
			if h.stage == 4 {
				bit = 16
			}
			if h.flags&bit == 0 {
				h.stage++
				continue
			}
			n++
			if c == 0 {
				h.stage++
			}
			continue
		case 5:
			if h.flags&2 == 0 || h.cnt == 2 {
				h.stage = 6
				continue
			}
			h.cnt++
			n++
			continue
		}
		return n, true, false
	}
	if h.stage == 5 && (h.flags&2 == 0 || h.cnt == 2) {
		h.stage = 6
	}
	// Stages that complete without consuming a byte finish here too.
	for h.stage < 6 && h.stage > 0 && n == len(p) {
		switch {
		case h.stage == 1 && h.flags&4 == 0:
			h.stage = 3
		case h.stage == 3 && h.flags&8 == 0:
			h.stage = 4
		case h.stage == 4 && h.flags&16 == 0:
			h.stage = 5
		case h.stage == 5 && (h.flags&2 == 0 || h.cnt == 2):
			h.stage = 6
		default:
			return n, false, false
		}
	}
	return n, h.stage == 6, false
}
