package output

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/wirescan/wirescan/engine/output/spool"
)

// Item is one line on its way to a network sink. ID is unique per line
// within an output and survives the spool, so a sink can deduplicate
// redelivered lines (JetStream's Nats-Msg-Id).
type Item struct {
	ID   uint64
	Line []byte // ends in '\n'
}

// Conn is one connection to a sink, used by a single delivery goroutine.
type Conn interface {
	// Send delivers items in order. nil means the sink accepted every
	// item; on an error any prefix may have arrived (the batch is sent
	// again on a new connection: at-least-once).
	Send(ctx context.Context, items []Item) error
	// Close releases the connection.
	Close() error
}

// Dialer opens a connection; it must give up when ctx is done.
type Dialer func(ctx context.Context) (Conn, error)

// Defaults of QueueConfig.
const (
	DefaultQueueLines  = 10000
	DefaultQueueBytes  = 32 << 20
	DefaultBatchLines  = 512
	DefaultBatchBytes  = 1 << 20
	DefaultDialTimeout = 5 * time.Second
	backoffMin         = 100 * time.Millisecond
	backoffMax         = 5 * time.Second
)

// QueueConfig configures a Queued output.
type QueueConfig struct {
	// Name is the output's label (redis0).
	Name string
	// MaxLines and MaxBytes bound the memory queue.
	MaxLines int
	MaxBytes int64
	// BatchLines and BatchBytes bound one Send.
	BatchLines int
	BatchBytes int
	// MaxLineBytes drops (and counts) longer lines at Write: for
	// transports with a message size limit (datagrams). 0: no limit
	// beyond the spool's record limit.
	MaxLineBytes int
	// DialTimeout bounds each connection attempt.
	DialTimeout time.Duration
	// Spool is where lines go when the sink is down or slow.
	Spool spool.Config
	// Logf reports the sink going down and coming back; may be nil.
	Logf func(format string, args ...any)
}

func (c *QueueConfig) fill() {
	if c.MaxLines <= 0 {
		c.MaxLines = DefaultQueueLines
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultQueueBytes
	}
	if c.BatchLines <= 0 {
		c.BatchLines = DefaultBatchLines
	}
	if c.BatchBytes <= 0 {
		c.BatchBytes = DefaultBatchBytes
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
}

// Queued is a network output: Write puts the line in a bounded memory queue
// and returns; one goroutine sends batches to the sink. When the sink is
// down or the queue is full, lines go to the spool, and once anything is in
// the spool every later line goes behind it, so the sink sees lines in the
// order they were written. When the spool is full, lines are dropped and
// counted. Close delivers until its deadline and leaves the rest (memory
// queue included) in the spool for the next run, which sends it first.
//
// Queued is safe for concurrent use.
type Queued struct {
	cfg   QueueConfig
	dial  Dialer
	spool *spool.Spool

	mu       sync.Mutex
	queue    []Item // oldest first; all older than anything in the spool
	qBytes   int64
	inflight []Item // taken from queue, being sent
	spooling bool   // the spool holds lines: new lines go there
	// full is set when the spool refused a line and cleared when delivery
	// frees room: until then every line is dropped, so what is lost is one
	// contiguous run and the spool keeps an unbroken prefix (a smaller
	// later line must not slip in after a dropped one).
	full   bool
	nextID uint64
	st     Stats

	wake    chan struct{}
	closing chan struct{}
	done    chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	once    sync.Once
}

// NewQueued starts a queued output over the spool directory in cfg.Spool.
// conn is the first connection (callers dial once at start so that a wrong
// address or password is an error before capture begins); nil makes the
// delivery goroutine dial.
func NewQueued(cfg QueueConfig, dial Dialer, conn Conn) (*Queued, error) {
	cfg.fill()
	sp, err := spool.Open(cfg.Spool)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queued{
		cfg: cfg, dial: dial, spool: sp,
		nextID: rand.Uint64(),
		wake:   make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{}),
		ctx: ctx, cancel: cancel,
	}
	q.st.Name = cfg.Name
	q.st.QueueLimit = int64(cfg.MaxLines)
	q.st.SpoolLimitBytes = sp.MaxBytes()
	q.st.SpoolCorrupt = sp.Corrupt()
	// Lines a previous run left go first: spool everything until drained.
	q.spooling = sp.Len() > 0
	if conn != nil {
		q.st.Connected = 1
	}
	go q.run(conn)
	return q, nil
}

