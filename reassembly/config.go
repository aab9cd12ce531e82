package reassembly

import (
	"errors"
	"fmt"
)

// ErrInvalidConfig is wrapped by Config.Validate for every out-of-range field.
var ErrInvalidConfig = errors.New("reassembly: invalid config")

// Upper bounds Validate accepts; they keep one flow's worst case finite.
const (
	maxConfigSegments = 1 << 20
	maxConfigHistory  = 16 << 20
)

// Config holds the per-direction limits of a Stream. Every limit is finite;
// see doc.go for what happens when each one is hit.
type Config struct {
	// MaxBufferedBytes is the out-of-order payload held per direction. Beyond
	// it reassembly skips forward to the earliest buffered byte with a Gap.
	MaxBufferedBytes int64 `yaml:"max-buffered-bytes" unit:"bytes"`
	// MaxBufferedSegments is the out-of-order segment count per direction,
	// with the same behaviour as MaxBufferedBytes.
	MaxBufferedSegments int `yaml:"max-buffered-segments"`
	// HistoryBytes is how many recently delivered bytes are kept per direction
	// to compare retransmissions with. 0 disables the comparison.
	HistoryBytes int `yaml:"history-bytes" unit:"bytes"`
	// Midstream picks up connections whose SYN was not seen: the first
	// segment of a direction starts it.
	Midstream bool `yaml:"midstream"`
	// ValidateTimestamps discards segments the receiver would discard for
	// their TCP timestamp (PAWS, RFC 7323; see doc.go), so injected segments
	// with stale timestamps cannot change what the sensor reassembles. Turn
	// it off behind middleboxes that rewrite or strip timestamps.
	ValidateTimestamps bool `yaml:"validate-timestamps"`
}

// DefaultConfig returns the defaults: 4 MiB and 4096 segments of out-of-order
// data per direction (a fast link's window while a lost segment is resent), 16 KiB of history, midstream pickup and timestamp
// validation on.
func DefaultConfig() Config {
	return Config{
		MaxBufferedBytes:    4 << 20,
		MaxBufferedSegments: 4096,
		HistoryBytes:        16 << 10,
		Midstream:           true,
		ValidateTimestamps:  true,
	}
}

// Validate reports the first field outside its accepted range, wrapping
// ErrInvalidConfig.
func (c Config) Validate() error {
	switch {
	case c.MaxBufferedBytes < 1 || c.MaxBufferedBytes > maxSeqAhead:
		return fmt.Errorf("%w: max buffered bytes %d not in [1, %d]", ErrInvalidConfig, c.MaxBufferedBytes, int64(maxSeqAhead))
	case c.MaxBufferedSegments < 1 || c.MaxBufferedSegments > maxConfigSegments:
		return fmt.Errorf("%w: max buffered segments %d not in [1, %d]", ErrInvalidConfig, c.MaxBufferedSegments, maxConfigSegments)
	case c.HistoryBytes < 0 || c.HistoryBytes > maxConfigHistory:
		return fmt.Errorf("%w: history bytes %d not in [0, %d]", ErrInvalidConfig, c.HistoryBytes, maxConfigHistory)
	}
	return nil
}

// sanitized replaces every out-of-range field with its default, so a Stream
// built from an unvalidated (or zero) Config is still bounded.
func (c Config) sanitized() Config {
	d := DefaultConfig()
	if c.MaxBufferedBytes < 1 || c.MaxBufferedBytes > maxSeqAhead {
		c.MaxBufferedBytes = d.MaxBufferedBytes
	}
	if c.MaxBufferedSegments < 1 || c.MaxBufferedSegments > maxConfigSegments {
		c.MaxBufferedSegments = d.MaxBufferedSegments
	}
	if c.HistoryBytes < 0 || c.HistoryBytes > maxConfigHistory {
		c.HistoryBytes = d.HistoryBytes
	}
	return c
}
