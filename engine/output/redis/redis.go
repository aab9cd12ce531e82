// Package redis is the Redis output (redis://[user:pass@]HOST:PORT/KEY) and
// a reader over what it wrote, for `wirescan report`.
//
// # Place in the pipeline
//
// engine → output.Mux → output.Queued (memory queue, spool) → this
// package's connection → Redis. Lines are sent without their newline.
//
// # Modes (?mode=)
//
//   - list (default): RPUSH KEY line... — one RPUSH per batch, so a batch
//     is appended atomically; consumers read oldest first with LPOP/BLPOP
//     or LRANGE (Suricata's "rpush" mode; Suricata's "list" alias pushes
//     on the left instead).
//   - channel: PUBLISH KEY line, pipelined (Suricata's "channel"/"publish").
//     Pub/sub keeps nothing: only subscribers connected at that moment get
//     the line, and a line published while nobody listens is gone.
//   - stream: XADD KEY MAXLEN ~ N * eve line, in MULTI/EXEC per batch
//     (atomic); ?maxlen=N caps the stream (default 100000, 0: no cap) —
//     Redis trims the oldest entries, read or not.
//
// ?db=N selects the database. Connection attempts time out after the dial
// timeout; authentication is checked with PING when connecting, so a wrong
// password fails at start.
//
// # Guarantees
//
// Within one connection a batch is applied whole (list, stream) and in order.
// If the connection breaks before Redis answers, the batch is sent again on
// the next connection: lines may then appear twice (at-least-once). Lines
// that could not be delivered wait in the spool, also across restarts.
package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wirescan/wirescan/engine/output"
)

// DefaultMaxLen caps a stream (XADD MAXLEN ~), as Suricata's stream-maxlen.
const DefaultMaxLen = 100000

// StreamField is the field of each stream entry that holds the line.
const StreamField = "eve"

// Mode is how lines are stored.
type Mode string

// Modes.
const (
	ModeList    Mode = "list"
	ModeChannel Mode = "channel"
	ModeStream  Mode = "stream"
)

// Target is a parsed redis:// URL.
type Target struct {
	Addr, Username, Password string
	DB                       int
	Key                      string
	Mode                     Mode
	MaxLen                   int64
}

// parseTarget reads the URL and the mode, db and maxlen parameters.
func parseTarget(spec *output.Spec) (Target, error) {
	u := spec.URL
	t := Target{Addr: u.Host, Key: strings.TrimPrefix(u.Path, "/")}
	if u.User != nil {
		t.Username = u.User.Username()
		t.Password, _ = u.User.Password()
		if _, set := u.User.Password(); !set {
			// redis://:pass@ or redis://pass@: a lone user part is the password.
			t.Password, t.Username = t.Username, ""
		}
	}
	if t.Addr == "" {
		return t, spec.Errorf("no host: want redis://HOST:PORT/KEY")
	}
	if _, _, err := net.SplitHostPort(t.Addr); err != nil {
		t.Addr = net.JoinHostPort(t.Addr, "6379")
	}
	if t.Key == "" {
		return t, spec.Errorf("no key: want redis://HOST:PORT/KEY")
	}
	t.Mode = Mode(spec.Params.String("mode", string(ModeList)))
	switch t.Mode {
	case ModeList, ModeChannel, ModeStream:
	default:
		return t, spec.Errorf("mode=%q: want list, channel or stream", t.Mode)
	}
	t.DB = spec.Params.Int("db", 0)
	t.MaxLen = int64(spec.Params.Int("maxlen", DefaultMaxLen))
	return t, nil
}

func (t Target) options(dialTimeout time.Duration) *goredis.Options {
	return &goredis.Options{
		Addr: t.Addr, Username: t.Username, Password: t.Password, DB: t.DB,
		DialTimeout: dialTimeout, DialerRetries: 1, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1, // the queue retries, on a new connection
		PoolSize:              1,
		Protocol:              2,
		DisableIdentity:       true,
	}
}

// connect opens a client and checks the address and the credentials.
func (t Target) connect(ctx context.Context, dialTimeout time.Duration) (*goredis.Client, error) {
	c := goredis.NewClient(t.options(dialTimeout))
	pctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis: %s: %w", t.Addr, err)
	}
	return c, nil
}

// Quiet stops go-redis from logging to standard error (a process-wide
// setting of that library): wirescan reports sink failures itself.
func Quiet() { goredis.SetLogger(discard{}) }

type discard struct{}

func (discard) Printf(context.Context, string, ...any) {}

// conn is one connection used by the delivery goroutine.
type conn struct {
	t Target
	c *goredis.Client
}

func trimNL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}

// Send delivers a batch: one RPUSH (list), pipelined PUBLISH (channel) or
// XADDs in MULTI/EXEC (stream).
func (c *conn) Send(ctx context.Context, items []output.Item) error {
	switch c.t.Mode {
	case ModeList:
		args := make([]any, len(items))
		for i, it := range items {
			args[i] = trimNL(it.Line)
		}
		return c.c.RPush(ctx, c.t.Key, args...).Err()
	case ModeChannel:
		_, err := c.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for _, it := range items {
				p.Publish(ctx, c.t.Key, trimNL(it.Line))
			}
			return nil
		})
		return err
	default:
		_, err := c.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			for _, it := range items {
				a := &goredis.XAddArgs{Stream: c.t.Key, Values: []any{StreamField, trimNL(it.Line)}}
				if c.t.MaxLen > 0 {
					a.MaxLen, a.Approx = c.t.MaxLen, true
				}
				p.XAdd(ctx, a)
			}
			return nil
		})
		return err
	}
}

func (c *conn) Close() error { return c.c.Close() }

// Factory opens a redis:// output: it checks the parameters, connects once
// (a DialError when Redis is unreachable or refuses the credentials) and
// starts the queued delivery.
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
	// Each connection checks the key's type: a key of another type would
	// fail every delivery with WRONGTYPE.
	dial := func(ctx context.Context) (output.Conn, error) {
		c, err := t.connect(ctx, qc.DialTimeout)
		if err != nil {
			return nil, err
		}
		if err := t.checkType(ctx, c); err != nil {
			c.Close()
			return nil, err
		}
		return &conn{t: t, c: c}, nil
	}
	return output.Start(ctx, spec, qc, dial)
}

// checkType refuses a key that holds another type than the mode writes
// (every delivery would fail with WRONGTYPE).
func (t Target) checkType(ctx context.Context, c *goredis.Client) error {
	if t.Mode == ModeChannel {
		return nil
	}
	typ, err := c.Type(ctx, t.Key).Result()
	if err != nil {
		return fmt.Errorf("redis: TYPE %s: %w", t.Key, err)
	}
	want := map[Mode]string{ModeList: "list", ModeStream: "stream"}[t.Mode]
	if typ != "none" && typ != want {
		return fmt.Errorf("redis: key %q holds a %s, mode=%s needs a %s", t.Key, typ, t.Mode, want)
	}
	return nil
}

// errNoHistory: a channel keeps no lines to read back.
var errNoHistory = errors.New("redis: mode=channel keeps no history to read: write with mode=list or mode=stream")

// itoa is strconv.FormatInt for positions.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
