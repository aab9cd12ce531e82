// Package nats is the NATS JetStream output (nats://[user:pass@]HOST:PORT/SUBJECT)
// and a reader over a subject, for `wirescan report`.
//
// # Place in the pipeline
//
// engine → output.Mux → output.Queued (memory queue, spool) → this
// package's connection → JetStream. Lines are published without their
// newline, one message each.
//
// # Delivery
//
// Each batch is published asynchronously (at most one batch in flight,
// bounded by ?batch=) and counts as delivered only when JetStream has
// acknowledged every message: the message is then stored in the stream.
// Every message carries a Nats-Msg-Id unique to the line (kept in the spool
// across restarts), so a batch sent again after a broken connection is
// deduplicated by the server within the stream's duplicate window (two
// minutes by default): exactly once and in order inside that window,
// at-least-once beyond it.
//
// When no stream listens on SUBJECT, one is created: ?stream=NAME (default
// WIRESCAN) with SUBJECT as its only subject and the server's default limits.
//
// The first connection is made at start: a wrong address or credentials
// fail within the dial timeout.
package nats

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wirescan/wirescan/engine/output"
)

// DefaultStream is the name of the stream created when none covers the
// subject.
const DefaultStream = "WIRESCAN"

// Target is a parsed nats:// URL.
type Target struct {
	Server  string // nats://[user:pass@]host:port
	Addr    string
	Subject string
	Stream  string
}

func parseTarget(spec *output.Spec) (Target, error) {
	u := spec.URL
	t := Target{Addr: u.Host, Subject: strings.TrimPrefix(u.Path, "/")}
	if t.Addr == "" {
		return t, spec.Errorf("no host: want nats://HOST:PORT/SUBJECT")
	}
	if _, _, err := net.SplitHostPort(t.Addr); err != nil {
		t.Addr = net.JoinHostPort(t.Addr, "4222")
	}
	if t.Subject == "" || strings.ContainsAny(t.Subject, " \t*>/") {
		return t, spec.Errorf("subject %q: want one literal subject (a.b.c) as the path", t.Subject)
	}
	su := url.URL{Scheme: "nats", Host: t.Addr, User: u.User}
	t.Server = su.String()
	t.Stream = spec.Params.String("stream", DefaultStream)
	if t.Stream == "" || strings.ContainsAny(t.Stream, " \t.*>/\\") {
		return t, spec.Errorf("stream=%q: not a valid stream name", t.Stream)
	}
	return t, nil
}

// connect opens a connection (no automatic reconnect: the queue redials)
// and a JetStream context with at most maxPending unacknowledged publishes.
// The returned channel is closed when the connection closes, so that a
// sender waiting for acks notices a dead server at once (pending acks are
// never answered then); ackTimeout bounds the wait for any one ack.
func (t Target) connect(ctx context.Context, dialTimeout time.Duration, maxPending int) (*natsgo.Conn, jetstream.JetStream, <-chan struct{}, error) {
	closed := make(chan struct{})
	nc, err := natsgo.Connect(t.Server, natsgo.Timeout(dialTimeout), natsgo.NoReconnect(), natsgo.Name("wirescan"),
		natsgo.ClosedHandler(func(*natsgo.Conn) { close(closed) }))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("nats: %s: %w", t.Addr, err)
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(maxPending), jetstream.WithDefaultTimeout(dialTimeout),
		jetstream.WithPublishAsyncTimeout(ackTimeout))
	if err != nil {
		nc.Close()
		return nil, nil, nil, fmt.Errorf("nats: %w", err)
	}
	return nc, js, closed, nil
}

// ackTimeout bounds the wait for one publish acknowledgement.
const ackTimeout = 30 * time.Second

// ensureStream makes sure a stream stores the subject, creating one.
func (t Target) ensureStream(ctx context.Context, js jetstream.JetStream) error {
	if _, err := js.StreamNameBySubject(ctx, t.Subject); err == nil {
		return nil
	} else if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("nats: looking up the stream of %s: %w", t.Subject, err)
	}
	_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: t.Stream, Subjects: []string{t.Subject}})
	if err != nil {
		return fmt.Errorf("nats: creating stream %s for %s: %w", t.Stream, t.Subject, err)
	}
	return nil
}

type conn struct {
	t      Target
	nc     *natsgo.Conn
	js     jetstream.JetStream
	closed <-chan struct{}
}

func trimNL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}

// MsgID is the Nats-Msg-Id of a line.
func MsgID(id uint64) string { return fmt.Sprintf("%016x", id) }

// Send publishes the batch asynchronously and waits for every ack.
func (c *conn) Send(ctx context.Context, items []output.Item) error {
	futs := make([]jetstream.PubAckFuture, 0, len(items))
	for _, it := range items {
		f, err := c.js.PublishAsync(c.t.Subject, trimNL(it.Line), jetstream.WithMsgID(MsgID(it.ID)))
		if err != nil {
			return fmt.Errorf("nats: publish: %w", err)
		}
		futs = append(futs, f)
	}
	for _, f := range futs {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("nats: publish: %w", err)
		case <-c.closed:
			return fmt.Errorf("nats: connection closed while waiting for acks: %v", c.nc.LastError())
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (c *conn) Close() error {
	c.nc.Close()
	return nil
}

// Factory opens a nats:// output: it checks the parameters, connects once,
// makes sure a stream stores the subject (a DialError otherwise) and starts
// the queued delivery.
func Factory(ctx context.Context, spec *output.Spec) (output.Sink, error) {
	t, err := parseTarget(spec)
	if err != nil {
		return nil, err
	}
	qc, err := spec.QueueConfig()
	if err != nil {
		return nil, err
	}
	if err := spec.CheckParams(); err != nil {
		return nil, err
	}
	dial := func(ctx context.Context) (output.Conn, error) {
		nc, js, closed, err := t.connect(ctx, qc.DialTimeout, qc.BatchLines)
		if err != nil {
			return nil, err
		}
		if err := t.ensureStream(ctx, js); err != nil {
			nc.Close()
			return nil, err
		}
		return &conn{t: t, nc: nc, js: js, closed: closed}, nil
	}
	return output.Start(ctx, spec, qc, dial)
}
