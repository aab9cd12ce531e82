// Package file is the EVE log file output (file:PATH): appending, reopened
// on SIGHUP for logrotate, and optionally rotated by size and/or time with
// the rotated files kept N deep and gzip-compressed in the background.
//
// # Place in the pipeline
//
// engine → output.Mux → file.Sink → the log file. Writes are buffered
// (64 KiB) and synchronous: a local disk is not a remote sink, so there is
// no queue or spool. The Mux flushes every second.
//
// # Rotation
//
// With ?rotate=100MB the file is rotated before a line would take it over
// the size; with ?rotate=1h at the first write after each whole hour (UTC,
// wall clock); both may be given (rotate=100MB,1h). The current file is
// renamed PATH.<UTC time, 20060102T150405.000000000> and a new PATH is
// opened. ?keep=N deletes all but the N newest rotated files (0: keep all);
// ?gzip=true compresses rotated files to .gz on a background goroutine (at
// most 64 waiting; beyond that a file stays uncompressed and an error is
// counted). Rotation and compression errors are counted and logged, never
// fatal: events keep going to PATH.
package file

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wirescan/wirescan/engine/output"
)

// FileMode is the permission of a new log file: events are sensitive.
const FileMode = 0o640

// stampLayout names rotated files; it sorts by time.
const stampLayout = "20060102T150405.000000000"

// Config configures a file Sink.
type Config struct {
	// Path is the log file.
	Path string
	// RotateBytes rotates before the file would exceed this size (0: no).
	RotateBytes int64
	// RotateEvery rotates at each multiple of this interval (0: no).
	RotateEvery time.Duration
	// Keep is how many rotated files to keep (0: all).
	Keep int
	// Gzip compresses rotated files.
	Gzip bool
	// Logf reports rotation and compression problems; may be nil.
	Logf func(format string, args ...any)
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Sink is an append-only EVE log file. It is safe for concurrent use.
type Sink struct {
	cfg Config

	mu         sync.Mutex
	f          *os.File
	bw         *bufio.Writer
	size       int64
	nextRotate time.Time
	st         output.Stats

	work chan string // rotated files to compress and prune
	done chan struct{}
}

// Open opens (creating) cfg.Path for appending.
func Open(cfg Config) (*Sink, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if dir := filepath.Dir(cfg.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("file: %w", err)
		}
	}
	s := &Sink{cfg: cfg, work: make(chan string, 64), done: make(chan struct{})}
	if err := s.open(); err != nil {
		return nil, err
	}
	s.scheduleRotate()
	go s.housekeeper()
	return s, nil
}

func (s *Sink) open() error {
	f, err := os.OpenFile(s.cfg.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, FileMode)
	if err != nil {
		return fmt.Errorf("file: open log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("file: %w", err)
	}
	s.f, s.bw, s.size = f, bufio.NewWriterSize(f, 64<<10), st.Size()
	return nil
}

func (s *Sink) scheduleRotate() {
	if s.cfg.RotateEvery > 0 {
		now := s.cfg.Now()
		s.nextRotate = now.Truncate(s.cfg.RotateEvery).Add(s.cfg.RotateEvery)
	}
}

// Write appends line, rotating first when a limit says so.
func (s *Sink) Write(line []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Events++
	s.st.Bytes += uint64(len(line))
	if s.f == nil {
		s.st.Errors++
		return errors.New("file: log closed")
	}
	if s.dueLocked(int64(len(line))) {
		s.rotateLocked()
	}
	if _, err := s.bw.Write(line); err != nil {
		s.st.Errors++
		return fmt.Errorf("file: write: %w", err)
	}
	s.size += int64(len(line))
	s.st.Delivered++
	return nil
}

func (s *Sink) dueLocked(n int64) bool {
	if s.cfg.RotateBytes > 0 && s.size > 0 && s.size+n > s.cfg.RotateBytes {
		return true
	}
	if s.cfg.RotateEvery > 0 && !s.cfg.Now().Before(s.nextRotate) {
		if s.size == 0 {
			s.scheduleRotate()
			return false
		}
		return true
	}
	return false
}

// rotateLocked renames the current file and opens a new one. On failure
// the current file stays in use.
func (s *Sink) rotateLocked() {
	s.scheduleRotate()
	if err := s.bw.Flush(); err != nil {
		s.fail("rotate", err)
		return
	}
	now := s.cfg.Now().UTC()
	var dst string
	for {
		dst = s.cfg.Path + "." + now.Format(stampLayout)
		if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
			if _, err := os.Lstat(dst + ".gz"); errors.Is(err, os.ErrNotExist) {
				break
			}
		}
		now = now.Add(time.Nanosecond)
	}
	if err := os.Rename(s.cfg.Path, dst); err != nil {
		s.fail("rotate", err)
		return
	}
	old := s.f
	if err := s.open(); err != nil {
		// Keep writing to the renamed file rather than lose events.
		s.fail("rotate", err)
		return
	}
	if err := old.Close(); err != nil {
		s.fail("rotate", err)
	}
	s.st.Rotations++
	select {
	case s.work <- dst:
	default:
		s.fail("compress", fmt.Errorf("%d rotated files already waiting; %s left as is", cap(s.work), dst))
	}
}

