package spool

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Segment file layout (big endian):
//
//	header: "WSSPOOL1"
//	record: length uint32 | crc32c(payload) uint32 | payload
//
// A record is valid when its length is at most the reader's limit and its
// checksum matches; a record cut short by a crash is detected as ErrTruncated
// and a damaged one as ErrCorrupt, so the reader never hands on garbage.
const (
	headerMagic = "WSSPOOL1"
	headerLen   = int64(len(headerMagic))
	recordHead  = 8
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Errors returned by SegmentReader.Next.
var (
	// ErrTruncated: the segment ends inside a record (a crash while
	// appending). Everything before it is intact.
	ErrTruncated = errors.New("spool: segment truncated inside a record")
	// ErrCorrupt: a record's length exceeds the limit or its checksum does
	// not match. Nothing after it in the segment can be trusted.
	ErrCorrupt = errors.New("spool: corrupt record")
	// ErrBadHeader: the file is not a spool segment.
	ErrBadHeader = errors.New("spool: not a spool segment (bad header)")
)

// appendRecord frames payload as one record.
func appendRecord(dst, payload []byte) []byte {
	var h [recordHead]byte
	binary.BigEndian.PutUint32(h[0:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(h[4:8], crc32.Checksum(payload, crcTable))
	dst = append(dst, h[:]...)
	return append(dst, payload...)
}

// SegmentReader reads the records of one segment in order.
//
// It is not safe for concurrent use. Returned records are fresh slices the
// caller owns.
type SegmentReader struct {
	r         *bufio.Reader
	maxRecord int
	off       int64 // offset of the next record
	err       error // sticky
}

// NewSegmentReader reads a segment from r, starting at its header. Records
// longer than maxRecord bytes are reported as ErrCorrupt.
func NewSegmentReader(r io.Reader, maxRecord int) *SegmentReader {
	sr := &SegmentReader{r: bufio.NewReaderSize(r, 64<<10), maxRecord: maxRecord}
	var h [headerLen]byte
	if _, err := io.ReadFull(sr.r, h[:]); err != nil || string(h[:]) != headerMagic {
		sr.err = ErrBadHeader
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			sr.err = ErrTruncated
		}
		return sr
	}
	sr.off = headerLen
	return sr
}

// newReaderAt continues reading a segment at offset off (a record boundary
// reached earlier) from r positioned there.
func newReaderAt(r io.Reader, off int64, maxRecord int) *SegmentReader {
	return &SegmentReader{r: bufio.NewReaderSize(r, 64<<10), maxRecord: maxRecord, off: off}
}

// Offset is the byte offset of the next record: after a clean io.EOF or an
// error, the end of the last valid record.
func (sr *SegmentReader) Offset() int64 { return sr.off }

// Next returns the next record, io.EOF at a clean end, or ErrTruncated,
// ErrCorrupt or ErrBadHeader (wrapped with the offset); errors are sticky.
func (sr *SegmentReader) Next() ([]byte, error) {
	if sr.err != nil {
		return nil, sr.err
	}
	var h [recordHead]byte
	n, err := io.ReadFull(sr.r, h[:])
	if err != nil {
		if n == 0 && err == io.EOF {
			sr.err = io.EOF
		} else {
			sr.err = sr.wrap(ErrTruncated)
		}
		return nil, sr.err
	}
	size := binary.BigEndian.Uint32(h[0:4])
	if int64(size) > int64(sr.maxRecord) {
		sr.err = sr.wrap(fmt.Errorf("%w: length %d over the %d limit", ErrCorrupt, size, sr.maxRecord))
		return nil, sr.err
	}
	rec := make([]byte, size)
	if _, err := io.ReadFull(sr.r, rec); err != nil {
		sr.err = sr.wrap(ErrTruncated)
		return nil, sr.err
	}
	if crc32.Checksum(rec, crcTable) != binary.BigEndian.Uint32(h[4:8]) {
		sr.err = sr.wrap(fmt.Errorf("%w: checksum mismatch", ErrCorrupt))
		return nil, sr.err
	}
	sr.off += recordHead + int64(size)
	return rec, nil
}

func (sr *SegmentReader) wrap(err error) error {
	return fmt.Errorf("at offset %d: %w", sr.off, err)
}