// SpoolDir is the directory of the output's spool.
func (q *Queued) SpoolDir() string { return q.spool.Dir() }

// Write queues line (kept, not copied). It never blocks on the sink.
func (q *Queued) Write(line []byte) error {
	q.mu.Lock()
	q.st.Events++
	q.st.Bytes += uint64(len(line))
	if q.cfg.MaxLineBytes > 0 && len(line) > q.cfg.MaxLineBytes {
		q.st.Dropped++
		q.mu.Unlock()
		return nil
	}
	it := Item{ID: q.nextID, Line: line}
	q.nextID++
	if !q.spooling && len(q.queue) < q.cfg.MaxLines && q.qBytes+int64(len(line)) <= q.cfg.MaxBytes {
		q.queue = append(q.queue, it)
		q.qBytes += int64(len(line))
	} else if q.full {
		q.st.Dropped++
	} else {
		switch err := q.spool.Append(encodeItem(it)); {
		case err == nil:
			q.spooling = true
			q.st.SpooledTotal++
		case errors.Is(err, spool.ErrFull):
			q.spooling, q.full = true, true
			q.st.Dropped++
		default:
			q.spooling = true
			q.st.Dropped++
			q.st.Errors++
		}
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return nil
}

// Flush does nothing: delivery is continuous.
func (q *Queued) Flush() error { return nil }

// Reopen does nothing: there is no file to reopen.
func (q *Queued) Reopen() error { return nil }

// Stats returns a copy of the counters.
func (q *Queued) Stats() Stats {
	q.mu.Lock()
	st := q.st
	st.Queued = int64(len(q.queue) + len(q.inflight))
	q.mu.Unlock()
	st.Spooled = q.spool.Len()
	st.SpoolBytes = q.spool.Bytes()
	st.SpoolCorrupt = q.spool.Corrupt()
	return st
}

func encodeItem(it Item) []byte {
	b := make([]byte, 8, 8+len(it.Line))
	binary.BigEndian.PutUint64(b, it.ID)
	return append(b, it.Line...)
}

func decodeItem(rec []byte) (Item, bool) {
	if len(rec) < 8 {
		return Item{}, false
	}
	return Item{ID: binary.BigEndian.Uint64(rec), Line: rec[8:]}, true
}

// next returns the next batch: from the memory queue (older) or else from
// the spool. It waits for lines; ok is false when closing and nothing is
// left.
func (q *Queued) next() (items []Item, sb spool.Batch, fromSpool, ok bool) {
	for {
		q.mu.Lock()
		if len(q.inflight) > 0 {
			items = q.inflight
			q.mu.Unlock()
			return items, sb, false, true
		}
		if n := q.batchLen(); n > 0 {
			q.inflight = q.queue[:n:n]
			q.queue = q.queue[n:]
			for _, it := range q.inflight {
				q.qBytes -= int64(len(it.Line))
			}
			items = q.inflight
			q.mu.Unlock()
			return items, sb, false, true
		}
		if q.spool.Len() > 0 {
			q.mu.Unlock()
			b, err := q.spool.Peek(q.cfg.BatchLines, q.cfg.BatchBytes)
			if err != nil {
				q.cfg.Logf("wirescan: output %s: spool: %v", q.cfg.Name, err)
				q.count(func(s *Stats) { s.Errors++ })
				if !q.sleep(backoffMax) {
					return nil, sb, false, false
				}
				continue
			}
			if len(b.Records) > 0 {
				items = make([]Item, 0, len(b.Records))
				for _, r := range b.Records {
					if it, ok := decodeItem(r); ok {
						items = append(items, it)
					}
				}
				return items, b, true, true
			}
			// Counted records but nothing readable (a damaged segment was
			// just skipped): look again, without spinning.
			if !q.sleep(10 * time.Millisecond) {
				return nil, sb, false, false
			}
			continue
		}
		// Everything is delivered: new lines may use the memory queue.
		q.spooling = false
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-q.closing:
			q.mu.Lock()
			empty := len(q.queue) == 0 && q.spool.Len() == 0
			q.mu.Unlock()
			if empty {
				return nil, sb, false, false
			}
		case <-q.ctx.Done():
			return nil, sb, false, false
		}
	}
}

