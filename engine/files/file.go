package files

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
	"sort"
	"time"

	"github.com/wirescan/wirescan/engine/app"
)

// State is the final state of a file, as EVE spells it.
type State string

const (
	// StateOpen is a file still receiving data.
	StateOpen State = "OPEN"
	// StateClosed is a file that ended completely, without holes.
	StateClosed State = "CLOSED"
	// StateTruncated is a file that ended with holes or before its end.
	StateTruncated State = "TRUNCATED"
)

// File is one file being tracked. Fields are read by the Consumer; they are
// final once Closed has been called.
//
// O is the type of the caller's owner of a file (the engine's connection)
// and S the type of the Value the Consumer attaches to it (its scanner);
// both are typed so that the Consumer needs no lookups or casts.
type File[O, S any] struct {
	Meta app.FileMeta
	ID   uint64 // unique within the tracker (EVE fileinfo.file_id)
	// Owner is the caller's owner of the file, set at Open. A joined file
	// has the owner of the file it was opened for (an SMB open's first
	// file, an HTTP resource's first range) on the worker that owns it; a
	// range joined on that same worker lends it its own (the last one
	// wins). The owner is never another worker's.
	Owner O
	// Value is the Consumer's own state of the file (like flow.Entry's):
	// the zero value until the Consumer sets it, never touched by the
	// tracker.
	Value S

	State State
	// Size is the file length reached so far: the in-order offset, holes included.
	Size int64
	// Seen counts bytes received (including duplicates); Missing bytes in holes;
	// Overflow bytes that could not be placed (beyond limits).
	Seen, Missing, Overflow int64
	Gaps                    bool
	Overlapped              bool
	OverlapDiffers          bool
	MD5, SHA1, SHA256       []byte // set when closed
	Magic                   string // set when closed

	// A connection in mid-download holds its file for long: what only
	// some files need is in side, and the small fields sit together.
	t        *Tracker[O, S]
	side     *fileSide[O, S] // reorder window and joining state; nil for a file that never needed them
	next     int64
	history  []byte // last histCap delivered bytes, ring
	histCap  int    // the history's size: Config.HistoryBytes, or InOrderHistoryBytes
	cur      []byte // the piece being delivered to the consumer, during Data (at offset next-len(cur))
	magic    string // the sniffed type, once sniffed
	head     []byte // the first bytes for Sniff until sniffLen of them are known
	histPos  int32  // where the history ring's next byte goes (it is at most 1 MiB)
	isJoin   bool   // the joined file itself (join.go, owner.go)
	isPart   bool   // a file whose bytes also go to a joined file
	counting bool   // a part (SMB) that keeps no stream of its own: it counts bytes and forwards them
	sniffed  bool   // magic is set: head is not kept
	md5      hash.Hash
	sha1     hash.Hash
	sha256   hash.Hash
	closed   bool
	closing  bool // Close was called; the tracker holds the file (closeCanon)
}

// fileSide is the part of a File only some files need: the pieces that
// arrived ahead of the in-order point, and the joining state.
type fileSide[O, S any] struct {
	// pending are out-of-order pieces, by offset; buffered their bytes.
	pending  []piece
	buffered int64
	// entry is the joined file the file is registered with: as an SMB
	// open's first file (isPart false) or as a part whose bytes go to the
	// joined file at joinBase+offset.
	entry    *joinEntry[O, S]
	joinBase int64
	extent   int64 // counting part: the end of the furthest byte carried
	parts    int   // joined file: the part files it was joined from
	endAt    time.Time
}

// aside returns f's side state, creating it.
func (f *File[O, S]) aside() *fileSide[O, S] {
	if f.side == nil {
		f.side = &fileSide[O, S]{}
	}
	return f.side
}

// pend returns the pending out-of-order pieces.
func (f *File[O, S]) pend() []piece {
	if f.side == nil {
		return nil
	}
	return f.side.pending
}

// joinEntry returns the joined file f is registered with, nil when none.
func (f *File[O, S]) joinEntry() *joinEntry[O, S] {
	if f.side == nil {
		return nil
	}
	return f.side.entry
}

// setEntry registers f with joined file e (nil: with none).
func (f *File[O, S]) setEntry(e *joinEntry[O, S]) {
	if e == nil && f.side == nil {
		return
	}
	f.aside().entry = e
}

// piece is an out-of-order range: data, or a known hole when data is nil.
type piece struct {
	off  int64
	n    int64
	data []byte
}

