package engine

import (
	"slices"
	"time"

	"github.com/wirescan/wirescan/engine/eve"
)

// AnomalyRateConfig limits anomaly events per anomaly name, engine-wide per
// worker, on top of the per-flow limit (anomalies-per-flow): an attacker who
// opens many flows, each tripping an anomaly, would otherwise still write
// one line per flow. Beyond Burst events of one name in Interval (packet
// time) the rest are counted, and one summary event per name and interval
// gives their number.
type AnomalyRateConfig struct {
	// Burst is how many events of one anomaly name a worker logs per
	// Interval; 0 logs none (all are counted and summarised).
	Burst int `yaml:"burst"`
	// Interval is the window, in packet time.
	Interval time.Duration `yaml:"interval"`
}

// anomalyWindow is one anomaly name's window.
type anomalyWindow struct {
	kind       string
	start      time.Time
	logged     int
	suppressed uint64
}

// admitAnomaly reports whether an anomaly event of name may be written at
// packet time now; it counts the ones that may not.
func (w *worker) admitAnomaly(kind, name string) bool {
	cfg := &w.e.cfg.AnomalyRate
	win := w.anomalyWins[name]
	if win == nil {
		win = &anomalyWindow{kind: kind, start: w.now}
		w.anomalyWins[name] = win
	}
	if w.now.Sub(win.start) >= cfg.Interval {
		w.summariseAnomaly(name, win)
		win.start, win.logged = w.now, 0
	}
	if win.logged < cfg.Burst {
		win.logged++
		return true
	}
	win.suppressed++
	w.stats.AnomaliesSuppressed++
	return false
}

// summariseAnomaly writes one event with the count of the anomalies of
// name that the window held back, if any.
func (w *worker) summariseAnomaly(name string, win *anomalyWindow) {
	if win.suppressed == 0 {
		return
	}
	w.e.out.write(&eve.Event{
		Timestamp: w.now,
		EventType: "anomaly",
		Anomaly:   &eve.Anomaly{Type: win.kind, Event: name},
		Wirescan: &eve.Extra{
			AnomalySuppressed: win.suppressed,
			AnomalySince:      eve.FormatTime(win.start),
		},
	})
	win.suppressed = 0
}

// flushAnomalySummaries writes the pending summaries (end of run), in name
// order so the output is deterministic.
func (w *worker) flushAnomalySummaries() {
	names := make([]string, 0, len(w.anomalyWins))
	for name := range w.anomalyWins {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w.summariseAnomaly(name, w.anomalyWins[name])
	}
}
