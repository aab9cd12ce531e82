// Package filestore keeps files that matched a filestore rule (or every
// file, with Config.Force), named by their SHA-256 under a two-hex-digit
// fan-out directory: DIR/ab/abcdef....
//
// # Place in the pipeline
//
// A sink. The engine begins a Spool for each file that may need keeping
// (Begin), writes its in-order bytes as they stream past the scanner
// (Spool.Write: nothing is buffered in memory), and at the file's end
// either keeps it under its hash (Commit) or drops it (Spool.Abort).
//
// # Limits
//
// Files longer than Config.MaxFileBytes are not kept. Names never come from
// the traffic (file names are attacker-controlled), so no path can escape
// the directory; a file already stored under its hash is not written
// twice.
//
// # Concurrency
//
// A Store is safe for concurrent use; a Spool belongs to one goroutine.
package filestore

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
)

// Config configures the file store: where files that matched a
// `filestore` rule (or every file, with Force) are kept as evidence.
type Config struct {
	// Dir is the store's directory; files are named by their SHA-256 under a
	// two-hex-digit fan-out directory (never by attacker-chosen names).
	// Empty disables the store (replay without -l).
	Dir string `yaml:"dir"`
	// Force stores every file, not only those a filestore rule matched.
	Force bool `yaml:"force"`
	// MaxFileBytes is the largest file kept; a longer one is not stored.
	MaxFileBytes int64 `yaml:"max-file-bytes" unit:"bytes"`
}

// Store writes files as they stream (to a temporary file) and keeps them
// only when asked to, so nothing is buffered in memory.
type Store struct {
	cfg    Config
	nextID atomic.Uint64
	stored atomic.Uint64
	bytes  atomic.Uint64
	errs   atomic.Uint64
}

// New returns a store in cfg.Dir, or nil when cfg.Dir is empty (the store
// is disabled).
func New(cfg Config) *Store {
	if cfg.Dir == "" {
		return nil
	}
	return &Store{cfg: cfg}
}

// Force reports whether every file is kept, not only those a filestore
// rule matched.
func (s *Store) Force() bool { return s != nil && s.cfg.Force }

// Stats are a Store's counters.
type Stats struct {
	// Stored counts files kept, Bytes their bytes, Errors write errors
	// (the file was not kept).
	Stored, Bytes, Errors uint64
}

// Stats returns the store's counters; zero for a nil Store.
func (s *Store) Stats() Stats {
	if s == nil {
		return Stats{}
	}
	return Stats{Stored: s.stored.Load(), Bytes: s.bytes.Load(), Errors: s.errs.Load()}
}

// Spool is one file being written to the store's temporary area.
type Spool struct {
	s        *Store
	f        *os.File
	n        int64
	overflow bool
}

// Begin starts spooling a file.
func (s *Store) Begin() (*Spool, error) {
	tmp := filepath.Join(s.cfg.Dir, "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	f, err := os.CreateTemp(tmp, "file-*")
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	return &Spool{s: s, f: f}, nil
}

// Write puts b at file offset off (holes stay sparse). A file that grows
// past the store's max-file-bytes, or a write error, marks the spool
// overflowed: Commit will refuse it.
func (sp *Spool) Write(off int64, b []byte) {
	s := sp.s
	if sp.overflow {
		return
	}
	if off+int64(len(b)) > s.cfg.MaxFileBytes {
		sp.overflow = true
		return
	}
	if _, err := sp.f.WriteAt(b, off); err != nil {
		sp.overflow = true
		s.errs.Add(1)
		return
	}
	sp.n = max(sp.n, off+int64(len(b)))
}

// Commit keeps the spooled file under its SHA-256 and returns its store id.
func (s *Store) Commit(sp *Spool, sha256 []byte) (uint64, error) {
	defer sp.f.Close()
	if sp.overflow {
		os.Remove(sp.f.Name())
		return 0, errors.New("filestore: file larger than max-file-bytes or write error")
	}
	if len(sha256) == 0 {
		os.Remove(sp.f.Name())
		s.errs.Add(1)
		return 0, errors.New("filestore: the file has no SHA-256 to be named by")
	}
	name := hex.EncodeToString(sha256)
	dir := filepath.Join(s.cfg.Dir, name[:2])
	if err := os.MkdirAll(dir, 0o750); err != nil {
		os.Remove(sp.f.Name())
		s.errs.Add(1)
		return 0, fmt.Errorf("filestore: %w", err)
	}
	final := filepath.Join(dir, name)
	if _, err := os.Stat(final); err == nil {
		os.Remove(sp.f.Name()) // same content already stored
	} else if err := os.Rename(sp.f.Name(), final); err != nil {
		os.Remove(sp.f.Name())
		s.errs.Add(1)
		return 0, fmt.Errorf("filestore: %w", err)
	}
	s.stored.Add(1)
	s.bytes.Add(uint64(sp.n))
	return s.nextID.Add(1), nil
}

// Abort drops the spooled file.
func (sp *Spool) Abort() {
	sp.f.Close()
	os.Remove(sp.f.Name())
}
