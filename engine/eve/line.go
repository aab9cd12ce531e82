package eve

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// EventTypes returns every event type wirescan writes, for validating
// event-type filters (a fresh slice on each call).
func EventTypes() []string {
	return []string{"alert", "anomaly", "fileinfo", "flow", "frame", "http", "incident", "smb", "stats"}
}

// KnownEventType reports whether t is one of EventTypes.
func KnownEventType(t string) bool {
	for _, k := range EventTypes() {
		if k == t {
			return true
		}
	}
	return false
}

// LineEncoder encodes one event at a time into a reused buffer, exactly as
// Writer writes it (same keys, same escaping, trailing newline). Outputs
// that ship lines elsewhere (queues, sockets) encode each event once with it
// and hand the bytes to every destination.
//
// A LineEncoder is not safe for concurrent use.
type LineEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// NewLineEncoder returns a LineEncoder with an empty buffer.
func NewLineEncoder() *LineEncoder {
	e := &LineEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// Encode returns ev as one EVE line ending in '\n'. The bytes belong to the
// encoder and stay valid until the next call: copy them to keep them.
func (e *LineEncoder) Encode(ev *Event) ([]byte, error) {
	if ev.EventType == "" {
		return nil, ErrNoEventType
	}
	e.buf.Reset()
	if err := e.enc.Encode(toWire(ev)); err != nil {
		return nil, fmt.Errorf("eve: encode %s event: %w", ev.EventType, err)
	}
	return e.buf.Bytes(), nil
}
