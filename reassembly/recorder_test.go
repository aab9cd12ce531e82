package reassembly

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/memcap"
)

// recorder is a Handler that renders what it receives per direction as text:
// data bytes verbatim, "<gap N>" and "<end>". It also records contract
// violations (events after End, End twice) for the tests to check.
type recorder struct {
	out        [2]strings.Builder
	anomalies  []string
	ends       [2]int
	delivered  [2]int64
	gapped     [2]int64
	violations []string
	quiet      bool // do not render (long property runs)
}

func (r *recorder) Data(dir Direction, data []byte) {
	if r.ends[dir] > 0 {
		r.violations = append(r.violations, fmt.Sprintf("%v: data after end", dir))
	}
	if len(data) == 0 {
		r.violations = append(r.violations, fmt.Sprintf("%v: empty data", dir))
	}
	r.delivered[dir] += int64(len(data))
	if !r.quiet {
		r.out[dir].Write(data)
	}
}

func (r *recorder) Gap(dir Direction, n int64) {
	if r.ends[dir] > 0 {
		r.violations = append(r.violations, fmt.Sprintf("%v: gap after end", dir))
	}
	if n <= 0 {
		r.violations = append(r.violations, fmt.Sprintf("%v: gap of %d", dir, n))
	}
	r.gapped[dir] += n
	if !r.quiet {
		fmt.Fprintf(&r.out[dir], "<gap %d>", n)
	}
}

func (r *recorder) Anomaly(dir Direction, name string) {
	r.anomalies = append(r.anomalies, name)
}

func (r *recorder) End(dir Direction) {
	r.ends[dir]++
	if r.ends[dir] > 1 {
		r.violations = append(r.violations, fmt.Sprintf("%v: end twice", dir))
	}
	if !r.quiet {
		r.out[dir].WriteString("<end>")
	}
}

// checkClosed asserts the Handler contract and the memory accounting after Close.
func checkClosed(t *testing.T, s *Stream, r *recorder, mem *memcap.Budget) {
	t.Helper()
	for _, v := range r.violations {
		t.Errorf("handler contract: %s", v)
	}
	for d := range 2 {
		if r.ends[d] != 1 {
			t.Errorf("dir %d: End called %d times, want 1", d, r.ends[d])
		}
	}
	if got := mem.InUse(); got != 0 {
		t.Errorf("memory in use after Close = %d, want 0", got)
	}
	if s.MemoryHeld() != 0 || s.BufferedBytes() != 0 {
		t.Errorf("after Close: held %d, buffered %d, want 0", s.MemoryHeld(), s.BufferedBytes())
	}
}

// checkInvariants asserts the internal bookkeeping of every direction.
func checkInvariants(t *testing.T, s *Stream) {
	t.Helper()
	for i := range s.half {
		d := &s.half[i]
		var bytes int64
		prevEnd := d.next
		for k, g := range d.segs {
			if len(g.data) == 0 || g.off < prevEnd || (k == 0 && g.off == d.next) {
				t.Fatalf("dir %d: piece %d at %d (len %d) breaks order after %d (next %d)", i, k, g.off, len(g.data), prevEnd, d.next)
			}
			prevEnd = g.end()
			bytes += int64(len(g.data))
		}
		if bytes != d.bufBytes {
			t.Fatalf("dir %d: bufBytes %d, pieces hold %d", i, d.bufBytes, bytes)
		}
		if want := bytes + int64(len(d.segs))*segmentOverhead + int64(len(d.hist.buf)); want != d.held {
			t.Fatalf("dir %d: held %d, want %d", i, d.held, want)
		}
		if d.bufBytes > s.cfg.MaxBufferedBytes || len(d.segs) > s.cfg.MaxBufferedSegments {
			t.Fatalf("dir %d: buffered %d bytes in %d pieces, limits %d/%d", i, d.bufBytes, len(d.segs), s.cfg.MaxBufferedBytes, s.cfg.MaxBufferedSegments)
		}
		if len(d.hist.buf) > s.cfg.HistoryBytes {
			t.Fatalf("dir %d: history %d > %d", i, len(d.hist.buf), s.cfg.HistoryBytes)
		}
	}
}

// statField returns the Stats counter called name.
func statField(t *testing.T, st *Stats, name string) uint64 {
	t.Helper()
	f := reflect.ValueOf(st).Elem().FieldByName(name)
	if !f.IsValid() {
		t.Fatalf("no Stats field %q", name)
	}
	return f.Uint()
}
