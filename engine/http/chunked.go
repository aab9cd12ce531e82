package http

// This file is the push-based de-chunker for Transfer-Encoding: chunked.
// It is lenient where clients are (bare LF, whitespace around the size,
// uppercase hex, leading zeros, extensions, junk after the CRLF of a chunk)
// and bounded where an attacker could make it work forever: the size line is
// capped at Config.MaxChunkLine and the framing overhead follows Go's
// net/http/internal/chunked.go budget (16 bytes per chunk plus twice the data).

type chunkState uint8

const (
	ckSize    chunkState = iota // before or inside the hex size
	ckExt                       // after the size, until LF
	ckData                      // chunk data
	ckDataEnd                   // the line end after data, until LF
	ckTrailer                   // trailer lines until an empty one
	ckDone                      // last chunk and trailers seen
	ckBad                       // framing error
)

// chunkErr says why framing failed.
type chunkErr uint8

const (
	chunkOK chunkErr = iota
	chunkInvalid
	chunkLineTooLong
	chunkOverhead
)

// maxChunkOverhead is Go's allowance of framing bytes beyond the 16+2×data budget.
const maxChunkOverhead = 16 << 10

// maxChunkSize bounds one chunk's announced size (1 TiB) so sizes cannot overflow.
const maxChunkSize = 1 << 40

type dechunker struct {
	state    chunkState
	size     int64 // announced size, then bytes of data left
	digits   int
	lineLen  int
	excess   int64
	chunks   int // chunks whose size line parsed
	trailLen int // bytes on the current trailer line (CR excluded)
	err      chunkErr
	maxLine  int
	first    []byte // the raw first size line, kept to fall back to identity
	keepRaw  bool
}

func (d *dechunker) reset(maxLine int) {
	*d = dechunker{maxLine: maxLine, first: d.first[:0], keepRaw: true}
}

// feed consumes framing from p and calls data with chunk payload. It returns
// the bytes consumed: all of p unless the body ended (ckDone) or failed (ckBad).
func (d *dechunker) feed(p []byte, data func([]byte)) int {
	i := 0
	for i < len(p) {
		switch d.state {
		case ckSize, ckExt:
			c := p[i]
			i++
			if d.keepRaw && len(d.first) < d.maxLine {
				d.first = append(d.first, c)
			}
			d.lineLen++
			if d.lineLen > d.maxLine {
				return d.fail(i, chunkLineTooLong)
			}
			if c == '\n' {
				if d.digits == 0 {
					if d.lineLen <= 2 && d.chunks > 0 {
						d.lineLen = 0 // empty line between chunks: tolerate
						continue
					}
					if d.lineLen <= 2 && d.chunks == 0 && d.keepRaw {
						d.lineLen = 0
						continue
					}
					return d.fail(i, chunkInvalid)
				}
				if !d.endSizeLine() {
					return d.fail(i, chunkOverhead)
				}
				continue
			}
			if d.state == ckExt {
				continue
			}
			switch v := unhex(c); {
			case v >= 0:
				d.size = d.size<<4 | int64(v)
				d.digits++
				if d.size > maxChunkSize {
					return d.fail(i, chunkInvalid)
				}
			case c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f':
				if d.digits > 0 {
					d.state = ckExt
				}
			case d.digits > 0:
				d.state = ckExt // ";ext", or junk after the digits
			default:
				return d.fail(i, chunkInvalid)
			}
		case ckData:
			n := int(min(int64(len(p)-i), d.size))
			data(p[i : i+n])
			i += n
			d.size -= int64(n)
			if d.size == 0 {
				d.state = ckDataEnd
				d.lineLen = 0
			}
		case ckDataEnd:
			c := p[i]
			i++
			d.lineLen++
			if c == '\n' {
				d.startSize()
			} else if d.lineLen > d.maxLine {
				return d.fail(i, chunkLineTooLong)
			}
		case ckTrailer:
			c := p[i]
			i++
			switch c {
			case '\n':
				if d.trailLen == 0 {
					d.state = ckDone
					return i
				}
				d.trailLen = 0
			case '\r':
			default:
				d.trailLen++
				d.lineLen++
				if d.lineLen > 64<<10 {
					return d.fail(i, chunkLineTooLong)
				}
			}
		default:
			return i
		}
	}
	return i
}

func (d *dechunker) startSize() {
	d.state = ckSize
	d.size, d.digits, d.lineLen = 0, 0, 0
}

// endSizeLine finishes a size line; false means the overhead budget is spent.
func (d *dechunker) endSizeLine() bool {
	d.chunks++
	d.keepRaw = false
	d.excess += int64(d.lineLen) + 2
	d.excess -= 16 + 2*d.size
	d.excess = max(d.excess, 0)
	if d.excess > maxChunkOverhead {
		return false
	}
	d.lineLen = 0
	if d.size == 0 {
		d.state = ckTrailer
		d.trailLen = 0
		return true
	}
	d.state = ckData
	return true
}

func (d *dechunker) fail(i int, e chunkErr) int {
	d.state = ckBad
	d.err = e
	return i
}

// done reports whether the last chunk was seen (trailers may still follow).
func (d *dechunker) lastSeen() bool { return d.state == ckTrailer || d.state == ckDone }

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
