package smb

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wirescan/wirescan/engine/app"
)

// recFile is what the recording sink learned about one file.
type recFile struct {
	meta      app.FileMeta
	data      map[int64][]byte
	gaps      int64
	closed    bool
	truncated bool
	evePeek   map[string]any
}

// size returns the highest offset written plus its length.
func (f *recFile) size() int64 {
	var end int64
	for off, b := range f.data {
		end = max(end, off+int64(len(b)))
	}
	return end
}

// content assembles the file bytes (holes zero-filled). Only for files
// whose size is small; see sparse for the general case.
func (f *recFile) content() []byte {
	out := make([]byte, f.size())
	for _, r := range f.sparse() {
		copy(out[r.off:], r.b)
	}
	return out
}

type run1 struct {
	off int64
	b   []byte
}

// sparse returns the written ranges coalesced, in offset order, later
// writes overwriting earlier ones where they overlap (data is identical in
// every test that overlaps).
func (f *recFile) sparse() []run1 {
	offs := make([]int64, 0, len(f.data))
	for off := range f.data {
		offs = append(offs, off)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	var out []run1
	for _, off := range offs {
		b := f.data[off]
		if n := len(out); n > 0 && out[n-1].off+int64(len(out[n-1].b)) >= off {
			last := &out[n-1]
			end := last.off + int64(len(last.b))
			if e := off + int64(len(b)); e > end {
				last.b = append(last.b[:off-last.off], b...)
			}
			continue
		}
		out = append(out, run1{off, append([]byte(nil), b...)})
	}
	return out
}

// recSink records every sink call. Consecutive FileData (and FileGap) calls
// for the same file at adjacent offsets are merged, so the log does not
// depend on how the input was split.
type recSink struct {
	log       []string
	files     map[app.FileHandle]*recFile
	order     []app.FileHandle
	txs       []map[string]any
	txDirs    []app.Direction
	meta      []app.Metadata
	anomalies []string
	lastKind  string
	lastH     app.FileHandle
	lastEnd   int64
	lastStart int64
}

func newRecSink() *recSink { return &recSink{files: map[app.FileHandle]*recFile{}} }

func (s *recSink) FileOpen(h app.FileHandle, meta app.FileMeta) {
	if _, dup := s.files[h]; dup {
		panic(fmt.Sprintf("duplicate file handle %d", h))
	}
	f := &recFile{meta: meta, data: map[int64][]byte{}}
	if meta.Tx != nil {
		f.evePeek, _ = meta.Tx.EVE().(map[string]any)
	}
	s.files[h] = f
	s.order = append(s.order, h)
	s.lastKind = ""
	line := fmt.Sprintf("open %d dir=%v name=%q size=%d", h, meta.Direction, meta.Name, meta.Size)
	if o := meta.SMB; o != nil {
		line += fmt.Sprintf(" open=%x/%x/%x guid=%x durable=%v reconnect=%v multichannel=%v bound=%v",
			o.ServerGUID, o.SessionID, o.PersistentFileID, o.CreateGUID, o.Durable, o.Reconnect, o.MultiChannel, o.Bound)
	}
	s.log = append(s.log, line)
}

func (s *recSink) FileData(h app.FileHandle, off int64, data []byte) {
	f := s.files[h]
	if f == nil || f.closed {
		panic(fmt.Sprintf("data for unknown or closed file %d", h))
	}
	if len(data) == 0 {
		panic("empty FileData")
	}
	b := append([]byte(nil), data...)
	if s.lastKind == "data" && s.lastH == h && s.lastEnd == off {
		f.data[s.lastStart] = append(f.data[s.lastStart], b...)
		s.lastEnd += int64(len(b))
		return
	}
	if prev, ok := f.data[off]; ok && len(prev) >= len(b) {
		// overlap of identical start: keep longer
	} else {
		f.data[off] = b
	}
	s.lastKind, s.lastH, s.lastEnd, s.lastStart = "data", h, off+int64(len(b)), off
	s.log = append(s.log, fmt.Sprintf("data %d off=%d", h, off))
}

func (s *recSink) FileGap(h app.FileHandle, off, n int64) {
	f := s.files[h]
	if f == nil || f.closed {
		panic(fmt.Sprintf("gap for unknown or closed file %d", h))
	}
	f.gaps += n
	if s.lastKind == "gap" && s.lastH == h && s.lastEnd == off {
		s.lastEnd += n
		return
	}
	s.lastKind, s.lastH, s.lastEnd = "gap", h, off+n
	s.log = append(s.log, fmt.Sprintf("gap %d off=%d", h, off))
}

func (s *recSink) FileClose(h app.FileHandle, truncated bool) {
	f := s.files[h]
	if f == nil || f.closed {
		panic(fmt.Sprintf("close of unknown or closed file %d", h))
	}
	f.closed, f.truncated = true, truncated
	s.lastKind = ""
	s.log = append(s.log, fmt.Sprintf("close %d trunc=%v", h, truncated))
}

func (s *recSink) Transaction(dir app.Direction, tx app.Metadata) {
	m := tx.EVE().(map[string]any)
	s.txs = append(s.txs, m)
	s.meta = append(s.meta, tx)
	s.txDirs = append(s.txDirs, dir)
	s.lastKind = ""
	s.log = append(s.log, fmt.Sprintf("tx %v %v", m["command"], m["status"]))
}

func (s *recSink) Anomaly(dir app.Direction, name string) {
	s.anomalies = append(s.anomalies, name)
	s.lastKind = ""
	s.log = append(s.log, "anomaly "+name)
}

// summary is a chunking-independent description of everything recorded:
// the event log plus each file's final content.
func (s *recSink) summary() string {
	var b strings.Builder
	for _, l := range s.log {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	for _, h := range s.order {
		f := s.files[h]
		fmt.Fprintf(&b, "file %d %q size=%d gaps=%d closed=%v\n", h, f.meta.Name, f.size(), f.gaps, f.closed)
		for _, r := range f.sparse() {
			fmt.Fprintf(&b, "  @%d %x\n", r.off, r.b)
		}
	}
	return b.String()
}

func (s *recSink) Frame(f app.Frame) {
	s.log = append(s.log, fmt.Sprintf("frame %d %s @%d len %d", f.Dir, f.Type, f.StreamOffset, f.Length))
}

func (s *recSink) FrameLength(dir app.Direction, id app.FrameID, n int64) {
	s.log = append(s.log, fmt.Sprintf("framelen %d #%d %d", dir, id, n))
}