// initHashes starts an open file: its digests and its history size.
func (f *File[O, S]) initHashes() {
	f.State = StateOpen
	f.histCap = f.t.cfg.HistoryBytes
	if f.Meta.InOrder && !f.isJoin {
		// A range-joined file's pieces come at offsets: it keeps the full
		// history.
		f.histCap = min(f.histCap, f.t.cfg.InOrderHistoryBytes)
	}
	d := f.t.digests()
	if d&DigestMD5 != 0 {
		f.md5 = md5.New()
	}
	if d&DigestSHA1 != 0 {
		f.sha1 = sha1.New()
	}
	if d&DigestSHA256 != 0 {
		f.sha256 = sha256.New()
	}
}

// Part reports whether the file's bytes also go to a joined file (an HTTP
// range of a resource, or one connection's share of an SMB open carried by
// several connections): analysers that want each byte once look at the
// joined file instead. An SMB part delivers no bytes to the Consumer at
// all and has no hashes; an HTTP range part streams and hashes its range.
func (f *File[O, S]) Part() bool { return f.isPart }

// Joined reports whether the file is a joined file: the bytes of several
// parts, from any connection and any worker, in one stream.
func (f *File[O, S]) Joined() bool { return f.isJoin }

// Parts is, once a joined file closed, how many part files it was joined
// from.
func (f *File[O, S]) Parts() int {
	if f.side == nil {
		return 0
	}
	return f.side.parts
}

// EndedAt returns the packet time the file ended at when it was closed
// later than that: a joined file that waited for the other workers, for a
// reconnect or for its timeout. The Consumer's Closed should log it with
// that time. ok is false for files closed when their end was seen.
func (f *File[O, S]) EndedAt() (at time.Time, ok bool) {
	if f.side == nil {
		return time.Time{}, false
	}
	return f.side.endAt, !f.side.endAt.IsZero()
}

// Next is the offset of the next in-order byte the file waits for.
func (f *File[O, S]) Next() int64 { return f.next }

// Write places b at file offset off. b is only read during the call.
func (f *File[O, S]) Write(off int64, b []byte) {
	if f.closed || f.closing || len(b) == 0 {
		return
	}
	end := off + int64(len(b))
	valid := off >= 0 && end >= off && end <= f.t.cfg.MaxFileOffset
	if f.isPart && valid {
		f.t.forward(f, off, b)
	}
	f.Seen += int64(len(b))
	if !valid {
		f.t.stats.InvalidOffsets++
		f.Overflow += int64(len(b))
		f.anomaly("file.invalid_offset")
		return
	}
	if f.counting {
		f.side.extent = max(f.side.extent, end)
		return
	}
	if off < f.next {
		f.t.stats.Overlaps++
		f.overlapped()
		f.compareHistory(off, b)
		if end <= f.next {
			return
		}
		b = b[f.next-off:]
		off = f.next
	}
	f.place(off, int64(len(b)), b)
	if f.isJoin && f.Meta.Size > 0 && f.next >= f.Meta.Size {
		f.Close(false)
	}
}

// Gap records that n bytes at off are missing.
func (f *File[O, S]) Gap(off, n int64) {
	if f.closed || f.closing || n <= 0 {
		return
	}
	end := off + n
	if off < 0 || end < off || end > f.t.cfg.MaxFileOffset {
		f.t.stats.InvalidOffsets++
		return
	}
	if f.isPart {
		f.t.forwardGap(f, off, n)
	}
	if f.counting {
		f.Gaps = true
		f.Missing += n
		f.side.extent = max(f.side.extent, end)
		return
	}
	if end <= f.next {
		return
	}
	if off < f.next {
		off = f.next
		n = end - off
	}
	f.place(off, n, nil)
}

// place stores or delivers n bytes at off >= f.next: data when b is non-nil,
// a known hole when b is nil. First copies win: only the sub-ranges not yet
// covered by pending pieces are stored, and covered bytes are compared.
func (f *File[O, S]) place(off, n int64, b []byte) {
	end := off + n
	sub := func(from, to int64) []byte {
		if b == nil {
			return nil
		}
		return b[from-off : to-off]
	}
	search := func(at int64) int {
		pending := f.pend()
		return sort.Search(len(pending), func(i int) bool { return pending[i].off+pending[i].n > at })
	}
	cur := off
	for cur < end {
		if cur < f.next {
			// An earlier step moved the in-order point past cur (a window
			// overflow delivered buffered data): the rest is an overlap.
			stop := min(end, f.next)
			if b != nil {
				f.compareHistory(cur, sub(cur, stop))
			}
			cur = stop
			continue
		}
		i := search(cur)
		pending := f.pend()
		if i >= len(pending) || pending[i].off >= end || pending[i].off > cur {
			stop := end
			if i < len(pending) && pending[i].off < end {
				stop = pending[i].off
			}
			f.insert(piece{off: cur, n: stop - cur, data: sub(cur, stop)})
			cur = stop
			continue
		}
		p := pending[i]
		stop := min(end, p.off+p.n)
		if p.data != nil && b != nil {
			f.t.stats.Overlaps++
			f.overlapped()
			if !bytes.Equal(p.data[cur-p.off:stop-p.off], sub(cur, stop)) {
				f.overlapDiffers()
			}
		}
		cur = stop
	}
	f.drain()
}

