package output

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/output/spool"
)

// fakeSink records what it received; while down, connections fail.
type fakeSink struct {
	mu    sync.Mutex
	down  bool
	got   [][]byte
	ids   []uint64
	dials int
}

func (f *fakeSink) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }

func (f *fakeSink) lines() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.got...)
}

func (f *fakeSink) dial(context.Context) (Conn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dials++
	if f.down {
		return nil, errors.New("connection refused")
	}
	return &fakeConn{f: f}, nil
}

type fakeConn struct{ f *fakeSink }

func (c *fakeConn) Send(_ context.Context, items []Item) error {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if c.f.down {
		return errors.New("broken pipe")
	}
	for _, it := range items {
		c.f.got = append(c.f.got, it.Line)
		c.f.ids = append(c.f.ids, it.ID)
	}
	return nil
}

func (c *fakeConn) Close() error { return nil }

func testLine(i int) []byte { return fmt.Appendf(nil, `{"event_type":"flow","n":%d}`+"\n", i) }

func newTestQueue(t *testing.T, f *fakeSink, dir string, lines int, spoolMax int64) *Queued {
	t.Helper()
	q, err := NewQueued(QueueConfig{Name: "fake0", MaxLines: lines, BatchLines: 7,
		Spool: spool.Config{Dir: dir, MaxBytes: spoolMax, SegmentBytes: 4096}}, f.dial, nil)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func wantInOrder(t *testing.T, got [][]byte, from, to int) {
	t.Helper()
	if len(got) != to-from {
		t.Fatalf("sink got %d lines, want %d", len(got), to-from)
	}
	for i := range got {
		if !bytes.Equal(got[i], testLine(from+i)) {
			t.Fatalf("line %d = %q, want %q", i, got[i], testLine(from+i))
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestQueuedSinkDownAndBackKeepsOrder(t *testing.T) {
	f := &fakeSink{}
	q := newTestQueue(t, f, t.TempDir(), 20, 1<<30)
	for i := range 100 {
		q.Write(testLine(i))
	}
	waitFor(t, "first lines", func() bool { return len(f.lines()) == 100 })
	f.setDown(true)
	for i := 100; i < 1000; i++ { // far more than the memory queue holds
		q.Write(testLine(i))
	}
	st := q.Stats()
	if st.SpooledTotal == 0 {
		t.Fatalf("nothing spooled while the sink was down: %+v", st)
	}
	f.setDown(false)
	for i := 1000; i < 1200; i++ {
		q.Write(testLine(i))
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantInOrder(t, f.lines(), 0, 1200)
	st = q.Stats()
	if st.Delivered != 1200 || st.Dropped != 0 || st.Spooled != 0 || st.Queued != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestQueuedCloseKeepsRestForNextRun(t *testing.T) {
	dir := t.TempDir()
	f := &fakeSink{}
	q := newTestQueue(t, f, dir, 50, 1<<30)
	for i := range 10 {
		q.Write(testLine(i))
	}
	waitFor(t, "first lines", func() bool { return len(f.lines()) == 10 })
	f.setDown(true)
	for i := 10; i < 500; i++ {
		q.Write(testLine(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := q.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := q.Stats(); st.Spooled != 490 || st.Dropped != 0 {
		t.Fatalf("after close: %d spooled, %d dropped; want 490 and 0", st.Spooled, st.Dropped)
	}
	// The next run delivers the spool first, then its own lines.
	f.setDown(false)
	q = newTestQueue(t, f, dir, 50, 1<<30)
	for i := 500; i < 600; i++ {
		q.Write(testLine(i))
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantInOrder(t, f.lines(), 0, 600)
	// IDs stay unique across the runs (JetStream deduplicates by them).
	seen := map[uint64]bool{}
	for _, id := range f.ids {
		if seen[id] {
			t.Fatalf("id %x delivered twice", id)
		}
		seen[id] = true
	}
}

func TestQueuedFullSpoolCountsDropsExactly(t *testing.T) {
	dir := t.TempDir()
	f := &fakeSink{}
	q := newTestQueue(t, f, dir, 5, 2000)
	f.setDown(true)
	const n = 300
	for i := range n {
		q.Write(testLine(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	q.Close(ctx)
	st := q.Stats()
	if st.Dropped == 0 || st.Events != n {
		t.Fatalf("stats %+v", st)
	}
	if uint64(st.Spooled)+st.Dropped+st.Delivered != n {
		t.Fatalf("spooled %d + dropped %d + delivered %d != %d written", st.Spooled, st.Dropped, st.Delivered, n)
	}
	// What was kept is the oldest lines, without a hole.
	f.setDown(false)
	q = newTestQueue(t, f, dir, 5, 2000)
	q.Close(context.Background())
	wantInOrder(t, f.lines(), 0, int(st.Spooled))
}

func TestQueuedDropsOversizeLines(t *testing.T) {
	f := &fakeSink{}
	q, err := NewQueued(QueueConfig{Name: "fake0", MaxLineBytes: 10, Spool: spool.Config{Dir: t.TempDir()}}, f.dial, nil)
	if err != nil {
		t.Fatal(err)
	}
	q.Write([]byte("short\n"))
	q.Write([]byte("much too long for a datagram\n"))
	q.Close(context.Background())
	if st := q.Stats(); st.Dropped != 1 || st.Delivered != 1 {
		t.Fatalf("stats %+v", st)
	}
}
