package output

import (
	"context"
	"errors"
	"fmt"
)

// Sink is one destination of encoded EVE lines. The Mux calls Write, Flush
// and Reopen from one goroutine at a time (Stats may be called from any).
//
// Write must not block on a remote peer: a network sink queues the line and
// returns (see Queued). Write errors are local failures (a disk write); a
// sink that is down is not an error for Write: it spools or counts drops.
type Sink interface {
	// Write takes one line (ending in '\n'). The sink may keep line: the
	// Mux never modifies it after the call.
	Write(line []byte) error
	// Flush pushes buffered lines to where they go (a file sink's buffer);
	// it does not wait for remote delivery.
	Flush() error
	// Reopen reopens files after log rotation (SIGHUP); a no-op for
	// network sinks.
	Reopen() error
	// Close delivers what it can until ctx is done, keeps what is left for
	// the next run (the spool) and releases everything.
	Close(ctx context.Context) error
	// Stats returns a copy of the sink's counters.
	Stats() Stats
}

// Stats are one output's counters: plain values, mirrored to Prometheus by
// engine/metrics at scrape time (wirescan_output_*{output=Name}).
type Stats struct {
	// Name is the output's label: the scheme and its index (redis0,
	// nats0, file0, syslog1, stdout). Never an address.
	Name string
	// Events and Bytes count the lines handed to the output.
	Events, Bytes uint64
	// Delivered counts lines the sink acknowledged (written to the file,
	// accepted by Redis or JetStream, written to the socket).
	Delivered uint64
	// Errors counts failed writes, deliveries and connection attempts.
	Errors uint64
	// Dropped counts lines lost: the spool was full, or a line was too
	// large for the transport (a datagram).
	Dropped uint64
	// Reconnects counts connections made again after a failure.
	Reconnects uint64
	// SpooledTotal counts lines written to the spool.
	SpooledTotal uint64
	// Queued is the number of lines in the memory queue now (gauge).
	Queued int64
	// QueueLimit is the memory queue's capacity in lines (gauge).
	QueueLimit int64
	// Spooled is the number of lines waiting in the spool now (gauge).
	Spooled int64
	// SpoolBytes is the size of the spool's files now (gauge).
	SpoolBytes int64
	// SpoolLimitBytes is the spool's size cap (gauge).
	SpoolLimitBytes int64
	// SpoolCorrupt counts damaged spool segment tails skipped at open or
	// while reading (each loses the lines after the damage).
	SpoolCorrupt uint64
	// Rotations counts rotated files (file outputs).
	Rotations uint64
	// Connected is 1 while a network sink has a working connection.
	Connected int64
}

// ConfigError is a mistake in an output URL or its parameters (exit 2).
type ConfigError struct {
	URL string // with any password removed
	Msg string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("output %s: %s", e.URL, e.Msg) }

// DialError is a sink that could not be reached or refused our credentials
// when wirescan started (exit 2: the command line points at the wrong place).
type DialError struct {
	URL string // with any password removed
	Err error
}

func (e *DialError) Error() string { return fmt.Sprintf("output %s: %v", e.URL, e.Err) }

// Unwrap returns the connection error.
func (e *DialError) Unwrap() error { return e.Err }

// IsStartupError reports whether err is a ConfigError or a DialError: the
// output could not be set up as asked.
func IsStartupError(err error) bool {
	var ce *ConfigError
	var de *DialError
	return errors.As(err, &ce) || errors.As(err, &de)
}
