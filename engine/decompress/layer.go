package decompress

// This file decodes one content-coding layer on the fly. Like libhtp, a gzip
// or deflate layer detects the real wrapping from the first bytes (gzip, zlib
// or raw deflate, whatever the header claimed), and any layer whose data does
// not decode at all passes it through unchanged, which is what a lenient
// client ends up showing.

// codec is one way of decoding a layer's bytes. A layer tries its codecs in
// order until one decodes (see layer.retry).
type codec interface {
	// reset prepares the codec for a new stream delivering to emit; emit
	// returns false to stop the codec.
	reset(emit func([]byte) bool)
	// write decodes p. An error wraps ErrCorrupt, or ErrMemcap when the
	// budget refused the codec's memory; the codec is then unusable until
	// reset.
	write(p []byte) error
	// finish decodes what the codec still holds at the end of the input.
	finish() error
	// done reports that the stream ended; later bytes are ignored.
	done() bool
}

type layerMode uint8

const (
	modeDetect      layerMode = iota // waiting for detectBytes
	modeDecode                       // codecs[attempt] is decoding
	modePassthrough                  // the bytes are passed on as they are
	modeDone                         // the stream ended; trailing bytes ignored
	modeFailed                       // corrupt after output; nothing more
)

// prefixKeep is how much of the start of an encoded body a layer keeps so it
// can retry another codec or fall back to passthrough.
const prefixKeep = 1024

// detectBytes is how many bytes wrapping detection looks at.
const detectBytes = 6

// holdMax bounds the decoded bytes a layer holds back before committing.
const holdMax = 512

// layer streams one coding layer into next.
type layer struct {
	coding   Coding
	mode     layerMode
	codecs   []codec // the codecs to try, in order, after detection
	attempt  int     // index into codecs
	prefix   []byte
	consumed int64 // input bytes seen
	next     func([]byte) bool
	stopped  bool  // next asked to stop
	produced int64 // bytes passed on (committed)
	// hold keeps the first decoded bytes back until holdMax of them exist
	// or the body ends: until then the layer can still change its mind
	// (another codec, or passthrough) whatever the input's split.
	hold      []byte
	committed bool
	c         *Chain
}

func newLayer(c *Chain, coding Coding, next func([]byte) bool) *layer {
	return &layer{coding: coding, next: next, c: c}
}

func (l *layer) out(p []byte) bool {
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
func (l *layer) commit() bool {
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

// write feeds encoded bytes; it returns an error once when the layer turns
// out to be corrupt (or refused memory) after having produced output.
//
// The bytes that fill prefix are processed apart from the rest, so that a
// codec failing on them can still be retried on prefix whatever the split.
func (l *layer) write(p []byte) error {
	if l.consumed < prefixKeep && len(p) > prefixKeep-int(l.consumed) {
		n := prefixKeep - int(l.consumed)
		if err := l.writeSome(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return l.writeSome(p)
}

func (l *layer) writeSome(p []byte) error {
	if l.stopped || len(p) == 0 {
		return nil
	}
	prev := l.consumed
	if l.consumed < prefixKeep {
		n := min(len(p), prefixKeep-int(l.consumed))
		l.prefix = append(l.prefix, p[:n]...)
	}
	l.consumed += int64(len(p))
	if l.mode != modeDetect {
		return l.process(p)
	}
	if l.consumed < detectBytes {
		return nil // the bytes wait in prefix
	}
	return l.startDecoding(prev, p)
}

// startDecoding picks the codecs from prefix and decodes everything seen so
// far: prefix[:prev] followed by p (which prefix may also hold).
func (l *layer) startDecoding(prev int64, p []byte) error {
	skip := l.pickCodecs()
	l.mode = modeDecode
	l.attempt = 0
	l.codecs[0].reset(l.out)
	if l.consumed <= int64(len(l.prefix)) {
		return l.process(l.prefix[skip:])
	}
	if int64(skip) <= prev {
		if err := l.process(l.prefix[skip:prev]); err != nil || l.mode == modeFailed {
			return err
		}
		return l.process(p)
	}
	return l.process(p[skip-int(prev):])
}

// pickCodecs sets the codecs to try from the coding and the first bytes; skip
// is how many leading bytes the first codec does not see.
func (l *layer) pickCodecs() (skip int) {
	switch l.coding {
	case Brotli:
		l.codecs = []codec{newBrotliCodec(l.c)}
	case LZMA:
		l.codecs = []codec{newLZMACodec(l.c)}
	default:
		var w wrapping
		w, skip = detectWrapping(l.prefix)
		l.codecs = []codec{&deflateCodec{wrap: w}}
		if w != wrapRaw {
			l.codecs = append(l.codecs, &deflateCodec{wrap: wrapRaw})
		}
	}
	return skip
}

func (l *layer) process(p []byte) error {
	if len(p) == 0 || l.stopped {
		return nil
	}
	switch l.mode {
	case modeDecode:
		cd := l.codecs[l.attempt]
		if err := cd.write(p); err != nil {
			return l.retry(err)
		}
		if cd.done() {
			l.mode = modeDone
		}
	case modePassthrough:
		l.out(p)
	}
	// modeDone, modeFailed: trailing bytes ignored
	return nil
}

// retry restarts the layer with the next codec (or passthrough) when nothing
// was produced yet and the whole input so far is still in prefix; otherwise
// the layer fails with err.
func (l *layer) retry(err error) error {
	if l.produced > 0 || l.consumed > int64(len(l.prefix)) || l.mode != modeDecode {
		l.mode = modeFailed
		if l.produced > 0 {
			return err
		}
		return nil
	}
	l.hold = l.hold[:0]
	l.attempt++
	if l.attempt < len(l.codecs) {
		l.codecs[l.attempt].reset(l.out)
	} else {
		l.mode = modePassthrough
	}
	return l.process(l.prefix)
}

// end flushes the layer at the end of the body: a body too short or too
// broken to decode at all is passed through.
func (l *layer) end() error {
	defer l.commit()
	if l.mode == modeDetect {
		if len(l.prefix) == 0 {
			return nil
		}
		if err := l.startDecoding(l.consumed, nil); err != nil {
			return err
		}
	}
	for l.mode == modeDecode && !l.stopped {
		cd := l.codecs[l.attempt]
		if err := cd.finish(); err != nil {
			if err := l.retry(err); err != nil || l.mode != modeDecode {
				return err
			}
			continue
		}
		if cd.done() {
			l.mode = modeDone
			return nil
		}
		if l.produced > 0 || len(l.hold) > 0 {
			return nil // a truncated stream keeps what it decoded
		}
		if err := l.retry(errTruncated); err != nil {
			return err
		}
	}
	return nil
}
