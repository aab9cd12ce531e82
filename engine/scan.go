package engine

import (
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/engine/output/filestore"
	"github.com/wirescan/wirescan/signatures"
)

// trackedFile is a file of a connection with its scan state.
type trackedFile = files.File[*conn, *fileScan]

// fileScan is the detection state of one file: its scanner (nil when no rule
// can apply) and the rules that already fired.
type fileScan struct {
	// conn is the connection the file's events are logged with: the
	// file's owner when its first bytes arrived.
	conn    *conn
	scanner *signatures.Scanner
	sids    []int
	spool   *filestore.Spool // the file being written to the store, nil when not needed
	storing bool             // a filestore rule matched
	// deferred holds alerts waiting for the file's hash (policy by hash).
	deferred []deferredAlert
	stored   bool
	storeID  uint64
}

// scanState returns f's scan state, creating it at the file's first event.
// A part of a joined file (an HTTP range, one connection's share of an SMB
// open) is not scanned (the joined file is), so a match is reported once.
func (w *worker) scanState(f *trackedFile) *fileScan {
	if f.Value != nil {
		return f.Value
	}
	c := f.Owner
	fs := &fileScan{conn: c}
	if !f.Part() {
		fs.scanner = c.det.FileScanner(f.Meta.Name, f.Meta.Direction, f.Meta.Tx)
		if w.e.store != nil && (w.e.store.Force() || c.det.StoresFiles()) {
			if sp, err := w.e.store.Begin(); err == nil {
				fs.spool = sp
				fs.storing = w.e.store.Force() || c.keepsFile(f)
			}
		}
	}
	f.Value = fs
	return fs
}

// Data implements files.Consumer: in-order file bytes go to the scanner.
func (w *worker) Data(f *trackedFile, off int64, b []byte) {
	fs := w.scanState(f)
	if fs.spool != nil {
		fs.spool.Write(off, b)
	}
	if fs.scanner == nil {
		return
	}
	w.stats.FileBytesScanned += uint64(len(b))
	for _, m := range fs.scanner.Write(b) {
		w.fileAlert(f, m)
	}
}

// Gap implements files.Consumer.
func (w *worker) Gap(f *trackedFile, off, n int64) {
	if fs := w.scanState(f); fs.scanner != nil {
		fs.scanner.Gap(n)
	}
}

// Anomaly implements files.Consumer.
func (w *worker) Anomaly(f *trackedFile, name string) {
	f.Owner.anomaly(f.Meta.Direction, "applayer", name)
}

// Closed implements files.Consumer: end-of-file rules, then the fileinfo
// event. A joined file that ended later than the packet that ended it
// (files.File.EndedAt) is logged with that packet's time.
func (w *worker) Closed(f *trackedFile) {
	if at, ok := f.EndedAt(); ok {
		w.withTime(at, func() { w.closed(f) })
		return
	}
	w.closed(f)
}

func (w *worker) closed(f *trackedFile) {
	fs := w.scanState(f)
	if fs.scanner != nil {
		facts := signatures.FileFacts{
			Size: f.Size, MD5: f.MD5, SHA1: f.SHA1, SHA256: f.SHA256,
			Magic: f.Magic, Complete: f.State == files.StateClosed,
		}
		for _, m := range fs.scanner.End(facts) {
			w.fileAlert(f, m)
		}
		fs.scanner = nil
	}
	w.releaseDeferred(f)
	if fs.spool != nil {
		if fs.storing {
			if id, err := w.e.store.Commit(fs.spool, f.SHA256); err == nil {
				fs.stored, fs.storeID = true, id
			}
		} else {
			fs.spool.Abort()
		}
		fs.spool = nil
	}
	w.stats.FilesByProto[fs.conn.proto.String()]++
	if f.State == files.StateTruncated {
		w.stats.FilesTruncated++
	}
	w.emitFileinfo(f)
}
