package engine

import (
	"time"

	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/engine/output/statsevent"
)

// EmitStats writes one EVE stats event from the current snapshot, stamped
// with at, or with the last packet's time when at is zero.
func (e *Engine) EmitStats(at time.Time) {
	if !e.out.wants("stats") {
		return
	}
	if at.IsZero() {
		at = time.Unix(0, e.lastTS.Load()).UTC()
	}
	s := e.Snapshot()
	e.out.write(&eve.Event{Timestamp: at, EventType: "stats", Stats: statsevent.Build(s),
		Wirescan: &eve.Extra{Silenced: statsevent.Silenced(&s), Outputs: statsevent.Outputs(&s)}})
}
