package report

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// Source yields EVE lines (or messages) one at a time: a file, standard
// input, a Redis stream, a NATS subject. A Source is used by one goroutine.
type Source interface {
	// Next returns the next line without its line ending. The slice is owned
	// by the Source and valid only until the next call. At the end Next
	// returns io.EOF. A *DamageError means the line at Pos was damaged and
	// skipped: call Next again (a source that can't go on returns io.EOF
	// next). Any other error means the source failed and can't be read
	// further.
	Next() ([]byte, error)
	// Pos names the line Next returned last, as "NAME:LINE" ("eve.json:123").
	Pos() string
	// Close releases the source.
	Close() error
}

// DamageError is a damaged line: not JSON, cut short, too long, or lost in
// a corrupt compressed stream. Its message is "NAME:LINE: what is wrong".
type DamageError struct {
	// Pos is "NAME:LINE" of the damaged line.
	Pos string
	// Msg says what is wrong with it.
	Msg string
}

func (e *DamageError) Error() string { return e.Pos + ": " + e.Msg }

// readBufferSize is the read buffer of a line source: lines up to this
// long are returned without a copy.
const readBufferSize = 64 << 10

// lineSource reads newline-separated lines from a stream, transparently
// decompressing gzip (detected by its magic bytes, so stdin works too).
type lineSource struct {
	name   string
	br     *bufio.Reader
	closer io.Closer
	gz     bool
	max    int
	line   int
	buf    []byte
	done   error // sticky: returned by every later Next
}

// Open opens an EVE file as a Source: a plain or gzip-compressed file (by
// content, not by name; concatenated gzip members are read in turn), or
// standard input when path is "-". Lines longer than maxLine bytes (0: the
// default) are damage. The error of a missing or unreadable file names it.
func Open(path string, stdin io.Reader, maxLine int) (Source, error) {
	if path == "-" {
		return NewLineSource("stdin", io.NopCloser(stdin), maxLine)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("report: %s: is a directory", path)
	}
	s, err := NewLineSource(path, f, maxLine)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// NewLineSource reads lines from r, named name in positions. A gzip stream
// (magic 1f 8b) is decompressed as it is read. Close closes r. An error is
// returned only when r can't be read at all.
func NewLineSource(name string, r io.ReadCloser, maxLine int) (Source, error) {
	if maxLine <= 0 {
		maxLine = DefaultMaxLineBytes
	}
	s := &lineSource{name: name, closer: r, max: maxLine}
	raw := bufio.NewReaderSize(r, readBufferSize)
	magic, err := raw.Peek(2)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("report: %s: %w", name, err)
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		s.gz = true
		zr, err := gzip.NewReader(raw)
		if err != nil {
			// A damaged header: nothing of the file is readable.
			s.br = bufio.NewReader(bytes.NewReader(nil))
			s.done = &DamageError{Pos: name + ":1", Msg: "gzip: " + gzipProblem(err)}
			return s, nil
		}
		s.br = bufio.NewReaderSize(zr, readBufferSize)
		return s, nil
	}
	s.br = raw
	return s, nil
}

func (s *lineSource) Pos() string  { return s.name + ":" + strconv.Itoa(s.line) }
func (s *lineSource) Close() error { return s.closer.Close() }

func (s *lineSource) Next() ([]byte, error) {
	if s.done != nil {
		err := s.done
		if _, ok := err.(*DamageError); ok {
			s.done = io.EOF
		}
		return nil, err
	}
	s.line++
	s.buf = s.buf[:0]
	tooLong := false
	for {
		frag, err := s.br.ReadSlice('\n')
		switch {
		case tooLong:
		case len(s.buf)+len(frag) > s.max+1: // +1: the newline
			tooLong = true
			s.buf = s.buf[:0]
		case err == nil && len(s.buf) == 0:
			return trimEOL(frag), nil // the common case: no copy
		default:
			s.buf = append(s.buf, frag...)
		}
		if err == nil {
			if tooLong {
				return nil, &DamageError{Pos: s.Pos(), Msg: fmt.Sprintf("line longer than %d bytes (skipped)", s.max)}
			}
			return trimEOL(s.buf), nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			s.done = io.EOF
			if tooLong || len(s.buf) > s.max {
				return nil, &DamageError{Pos: s.Pos(), Msg: fmt.Sprintf("line longer than %d bytes (skipped)", s.max)}
			}
			if len(s.buf) == 0 {
				s.line--
				return nil, io.EOF
			}
			return trimEOL(s.buf), nil // a last line without newline
		}
		if s.gz && isGzipDamage(err) {
			s.done = io.EOF
			return nil, &DamageError{Pos: s.Pos(), Msg: "gzip: " + gzipProblem(err)}
		}
		s.done = fmt.Errorf("report: %s: %w", s.Pos(), err)
		return nil, s.done
	}
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

func isGzipDamage(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) ||
		errors.Is(err, gzip.ErrHeader) || errors.As(err, &corrupt)
}

// gzipProblem says what a gzip error means for the reader of a warning.
func gzipProblem(err error) string {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), err == io.EOF:
		return "compressed stream is truncated (the rest of the file is lost)"
	case errors.Is(err, gzip.ErrChecksum):
		return "checksum mismatch: the file is damaged (lines before this one were read)"
	case errors.Is(err, gzip.ErrHeader):
		return "invalid header (not gzip, or damaged)"
	case errors.As(err, &corrupt):
		return fmt.Sprintf("corrupt compressed data at compressed byte %d (the rest of the file is lost)", int64(corrupt))
	}
	return err.Error()
}
