package capture

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// Packet is one captured frame as the capture file recorded it.
type Packet struct {
	// Data holds the captured bytes. It is owned by the reader and valid only
	// until the next Next call; copy what must outlive it.
	Data []byte
	// Timestamp is the capture time recorded in the file, in UTC.
	Timestamp time.Time
	// LinkType says how to decode Data (per interface in pcapng).
	LinkType LinkType
	// Length is the frame's original length on the wire; it is at least
	// len(Data) and larger when the capture was cut by a snap length.
	Length int
	// Num is the 1-based packet number across the whole (possibly
	// multi-file) capture: the EVE pcap_cnt.
	Num uint64
}

// DefaultMaxRecordBytes is the default for Options.MaxRecordBytes: larger
// than any real frame (64 KiB jumbo/TSO plus headers) with room to spare.
const DefaultMaxRecordBytes = 256 << 10

// Options tune a capture reader. The zero value gives the defaults.
type Options struct {
	// MaxRecordBytes caps the captured length of one packet record
	// (default DefaultMaxRecordBytes). A record claiming more is treated as
	// damage and never allocated, because a hostile or corrupt file can
	// declare up to 4 GiB.
	MaxRecordBytes int `yaml:"max-record-bytes" unit:"bytes"`
}

// withDefaults returns o with zero or negative fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	return o
}

// Source yields packets from a capture. Next returns io.EOF at the clean end
// and a *DamageError when the input is truncated or corrupt (see DamageError
// for what to do then). A Source is not safe for concurrent use, except for
// the Stats method of the sources this package returns.
type Source interface {
	// Next returns the next packet. Its Data is valid until the next call.
	Next() (Packet, error)
	// Close releases the underlying files. It does not close stdin.
	Close() error
}

// StatsReporter is implemented by every Source this package returns, so the
// engine can mirror reader counters into metrics.
type StatsReporter interface {
	// Stats returns a snapshot of the counters; it is safe to call from any
	// goroutine while another one calls Next.
	Stats() Stats
}

// Stats counts what a Source has read.
type Stats struct {
	// Packets is the number of packets delivered by Next.
	Packets uint64
	// Bytes is the number of captured bytes delivered (sum of len(Data)).
	Bytes uint64
	// Damaged is the number of DamageErrors returned (truncated or corrupt files).
	Damaged uint64
	// Files is the number of capture files opened successfully.
	Files uint64
}

// counters is the concurrency-safe store behind Stats, shared by a Concat
// source and the readers it opens.
type counters struct {
	packets, bytes, damaged, files atomic.Uint64
}

// snapshot copies the counters into a Stats value.
func (c *counters) snapshot() Stats {
	return Stats{
		Packets: c.packets.Load(),
		Bytes:   c.bytes.Load(),
		Damaged: c.damaged.Load(),
		Files:   c.files.Load(),
	}
}

// ErrNotCapture is wrapped by the error Open and NewReader return when the
// input is not a pcap or pcapng capture (wrong magic, unsupported version,
// header cut short).
var ErrNotCapture = errors.New("capture: not a pcap or pcapng capture")

// ErrTruncated is wrapped by DamageError.Err when the file ends in the middle
// of a record or block.
var ErrTruncated = errors.New("capture: truncated")

// ErrCorrupt is wrapped by DamageError.Err when a record or block is
// malformed: impossible lengths, a record over Options.MaxRecordBytes, an
// unknown interface id, mismatched block trailer.
var ErrCorrupt = errors.New("capture: corrupt")

// DamageError reports a capture file that is truncated or corrupt after some
// good packets. Every packet before it was delivered. The caller should warn
// and call Next again: a single-file Source then returns io.EOF, a Concat
// Source continues with the next file.
type DamageError struct {
	// File is the name of the damaged file ("stdin" for standard input).
	File string
	// PacketNum is the number the damaged packet would have had.
	PacketNum uint64
	// Offset is the byte offset in File where the damaged record or block starts.
	Offset int64
	// Err says what is wrong; it wraps ErrTruncated, ErrCorrupt or an I/O error.
	Err error
}

// Error returns a one-line message such as
// "capture: in.pcap: packet 7 at byte offset 4242: truncated record (got 10 of 1514 bytes)".
func (e *DamageError) Error() string {
	return fmt.Sprintf("capture: %s: packet %d at byte offset %d: %v", e.File, e.PacketNum, e.Offset, e.Err)
}

// Unwrap returns the underlying cause.
func (e *DamageError) Unwrap() error { return e.Err }

// causeError is a damage cause or a refusal: it reads as its message alone
// (the DamageError or the wrapping error already names the package and the
// file) and is its sentinel for errors.Is.
type causeError struct {
	msg      string
	sentinel error
}

func (e *causeError) Error() string { return e.msg }

// Unwrap returns the sentinel (ErrTruncated, ErrCorrupt, ErrNotCapture).
func (e *causeError) Unwrap() error { return e.sentinel }

// truncatedErr describes a short read of a record part.
func truncatedErr(what string, got, want int) error {
	return &causeError{fmt.Sprintf("truncated %s (got %d of %d bytes)", what, got, want), ErrTruncated}
}

// corruptErr describes a malformed record or block.
func corruptErr(format string, args ...any) error {
	return &causeError{"corrupt: " + fmt.Sprintf(format, args...), ErrCorrupt}
}

// notCaptureErr says why the input is not a capture.
func notCaptureErr(format string, args ...any) error {
	return &causeError{"not a pcap or pcapng capture: " + fmt.Sprintf(format, args...), ErrNotCapture}
}

// readErr turns the error of a short read into a damage cause: end of file
// becomes ErrTruncated, anything else (an I/O error) is kept.
func readErr(err error, what string, got, want int) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return truncatedErr(what, got, want)
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

// Validate reports a field outside its accepted range (zero means the
// default).
func (o Options) Validate() error {
	if o.MaxRecordBytes < 0 || o.MaxRecordBytes > 1<<30 {
		return fmt.Errorf("capture: max-record-bytes %d: not in [0, %d]", o.MaxRecordBytes, 1<<30)
	}
	return nil
}
