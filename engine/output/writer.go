package output

import (
	"bufio"
	"context"
	"io"
	"sync"
)

// WriterSink writes lines to an io.Writer through a buffer: standard output
// when no output is configured. It is safe for concurrent use.
type WriterSink struct {
	mu sync.Mutex
	bw *bufio.Writer
	st Stats
}

// NewWriterSink returns a sink buffering 64 KiB in front of w.
func NewWriterSink(w io.Writer) *WriterSink {
	return &WriterSink{bw: bufio.NewWriterSize(w, 64<<10)}
}

// Write buffers line.
func (s *WriterSink) Write(line []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Events++
	s.st.Bytes += uint64(len(line))
	if _, err := s.bw.Write(line); err != nil {
		s.st.Errors++
		return err
	}
	s.st.Delivered++
	return nil
}

// Flush writes the buffer out.
func (s *WriterSink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.bw.Flush(); err != nil {
		s.st.Errors++
		return err
	}
	return nil
}

// Reopen does nothing.
func (s *WriterSink) Reopen() error { return nil }

// Close flushes.
func (s *WriterSink) Close(context.Context) error { return s.Flush() }

// Stats returns a copy of the counters.
func (s *WriterSink) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}
