package spool

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Defaults of Config.
const (
	DefaultMaxBytes       = 1 << 30
	DefaultSegmentBytes   = 16 << 20
	DefaultMaxRecordBytes = 16 << 20
)

// firstSeq numbers the first segment of an empty spool; lower numbers are
// left for Prepend.
const firstSeq = uint64(1) << 32

// ErrFull is returned by Append when the record would take the spool over
// Config.MaxBytes; the caller counts the record as dropped.
var ErrFull = errors.New("spool: full")

// Config says where a spool lives and how large it may grow.
type Config struct {
	// Dir holds the segment files; created if missing.
	Dir string
	// MaxBytes caps the bytes of all segment files together.
	MaxBytes int64
	// SegmentBytes is the size at which a new segment is started (the
	// unit of deletion after delivery).
	SegmentBytes int64
	// MaxRecordBytes bounds one record; longer ones are refused by Append
	// and reported as corrupt by readers.
	MaxRecordBytes int
	// Owner names what the spool belongs to (an output URL without
	// secrets). A spool created for one owner refuses to open for another,
	// so events are never delivered to the wrong place.
	Owner string
}

func (c *Config) fill() {
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.SegmentBytes <= 0 {
		// Delivered records count until their segment is deleted: keep
		// that slack a small part of the cap.
		c.SegmentBytes = min(DefaultSegmentBytes, max(c.MaxBytes/8, 4096))
	}
	if c.MaxRecordBytes <= 0 {
		c.MaxRecordBytes = DefaultMaxRecordBytes
	}
}

type segment struct {
	seq  uint64
	size int64 // bytes written (the writer's may include buffered bytes)
	read int64 // offset of the first record not yet committed
	recs int64 // records not yet committed
}

func (s segment) name() string { return fmt.Sprintf("%016x.seg", s.seq) }

// Spool is an ordered, size-capped, append-only queue of records on disk.
// Records are read from the head (Peek) and removed once the caller has
// delivered them (Commit); a segment file is deleted when all its records
// are committed. A cursor file remembers the position inside the head
// segment across a clean Close, so delivered records are not delivered again.
//
// Spool is safe for concurrent use: one goroutine appends while another
// peeks and commits.
type Spool struct {
	cfg Config

	mu       sync.Mutex
	segs     []segment // ordered by seq; the last is the write segment
	w        *os.File
	bw       *bufio.Writer
	flushed  int64 // bytes of the write segment on disk
	bytes    int64 // sum of segment sizes
	records  int64 // records not yet committed
	corrupt  uint64
	rf       *os.File // read handle of segs[0]
	rfSeq    uint64
	cursorAt time.Time
	closed   bool
	lockf    *os.File // holds the directory lock while open
}

// Append adds one record at the tail. It returns ErrFull (nothing written)
// when the spool would exceed MaxBytes, and an error for a record over
// MaxRecordBytes.
func (s *Spool) Append(rec []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("spool: closed")
	}
	if len(rec) > s.cfg.MaxRecordBytes {
		return fmt.Errorf("spool: record of %d bytes over the %d limit", len(rec), s.cfg.MaxRecordBytes)
	}
	need := recordHead + int64(len(rec))
	if s.bytes+need > s.cfg.MaxBytes {
		return ErrFull
	}
	ws := &s.segs[len(s.segs)-1]
	if ws.size+need > s.cfg.SegmentBytes && ws.recs > 0 {
		if err := s.finishWriteSegment(); err != nil {
			return err
		}
		if s.bytes+need+headerLen > s.cfg.MaxBytes {
			return ErrFull
		}
		if err := s.startSegment(ws.seq + 1); err != nil {
			return err
		}
		ws = &s.segs[len(s.segs)-1]
	}
	var h [recordHead]byte
	binary.BigEndian.PutUint32(h[0:4], uint32(len(rec)))
	binary.BigEndian.PutUint32(h[4:8], crc32.Checksum(rec, crcTable))
	if _, err := s.bw.Write(h[:]); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if _, err := s.bw.Write(rec); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	ws.size += need
	ws.recs++
	s.bytes += need
	s.records++
	return nil
}