func (s *Sink) fail(what string, err error) {
	s.st.Errors++
	s.cfg.Logf("wirescan: file output %s: %s: %v", s.cfg.Path, what, err)
}

// housekeeper compresses and prunes rotated files off the write path.
func (s *Sink) housekeeper() {
	defer close(s.done)
	for path := range s.work {
		if s.cfg.Gzip {
			if err := gzipFile(path); err != nil {
				s.mu.Lock()
				s.fail("compress", err)
				s.mu.Unlock()
			}
		}
		if s.cfg.Keep > 0 {
			if err := s.prune(); err != nil {
				s.mu.Lock()
				s.fail("prune", err)
				s.mu.Unlock()
			}
		}
	}
}

func gzipFile(path string) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := path + ".gz.tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, FileMode)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(out)
	_, err = io.Copy(zw, in)
	err = errors.Join(err, zw.Close(), out.Sync(), out.Close())
	if err == nil {
		err = os.Rename(tmp, path+".gz")
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Remove(path)
}

// Rotated lists the rotated files of path, oldest first.
func Rotated(path string) ([]string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, base+".")
		if !ok || strings.HasSuffix(rest, ".tmp") {
			continue
		}
		stamp := strings.TrimSuffix(rest, ".gz")
		if _, err := time.Parse(stampLayout, stamp); err != nil {
			continue
		}
		out = append(out, filepath.Join(dir, name))
	}
	sort.Slice(out, func(i, j int) bool {
		return strings.TrimSuffix(out[i], ".gz") < strings.TrimSuffix(out[j], ".gz")
	})
	return out, nil
}

func (s *Sink) prune() error {
	files, err := Rotated(s.cfg.Path)
	if err != nil {
		return err
	}
	var errs []error
	for len(files) > s.cfg.Keep {
		if err := os.Remove(files[0]); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
		files = files[1:]
	}
	return errors.Join(errs...)
}

// Flush writes buffered lines to the file.
func (s *Sink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	if s.cfg.RotateEvery > 0 && s.size > 0 && !s.cfg.Now().Before(s.nextRotate) {
		s.rotateLocked()
	}
	if err := s.bw.Flush(); err != nil {
		s.st.Errors++
		return fmt.Errorf("file: flush: %w", err)
	}
	return nil
}

// Reopen flushes and closes the file and opens Path again: after logrotate
// renamed it, new lines go to a fresh file.
func (s *Sink) Reopen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return errors.New("file: log closed")
	}
	ferr := s.bw.Flush()
	cerr := s.f.Close()
	s.f = nil
	if err := s.open(); err != nil {
		s.st.Errors++
		return err
	}
	if err := errors.Join(ferr, cerr); err != nil {
		s.st.Errors++
		return fmt.Errorf("file: reopen %s: %w", s.cfg.Path, err)
	}
	return nil
}

// Close flushes and closes the file and waits for pending compression.
func (s *Sink) Close(context.Context) error {
	s.mu.Lock()
	if s.f == nil {
		s.mu.Unlock()
		return nil
	}
	err := errors.Join(s.bw.Flush(), s.f.Close())
	s.f = nil
	close(s.work)
	s.mu.Unlock()
	<-s.done
	if err != nil {
		return fmt.Errorf("file: close: %w", err)
	}
	return nil
}

// Stats returns a copy of the counters.
func (s *Sink) Stats() output.Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// Factory opens file:PATH?rotate=SIZE|DURATION[,...]&keep=N&gzip=BOOL.
func Factory(_ context.Context, spec *output.Spec) (output.Sink, error) {
	cfg := Config{Path: spec.Path(), Logf: spec.Env.Logf}
	if cfg.Path == "" {
		return nil, spec.Errorf("no path: want file:PATH")
	}
	for _, r := range spec.Params.List("rotate") {
		if d, err := time.ParseDuration(r); err == nil {
			if d < time.Second {
				return nil, spec.Errorf("rotate=%s: an interval under a second", r)
			}
			cfg.RotateEvery = d
			continue
		}
		n, err := output.ParseSize(r)
		if err != nil || n <= 0 {
			return nil, spec.Errorf("rotate=%q: want a size (100MB) or an interval (1h)", r)
		}
		cfg.RotateBytes = n
	}
	cfg.Keep = spec.Params.Int("keep", 0)
	cfg.Gzip = spec.Params.Bool("gzip", false)
	if err := spec.CheckParams(); err != nil {
		return nil, err
	}
	if (cfg.Keep > 0 || cfg.Gzip) && cfg.RotateBytes == 0 && cfg.RotateEvery == 0 {
		return nil, spec.Errorf("keep and gzip apply to rotated files: add ?rotate=SIZE or ?rotate=INTERVAL")
	}
	return Open(cfg)
}
