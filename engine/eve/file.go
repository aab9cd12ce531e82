package eve

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

// ErrClosed is returned by FileWriter methods after Close.
var ErrClosed = errors.New("eve: log file closed")

// FileMode is the permission of a newly created EVE log: alerts and file
// names are sensitive, so the file is not world-readable.
const FileMode = 0o640

// FileWriter is an EVE log file on disk. It appends to an existing file and
// can be reopened after logrotate moved it away (on SIGHUP).
//
// Unlike Writer, FileWriter is safe for concurrent use, so that a signal
// handler goroutine may call Reopen while the engine writes.
type FileWriter struct {
	path string

	mu sync.Mutex
	f  *os.File
	w  *Writer
}

// OpenFile opens (creating it if needed) the EVE log at path for appending.
func OpenFile(path string) (*FileWriter, error) {
	fw := &FileWriter{path: path}
	if err := fw.open(); err != nil {
		return nil, err
	}
	return fw, nil
}

func (fw *FileWriter) open() error {
	f, err := os.OpenFile(fw.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, FileMode)
	if err != nil {
		return fmt.Errorf("eve: open log: %w", err)
	}
	fw.f = f
	fw.w = NewWriter(f)
	return nil
}

// Write appends ev as one line (buffered; see Flush).
func (fw *FileWriter) Write(ev *Event) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.f == nil {
		return ErrClosed
	}
	return fw.w.Write(ev)
}

// Flush writes buffered lines to the file.
func (fw *FileWriter) Flush() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.f == nil {
		return ErrClosed
	}
	return fw.w.Flush()
}

// Reopen flushes and closes the current file and opens path again, so that
// after a rename by logrotate new lines go to a fresh file. If reopening
// fails the FileWriter is closed and later calls return ErrClosed.
func (fw *FileWriter) Reopen() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.f == nil {
		return ErrClosed
	}
	if err := fw.closeLocked(); err != nil {
		return fmt.Errorf("eve: reopen %s: %w", fw.path, err)
	}
	return fw.open()
}

// Close flushes and closes the file. Closing twice returns ErrClosed.
func (fw *FileWriter) Close() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.f == nil {
		return ErrClosed
	}
	return fw.closeLocked()
}

func (fw *FileWriter) closeLocked() error {
	ferr := fw.w.Flush()
	cerr := fw.f.Close()
	fw.f, fw.w = nil, nil
	if ferr != nil {
		return ferr
	}
	if cerr != nil {
		return fmt.Errorf("eve: close log: %w", cerr)
	}
	return nil
}