func (s *Spool) finishWriteSegment() error {
	if err := s.bw.Flush(); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	err := s.w.Close()
	s.w, s.bw = nil, nil
	s.flushed = 0
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// Prepend writes recs as a new segment in front of every record not yet
// committed, for records that are older than what the spool holds (the
// memory queue at shutdown). It may take the spool over MaxBytes by the
// size of recs (which the caller bounds): dropping these oldest records
// while keeping newer ones would leave a hole in the middle of the stream.
// Only records over MaxRecordBytes are left out; Prepend returns how many
// it kept.
func (s *Spool) Prepend(recs [][]byte) (int, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errors.New("spool: closed")
	}
	var buf []byte
	buf = append(buf, headerMagic...)
	n := 0
	for _, r := range recs {
		if len(r) > s.cfg.MaxRecordBytes {
			continue
		}
		buf = appendRecord(buf, r)
		n++
	}
	if n == 0 {
		return 0, nil
	}
	sg := segment{seq: s.segs[0].seq - 1, size: int64(len(buf)), read: headerLen, recs: int64(n)}
	path := filepath.Join(s.cfg.Dir, sg.name())
	if err := writeFileSync(path, buf); err != nil {
		return 0, fmt.Errorf("spool: %w", err)
	}
	s.segs = append([]segment{sg}, s.segs...)
	s.bytes += sg.size
	s.records += int64(n)
	return n, nil
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Batch is what Peek returned: records from the head segment and where they
// end, for Commit.
type Batch struct {
	// Records are the payloads in order; the caller owns them.
	Records [][]byte
	seq     uint64
	end     int64
}

// Peek returns up to maxRecords records (at most maxBytes of payload, but
// at least one) from the head without removing them. It returns an empty
// batch when the spool is empty. A damaged record ends its segment: the
// rest of that segment is skipped and counted in Corrupt.
func (s *Spool) Peek(maxRecords int, maxBytes int) (Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.segs) > 0 {
		head := &s.segs[0]
		if head.recs == 0 || head.read >= head.size {
			if len(s.segs) == 1 {
				return Batch{}, nil
			}
			if err := s.dropHead(); err != nil {
				return Batch{}, err
			}
			continue
		}
		if len(s.segs) == 1 && head.read >= s.flushed {
			if err := s.bw.Flush(); err != nil {
				return Batch{}, fmt.Errorf("spool: %w", err)
			}
			s.flushed = head.size
		}
		if s.rf == nil || s.rfSeq != head.seq {
			if s.rf != nil {
				s.rf.Close()
			}
			f, err := os.Open(filepath.Join(s.cfg.Dir, head.name()))
			if err != nil {
				return Batch{}, fmt.Errorf("spool: %w", err)
			}
			s.rf, s.rfSeq = f, head.seq
		}
		limit := head.size
		if len(s.segs) == 1 {
			limit = s.flushed
		}
		sr := newReaderAt(io.NewSectionReader(s.rf, head.read, limit-head.read), head.read, s.cfg.MaxRecordBytes)
		b := Batch{seq: head.seq, end: head.read}
		size := 0
		for len(b.Records) < maxRecords && (size < maxBytes || len(b.Records) == 0) {
			rec, err := sr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				// Skip the damaged rest of this segment.
				s.corrupt++
				s.records -= head.recs - int64(len(b.Records))
				head.recs = int64(len(b.Records))
				head.size = sr.Offset()
				break
			}
			b.Records = append(b.Records, rec)
			size += len(rec)
			b.end = sr.Offset()
		}
		if len(b.Records) > 0 {
			return b, nil
		}
	}
	return Batch{}, nil
}

// Commit removes the records of b (delivered) from the head.
func (s *Spool) Commit(b Batch) error {
	if len(b.Records) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.segs) == 0 || s.segs[0].seq != b.seq {
		return errors.New("spool: commit of a batch that is not at the head")
	}
	head := &s.segs[0]
	head.read = b.end
	head.recs -= int64(len(b.Records))
	s.records -= int64(len(b.Records))
	if head.recs <= 0 && len(s.segs) > 1 {
		return s.dropHead()
	}
	if s.records == 0 && len(s.segs) == 1 {
		return s.resetWriteSegment()
	}
	if time.Since(s.cursorAt) > time.Second {
		s.cursorAt = time.Now()
		return s.writeCursor()
	}
	return nil
}

// resetWriteSegment empties the write segment once everything in it was
// delivered, so delivered bytes stop counting against MaxBytes.
func (s *Spool) resetWriteSegment() error {
	ws := &s.segs[0]
	if err := s.bw.Flush(); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := s.w.Truncate(headerLen); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if _, err := s.w.Seek(headerLen, io.SeekStart); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	s.bytes -= ws.size - headerLen
	ws.size, ws.read, s.flushed = headerLen, headerLen, headerLen
	return nil
}

// dropHead deletes the fully committed head segment.
func (s *Spool) dropHead() error {
	head := s.segs[0]
	if s.rf != nil && s.rfSeq == head.seq {
		s.rf.Close()
		s.rf = nil
	}
	s.segs = s.segs[1:]
	path := filepath.Join(s.cfg.Dir, head.name())
	st, err := os.Stat(path)
	if err == nil {
		s.bytes -= st.Size()
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// Len is the number of records not yet committed.
func (s *Spool) Len() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records
}

// Bytes is the size of all segment files.
func (s *Spool) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

// Corrupt counts damaged segment tails skipped (each loses the records
// after the damage).
func (s *Spool) Corrupt() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.corrupt
}

// Dir is the spool's directory.
func (s *Spool) Dir() string { return s.cfg.Dir }

// MaxBytes is the configured size cap.
func (s *Spool) MaxBytes() int64 { return s.cfg.MaxBytes }

// Close flushes and syncs the write segment, records the head position in
// the cursor file and closes the spool. An empty spool leaves no segment.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	if s.bw != nil {
		errs = append(errs, s.bw.Flush(), s.w.Sync(), s.w.Close())
	}
	if s.rf != nil {
		s.rf.Close()
	}
	if s.records == 0 {
		for _, sg := range s.segs {
			errs = append(errs, ignoreMissing(os.Remove(filepath.Join(s.cfg.Dir, sg.name()))))
		}
		errs = append(errs, ignoreMissing(os.Remove(filepath.Join(s.cfg.Dir, "cursor"))))
		s.segs, s.bytes = nil, 0
	} else {
		// Drop empty segments so that the cursor names the real head.
		for len(s.segs) > 0 && s.segs[0].recs == 0 {
			errs = append(errs, ignoreMissing(os.Remove(filepath.Join(s.cfg.Dir, s.segs[0].name()))))
			s.segs = s.segs[1:]
		}
		errs = append(errs, s.writeCursor())
		if last := s.segs[len(s.segs)-1]; last.recs == 0 {
			errs = append(errs, ignoreMissing(os.Remove(filepath.Join(s.cfg.Dir, last.name()))))
		}
	}
	errs = append(errs, s.lockf.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("spool: close: %w", err)
	}
	return nil
}

func ignoreMissing(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
