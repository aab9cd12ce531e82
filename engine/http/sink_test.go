package http

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wirescan/wirescan/engine/app"
)

// recFile is one file as a recording sink saw it.
type recFile struct {
	Meta      app.FileMeta
	Data      bytes.Buffer
	Holes     int64
	Closed    bool
	Truncated bool
	BadOffset bool
}

// recSink records every event; events renders them in a canonical text form
// so feeds split differently can be compared.
type recSink struct {
	files     map[app.FileHandle]*recFile
	order     []*recFile
	txs       []string
	anomalies []string
	log       []string
}

func newRecSink() *recSink { return &recSink{files: map[app.FileHandle]*recFile{}} }

func (s *recSink) FileOpen(h app.FileHandle, meta app.FileMeta) {
	f := &recFile{Meta: meta}
	s.files[h] = f
	s.order = append(s.order, f)
	m := meta
	m.Tx, m.Range = nil, nil
	s.log = append(s.log, fmt.Sprintf("open %d %+v range=%v", h, m, meta.Range))
}

func (s *recSink) FileData(h app.FileHandle, off int64, data []byte) {
	f := s.files[h]
	if f == nil || f.Closed {
		panic("data on unknown or closed file")
	}
	if off != int64(f.Data.Len())+f.Holes {
		f.BadOffset = true
	}
	f.Data.Write(data)
}

func (s *recSink) FileGap(h app.FileHandle, off, n int64) {
	f := s.files[h]
	if f == nil || f.Closed {
		panic("gap on unknown or closed file")
	}
	f.Holes += n
	s.log = append(s.log, fmt.Sprintf("gap %d %d %d", h, off, n))
}

func (s *recSink) FileClose(h app.FileHandle, truncated bool) {
	f := s.files[h]
	if f == nil || f.Closed {
		panic("close of unknown or closed file")
	}
	f.Closed, f.Truncated = true, truncated
	s.log = append(s.log, fmt.Sprintf("close %d trunc=%v data=%q", h, truncated, f.Data.String()))
}

func (s *recSink) Transaction(dir app.Direction, tx app.Metadata) {
	b, _ := json.Marshal(tx.EVE())
	s.txs = append(s.txs, string(b))
	s.log = append(s.log, fmt.Sprintf("tx %s %s", dir, b))
}

func (s *recSink) Anomaly(dir app.Direction, name string) {
	s.anomalies = append(s.anomalies, name)
	s.log = append(s.log, fmt.Sprintf("anomaly %s %s", dir, name))
}

func (s *recSink) events() string { return strings.Join(s.log, "\n") }

// hasAnomaly reports whether name was reported.
func (s *recSink) hasAnomaly(name string) bool {
	for _, a := range s.anomalies {
		if a == name {
			return true
		}
	}
	return false
}

func (s *recSink) Frame(f app.Frame) {
	s.log = append(s.log, fmt.Sprintf("frame %d %s #%d @%d len %d tx %d", f.Dir, f.Type, f.ID, f.StreamOffset, f.Length, f.TxID))
}

func (s *recSink) FrameLength(dir app.Direction, id app.FrameID, n int64) {
	s.log = append(s.log, fmt.Sprintf("framelen %d #%d %d", dir, id, n))
}