// insert buffers an out-of-order piece (copying data), making room by
// declaring holes when the window or the tracker budget is exhausted.
func (f *File[O, S]) insert(p piece) {
	if p.off < f.next {
		if p.off+p.n <= f.next {
			return
		}
		skip := f.next - p.off
		p.off, p.n = f.next, p.n-skip
		if p.data != nil {
			p.data = p.data[skip:]
		}
	}
	if p.off == f.next {
		if p.data != nil {
			f.deliver(p.data)
		} else {
			f.deliverGap(p.n)
		}
		f.drain()
		return
	}
	sd := f.aside()
	if p.data != nil {
		size := int64(len(p.data))
		for sd.buffered+size > f.t.cfg.MaxWindowBytes || f.t.stats.BufferedBytes+size > f.t.cfg.MaxBufferedBytes {
			if len(sd.pending) == 0 || sd.pending[0].off > p.off {
				// Nothing buffered before p: p itself starts the new in-order point.
				f.t.stats.WindowOverflows++
				f.anomaly("file.reorder_window_exceeded")
				f.deliverGap(p.off - f.next)
				f.deliver(p.data)
				f.drain()
				return
			}
			f.t.stats.WindowOverflows++
			f.anomaly("file.reorder_window_exceeded")
			f.skipToPending()
		}
		p.data = bytes.Clone(p.data)
		sd.buffered += size
		f.t.stats.BufferedBytes += size
	}
	i := sort.Search(len(sd.pending), func(i int) bool { return sd.pending[i].off > p.off })
	sd.pending = append(sd.pending, piece{})
	copy(sd.pending[i+1:], sd.pending[i:])
	sd.pending[i] = p
}

// skipToPending declares the hole before the first pending piece and delivers
// everything contiguous from there.
func (f *File[O, S]) skipToPending() {
	pending := f.pend()
	if len(pending) == 0 {
		return
	}
	if gap := pending[0].off - f.next; gap > 0 {
		f.deliverGap(gap)
	}
	f.drain()
}

// drain delivers pending pieces that have become contiguous.
func (f *File[O, S]) drain() {
	sd := f.side
	if sd == nil {
		return
	}
	for len(sd.pending) > 0 && sd.pending[0].off <= f.next {
		p := sd.pending[0]
		sd.pending = sd.pending[1:]
		if p.data != nil {
			sd.buffered -= int64(len(p.data))
			f.t.stats.BufferedBytes -= int64(len(p.data))
		}
		end := p.off + p.n
		if end <= f.next {
			continue
		}
		skip := f.next - p.off
		if p.data == nil {
			f.deliverGap(end - f.next)
		} else {
			f.deliver(p.data[skip:])
		}
	}
	if len(sd.pending) == 0 {
		sd.pending = nil
	}
}

func (f *File[O, S]) deliver(b []byte) {
	if len(b) == 0 {
		return
	}
	off := f.next
	if !f.sniffed && off == int64(len(f.head)) {
		f.sniff(b)
	}
	if f.md5 != nil {
		f.md5.Write(b)
	}
	if f.sha1 != nil {
		f.sha1.Write(b)
	}
	if f.sha256 != nil {
		f.sha256.Write(b)
	}
	f.remember(b)
	f.next += int64(len(b))
	f.Size = f.next
	f.t.stats.Bytes += uint64(len(b))
	// While the consumer scans b, BytesBefore can show any of its bytes,
	// not only the history's tail of a piece larger than the history.
	f.cur = b
	f.t.consumer.Data(f, off, b)
	f.cur = nil
}

func (f *File[O, S]) deliverGap(n int64) {
	if n <= 0 {
		return
	}
	off := f.next
	f.Gaps = true
	f.Missing += n
	// The history holds bytes contiguous with the in-order point; after a
	// hole it would map offsets wrongly.
	f.history, f.histPos = f.history[:0], 0
	f.next += n
	f.Size = f.next
	f.t.stats.GapBytes += uint64(n)
	f.t.consumer.Gap(f, off, n)
}

// overlapped reports, once per file, that a piece overlapped bytes already
// received (Suricata's smb.file_overlap); whether the bytes differed is a
// separate, stronger signal (overlapDiffers).
func (f *File[O, S]) overlapped() {
	if !f.Overlapped {
		f.Overlapped = true
		f.anomaly("file.overlap")
	}
}

func (f *File[O, S]) overlapDiffers() {
	f.t.stats.OverlapsDiffering++
	if !f.OverlapDiffers {
		f.OverlapDiffers = true
		f.anomaly("file.overlap_different_data")
	}
}

