package spool

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Open opens (or creates) the spool in cfg.Dir. Existing segments are
// scanned: records after a truncated or corrupt point are counted in
// Corrupt and skipped. New records always go to a fresh segment.
func Open(cfg Config) (*Spool, error) {
	cfg.fill()
	if cfg.Dir == "" {
		return nil, errors.New("spool: no directory")
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &Spool{cfg: cfg}
	if err := s.lock(); err != nil {
		return nil, err
	}
	fail := func(err error) (*Spool, error) {
		s.lockf.Close()
		return nil, err
	}
	if err := s.checkOwner(); err != nil {
		return fail(err)
	}
	if err := s.scan(); err != nil {
		return fail(err)
	}
	next := firstSeq
	if len(s.segs) > 0 {
		next = s.segs[len(s.segs)-1].seq + 1
	}
	if err := s.startSegment(next); err != nil {
		return fail(err)
	}
	return s, nil
}

// lock takes an exclusive lock on DIR/lock for as long as the spool is
// open: two outputs (or two wirescan processes) appending to one spool
// would interleave and redeliver each other's records.
func (s *Spool) lock() error {
	f, err := os.OpenFile(filepath.Join(s.cfg.Dir, "lock"), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return fmt.Errorf("spool: %s is in use by another output or wirescan process: give each output its own spool directory", s.cfg.Dir)
		}
		return fmt.Errorf("spool: lock %s: %w", s.cfg.Dir, err)
	}
	s.lockf = f
	return nil
}

func (s *Spool) checkOwner() error {
	p := filepath.Join(s.cfg.Dir, "owner")
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(p, []byte(s.cfg.Owner+"\n"), 0o640); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if got := strings.TrimSpace(string(data)); got != s.cfg.Owner {
		return fmt.Errorf("spool: %s belongs to output %q, not %q: give each output its own spool directory", s.cfg.Dir, got, s.cfg.Owner)
	}
	return nil
}

// scan lists and validates the segments a previous run left.
func (s *Spool) scan() error {
	ents, err := os.ReadDir(s.cfg.Dir)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".seg") {
			continue
		}
		seq, err := strconv.ParseUint(strings.TrimSuffix(name, ".seg"), 16, 64)
		if err != nil {
			continue
		}
		s.segs = append(s.segs, segment{seq: seq})
	}
	sort.Slice(s.segs, func(i, j int) bool { return s.segs[i].seq < s.segs[j].seq })
	cursor := s.readCursor()
	kept := s.segs[:0]
	for _, sg := range s.segs {
		path := filepath.Join(s.cfg.Dir, sg.name())
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return fmt.Errorf("spool: %w", err)
		}
		// Records before the cursor were delivered by the previous run.
		start := headerLen
		if off, ok := cursor[sg.seq]; ok {
			start = off
		}
		sr := NewSegmentReader(f, s.cfg.MaxRecordBytes)
		sg.read = -1
		for {
			off := sr.Offset()
			if _, err := sr.Next(); err != nil {
				if err != io.EOF {
					s.corrupt++
				}
				break
			}
			if off >= start {
				if sg.read < 0 {
					sg.read = off
				}
				sg.recs++
			}
		}
		f.Close()
		validEnd := sr.Offset()
		if sg.recs == 0 {
			os.Remove(path)
			continue
		}
		sg.size = validEnd
		s.bytes += st.Size()
		s.records += sg.recs
		kept = append(kept, sg)
	}
	s.segs = kept
	return nil
}

// readCursor reads the delivered position of each partly delivered segment
// (lines "seq offset").
func (s *Spool) readCursor() map[uint64]int64 {
	data, err := os.ReadFile(filepath.Join(s.cfg.Dir, "cursor"))
	if err != nil {
		return nil
	}
	m := map[uint64]int64{}
	for _, line := range strings.Split(string(data), "\n") {
		var seq uint64
		var off int64
		if _, err := fmt.Sscanf(line, "%x %d", &seq, &off); err == nil {
			m[seq] = off
		}
	}
	return m
}

func (s *Spool) startSegment(seq uint64) error {
	sg := segment{seq: seq, size: headerLen, read: headerLen}
	f, err := os.OpenFile(filepath.Join(s.cfg.Dir, sg.name()), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if _, err := f.WriteString(headerMagic); err != nil {
		f.Close()
		return fmt.Errorf("spool: %w", err)
	}
	s.w, s.bw, s.flushed = f, bufio.NewWriterSize(f, 64<<10), headerLen
	s.segs = append(s.segs, sg)
	s.bytes += headerLen
	return nil
}

func (s *Spool) writeCursor() error {
	var buf []byte
	for _, sg := range s.segs {
		if sg.read > headerLen {
			buf = fmt.Appendf(buf, "%x %d\n", sg.seq, sg.read)
		}
	}
	tmp := filepath.Join(s.cfg.Dir, "cursor.tmp")
	if err := os.WriteFile(tmp, buf, 0o640); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(s.cfg.Dir, "cursor")); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}
