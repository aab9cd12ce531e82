package decompress

// Limits bounds what one Chain decodes and allocates. Every field must be
// positive (see Validate in the caller's configuration).
type Limits struct {
	// MaxLayers is the number of stacked codings decoded; when a body lists
	// more, the outermost (last listed, applied last) are kept.
	MaxLayers int
	// MaxRatio is the decoded/encoded ratio beyond which decoding stops
	// with ErrBomb (checked once BombFloor bytes were decoded).
	MaxRatio int64
	// MaxBytes bounds the decoded size of one body (ErrBomb), encoded or
	// not.
	MaxBytes int64
	// MaxWindow bounds the window one decoder allocates: an LZMA dictionary
	// is capped at it (a match reaching further back is corrupt), a brotli
	// stream declaring a larger window is passed on undecoded.
	MaxWindow int64
}

// BombFloor is the decoded size below which the ratio guard does not fire,
// so tiny bodies that compress well are never flagged.
const BombFloor = 64 << 10

// Memory a layer reserves before decoding its first byte; brotli and LZMA
// reserve their window (and LZMA its probability tables) on top once their
// header says how big it is.
const (
	// DeflateCost is one inflate window plus its bounded input queue.
	DeflateCost = windowSize + 8<<10
	// BrotliCost is the brotli reader's input buffer, output scratch and
	// decoding tables, without the window.
	BrotliCost = 64 << 10
	// LZMACost is the LZMA input queue and output state, without the
	// probability tables and the dictionary.
	LZMACost = 16 << 10
)

func baseCost(c Coding) int64 {
	switch c {
	case Brotli:
		return BrotliCost
	case LZMA:
		return LZMACost
	}
	return DeflateCost
}

// Chain decodes a stack of content codings pushed in pieces of any size: the
// wire bytes go to the outermost layer (the last coding listed), each layer's
// output feeds the next, and the innermost layer's output goes to emit. The
// decoded bytes do not depend on how the input was split. A Chain with no
// layers passes its input through, still bounded by MaxBytes.
//
// A Chain is not safe for concurrent use. Memory is reserved through the
// reserve function given to NewChain: reserve(total) must make sure total
// bytes are held for this chain (it only ever grows) and report false when
// the budget refuses; the caller counts the refusal.
type Chain struct {
	layers  []*layer // layers[0] gets the wire bytes
	lim     Limits
	emit    func([]byte) bool
	reserve func(int64) bool
	held    int64
	encoded int64
	decoded int64
	err     error // first error; the chain stopped
	told    bool  // err was returned
	stopped bool  // emit asked to stop
	refused bool  // the base reservation was refused: no layers
}

// NewChain returns a chain decoding codings, listed as in Content-Encoding
// (applied first to last, so decoded last to first). Identity and Unknown
// entries are skipped; beyond lim.MaxLayers only the last listed are kept.
// When reserve refuses the layers' base memory, the chain has no layers and
// Refused reports true: the body passes undecoded. emit receives decoded
// bytes, valid during the call, and returns false to stop the chain. A nil
// reserve never refuses.
func NewChain(codings []Coding, lim Limits, reserve func(int64) bool, emit func([]byte) bool) *Chain {
	c := &Chain{lim: lim, emit: emit, reserve: reserve}
	var kinds []Coding
	for _, k := range codings {
		if k != Identity && k != Unknown {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) > lim.MaxLayers {
		kinds = kinds[len(kinds)-max(lim.MaxLayers, 0):]
	}
	if len(kinds) == 0 {
		return c
	}
	var need int64
	for _, k := range kinds {
		need += baseCost(k)
	}
	if !c.grow(need) {
		c.refused = true
		return c
	}
	c.layers = make([]*layer, len(kinds))
	next := c.deliver
	for i, k := range kinds { // kinds[0] is innermost: decoded last
		l := newLayer(c, k, next)
		c.layers[len(kinds)-1-i] = l
		next = c.sink(l)
	}
	return c
}

// Layers is the number of codings the chain decodes.
func (c *Chain) Layers() int { return len(c.layers) }

// Refused reports that the budget refused the layers' base memory, so the
// chain passes its input on undecoded.
func (c *Chain) Refused() bool { return c.refused }

// Encoded and Decoded count the bytes written to the chain and emitted by it.
func (c *Chain) Encoded() int64 { return c.encoded }

// Decoded counts the bytes the chain emitted.
func (c *Chain) Decoded() int64 { return c.decoded }

// Held is the memory the chain asked its reserve function to hold.
func (c *Chain) Held() int64 { return c.held }

// grow reserves n more bytes for the chain.
func (c *Chain) grow(n int64) bool {
	if n <= 0 {
		return true
	}
	if c.reserve != nil && !c.reserve(c.held+n) {
		return false
	}
	c.held += n
	return true
}

// sink returns the function that feeds l with an outer layer's output.
func (c *Chain) sink(l *layer) func([]byte) bool {
	return func(p []byte) bool {
		if err := l.write(p); err != nil {
			c.fail(err)
			return false
		}
		return c.err == nil && !c.stopped
	}
}

func (c *Chain) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// deliver takes the innermost layer's output; false stops the layers.
func (c *Chain) deliver(p []byte) bool {
	if c.err != nil || c.stopped {
		return false
	}
	n := int64(len(p))
	if c.decoded+n > c.lim.MaxBytes ||
		(len(c.layers) > 0 && c.decoded+n > BombFloor && c.decoded+n > c.lim.MaxRatio*max(c.encoded, 1)) {
		c.fail(ErrBomb)
		return false
	}
	c.decoded += n
	if !c.emit(p) {
		c.stopped = true
		return false
	}
	return true
}

// result returns the chain's error the first time it is asked after it
// happened, nil otherwise.
func (c *Chain) result() error {
	if c.err == nil || c.told {
		return nil
	}
	c.told = true
	return c.err
}

// Write decodes p. It returns ErrCorrupt, ErrBomb or ErrMemcap (possibly
// wrapped) once, when decoding stops for that reason; afterwards the chain
// ignores its input.
func (c *Chain) Write(p []byte) error {
	if len(p) == 0 || c.err != nil || c.stopped {
		return c.result()
	}
	c.encoded += int64(len(p))
	if len(c.layers) == 0 {
		c.deliver(p)
		return c.result()
	}
	if err := c.layers[0].write(p); err != nil {
		c.fail(err)
	}
	return c.result()
}

// End flushes every layer at the end of the body. A stream cut short keeps
// what it decoded; a body too short or too broken to decode at all is passed
// through. It returns an error like Write.
func (c *Chain) End() error {
	for _, l := range c.layers {
		if c.err != nil || c.stopped {
			break
		}
		if err := l.end(); err != nil {
			c.fail(err)
		}
	}
	return c.result()
}
