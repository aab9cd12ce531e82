package eve

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DefaultBufferSize is the Writer's output buffer. EVE lines are a few hundred
// bytes to a few KiB, so 64 KiB batches many lines per write system call.
const DefaultBufferSize = 64 << 10

// ErrNoEventType is returned by Write for an event without EventType: such a
// line would not validate and no consumer could route it.
var ErrNoEventType = errors.New("eve: event without event_type")

// Writer encodes events as EVE JSON lines into a buffered io.Writer.
//
// A Writer is not safe for concurrent use; the engine serialises writes (one
// output goroutine or a lock around the Writer). Lines reach the underlying
// writer when the buffer fills or on Flush.
type Writer struct {
	buf *bufio.Writer
	enc *json.Encoder
}

// NewWriter returns a Writer that buffers DefaultBufferSize bytes in front of w.
func NewWriter(w io.Writer) *Writer {
	buf := bufio.NewWriterSize(w, DefaultBufferSize)
	enc := json.NewEncoder(buf)
	// Suricata writes '<', '>' and '&' as themselves; so do we.
	enc.SetEscapeHTML(false)
	return &Writer{buf: buf, enc: enc}
}

// Write encodes ev as one line. On error nothing of ev is guaranteed to be
// written, and an error from the underlying writer is sticky: every later
// Write and Flush fails too.
func (w *Writer) Write(ev *Event) error {
	if ev.EventType == "" {
		return ErrNoEventType
	}
	if err := w.enc.Encode(toWire(ev)); err != nil {
		return fmt.Errorf("eve: write %s event: %w", ev.EventType, err)
	}
	return nil
}

// Flush writes buffered lines to the underlying writer.
func (w *Writer) Flush() error {
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("eve: flush: %w", err)
	}
	return nil
}
