package decompress

import (
	"errors"
	"fmt"
	"io"

	"github.com/andybalholm/brotli"
)

// This file adapts github.com/andybalholm/brotli to push decoding. Its
// decoder is a port of the C library's state machine: when its source has no
// more bytes, Read returns the source's error and the decoder state stays as
// it was, so it resumes when the next Write brings input. The source here
// hands out the bytes of the current Write and then errNeedInput.
//
// The decoder only writes out its ring buffer at some points (a full ring, a
// metablock's end, a need for input), so on corrupt data the bytes it emitted
// before the error would depend on how the input was split. The codec
// therefore hands the decoder its input in brotliGrain pieces at fixed stream
// offsets (the rest at the end), so the decoder sees the same reads whatever
// the split.

// errNeedInput is what the brotli source returns when the pushed bytes are
// used up; it never leaves this file.
var errNeedInput = errors.New("decompress: need input")

// brotliOut is the output scratch size of a brotli codec.
const brotliOut = 8 << 10

// brotliGrain is the input piece the decoder is given at a time.
const brotliGrain = 4 << 10

// maxBrotliWindowBits is the largest window of a standard (not large-window)
// brotli stream: 16 MiB.
const maxBrotliWindowBits = 24

type pushSource struct{ p []byte }

func (s *pushSource) Read(b []byte) (int, error) {
	if len(s.p) == 0 {
		return 0, errNeedInput
	}
	n := copy(b, s.p)
	s.p = s.p[n:]
	return n, nil
}

// brotliCodec decodes one brotli stream (RFC 7932).
type brotliCodec struct {
	c        *Chain
	src      pushSource
	r        *brotli.Reader
	out      []byte
	pend     []byte // input waiting for a full grain
	emit     func([]byte) bool
	reserved bool // the window was reserved
	finished bool
	stopped  bool
}

func newBrotliCodec(c *Chain) *brotliCodec { return &brotliCodec{c: c} }

func (b *brotliCodec) reset(emit func([]byte) bool) {
	b.emit = emit
	b.src.p = nil
	b.pend = b.pend[:0]
	b.finished, b.stopped = false, false
	if b.r == nil {
		b.r = brotli.NewReader(&b.src)
		b.out = make([]byte, brotliOut)
	} else if err := b.r.Reset(&b.src); err != nil {
		b.r = brotli.NewReader(&b.src)
	}
}

// brotliWindowBits reads WBITS from the first byte of a stream (RFC 7932
// section 9.1); ok is false for a large-window or invalid header.
func brotliWindowBits(b0 byte) (bits uint, ok bool) {
	if b0&1 == 0 {
		return 16, true
	}
	if n := b0 >> 1 & 7; n != 0 {
		return 17 + uint(n), true
	}
	switch m := b0 >> 4 & 7; m {
	case 0:
		return 17, true
	case 1:
		return 0, false // large window (not allowed in HTTP)
	default:
		return 8 + uint(m), true
	}
}

func (b *brotliCodec) write(p []byte) error {
	if b.finished || b.stopped {
		return nil
	}
	if !b.reserved {
		bits, ok := brotliWindowBits(p[0])
		if !ok || bits > maxBrotliWindowBits {
			return fmt.Errorf("%w: brotli window header %#x", ErrCorrupt, p[0])
		}
		window := int64(1) << bits
		if window > b.c.lim.MaxWindow || !b.c.grow(window) {
			return fmt.Errorf("%w: brotli window of %d bytes", ErrMemcap, window)
		}
		b.reserved = true
	}
	for len(p) > 0 && !b.finished && !b.stopped {
		n := min(len(p), brotliGrain-len(b.pend))
		b.pend = append(b.pend, p[:n]...)
		p = p[n:]
		if len(b.pend) < brotliGrain {
			return nil
		}
		b.src.p = b.pend
		err := b.drain()
		b.pend = b.pend[:0]
		if err != nil {
			return err
		}
	}
	return nil
}

// drain reads decoded bytes until the decoder needs more input.
func (b *brotliCodec) drain() error {
	for {
		n, err := b.r.Read(b.out)
		if n > 0 && !b.emit(b.out[:n]) {
			b.stopped = true
			return nil
		}
		switch {
		case err == nil && n > 0:
			continue
		case err == nil:
			// The stream ended (a Read that returns nothing and no error
			// only happens at the end marker).
			b.finished = true
			return nil
		case errors.Is(err, errNeedInput):
			return nil
		case errors.Is(err, io.EOF):
			b.finished = true
			return nil
		case err.Error() == "brotli: excessive input":
			// Bytes after the end of the stream are ignored.
			b.finished = true
			return nil
		default:
			return fmt.Errorf("%w: brotli: %v", ErrCorrupt, err)
		}
	}
}

func (b *brotliCodec) finish() error {
	if b.finished || b.stopped || len(b.pend) == 0 {
		return nil
	}
	b.src.p = b.pend
	err := b.drain()
	b.pend = b.pend[:0]
	return err
}

func (b *brotliCodec) done() bool { return b.finished }
