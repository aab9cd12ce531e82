package decompress

import "fmt"

// This file is a push-based LZMA decoder for the "alone" format that HTTP's
// "lzma" coding carries (a 13-byte header: properties, dictionary size,
// uncompressed size; then the range-coded stream), following the LZMA
// specification in the LZMA SDK (lzma-specification.txt).
//
// Pull decoders (github.com/ulikunitz/xz/lzma among them) read the range
// coder's bytes as they go and cannot stop in the middle of a symbol, so they
// cannot resume when a Write runs out of bytes. This decoder needs no rollback
// instead: the range decoder normalises once per decoded bit and so reads at
// most one byte per bit, and no operation (a literal, a match or a rep) takes
// more than lzmaMaxOpBytes bits. An operation therefore starts only when that
// many bytes are queued, or when the input has ended. The queue stays below
// lzmaChunk+lzmaMaxOpBytes bytes; the dictionary grows with the output up to
// the size the header declares, capped at Limits.MaxWindow and reserved from
// the chain's budget as it grows.

const (
	lzmaHeaderSize = 13
	lzmaMaxOpBytes = 64 // bound on the bytes one operation reads (48 bits at most)
	lzmaChunk      = 4096
	lzmaMinDict    = 4096
	lzmaFirstDict  = 64 << 10 // the dictionary's first allocation

	lzmaNumStates   = 12
	lzmaPosBitsMax  = 4
	lzmaEndPosModel = 14
	lzmaFullDist    = 128
	lzmaAlignBits   = 4
	lzmaLenToPos    = 4
	lzmaMatchMinLen = 2
	lzmaProbInit    = 1024
	lzmaTop         = 1 << 24
)

// errLZMA is returned for corrupt LZMA data.
var errLZMA = fmt.Errorf("%w: lzma", ErrCorrupt)

type lzmaLenDecoder struct {
	choice, choice2 uint16
	low, mid        [1 << lzmaPosBitsMax][1 << 3]uint16
	high            [1 << 8]uint16
}

func (d *lzmaLenDecoder) init() {
	d.choice, d.choice2 = lzmaProbInit, lzmaProbInit
	for i := range d.low {
		fillProbs(d.low[i][:])
		fillProbs(d.mid[i][:])
	}
	fillProbs(d.high[:])
}

func fillProbs(p []uint16) {
	for i := range p {
		p[i] = lzmaProbInit
	}
}

// lzmaCodec decodes one LZMA-alone stream.
type lzmaCodec struct {
	c    *Chain
	emit func([]byte) bool

	in       []byte // queued input; in[pos:] is unread
	pos      int
	short    bool // the range decoder read past the queue (input ended)
	started  bool // header and range coder initialised
	finished bool
	stopped  bool

	lc, lp, pb uint
	dictSize   uint32
	size       uint64 // uncompressed size, or ^0 when unknown
	rng, code  uint32

	dict    []byte // ring buffer, grows up to dictCap
	dictCap int
	wpos    int   // next write position in dict
	flushed int   // dict position up to which bytes were emitted
	total   int64 // bytes produced

	state                       int
	rep0, rep1, rep2, rep3      uint32
	lit                         []uint16
	isMatch                     [lzmaNumStates << lzmaPosBitsMax]uint16
	isRep, isRepG0, isRepG1     [lzmaNumStates]uint16
	isRepG2                     [lzmaNumStates]uint16
	isRep0Long                  [lzmaNumStates << lzmaPosBitsMax]uint16
	posSlot                     [lzmaLenToPos][1 << 6]uint16
	posDecoders                 [1 + lzmaFullDist - lzmaEndPosModel]uint16
	align                       [1 << lzmaAlignBits]uint16
	lenDecoder, repLenDecoder   lzmaLenDecoder
	reservedLit, reservedDictSz int64
}

func newLZMACodec(c *Chain) *lzmaCodec { return &lzmaCodec{c: c} }

func (z *lzmaCodec) reset(emit func([]byte) bool) {
	z.emit = emit
	z.in, z.pos = z.in[:0], 0
	z.short, z.started, z.finished, z.stopped = false, false, false, false
	z.wpos, z.flushed, z.total = 0, 0, 0
}

