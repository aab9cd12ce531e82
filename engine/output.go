package engine

import (
	"maps"
	"sync"

	"github.com/wirescan/wirescan/engine/eve"
)

// EventWriter is where the engine sends events. Implementations need not be
// safe for concurrent use: the engine serialises calls.
type EventWriter interface {
	Write(ev *eve.Event) error
	Flush() error
}

// output serialises writes from several workers and filters event types.
type output struct {
	mu      sync.Mutex
	w       EventWriter
	enabled map[string]bool // nil: everything
	err     error           // first write error, reported at the end
	counts  map[string]uint64
}

func newOutput(w EventWriter, types []string) *output {
	o := &output{w: w, counts: map[string]uint64{}}
	if len(types) > 0 {
		o.enabled = map[string]bool{}
		for _, t := range types {
			o.enabled[t] = true
		}
	}
	return o
}

func (o *output) wants(eventType string) bool {
	return o.enabled == nil || o.enabled[eventType]
}

func (o *output) write(ev *eve.Event) {
	if !o.wants(ev.EventType) {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.counts[ev.EventType]++
	if err := o.w.Write(ev); err != nil && o.err == nil {
		o.err = err
	}
}

func (o *output) flush() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.w.Flush(); err != nil && o.err == nil {
		o.err = err
	}
	return o.err
}

func (o *output) countsCopy() map[string]uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.counts)
}
