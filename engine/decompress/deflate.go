package decompress

// This file wraps the push inflater in the three framings a "gzip" or
// "deflate" Content-Encoding turns out to use on the wire: a gzip member
// (RFC 1952), a zlib stream (RFC 1950) or raw DEFLATE (RFC 1951).

type wrapping uint8

const (
	wrapGzip wrapping = iota
	wrapZlib
	wrapRaw
)

// deflateCodec decodes one DEFLATE stream behind its framing.
type deflateCodec struct {
	wrap     wrapping
	hdr      gzipHeader
	inHeader bool
	zlibSeen int
	inf      inflater
}

func (d *deflateCodec) reset(emit func([]byte) bool) {
	d.hdr = gzipHeader{}
	d.zlibSeen = 0
	d.inHeader = d.wrap != wrapRaw
	d.inf.reset(emit)
}

func (d *deflateCodec) write(p []byte) error {
	if d.inHeader {
		switch d.wrap {
		case wrapGzip:
			n, done, bad := d.hdr.feed(p)
			if bad {
				return errInflate
			}
			p = p[n:]
			d.inHeader = !done
		case wrapZlib:
			k := min(len(p), 2-d.zlibSeen)
			d.zlibSeen += k
			p = p[k:]
			d.inHeader = d.zlibSeen < 2
		}
		if d.inHeader || len(p) == 0 {
			return nil
		}
	}
	return d.inf.write(p)
}

func (d *deflateCodec) finish() error { return nil }

func (d *deflateCodec) done() bool { return d.inf.done() }

// detectWrapping picks the framing from the first bytes. A gzip member
// preceded by a few line-end or blank bytes (sloppy servers, evasions) is
// found after them; skip is how many bytes to drop.
func detectWrapping(p []byte) (wrapping, int) {
	k := 0
	for k < len(p) && k < 4 && (p[k] == '\r' || p[k] == '\n' || p[k] == ' ' || p[k] == '\t') {
		k++
	}
	if len(p) >= k+2 && p[k] == 0x1f && p[k+1] == 0x8b {
		return wrapGzip, k
	}
	if len(p) < 2 {
		return wrapRaw, 0
	}
	b0, b1 := p[0], p[1]
	if b0&0x0f == 8 && b0>>4 <= 7 && (uint(b0)<<8|uint(b1))%31 == 0 && b1&0x20 == 0 {
		return wrapZlib, 0
	}
	return wrapRaw, 0
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