func (z *lzmaCodec) done() bool { return z.finished }

func (z *lzmaCodec) write(p []byte) error {
	for len(p) > 0 && !z.finished && !z.stopped {
		n := min(len(p), lzmaChunk)
		z.in = append(z.in, p[:n]...)
		p = p[n:]
		if err := z.run(false); err != nil {
			z.flush()
			return err
		}
		z.in = z.in[:copy(z.in, z.in[z.pos:])]
		z.pos = 0
	}
	if !z.stopped && !z.flush() {
		z.stopped = true
	}
	return nil
}

func (z *lzmaCodec) finish() error {
	if z.finished || z.stopped {
		return nil
	}
	err := z.run(true)
	z.flush()
	if err == errTruncated {
		return nil // the layer keeps what decoded
	}
	return err
}

// run decodes while enough input is queued (all of it when final).
func (z *lzmaCodec) run(final bool) error {
	if !z.started {
		if len(z.in)-z.pos < lzmaHeaderSize+5 {
			if final {
				return errTruncated
			}
			return nil
		}
		if err := z.start(); err != nil {
			return err
		}
	}
	for !z.finished && !z.stopped {
		if z.size != ^uint64(0) && uint64(z.total) >= z.size {
			z.finished = true
			break
		}
		if len(z.in)-z.pos < lzmaMaxOpBytes && !final {
			return nil
		}
		if len(z.in) == z.pos {
			return errTruncated
		}
		if err := z.op(); err != nil {
			return err
		}
		if z.short {
			return errTruncated
		}
	}
	return nil
}

// start parses the header, allocates the probability tables and the first
// dictionary, and initialises the range decoder.
func (z *lzmaCodec) start() error {
	h := z.in[z.pos : z.pos+lzmaHeaderSize]
	d := uint(h[0])
	if d >= 9*5*5 {
		return fmt.Errorf("%w: properties byte %#x", errLZMA, d)
	}
	z.lc, z.lp, z.pb = d%9, d/9%5, d/45
	z.dictSize = uint32(h[1]) | uint32(h[2])<<8 | uint32(h[3])<<16 | uint32(h[4])<<24
	z.size = 0
	for i := 7; i >= 0; i-- {
		z.size = z.size<<8 | uint64(h[5+i])
	}
	z.dictCap = int(min(max(int64(z.dictSize), lzmaMinDict), z.c.lim.MaxWindow))
	nlit := 0x300 << (z.lc + z.lp)
	if need := int64(2*nlit) - z.reservedLit; need > 0 {
		if !z.c.grow(need) {
			return fmt.Errorf("%w: lzma tables of %d bytes", ErrMemcap, 2*nlit)
		}
		z.reservedLit += need
	}
	z.dict = z.dict[:0]
	if err := z.growDict(min(z.dictCap, lzmaFirstDict)); err != nil {
		return err
	}
	if cap(z.lit) < nlit {
		z.lit = make([]uint16, nlit)
	}
	z.lit = z.lit[:nlit]
	z.initProbs()
	z.pos += lzmaHeaderSize
	rc := z.in[z.pos : z.pos+5]
	z.pos += 5
	z.rng = 0xffffffff
	z.code = uint32(rc[1])<<24 | uint32(rc[2])<<16 | uint32(rc[3])<<8 | uint32(rc[4])
	if rc[0] != 0 || z.code == z.rng {
		return fmt.Errorf("%w: range coder start", errLZMA)
	}
	z.started = true
	return nil
}

func (z *lzmaCodec) initProbs() {
	fillProbs(z.lit)
	fillProbs(z.isMatch[:])
	fillProbs(z.isRep[:])
	fillProbs(z.isRepG0[:])
	fillProbs(z.isRepG1[:])
	fillProbs(z.isRepG2[:])
	fillProbs(z.isRep0Long[:])
	for i := range z.posSlot {
		fillProbs(z.posSlot[i][:])
	}
	fillProbs(z.posDecoders[:])
	fillProbs(z.align[:])
	z.lenDecoder.init()
	z.repLenDecoder.init()
	z.state = 0
	z.rep0, z.rep1, z.rep2, z.rep3 = 0, 0, 0, 0
}

