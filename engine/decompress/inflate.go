package decompress

import "fmt"

// This file is a push-based raw DEFLATE (RFC 1951) decoder.
//
// compress/flate pulls from an io.Reader and keeps the first read error
// forever, so it cannot be suspended when a Feed call runs out of bytes and
// resumed on the next one without a goroutine or without buffering the whole
// body. The inflater here decodes one unit at a time (a block header, a code
// table, one literal or length/distance pair, a run of stored bytes) and rolls
// back to the start of the unit when input runs out, so it only keeps the bytes
// of one unfinished unit (at most a few hundred) plus the 32 KiB window.

// errInflate is returned for corrupt DEFLATE data.
var errInflate = fmt.Errorf("%w: deflate", ErrCorrupt)

const (
	maxBits    = 15
	windowSize = 1 << 15
	windowMask = windowSize - 1
	// inflateChunk bounds how much new input is appended to the pending
	// buffer before decoding, so the buffer stays bounded.
	inflateChunk = 4096
)

type infState uint8

const (
	infBlockHeader infState = iota
	infStoredHeader
	infStored
	infCodes
	infDone
	infError
	infStopped
)

// huffman is a canonical Huffman code in puff's representation.
type huffman struct {
	count  [maxBits + 1]uint16
	symbol [288]uint16
}

// build constructs the code from code lengths; incomplete codes are allowed
// (as zlib does for single-code distance trees), over-subscribed ones are not.
func (h *huffman) build(lengths []uint8) error {
	h.count = [maxBits + 1]uint16{}
	for _, l := range lengths {
		h.count[l]++
	}
	if int(h.count[0]) == len(lengths) {
		return nil // no codes: any use fails at decode time
	}
	left := 1
	for l := 1; l <= maxBits; l++ {
		left <<= 1
		left -= int(h.count[l])
		if left < 0 {
			return errInflate
		}
	}
	var offs [maxBits + 1]uint16
	for l := 1; l < maxBits; l++ {
		offs[l+1] = offs[l] + h.count[l]
	}
	for sym, l := range lengths {
		if l != 0 {
			h.symbol[offs[l]] = uint16(sym)
			offs[l]++
		}
	}
	return nil
}