func (f *File[O, S]) anomaly(name string) { f.t.consumer.Anomaly(f, name) }

// MarkGaps records that bytes of the file were lost even though no hole was
// reported at an offset: a capture gap inside compressed or framed content,
// after which the protocol could only truncate the file.
func (f *File[O, S]) MarkGaps() {
	if !f.closed {
		f.Gaps = true
	}
}

// Close ends the file. truncated says the protocol knows the file ended early.
// Pending pieces are delivered with holes; the state is TRUNCATED when anything
// is missing. The Consumer's Closed is called once: at once for most files;
// later for an SMB open's first file that another connection may still
// continue (see Tracker.Poll and DESIGN.md).
func (f *File[O, S]) Close(truncated bool) {
	if f.closed || f.closing {
		return
	}
	switch e := f.joinEntry(); {
	case e == nil:
		f.finishClose(truncated)
	case f.isJoin:
		// A joined range file complete (File.Write).
		f.t.finalize(e, truncated, false)
	case f.isPart:
		f.finishClose(truncated)
		f.t.closePart(f, truncated)
	default:
		f.t.closeCanon(f, truncated)
	}
}

// finishClose closes the file and hands it to the Consumer.
func (f *File[O, S]) finishClose(truncated bool) {
	if f.closed {
		return
	}
	f.closed = true
	if f.counting {
		f.Size = f.side.extent
		f.State = StateClosed
		if truncated || f.Gaps {
			f.State = StateTruncated
			f.t.stats.Truncated++
		}
		f.t.stats.Closed++
		f.t.consumer.Closed(f)
		return
	}
	for len(f.pend()) > 0 {
		f.skipToPending()
	}
	if f.Meta.Size > 0 && f.next < f.Meta.Size {
		truncated = true
	}
	f.State = StateClosed
	if truncated || f.Gaps {
		f.State = StateTruncated
		f.t.stats.Truncated++
	}
	if f.sha256 != nil {
		f.SHA256 = f.sha256.Sum(nil)
	}
	if f.md5 != nil {
		f.MD5 = f.md5.Sum(nil)
	}
	if f.sha1 != nil {
		f.SHA1 = f.sha1.Sum(nil)
	}
	if !f.sniffed {
		f.magic, f.sniffed = Sniff(f.head), true
	}
	f.Magic = f.magic
	f.history, f.head = nil, nil
	f.t.stats.Closed++
	f.t.consumer.Closed(f)
}

// moveStreamTo hands f's stream (in-order point, reorder window, hashes,
// history, type sniffing, the Consumer's Value and the byte accounts) to j,
// the joined file f's open becomes; f goes on as a counting part. Only the
// owning tracker calls it, between deliveries.
func (f *File[O, S]) moveStreamTo(j *File[O, S]) {
	j.Value, j.State, j.Size = f.Value, f.State, f.Size
	j.Seen, j.Missing, j.Overflow = f.Seen, f.Missing, f.Overflow
	j.Gaps, j.Overlapped, j.OverlapDiffers = f.Gaps, f.Overlapped, f.OverlapDiffers
	j.next = f.next
	if f.side != nil && f.side.pending != nil {
		sd := j.aside()
		sd.pending, sd.buffered = f.side.pending, f.side.buffered
	}
	j.history, j.histPos, j.histCap, j.head = f.history, f.histPos, f.histCap, f.head
	j.magic, j.sniffed = f.magic, f.sniffed
	j.md5, j.sha1, j.sha256 = f.md5, f.sha1, f.sha256
	sd := f.aside()
	sd.extent = f.next
	for _, p := range sd.pending {
		sd.extent = max(sd.extent, p.off+p.n)
	}
	var zero S
	f.Value = zero
	sd.pending, sd.buffered, f.history, f.histPos, f.head = nil, 0, nil, 0, nil
	f.magic, f.sniffed = "", false
	f.md5, f.sha1, f.sha256 = nil, nil, nil
	f.isPart, f.counting = true, true
}

// sniff adds b, delivered at offset len(f.head), to the bytes the type is
// sniffed from; once sniffLen of them are known the type is decided and
// they are dropped (a connection in mid-download keeps no copy of them).
// A first piece that is long enough is sniffed in place.
func (f *File[O, S]) sniff(b []byte) {
	if len(f.head) == 0 && len(b) >= sniffLen {
		f.magic, f.sniffed = Sniff(b[:sniffLen]), true
		return
	}
	f.head = append(f.head, b[:min(len(b), sniffLen-len(f.head))]...)
	if len(f.head) == sniffLen {
		f.magic, f.sniffed = Sniff(f.head), true
		f.head = nil
	}
}