// growDict makes the dictionary n bytes long, reserving the difference. It
// is only called while nothing has wrapped (wpos == len(dict)).
func (z *lzmaCodec) growDict(n int) error {
	if n <= len(z.dict) {
		return nil
	}
	if need := int64(n) - z.reservedDictSz; need > 0 {
		if !z.c.grow(need) {
			return fmt.Errorf("%w: lzma dictionary of %d bytes", ErrMemcap, n)
		}
		z.reservedDictSz += need
	}
	if cap(z.dict) >= n {
		z.dict = z.dict[:n]
		return nil
	}
	d := make([]byte, n)
	copy(d, z.dict[:z.wpos])
	z.dict = d
	return nil
}

// next returns the next queued input byte (0 past the end, setting short).
func (z *lzmaCodec) next() byte {
	if z.pos >= len(z.in) {
		z.short = true
		return 0
	}
	b := z.in[z.pos]
	z.pos++
	return b
}

func (z *lzmaCodec) normalize() {
	if z.rng < lzmaTop {
		z.rng <<= 8
		z.code = z.code<<8 | uint32(z.next())
	}
}

func (z *lzmaCodec) bit(prob *uint16) uint32 {
	v := uint32(*prob)
	bound := (z.rng >> 11) * v
	var b uint32
	if z.code < bound {
		v += (1<<11 - v) >> 5
		z.rng = bound
	} else {
		v -= v >> 5
		z.code -= bound
		z.rng -= bound
		b = 1
	}
	*prob = uint16(v)
	z.normalize()
	return b
}

func (z *lzmaCodec) directBits(n uint) uint32 {
	var res uint32
	for ; n > 0; n-- {
		z.rng >>= 1
		z.code -= z.rng
		t := 0 - (z.code >> 31)
		z.code += z.rng & t
		z.normalize()
		res = res<<1 + t + 1
	}
	return res
}

func (z *lzmaCodec) bitTree(probs []uint16, bits uint) uint32 {
	m := uint32(1)
	for i := uint(0); i < bits; i++ {
		m = m<<1 + z.bit(&probs[m])
	}
	return m - 1<<bits
}

func (z *lzmaCodec) bitTreeReverse(probs []uint16, bits uint) uint32 {
	m, sym := uint32(1), uint32(0)
	for i := uint(0); i < bits; i++ {
		b := z.bit(&probs[m])
		m = m<<1 + b
		sym |= b << i
	}
	return sym
}

func (z *lzmaCodec) decodeLen(d *lzmaLenDecoder, posState uint32) uint32 {
	if z.bit(&d.choice) == 0 {
		return z.bitTree(d.low[posState][:], 3)
	}
	if z.bit(&d.choice2) == 0 {
		return 8 + z.bitTree(d.mid[posState][:], 3)
	}
	return 16 + z.bitTree(d.high[:], 8)
}

func (z *lzmaCodec) decodeDistance(length uint32) uint32 {
	lenState := min(length, lzmaLenToPos-1)
	slot := z.bitTree(z.posSlot[lenState][:], 6)
	if slot < 4 {
		return slot
	}
	direct := uint(slot>>1) - 1
	dist := (2 | slot&1) << direct
	if slot < lzmaEndPosModel {
		return dist + z.bitTreeReverse(z.posDecoders[dist-slot:], direct)
	}
	dist += z.directBits(direct-lzmaAlignBits) << lzmaAlignBits
	return dist + z.bitTreeReverse(z.align[:], lzmaAlignBits)
}

// byteAt returns the byte dist+1 positions back.
func (z *lzmaCodec) byteAt(dist uint32) byte {
	i := z.wpos - int(dist) - 1
	if i < 0 {
		i += len(z.dict)
	}
	return z.dict[i]
}

