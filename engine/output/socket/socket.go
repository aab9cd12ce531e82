// Package socket holds the socket outputs: syslog (RFC 5424 over TCP with
// RFC 6587 octet counting, or UDP) and unix sockets (datagram or stream),
// like Suricata's syslog, unix_dgram and unix_stream EVE outputs.
//
// # Place in the pipeline
//
// engine → output.Mux → output.Queued (memory queue, spool) → a socket
// connection here → the receiver.
//
// # Guarantees
//
// A stream socket (syslog+tcp, unix stream) counts a line as delivered when
// the kernel took it. Before each batch the connection is checked for a
// receiver that closed it (so a restarted receiver loses nothing), but TCP
// and unix stream sockets have no acknowledgement above the kernel: lines
// written just before the receiver crashes can be lost, and a batch resent
// on a new connection can arrive twice. A receiver that
// is down is detected (connection refused or reset) and lines are spooled.
// syslog+udp is fire-and-forget: a receiver that is not listening is only
// noticed through ICMP errors on later writes. Unix datagrams are reliable
// on Linux (the sender waits when the receiver's queue is full; a missing
// receiver is an error). Datagram outputs drop (and count) lines longer
// than one datagram can carry: use a stream type for very large events.
package socket

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wirescan/wirescan/engine/output"
)

// Datagram size limits (payload bytes) beyond which a line is dropped.
const (
	maxUDPPayload  = 65000
	maxUnixgram    = 64 << 10
	writeTimeout   = 30 * time.Second
	streamBufBytes = 256 << 10
)

// frameFunc appends one line's wire form to dst.
type frameFunc func(dst, line []byte) []byte

// streamConn writes framed lines to a stream socket.
type streamConn struct {
	c     net.Conn
	bw    *bufio.Writer
	frame frameFunc
	buf   []byte
}

// alive reports whether the peer still has the connection open, with a
// non-blocking MSG_PEEK: receivers never send, so a read that returns 0
// bytes (EOF) or an error means writing would put lines into a dead
// socket's buffer, where they would be lost.
func (s *streamConn) alive() error {
	sc, ok := s.c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var n int
	var rerr error
	if err := raw.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, rerr = unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		return true
	}); err != nil {
		return err
	}
	switch {
	case errors.Is(rerr, unix.EAGAIN):
		return nil
	case rerr != nil:
		return fmt.Errorf("socket: receiver gone: %w", rerr)
	case n == 0:
		return errors.New("socket: receiver closed the connection")
	}
	return nil // it sent something: still there
}

func (s *streamConn) Send(ctx context.Context, items []output.Item) error {
	if err := s.alive(); err != nil {
		return err
	}
	deadline := time.Now().Add(writeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	stop := context.AfterFunc(ctx, func() { s.c.SetWriteDeadline(time.Now()) })
	defer stop()
	if err := s.c.SetWriteDeadline(deadline); err != nil {
		return err
	}
	for _, it := range items {
		s.buf = s.frame(s.buf[:0], it.Line)
		if _, err := s.bw.Write(s.buf); err != nil {
			return err
		}
	}
	return s.bw.Flush()
}

func (s *streamConn) Close() error { return s.c.Close() }

// dgramConn sends one datagram per line.
type dgramConn struct {
	c     net.Conn
	frame frameFunc
	buf   []byte
}

func (d *dgramConn) Send(ctx context.Context, items []output.Item) error {
	stop := context.AfterFunc(ctx, func() { d.c.SetWriteDeadline(time.Now()) })
	defer stop()
	if err := d.c.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	for _, it := range items {
		d.buf = d.frame(d.buf[:0], it.Line)
		if _, err := d.c.Write(d.buf); err != nil {
			return err
		}
	}
	return nil
}

func (d *dgramConn) Close() error { return d.c.Close() }

// dialer returns an output.Dialer for network/address with the framing.
func dialer(network, addr string, stream bool, frame frameFunc) output.Dialer {
	return func(ctx context.Context) (output.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if stream {
			return &streamConn{c: c, bw: bufio.NewWriterSize(c, streamBufBytes), frame: frame}, nil
		}
		return &dgramConn{c: c, frame: frame}, nil
	}
}

func trimNL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}