func (q *Queued) batchLen() int {
	n, size := 0, 0
	for n < len(q.queue) && n < q.cfg.BatchLines && (size < q.cfg.BatchBytes || n == 0) {
		size += len(q.queue[n].Line)
		n++
	}
	return n
}

func (q *Queued) count(f func(*Stats)) {
	q.mu.Lock()
	f(&q.st)
	q.mu.Unlock()
}

// sleep waits d or until the hard deadline; false means give up.
func (q *Queued) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-q.ctx.Done():
		return false
	}
}

// run is the delivery goroutine.
func (q *Queued) run(conn Conn) {
	defer close(q.done)
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	backoff := backoffMin
	down := false
	for {
		items, sb, fromSpool, ok := q.next()
		if !ok {
			return
		}
		// failed counts an error, reports the outage once and waits before
		// the next attempt; false means the hard deadline passed.
		failed := func(err error) bool {
			if q.ctx.Err() != nil {
				return false
			}
			q.count(func(s *Stats) { s.Errors++; s.Connected = 0 })
			if !down {
				q.cfg.Logf("wirescan: output %s: sink down, spooling to %s: %v", q.cfg.Name, q.spool.Dir(), err)
				down = true
			}
			if !q.sleep(backoff) {
				return false
			}
			backoff = min(backoff*2, backoffMax)
			return true
		}
		for {
			if conn == nil {
				dctx, cancel := context.WithTimeout(q.ctx, q.cfg.DialTimeout)
				c, err := q.dial(dctx)
				cancel()
				if err != nil {
					if !failed(err) {
						return
					}
					continue
				}
				conn = c
				q.count(func(s *Stats) { s.Reconnects++; s.Connected = 1 })
			}
			err := conn.Send(q.ctx, items)
			if err == nil {
				backoff = backoffMin
				if down {
					q.cfg.Logf("wirescan: output %s: delivering again", q.cfg.Name)
					down = false
				}
				break
			}
			conn.Close()
			conn = nil
			if !failed(err) {
				return
			}
		}
		q.mu.Lock()
		q.st.Delivered += uint64(len(items))
		if !fromSpool {
			q.inflight = nil
		}
		q.mu.Unlock()
		if fromSpool {
			if err := q.spool.Commit(sb); err != nil {
				q.cfg.Logf("wirescan: output %s: spool: %v", q.cfg.Name, err)
				q.count(func(s *Stats) { s.Errors++ })
			}
			q.mu.Lock()
			q.full = false // delivery made room
			q.mu.Unlock()
		}
	}
}

// Close delivers until ctx is done, then keeps whatever is left (memory
// queue and in-flight batch, in order before the spool) in the spool and
// closes it. Stats().Spooled tells how many lines wait there.
func (q *Queued) Close(ctx context.Context) error {
	q.once.Do(func() { close(q.closing) })
	select {
	case q.wake <- struct{}{}:
	default:
	}
	select {
	case <-q.done:
	case <-ctx.Done():
		q.cancel()
		<-q.done
	}
	q.cancel()
	q.mu.Lock()
	left := append(q.inflight, q.queue...)
	q.inflight, q.queue, q.qBytes = nil, nil, 0
	recs := make([][]byte, len(left))
	for i, it := range left {
		recs[i] = encodeItem(it)
	}
	n, perr := q.spool.Prepend(recs)
	q.st.Dropped += uint64(len(recs) - n)
	q.st.SpooledTotal += uint64(n)
	q.st.Connected = 0
	q.mu.Unlock()
	if err := errors.Join(perr, q.spool.Close()); err != nil {
		return fmt.Errorf("output %s: %w", q.cfg.Name, err)
	}
	return nil
}

// Start dials the sink once (so that a wrong address or refused credentials
// are a DialError before capture starts) and starts a Queued output with
// that connection; later connections come from dial too.
func Start(ctx context.Context, spec *Spec, qc QueueConfig, dial Dialer) (Sink, error) {
	dctx, cancel := context.WithTimeout(ctx, qc.DialTimeout)
	first, err := dial(dctx)
	cancel()
	if err != nil {
		return nil, &DialError{URL: spec.Redacted, Err: err}
	}
	q, err := NewQueued(qc, dial, first)
	if err != nil {
		first.Close()
		return nil, err
	}
	return q, nil
}
