package nats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wirescan/wirescan/engine/output"
)

// Reader reads the messages of one subject from the start of its stream up
// to the last message that existed when it was opened, then returns io.EOF
// (an ordered, ephemeral consumer: nothing is acknowledged or removed).
//
// Its methods match triage/report's Source (Next, Pos, Close). A Reader is
// not safe for concurrent use.
type Reader struct {
	nc      *natsgo.Conn
	cons    jetstream.Consumer
	ctx     context.Context
	url     string
	lastSeq uint64 // stream sequence of the subject's newest message at open
	seq     uint64 // of the last message returned
	done    bool
	wait    time.Duration
}

// OpenReader opens rawURL (nats://[user:pass@]HOST:PORT/SUBJECT) for reading.
// Connection and authentication errors come back within dialTimeout.
func OpenReader(ctx context.Context, rawURL string, dialTimeout time.Duration) (*Reader, error) {
	spec, err := output.ReaderSpec(rawURL)
	if err != nil {
		return nil, err
	}
	t, err := parseTarget(spec)
	if err != nil {
		return nil, err
	}
	if err := spec.CheckParams(); err != nil {
		return nil, err
	}
	if dialTimeout <= 0 {
		dialTimeout = output.DefaultDialTimeout
	}
	nc, js, _, err := t.connect(ctx, dialTimeout, 1)
	if err != nil {
		return nil, &output.DialError{URL: spec.Redacted, Err: err}
	}
	r := &Reader{nc: nc, ctx: ctx, url: spec.Redacted, wait: dialTimeout + 5*time.Second}
	if err := r.start(js, t); err != nil {
		nc.Close()
		return nil, err
	}
	return r, nil
}

func (r *Reader) start(js jetstream.JetStream, t Target) error {
	name, err := js.StreamNameBySubject(r.ctx, t.Subject)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		r.done = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("nats: looking up the stream of %s: %w", t.Subject, err)
	}
	st, err := js.Stream(r.ctx, name)
	if err != nil {
		return fmt.Errorf("nats: stream %s: %w", name, err)
	}
	last, err := st.GetLastMsgForSubject(r.ctx, t.Subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		r.done = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("nats: last message of %s: %w", t.Subject, err)
	}
	r.lastSeq = last.Sequence
	r.cons, err = js.OrderedConsumer(r.ctx, name, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{t.Subject}, DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("nats: consumer on %s: %w", name, err)
	}
	return nil
}

// Next returns the next message's data (the caller owns it) or io.EOF
// after the newest message that existed at open.
func (r *Reader) Next() ([]byte, error) {
	if r.done {
		return nil, io.EOF
	}
	msg, err := r.cons.Next(jetstream.FetchMaxWait(r.wait))
	if err != nil {
		return nil, fmt.Errorf("nats: reading %s after sequence %d: %w", r.url, r.seq, err)
	}
	meta, err := msg.Metadata()
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	r.seq = meta.Sequence.Stream
	if r.seq >= r.lastSeq {
		r.done = true
	}
	return append([]byte(nil), msg.Data()...), nil
}

// Pos names the last message returned: the URL (without password) and its
// stream sequence number.
func (r *Reader) Pos() string { return fmt.Sprintf("%s#%d", r.url, r.seq) }

// Close closes the connection.
func (r *Reader) Close() error {
	r.nc.Close()
	return nil
}
