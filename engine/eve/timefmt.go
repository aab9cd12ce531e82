package eve

import (
	"encoding/json"
	"fmt"
	"time"
)

// TimeLayout is Suricata's EVE timestamp layout: microseconds and a numeric
// zone without colon. wirescan always writes UTC, so the zone is "+0000".
const TimeLayout = "2006-01-02T15:04:05.000000-0700"

// FormatTime renders t (converted to UTC) in TimeLayout.
func FormatTime(t time.Time) string {
	return t.UTC().Format(TimeLayout)
}

// evetime marshals a time.Time in TimeLayout. MarshalText (rather than
// MarshalJSON) lets encoding/json quote it without re-validating the output.
type evetime time.Time

// MarshalText implements encoding.TextMarshaler.
func (t evetime) MarshalText() ([]byte, error) {
	b := make([]byte, 0, len(TimeLayout)+1)
	return time.Time(t).UTC().AppendFormat(b, TimeLayout), nil
}

// eventAlias has Event's fields without its methods, so that wire can embed it
// without recursing into Event.MarshalJSON.
type eventAlias Event

// wire is what the encoder sees: the outer Timestamp (depth 0) shadows the
// embedded time.Time one, and being first it keeps "timestamp" the first key.
type wire struct {
	Timestamp evetime `json:"timestamp"`
	*eventAlias
}

func toWire(ev *Event) wire {
	return wire{Timestamp: evetime(ev.Timestamp), eventAlias: (*eventAlias)(ev)}
}

// MarshalJSON encodes the event exactly as Writer writes it (without the
// trailing newline), for callers that need one line outside a Writer.
func (ev *Event) MarshalJSON() ([]byte, error) {
	return json.Marshal(toWire(ev))
}

// flowAlias has Flow's fields without its methods.
type flowAlias Flow

// flowWire shadows Start and End with Suricata-formatted times.
type flowWire struct {
	*flowAlias
	Start evetime `json:"start"`
	End   evetime `json:"end"`
}

// MarshalJSON writes Start and End in TimeLayout like every EVE timestamp.
func (f *Flow) MarshalJSON() ([]byte, error) {
	return json.Marshal(flowWire{flowAlias: (*flowAlias)(f), Start: evetime(f.Start), End: evetime(f.End)})
}

// UnmarshalText implements encoding.TextUnmarshaler: TimeLayout (Suricata's
// and ours), or RFC 3339 as other tools write it.
func (t *evetime) UnmarshalText(b []byte) error {
	for _, layout := range []string{TimeLayout, time.RFC3339Nano} {
		if v, err := time.Parse(layout, string(b)); err == nil {
			*t = evetime(v)
			return nil
		}
	}
	return fmt.Errorf("eve: timestamp %q: want %s", b, TimeLayout)
}

// UnmarshalJSON decodes a line as Writer writes it (and as Suricata does),
// for tools that read EVE back (explain, tests).
func (ev *Event) UnmarshalJSON(b []byte) error {
	w := struct {
		Timestamp evetime `json:"timestamp"`
		*eventAlias
	}{eventAlias: (*eventAlias)(ev)}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	ev.Timestamp = time.Time(w.Timestamp)
	return nil
}

// UnmarshalJSON reads Start and End in TimeLayout.
func (f *Flow) UnmarshalJSON(b []byte) error {
	w := struct {
		*flowAlias
		Start evetime `json:"start"`
		End   evetime `json:"end"`
	}{flowAlias: (*flowAlias)(f)}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	f.Start, f.End = time.Time(w.Start), time.Time(w.End)
	return nil
}
