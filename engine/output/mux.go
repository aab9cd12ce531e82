package output

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wirescan/wirescan/engine/eve"
)

// Output is a Sink with its name and event-type filter, as the Mux holds it.
type Output struct {
	// Name is the label (redis0).
	Name string
	// URL is the output's URL without secrets, for messages.
	URL string
	// Types lists the event types the output takes; empty: all.
	Types []string
	// Sink receives the lines.
	Sink Sink
	// SpoolDir is the output's spool directory ("" without spool).
	SpoolDir string

	types map[string]bool
}

func (o *Output) accepts(t string) bool { return o.types == nil || o.types[t] }

// Mux is the engine's EventWriter over any number of outputs: it stamps each
// event with the sensor name, encodes it once and hands the same bytes to
// every output whose type filter accepts it.
//
// The engine serialises Write and Flush; Reopen, Stats and the periodic
// flush may run concurrently with them, so Mux takes a lock.
type Mux struct {
	host string
	enc  *eve.LineEncoder

	mu      sync.Mutex
	outs    []*Output
	stop    chan struct{}
	stopped chan struct{}
}

// FlushInterval is how often the Mux flushes buffered file outputs, so a
// live sensor's eve.json is at most this far behind.
const FlushInterval = time.Second

// NewMux returns a Mux over outs; host is written as each event's "host"
// (the sensor name). It flushes file outputs every FlushInterval until
// Close.
func NewMux(host string, outs []*Output) *Mux {
	m := &Mux{host: host, enc: eve.NewLineEncoder(), outs: outs, stop: make(chan struct{}), stopped: make(chan struct{})}
	for _, o := range outs {
		if len(o.Types) > 0 {
			o.types = map[string]bool{}
			for _, t := range o.Types {
				o.types[t] = true
			}
		}
	}
	go m.flusher()
	return m
}

func (m *Mux) flusher() {
	defer close(m.stopped)
	t := time.NewTicker(FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = m.Flush()
		case <-m.stop:
			return
		}
	}
}

// Outputs returns the outputs (not a copy: do not modify).
func (m *Mux) Outputs() []*Output { return m.outs }

// Write encodes ev once and gives the line to every output that takes its
// type. It returns the first local write error (a file output); network
// outputs never fail here.
func (m *Mux) Write(ev *eve.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	want := false
	for _, o := range m.outs {
		if o.accepts(ev.EventType) {
			want = true
			break
		}
	}
	if !want {
		return nil
	}
	e := *ev
	if e.Host == "" {
		e.Host = m.host
	}
	b, err := m.enc.Encode(&e)
	if err != nil {
		return err
	}
	// One copy shared by all outputs: queues keep it, nobody modifies it.
	line := append([]byte(nil), b...)
	var first error
	for _, o := range m.outs {
		if !o.accepts(ev.EventType) {
			continue
		}
		if err := o.Sink.Write(line); err != nil && first == nil {
			first = fmt.Errorf("output %s: %w", o.Name, err)
		}
	}
	return first
}

// Flush flushes every output's buffer (not remote delivery).
func (m *Mux) Flush() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for _, o := range m.outs {
		if err := o.Sink.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("output %s: %w", o.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Reopen reopens file outputs (logrotate moved them away).
func (m *Mux) Reopen() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for _, o := range m.outs {
		if err := o.Sink.Reopen(); err != nil {
			errs = append(errs, fmt.Errorf("output %s: %w", o.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Stats returns every output's counters, in output order.
func (m *Mux) Stats() []Stats {
	st := make([]Stats, len(m.outs))
	for i, o := range m.outs {
		st[i] = o.Sink.Stats()
		st[i].Name = o.Name
	}
	return st
}

// Undelivered is an output that kept lines in its spool at Close.
type Undelivered struct {
	Name, URL, SpoolDir string
	Lines               int64
}

// Close flushes and closes every output, the network ones in parallel, each
// delivering until ctx is done. It returns the outputs that left lines in
// their spool, and the errors.
func (m *Mux) Close(ctx context.Context) ([]Undelivered, error) {
	close(m.stop)
	<-m.stopped
	m.mu.Lock()
	defer m.mu.Unlock()
	errs := make([]error, len(m.outs))
	var wg sync.WaitGroup
	for i, o := range m.outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := o.Sink.Close(ctx); err != nil {
				errs[i] = fmt.Errorf("output %s: %w", o.Name, err)
			}
		}()
	}
	wg.Wait()
	var left []Undelivered
	for _, o := range m.outs {
		if st := o.Sink.Stats(); st.Spooled > 0 {
			left = append(left, Undelivered{Name: o.Name, URL: o.URL, SpoolDir: o.SpoolDir, Lines: st.Spooled})
		}
	}
	return left, errors.Join(errs...)
}