var (
	lenBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	dstBase  = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	dstExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	clOrder  = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// inflater decodes a raw DEFLATE stream pushed in pieces of any size. emit
// receives decoded bytes (valid during the call) and returns false to stop.
type inflater struct {
	in     []byte // pending input; in[0] holds bit position 0 of bitpos
	bitpos int    // next unread bit in in
	state  infState
	final  bool
	stored int // bytes left in a stored block

	lit, dst huffman
	fixed    bool

	window  [windowSize]byte
	wpos    int   // next write position in window
	flushed int   // window position up to which bytes were emitted
	total   int64 // bytes produced
	emit    func([]byte) bool
}

func (z *inflater) reset(emit func([]byte) bool) {
	z.in = z.in[:0]
	z.bitpos = 0
	z.state = infBlockHeader
	z.final = false
	z.stored = 0
	z.wpos, z.flushed, z.total = 0, 0, 0
	z.emit = emit
}

// done reports whether the final block ended.
func (z *inflater) done() bool { return z.state == infDone }

// write decodes p. It returns errInflate on corrupt data; after an error or a
// stop requested by emit, further input is ignored.
func (z *inflater) write(p []byte) error {
	for len(p) > 0 {
		if z.state >= infDone {
			break
		}
		n := min(len(p), inflateChunk)
		z.in = append(z.in, p[:n]...)
		p = p[n:]
		z.run()
		// Drop consumed whole bytes.
		if used := z.bitpos >> 3; used > 0 {
			z.in = z.in[:copy(z.in, z.in[used:])]
			z.bitpos &= 7
		}
	}
	if z.state == infError {
		// Emit what decoded before the corruption, so the output does not
		// depend on how the input was split.
		z.flush()
		return errInflate
	}
	if z.state < infError && !z.flush() {
		z.state = infStopped
	}
	return nil
}

// peek returns n (≤ 25) bits at the current position without consuming them.
func (z *inflater) peek(pos int, n uint) (uint32, bool) {
	if pos+int(n) > len(z.in)*8 {
		return 0, false
	}
	b := pos >> 3
	var v uint32
	for i := 0; i < 4 && b+i < len(z.in); i++ {
		v |= uint32(z.in[b+i]) << (8 * i)
	}
	return (v >> (pos & 7)) & (1<<n - 1), true
}

// decode reads one Huffman symbol at *pos. ok is false when more input is needed.
func (z *inflater) decode(h *huffman, pos *int) (sym int, ok bool, err error) {
	code, first, index := 0, 0, 0
	p := *pos
	for l := 1; l <= maxBits; l++ {
		bit, ok := z.peek(p, 1)
		if !ok {
			return 0, false, nil
		}
		p++
		code |= int(bit)
		count := int(h.count[l])
		if code-count < first {
			*pos = p
			return int(h.symbol[index+(code-first)]), true, nil
		}
		index += count
		first += count
		first <<= 1
		code <<= 1
	}
	return 0, true, errInflate
}

// run decodes units until input runs out, the stream ends or fails.
func (z *inflater) run() {
	for {
		var progress bool
		switch z.state {
		case infBlockHeader:
			progress = z.blockHeader()
		case infStoredHeader:
			progress = z.storedHeader()
		case infStored:
			progress = z.storedData()
		case infCodes:
			progress = z.codes()
		default:
			return
		}
		if !progress {
			return
		}
	}
}

func (z *inflater) fail() bool {
	z.state = infError
	return false
}

func (z *inflater) endBlock() {
	if z.final {
		z.state = infDone
	} else {
		z.state = infBlockHeader
	}
}

func (z *inflater) blockHeader() bool {
	v, ok := z.peek(z.bitpos, 3)
	if !ok {
		return false
	}
	pos := z.bitpos + 3
	final := v&1 == 1
	switch v >> 1 {
	case 0:
		z.final = final
		z.bitpos = (pos + 7) &^ 7
		z.state = infStoredHeader
		return true
	case 1:
		z.fixedTables()
	case 2:
		ok, err := z.dynamicTables(&pos)
		if err != nil {
			return z.fail()
		}
		if !ok {
			return false
		}
	default:
		return z.fail()
	}
	z.final = final
	z.bitpos = pos
	z.state = infCodes
	return true
}

func (z *inflater) fixedTables() {
	if z.fixed {
		return
	}
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	_ = z.lit.build(l[:])
	for i := 0; i < 30; i++ {
		l[i] = 5
	}
	_ = z.dst.build(l[:30])
	z.fixed = true
}

// dynamicTables parses a dynamic block's code definitions at *pos as one unit.
func (z *inflater) dynamicTables(pos *int) (bool, error) {
	p := *pos
	v, ok := z.peek(p, 14)
	if !ok {
		return false, nil
	}
	p += 14
	nlen, ndist, ncode := int(v&31)+257, int(v>>5&31)+1, int(v>>10)+4
	if nlen > 286 || ndist > 30 {
		return false, errInflate
	}
	var lengths [320]uint8
	for i := 0; i < ncode; i++ {
		b, ok := z.peek(p, 3)
		if !ok {
			return false, nil
		}
		p += 3
		lengths[clOrder[i]] = uint8(b)
	}
	if err := z.lit.build(lengths[:19]); err != nil {
		return false, err
	}
	lengths = [320]uint8{}
	for i := 0; i < nlen+ndist; {
		sym, ok, err := z.decode(&z.lit, &p)
		if err != nil || !ok {
			return false, err
		}
		if sym < 16 {
			lengths[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var val uint8
		switch sym {
		case 16:
			if i == 0 {
				return false, errInflate
			}
			val = lengths[i-1]
			b, ok := z.peek(p, 2)
			if !ok {
				return false, nil
			}
			p += 2
			rep = 3 + int(b)
		case 17:
			b, ok := z.peek(p, 3)
			if !ok {
				return false, nil
			}
			p += 3
			rep = 3 + int(b)
		default:
			b, ok := z.peek(p, 7)
			if !ok {
				return false, nil
			}
			p += 7
			rep = 11 + int(b)
		}
		if i+rep > nlen+ndist {
			return false, errInflate
		}
		for ; rep > 0; rep-- {
			lengths[i] = val
			i++
		}
	}
	if lengths[256] == 0 {
		return false, errInflate
	}
	if err := z.lit.build(lengths[:nlen]); err != nil {
		return false, err
	}
	if err := z.dst.build(lengths[nlen : nlen+ndist]); err != nil {
		return false, err
	}
	z.fixed = false
	*pos = p
	return true, nil
}

func (z *inflater) storedHeader() bool {
	v1, ok1 := z.peek(z.bitpos, 16)
	v2, ok2 := z.peek(z.bitpos+16, 16)
	if !ok1 || !ok2 {
		return false
	}
	if v1 != ^v2&0xffff {
		return z.fail()
	}
	z.bitpos += 32
	z.stored = int(v1)
	z.state = infStored
	if z.stored == 0 {
		z.endBlock()
	}
	return true
}

func (z *inflater) storedData() bool {
	b := z.bitpos >> 3
	n := min(z.stored, len(z.in)-b)
	if n <= 0 {
		return false
	}
	for _, c := range z.in[b : b+n] {
		if !z.put(c) {
			return false
		}
	}
	z.bitpos += 8 * n
	z.stored -= n
	if z.stored == 0 {
		z.endBlock()
	}
	return true
}

// codes decodes literal and length/distance units of a Huffman block.
func (z *inflater) codes() bool {
	for {
		p := z.bitpos
		sym, ok, err := z.decode(&z.lit, &p)
		if err != nil {
			return z.fail()
		}
		if !ok {
			return false
		}
		if sym < 256 {
			z.bitpos = p
			if !z.put(byte(sym)) {
				return false
			}
			continue
		}
		if sym == 256 {
			z.bitpos = p
			z.endBlock()
			return true
		}
		sym -= 257
		if sym >= 29 {
			return z.fail()
		}
		e, ok := z.peek(p, uint(lenExtra[sym]))
		if !ok {
			return false
		}
		p += int(lenExtra[sym])
		length := int(lenBase[sym]) + int(e)
		ds, ok, err := z.decode(&z.dst, &p)
		if err != nil || (ok && ds >= 30) {
			return z.fail()
		}
		if !ok {
			return false
		}
		e, ok = z.peek(p, uint(dstExtra[ds]))
		if !ok {
			return false
		}
		p += int(dstExtra[ds])
		dist := int(dstBase[ds]) + int(e)
		if int64(dist) > z.total {
			return z.fail()
		}
		z.bitpos = p
		for ; length > 0; length-- {
			if !z.put(z.window[(z.wpos-dist)&windowMask]) {
				return false
			}
		}
	}
}

// put appends one decoded byte to the window, emitting the window when full.
func (z *inflater) put(c byte) bool {
	z.window[z.wpos] = c
	z.wpos++
	z.total++
	if z.wpos == windowSize {
		ok := z.flush()
		z.wpos, z.flushed = 0, 0
		if !ok {
			z.state = infStopped
			return false
		}
	}
	return true
}

// flush emits the window bytes produced since the last flush.
func (z *inflater) flush() bool {
	if z.wpos == z.flushed {
		return true
	}
	b := z.window[z.flushed:z.wpos]
	z.flushed = z.wpos
	return z.emit(b)
}