// op decodes one literal, match or rep and writes its bytes.
func (z *lzmaCodec) op() error {
	posState := uint32(z.total) & (1<<z.pb - 1)
	st := uint32(z.state)
	if z.bit(&z.isMatch[st<<lzmaPosBitsMax+posState]) == 0 {
		return z.literal()
	}
	var length uint32
	if z.bit(&z.isRep[st]) != 0 {
		if z.total == 0 {
			return fmt.Errorf("%w: rep before any output", errLZMA)
		}
		if z.bit(&z.isRepG0[st]) == 0 {
			if z.bit(&z.isRep0Long[st<<lzmaPosBitsMax+posState]) == 0 {
				if z.short {
					return nil
				}
				z.state = shortRepState(z.state)
				return z.put(z.byteAt(z.rep0))
			}
		} else {
			var dist uint32
			if z.bit(&z.isRepG1[st]) == 0 {
				dist = z.rep1
			} else {
				if z.bit(&z.isRepG2[st]) == 0 {
					dist = z.rep2
				} else {
					dist = z.rep3
					z.rep3 = z.rep2
				}
				z.rep2 = z.rep1
			}
			z.rep1 = z.rep0
			z.rep0 = dist
		}
		length = z.decodeLen(&z.repLenDecoder, posState)
		z.state = repState(z.state)
	} else {
		z.rep3, z.rep2, z.rep1 = z.rep2, z.rep1, z.rep0
		length = z.decodeLen(&z.lenDecoder, posState)
		z.state = matchState(z.state)
		z.rep0 = z.decodeDistance(length)
		if z.short {
			return nil
		}
		if z.rep0 == 0xffffffff {
			z.finished = true // end marker
			return nil
		}
	}
	if z.short {
		return nil
	}
	if int64(z.rep0) >= z.total || z.rep0 >= max(z.dictSize, lzmaMinDict) || int(z.rep0) >= z.dictCap {
		return fmt.Errorf("%w: distance %d beyond the dictionary", errLZMA, z.rep0+1)
	}
	n := int(length + lzmaMatchMinLen)
	if z.size != ^uint64(0) {
		n = int(min(uint64(n), z.size-uint64(z.total)))
	}
	for ; n > 0; n-- {
		if err := z.put(z.byteAt(z.rep0)); err != nil || z.stopped {
			return err
		}
	}
	return nil
}

func (z *lzmaCodec) literal() error {
	var prev byte
	if z.total > 0 {
		prev = z.byteAt(0)
	}
	litState := (uint32(z.total)&(1<<z.lp-1))<<z.lc + uint32(prev)>>(8-z.lc)
	probs := z.lit[0x300*litState : 0x300*(litState+1)]
	sym := uint32(1)
	if z.state >= 7 {
		match := uint32(z.byteAt(z.rep0))
		for sym < 0x100 {
			matchBit := match >> 7 & 1
			match <<= 1
			b := z.bit(&probs[(1+matchBit)<<8+sym])
			sym = sym<<1 | b
			if matchBit != b {
				break
			}
		}
	}
	for sym < 0x100 {
		sym = sym<<1 | z.bit(&probs[sym])
	}
	if z.short {
		return nil
	}
	z.state = literalState(z.state)
	return z.put(byte(sym))
}

func literalState(s int) int {
	switch {
	case s < 4:
		return 0
	case s < 10:
		return s - 3
	}
	return s - 6
}

func matchState(s int) int {
	if s < 7 {
		return 7
	}
	return 10
}

func repState(s int) int {
	if s < 7 {
		return 8
	}
	return 11
}

func shortRepState(s int) int {
	if s < 7 {
		return 9
	}
	return 11
}

// put appends one decoded byte to the dictionary, growing it while it has
// not reached its cap and emitting it when it wraps.
func (z *lzmaCodec) put(c byte) error {
	if z.wpos == len(z.dict) {
		if len(z.dict) < z.dictCap {
			if err := z.growDict(min(2*len(z.dict), z.dictCap)); err != nil {
				return err
			}
		} else {
			if !z.flush() {
				z.stopped = true
				return nil
			}
			z.wpos, z.flushed = 0, 0
		}
	}
	z.dict[z.wpos] = c
	z.wpos++
	z.total++
	return nil
}

// flush emits the dictionary bytes produced since the last flush.
func (z *lzmaCodec) flush() bool {
	if z.wpos == z.flushed {
		return true
	}
	b := z.dict[z.flushed:z.wpos]
	z.flushed = z.wpos
	return z.emit(b)
}
