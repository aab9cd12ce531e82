package capture

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"
)

// readBufferBytes is the bufio buffer size of a reader: large enough that
// typical frames are served from it without extra read calls.
const readBufferBytes = 64 << 10

// Magic numbers that start a capture file, as read in little-endian order.
const (
	magicMicroLE    = 0xa1b2c3d4 // pcap, microseconds, little-endian file
	magicMicroBE    = 0xd4c3b2a1 // pcap, microseconds, big-endian file
	magicNanoLE     = 0xa1b23c4d // pcap, nanoseconds, little-endian file
	magicNanoBE     = 0x4d3cb2a1 // pcap, nanoseconds, big-endian file
	magicModifiedLE = 0xa1b2cd34 // Kuznetzov "modified" pcap, 8 extra record bytes
	magicModifiedBE = 0x34cdb2a1
	magicPcapng     = 0x0a0d0d0a // pcapng Section Header Block type (a palindrome)
)

// format selects the record parser of a reader.
type format uint8

const (
	formatPcap format = iota
	formatPcapng
)

// reader reads one capture file. It implements Source and StatsReporter.
type reader struct {
	name   string
	br     *bufio.Reader
	closer io.Closer // nil when the reader does not own the input
	opts   Options
	stats  *counters

	format format
	order  binary.ByteOrder
	off    int64  // bytes consumed from the input so far
	num    uint64 // number of the last packet delivered (or the base for Concat)
	buf    []byte // record buffer, reused, grown up to the record limit
	// scratch holds fixed-size headers; it lives in the reader so reads into
	// it do not make a per-call heap allocation.
	scratch [32]byte
	done    bool // set after io.EOF or damage: Next returns io.EOF

	pcap   pcapState
	pcapng pcapngState
}

// Open opens a pcap or pcapng file, auto-detected by its magic number, or
// standard input for "-". A file that is not a capture yields an error
// wrapping ErrNotCapture; a missing or unreadable file yields the wrapped os
// error. The returned Source also implements StatsReporter.
func Open(path string, opts Options) (Source, error) {
	r, err := openReader(path, opts, &counters{}, 0)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// openReader opens path with packet numbers starting after base and
// counting into stats.
func openReader(path string, opts Options, stats *counters, base uint64) (*reader, error) {
	if path == "-" {
		return newReader(os.Stdin, nil, "stdin", opts, stats, base)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	r, err := newReader(f, f, path, opts, stats, base)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// NewReader reads a pcap or pcapng capture from r; name is used in error
// messages. The caller keeps ownership of r (Close does not close it). The
// returned Source also implements StatsReporter.
func NewReader(r io.Reader, name string, opts Options) (Source, error) {
	rd, err := newReader(r, nil, name, opts, &counters{}, 0)
	if err != nil {
		return nil, err
	}
	return rd, nil
}

// newReader detects the format and reads the file header.
func newReader(in io.Reader, closer io.Closer, name string, opts Options, stats *counters, base uint64) (*reader, error) {
	r := &reader{
		name:   name,
		br:     bufio.NewReaderSize(in, readBufferBytes),
		closer: closer,
		opts:   opts.withDefaults(),
		stats:  stats,
		num:    base,
	}
	head, err := r.br.Peek(4)
	if len(head) < 4 {
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return nil, fmt.Errorf("capture: %s: %w", name, err)
		}
		return nil, fmt.Errorf("capture: %s: %w", name, notCaptureErr("file too short (%d bytes)", len(head)))
	}
	magic := binary.LittleEndian.Uint32(head)
	switch magic {
	case magicMicroLE, magicMicroBE, magicNanoLE, magicNanoBE, magicModifiedLE, magicModifiedBE:
		r.format = formatPcap
		err = r.readPcapHeader()
	case magicPcapng:
		r.format = formatPcapng
		err = r.readFirstSection()
	default:
		return nil, fmt.Errorf("capture: %s: %w", name, notCaptureErr("magic %#08x", magic))
	}
	if err != nil {
		return nil, err
	}
	stats.files.Add(1)
	return r, nil
}

// Next returns the next packet; see Source.
func (r *reader) Next() (Packet, error) {
	if r.done {
		return Packet{}, io.EOF
	}
	var (
		p   Packet
		err error
	)
	if r.format == formatPcap {
		p, err = r.nextPcap()
	} else {
		p, err = r.nextPcapng()
	}
	if err != nil {
		r.done = true
		if _, ok := err.(*DamageError); ok {
			r.stats.damaged.Add(1)
		}
		return Packet{}, err
	}
	r.num++
	p.Num = r.num
	if p.Length < len(p.Data) {
		p.Length = len(p.Data)
	}
	r.stats.packets.Add(1)
	r.stats.bytes.Add(uint64(len(p.Data)))
	return p, nil
}

// Close closes the file the reader opened, if any.
func (r *reader) Close() error {
	r.done = true
	if r.closer == nil {
		return nil
	}
	c := r.closer
	r.closer = nil
	if err := c.Close(); err != nil {
		return fmt.Errorf("capture: close %s: %w", r.name, err)
	}
	return nil
}

// Stats returns a snapshot of the reader's counters.
func (r *reader) Stats() Stats { return r.stats.snapshot() }

// damage builds the DamageError for the record starting at offset start.
func (r *reader) damage(start int64, cause error) *DamageError {
	return &DamageError{File: r.name, PacketNum: r.num + 1, Offset: start, Err: cause}
}

// fill reads exactly len(dst) bytes, counting them into the offset. It
// returns the number read and io.EOF only when nothing was read at the end.
func (r *reader) fill(dst []byte) (int, error) {
	n, err := io.ReadFull(r.br, dst)
	r.off += int64(n)
	return n, err
}

// take returns the next n bytes of the capture, counted into the offset,
// and how many there were. A record that fits in the read buffer is not
// copied: the slice points into the buffer and, like the record buffer it
// otherwise fills, is valid until the next read (every Source's packet
// data lives until the next Next). n must already be checked against the
// configured limits by the caller.
func (r *reader) take(n int) ([]byte, int, error) {
	if n > r.br.Size() {
		data := r.record(n)
		k, err := r.fill(data)
		return data, k, err
	}
	p, err := r.br.Peek(n)
	k, _ := r.br.Discard(len(p))
	r.off += int64(k)
	return p, k, err
}

// record returns the reusable record buffer resliced to n bytes. n must
// already be checked against the configured limits by the caller.
func (r *reader) record(n int) []byte {
	if cap(r.buf) < n {
		size := 2 * cap(r.buf)
		if size < n {
			size = n
		}
		if limit := r.recordLimit(); size > limit {
			size = max(n, limit)
		}
		r.buf = make([]byte, size)
	}
	return r.buf[:n]
}

// recordLimit is the largest buffer a reader ever allocates: the packet
// limit plus room for pcapng block overhead and options.
func (r *reader) recordLimit() int { return r.opts.MaxRecordBytes + maxBlockOverhead }

// discard skips n bytes, counting them into the offset.
func (r *reader) discard(n int64) (int64, error) {
	var done int64
	for done < n {
		step := n - done
		if step > 1<<30 {
			step = 1 << 30
		}
		k, err := r.br.Discard(int(step))
		done += int64(k)
		r.off += int64(k)
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// unixTime converts seconds and nanoseconds to a time; it never panics.
func unixTime(sec int64, nsec int64) time.Time { return time.Unix(sec, nsec).UTC() }
