package http

import (
	"errors"
	"fmt"

	"github.com/wirescan/wirescan/engine/decompress"
)

// Config holds every limit the HTTP parser enforces. All limits are finite so
// a hostile connection cannot make the parser's memory or work unbounded.
type Config struct {
	// MaxHeaderBytes bounds one header block (request/status line plus
	// headers). Beyond it the parser reports "http.header_too_long" and
	// parses what it has.
	MaxHeaderBytes int `yaml:"max-header-bytes" unit:"bytes"`
	// MaxHeaders bounds the header lines kept per message; further lines are
	// ignored with "http.too_many_headers".
	MaxHeaders int `yaml:"max-headers"`
	// MaxChunkLine bounds a chunk-size line including extensions.
	MaxChunkLine int `yaml:"max-chunk-line" unit:"bytes"`
	// MaxPipelined bounds the requests awaiting responses on one connection.
	MaxPipelined int `yaml:"max-pipelined"`
	// DecompressLayers is the number of stacked Content-Encodings decoded
	// (Suricata's response-body-decompress-layer-limit).
	DecompressLayers int `yaml:"decompress-layers"`
	// MaxDecompressRatio is the decoded/encoded ratio beyond which decoding
	// stops with "http.compression_bomb" and the file is truncated.
	MaxDecompressRatio int64 `yaml:"max-decompress-ratio"`
	// MaxDecompressedBytes bounds the decoded size of one body.
	MaxDecompressedBytes int64 `yaml:"max-decompressed-bytes" unit:"bytes"`
	// MaxDecompressWindow bounds the window one decoder allocates: an lzma
	// dictionary is capped at it, a brotli body declaring a larger window
	// passes undecoded with "http.memcap".
	MaxDecompressWindow int64 `yaml:"max-decompress-window" unit:"bytes"`
	// MaxMultipartParts bounds the parts of one multipart body.
	MaxMultipartParts int `yaml:"max-multipart-parts"`
}

// DefaultConfig returns the limits wirescan uses unless configured otherwise.
func DefaultConfig() Config {
	return Config{
		MaxHeaderBytes:       64 << 10,
		MaxHeaders:           256,
		MaxChunkLine:         4096,
		MaxPipelined:         64,
		DecompressLayers:     3,
		MaxDecompressRatio:   2000,
		MaxDecompressedBytes: 1 << 30,
		MaxDecompressWindow:  16 << 20,
		MaxMultipartParts:    64,
	}
}

// ErrConfig is wrapped by every error Validate returns.
var ErrConfig = errors.New("http: invalid config")

// Validate reports the first limit that is not usable.
func (c *Config) Validate() error {
	switch {
	case c.MaxHeaderBytes < 64:
		return fmt.Errorf("%w: MaxHeaderBytes %d < 64", ErrConfig, c.MaxHeaderBytes)
	case c.MaxHeaders < 1:
		return fmt.Errorf("%w: MaxHeaders %d < 1", ErrConfig, c.MaxHeaders)
	case c.MaxChunkLine < 8:
		return fmt.Errorf("%w: MaxChunkLine %d < 8", ErrConfig, c.MaxChunkLine)
	case c.MaxPipelined < 1:
		return fmt.Errorf("%w: MaxPipelined %d < 1", ErrConfig, c.MaxPipelined)
	case c.DecompressLayers < 0:
		return fmt.Errorf("%w: DecompressLayers %d < 0", ErrConfig, c.DecompressLayers)
	case c.MaxDecompressRatio < 1:
		return fmt.Errorf("%w: MaxDecompressRatio %d < 1", ErrConfig, c.MaxDecompressRatio)
	case c.MaxDecompressedBytes < 1:
		return fmt.Errorf("%w: MaxDecompressedBytes %d < 1", ErrConfig, c.MaxDecompressedBytes)
	case c.MaxDecompressWindow < 4096:
		return fmt.Errorf("%w: MaxDecompressWindow %d < 4096", ErrConfig, c.MaxDecompressWindow)
	case c.MaxMultipartParts < 0:
		return fmt.Errorf("%w: MaxMultipartParts %d < 0", ErrConfig, c.MaxMultipartParts)
	}
	return nil
}

// decompressLimits returns the content decoders' limits.
func (c *Config) decompressLimits() decompress.Limits {
	return decompress.Limits{
		MaxLayers: c.DecompressLayers,
		MaxRatio:  c.MaxDecompressRatio,
		MaxBytes:  c.MaxDecompressedBytes,
		MaxWindow: c.MaxDecompressWindow,
	}
}
