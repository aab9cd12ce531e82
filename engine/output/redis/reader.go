package redis

import (
	"context"
	"fmt"
	"io"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/wirescan/wirescan/engine/output"
)

// readPage is how many entries a Reader fetches per round trip (its memory
// bound: one page of lines).
const readPage = 1000

// Reader reads the lines of a Redis list or stream from the oldest up to
// the newest that existed when it was opened, then returns io.EOF. Lines
// added later are not read. It does not remove anything.
//
// Its methods match triage/report's Source (Next, Pos, Close). A Reader is
// not safe for concurrent use.
type Reader struct {
	t   Target
	c   *goredis.Client
	ctx context.Context
	url string

	// stream
	lastID string // newest entry at open
	total  int64  // stream length at open
	after  string // exclusive start of the next page
	// list
	length, next int64

	page []string
	ids  []string
	pos  string
	done bool
}

// OpenReader opens rawURL (redis://[user:pass@]HOST:PORT/KEY?mode=list|stream)
// for reading; mode must be what the output wrote (list by default).
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
	if t.Mode == ModeChannel {
		return nil, &output.ConfigError{URL: spec.Redacted, Msg: errNoHistory.Error()}
	}
	if dialTimeout <= 0 {
		dialTimeout = output.DefaultDialTimeout
	}
	c, err := t.connect(ctx, dialTimeout)
	if err != nil {
		return nil, &output.DialError{URL: spec.Redacted, Err: err}
	}
	r := &Reader{t: t, c: c, ctx: ctx, url: spec.Redacted}
	if err := r.start(); err != nil {
		c.Close()
		return nil, err
	}
	return r, nil
}

func (r *Reader) start() error {
	if err := r.t.checkType(r.ctx, r.c); err != nil {
		return err
	}
	switch r.t.Mode {
	case ModeList:
		n, err := r.c.LLen(r.ctx, r.t.Key).Result()
		if err != nil {
			return fmt.Errorf("redis: LLEN %s: %w", r.t.Key, err)
		}
		r.length = n
	default:
		last, err := r.c.XRevRangeN(r.ctx, r.t.Key, "+", "-", 1).Result()
		if err != nil {
			return fmt.Errorf("redis: XREVRANGE %s: %w", r.t.Key, err)
		}
		if len(last) == 0 {
			r.done = true
		} else {
			if r.total, err = r.c.XLen(r.ctx, r.t.Key).Result(); err != nil {
				return fmt.Errorf("redis: XLEN %s: %w", r.t.Key, err)
			}
			r.lastID, r.after = last[0].ID, "-"
		}
	}
	return nil
}

// fill fetches the next page.
func (r *Reader) fill() error {
	switch r.t.Mode {
	case ModeList:
		if r.next >= r.length {
			r.done = true
			return nil
		}
		end := min(r.next+readPage, r.length) - 1
		vals, err := r.c.LRange(r.ctx, r.t.Key, r.next, end).Result()
		if err != nil {
			return fmt.Errorf("redis: LRANGE %s: %w", r.t.Key, err)
		}
		r.page, r.ids = vals, nil
		for i := range vals {
			r.ids = append(r.ids, itoa(r.next+int64(i)))
		}
		r.next += int64(len(vals))
		if len(vals) == 0 {
			// The list shrank (a consumer popped it): nothing more.
			r.done = true
		}
	default:
		msgs, err := r.c.XRangeN(r.ctx, r.t.Key, r.after, r.lastID, readPage).Result()
		if err != nil {
			return fmt.Errorf("redis: XRANGE %s: %w", r.t.Key, err)
		}
		r.page, r.ids = r.page[:0], r.ids[:0]
		for _, m := range msgs {
			v, _ := m.Values[StreamField].(string)
			r.page = append(r.page, v)
			r.ids = append(r.ids, m.ID)
		}
		if len(msgs) == 0 {
			r.done = true
			return nil
		}
		last := msgs[len(msgs)-1].ID
		if last == r.lastID {
			r.done = true
		}
		r.after = "(" + last
	}
	return nil
}

// Next returns the next line (without newline; the caller owns it) or
// io.EOF after the last line that existed at open.
func (r *Reader) Next() ([]byte, error) {
	for len(r.page) == 0 {
		if r.done {
			return nil, io.EOF
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
	line := []byte(r.page[0])
	r.pos = r.ids[0]
	r.page, r.ids = r.page[1:], r.ids[1:]
	return line, nil
}

// Len is how many lines the reader will return in all: the list length or
// stream length at open.
func (r *Reader) Len() int64 {
	if r.t.Mode == ModeList {
		return r.length
	}
	return r.total
}

// Pos names the last line returned: the URL (without password) and the
// stream entry id or 0-based list index.
func (r *Reader) Pos() string { return r.url + "#" + r.pos }

// Close closes the connection.
func (r *Reader) Close() error { return r.c.Close() }
