package decompress

import (
	"errors"
	"strings"
)

// Coding is one HTTP content coding (RFC 9110 section 8.4.1).
type Coding uint8

// The codings a Chain decodes, plus Identity (nothing to decode) and Unknown
// (a token no decoder exists for; a Chain skips it).
const (
	Identity Coding = iota
	Gzip            // gzip, x-gzip: a gzip member, or zlib/raw deflate sent under that name
	Deflate         // deflate, x-deflate: zlib, or raw deflate as some servers send it
	Brotli          // br (RFC 7932)
	LZMA            // lzma: the LZMA "alone" format (13-byte header), as libhtp decodes it
	Unknown
)

var codingNames = [...]string{"identity", "gzip", "deflate", "br", "lzma", "unknown"}

// String returns the coding's Content-Encoding token.
func (c Coding) String() string {
	if int(c) < len(codingNames) {
		return codingNames[c]
	}
	return "unknown"
}

// ParseCoding maps one Content-Encoding token (case-insensitive, surrounding
// blanks and quotes ignored) to a Coding.
func ParseCoding(tok string) Coding {
	switch strings.ToLower(strings.Trim(tok, " \t\r\n\v\f\"")) {
	case "", "identity", "none":
		return Identity
	case "gzip", "x-gzip":
		return Gzip
	case "deflate", "x-deflate":
		return Deflate
	case "br":
		return Brotli
	case "lzma":
		return LZMA
	}
	return Unknown
}

// Errors a Chain reports. Each is reported once; the chain then stops
// decoding and ignores further input.
var (
	// ErrCorrupt: a layer's data stopped decoding after it had produced
	// output (what decoded before the corruption was emitted).
	ErrCorrupt = errors.New("decompress: corrupt data")
	// ErrBomb: the decoded size passed Limits.MaxBytes, or the
	// decoded/encoded ratio passed Limits.MaxRatio.
	ErrBomb = errors.New("decompress: decompression bomb")
	// ErrMemcap: the memory budget refused a decoder's window after the
	// decoder had produced output.
	ErrMemcap = errors.New("decompress: memory budget refused")
)

// errTruncated marks a stream that ended before its end marker; a layer
// keeps what it decoded and never reports it.
var errTruncated = errors.New("decompress: truncated stream")
