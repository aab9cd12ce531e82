package engine

import (
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/engine/output/filestore"
	"github.com/wirescan/wirescan/signatures"
)

// trackedFile is a file of a connection with its scan state.
type trackedFile = files.File[*conn, *fileScan]

// fileScan is the detection state of one file: its scanner (nil when no rule
// can apply), the rules that already fired and its file-store state. It is
// held for as long as the file is open (a connection in mid-download holds
// one), so the alerts and the store state are allocated only for files that
// have them.
type fileScan struct {
	// conn is the connection the file's events are logged with: the
	// file's owner when its first bytes arrived.
	conn    *conn
	scanner *signatures.Scanner
	alerts  *fileAlerts // nil until a rule fired on the file
	store   *fileStore  // nil when the file is not written to the store
}

// fileAlerts are the rules that fired on a file and the alerts waiting for
// its hash (policy by hash).
type fileAlerts struct {
	sids     []int
	deferred []deferredAlert
}

// fileStore is a file's file-store state.
type fileStore struct {
	spool   *filestore.Spool // the file being written to the store, nil once committed or aborted
	storing bool             // a filestore rule matched (or the store keeps every file)
	stored  bool             // committed, as storeID
	storeID uint64
}

// alertState returns fs's alert state, creating it.
func (fs *fileScan) alertState() *fileAlerts {
	if fs.alerts == nil {
		fs.alerts = &fileAlerts{}
	}
	return fs.alerts
}

// spool returns the file's store spool, nil when the file is not being
// stored.
func (fs *fileScan) spool() *filestore.Spool {
	if fs.store == nil {
		return nil
	}
	return fs.store.spool
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
				fs.store = &fileStore{spool: sp, storing: w.e.store.Force() || c.keepsFile(f)}
			}
		}
	}
	f.Value = fs
	return fs
}

// Data implements files.Consumer: in-order file bytes go to the scanner.
func (w *worker) Data(f *trackedFile, off int64, b []byte) {
	fs := w.scanState(f)
	if sp := fs.spool(); sp != nil {
		sp.Write(off, b)
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
	if st := fs.store; st != nil && st.spool != nil {
		if st.storing {
			if id, err := w.e.store.Commit(st.spool, f.SHA256); err == nil {
				st.stored, st.storeID = true, id
			}
		} else {
			st.spool.Abort()
		}
		st.spool = nil
	}
	w.stats.FilesByProto[fs.conn.proto.String()]++
	if f.State == files.StateTruncated {
		w.stats.FilesTruncated++
	}
	w.emitFileinfo(f)
}
