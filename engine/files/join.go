package files

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wirescan/wirescan/engine/app"
)

// Joiner is the engine-wide index of files whose bytes may arrive over
// several connections, handled by any worker: HTTP ranges of one resource
// and SMB opens carried by several channels or continued after a durable
// reconnect. It only maps identities to joined files and counts what is
// registered; each joined file belongs to one worker's tracker, which alone
// writes, scans and closes it (see DESIGN.md). A Joiner is safe for
// concurrent use; its lock is taken when a joinable file opens or closes,
// never per byte.
type Joiner[O, S any] struct {
	cfg Config
	mu  sync.Mutex
	// Guarded by mu.
	index              map[joinKey]*joinEntry[O, S]
	candHead, candTail *joinEntry[O, S] // candidates, oldest first
	cands, joined      int

	trackers []*Tracker[O, S] // by worker, set before the run starts
	progress []progressSlot   // by worker: how far it has processed
	waiting  atomic.Int64     // bytes queued in all inboxes
}

// progressSlot is one worker's published position, alone on its cache line.
type progressSlot struct {
	v atomic.Int64
	_ [56]byte
}

// NewJoiner returns the joiner of workers trackers (attach each with
// Tracker.Join).
func NewJoiner[O, S any](cfg *Config, workers int) *Joiner[O, S] {
	workers = max(workers, 1)
	return &Joiner[O, S]{cfg: *cfg, index: map[joinKey]*joinEntry[O, S]{},
		trackers: make([]*Tracker[O, S], workers), progress: make([]progressSlot, workers)}
}

func (j *Joiner[O, S]) attach(worker int, t *Tracker[O, S]) {
	j.trackers[worker] = t
	t.j, t.worker = j, worker
	t.in = inbox[O, S]{}
	if len(j.trackers) > 1 {
		t.in.notify = make(chan struct{}, 1)
	}
}

// single reports whether one worker does everything: no messages, no waiting
// for other workers, deterministic.
func (j *Joiner[O, S]) single() bool { return len(j.trackers) == 1 }

// watermark is the position every worker has processed, up to which no
// worker can still open, feed or close a part of a joined file.
func (j *Joiner[O, S]) watermark() int64 {
	wm := int64(math.MaxInt64)
	for i := range j.progress {
		wm = min(wm, j.progress[i].v.Load())
	}
	return wm
}

// keyKind says what a joinKey identifies.
type keyKind uint8

const (
	keyRange         keyKind = iota + 1 // HTTP resource and total length
	keySMBSession                       // server, session, persistent FileId
	keySMBDurable                       // server, persistent FileId of a durable open
	keySMBCreateGUID                    // server, CreateGuid of a durable v2 open
)

// joinKey is one identity of a joined file. Every key includes the
// direction, so a file read and written through one open gives two files.
type joinKey struct {
	kind     keyKind
	dir      app.Direction
	resource string
	server   [16]byte
	guid     [16]byte
	a, b     uint64
}

// maxJoinKeys bounds the identities of one joined file: its CreateGuid, its
// durable id and the session keys of the sessions that carried it (a
// reconnect opens a new session).
const maxJoinKeys = 4

// joinKind says how the pieces of a joined file relate.
type joinKind uint8

const (
	// joinRange: HTTP ranges of one resource; the joined file exists from
	// the first range on, beside every range's own file.
	joinRange joinKind = iota + 1
	// joinSMB: one SMB open over several connections; the file opened
	// first streams alone until another connection joins it, and then
	// its stream becomes the joined file (promote).
	joinSMB
)

// joinEntry is a joined file, or an SMB open that may become one (a
// candidate), as the joiner knows it.
type joinEntry[O, S any] struct {
	owner int // the worker whose tracker owns the file
	kind  joinKind

	// Guarded by Joiner.mu.
	name       string // the first name a file of the open carried
	keys       [maxJoinKeys]joinKey
	nkeys      int
	parts      int  // registered files not closed yet
	total      int  // files ever registered
	joined     bool // counts against MaxJoinedFiles; else a candidate
	durable    bool // an open that may be continued after a reconnect
	gone       bool // out of the index: nothing joins it any more
	prev, next *joinEntry[O, S]

	// lost is set when forwarded bytes were dropped: the joined file has
	// holes it could not place.
	lost atomic.Bool

	// Owner-only: read and written by the owner's tracker alone.
	canon      *File[O, S] // the SMB file that registered first, until promoted
	file       *File[O, S] // the joined file
	done       bool        // finalized
	held       bool        // canon's Close was called; the tracker keeps it
	heldTrunc  bool
	openClosed bool  // an SMB CLOSE ended the open on some channel
	closePos   int64 // position of the latest close that may end the file
	closeAt    time.Time
	lastActive time.Time
	waiting    bool // in the owner's deferred list
	lingering  bool // kept for a durable-handle reconnect
}

// newEntry creates an entry owned by worker. Call with mu held.
func (j *Joiner[O, S]) newEntry(worker int, kind joinKind, name string) *joinEntry[O, S] {
	return &joinEntry[O, S]{owner: worker, kind: kind, name: name}
}

// addKey indexes e under k unless k names another file already or e has all
// the keys it may have. Call with mu held.
func (j *Joiner[O, S]) addKey(e *joinEntry[O, S], k joinKey) {
	if _, taken := j.index[k]; taken || e.nkeys == maxJoinKeys {
		return
	}
	j.index[k] = e
	e.keys[e.nkeys] = k
	e.nkeys++
}

// remove takes e out of the index and the counts. Call with mu held.
func (j *Joiner[O, S]) remove(e *joinEntry[O, S]) {
	if e.gone {
		return
	}
	e.gone = true
	for _, k := range e.keys[:e.nkeys] {
		if j.index[k] == e {
			delete(j.index, k)
		}
	}
	if e.joined {
		j.joined--
	} else {
		j.unlinkCand(e)
	}
}

func (j *Joiner[O, S]) linkCand(e *joinEntry[O, S]) {
	e.prev, e.next = j.candTail, nil
	if j.candTail != nil {
		j.candTail.next = e
	} else {
		j.candHead = e
	}
	j.candTail = e
	j.cands++
}

func (j *Joiner[O, S]) unlinkCand(e *joinEntry[O, S]) {
	if e.prev != nil {
		e.prev.next = e.next
	} else if j.candHead == e {
		j.candHead = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else if j.candTail == e {
		j.candTail = e.prev
	}
	e.prev, e.next = nil, nil
	j.cands--
}

// promoteCand turns candidate e into a joined file if the limit allows.
// Call with mu held.
func (j *Joiner[O, S]) promoteCand(e *joinEntry[O, S]) bool {
	if e.joined {
		return true
	}
	if j.joined >= j.cfg.MaxJoinedFiles {
		return false
	}
	j.unlinkCand(e)
	e.joined = true
	j.joined++
	return true
}

// joinableSMB reports whether an SMB open may be carried by another
// connection than the one it was seen on, and can be recognised there.
func joinableSMB(o *app.SMBOpen) bool {
	return o.ServerGUID != [16]byte{} && (o.Durable || o.Reconnect || o.MultiChannel || o.Bound)
}

// smbKeys returns the identities of an SMB open, most specific first.
func smbKeys(o *app.SMBOpen, dir app.Direction) (ks [3]joinKey, n int) {
	if o.CreateGUID != [16]byte{} {
		ks[n] = joinKey{kind: keySMBCreateGUID, dir: dir, server: o.ServerGUID, guid: o.CreateGUID}
		n++
	}
	if o.Durable || o.Reconnect {
		ks[n] = joinKey{kind: keySMBDurable, dir: dir, server: o.ServerGUID, b: o.PersistentFileID}
		n++
	}
	ks[n] = joinKey{kind: keySMBSession, dir: dir, server: o.ServerGUID, a: o.SessionID, b: o.PersistentFileID}
	return ks, n + 1
}

// joinRange makes f, one HTTP range of a resource, a part of the resource's
// joined file, creating that file at the first range. At MaxJoinedFiles the
// oldest joined file of this worker is closed to make room; when this
// worker owns none, f stays a file of its own (scanned as such).
func (t *Tracker[O, S]) joinRange(f *File[O, S]) {
	j := t.j
	r := f.Meta.Range
	k := joinKey{kind: keyRange, dir: f.Meta.Direction, resource: f.Meta.ResourceKey, a: uint64(r.Total)}
	for {
		j.mu.Lock()
		if e := j.index[k]; e != nil {
			e.parts++
			e.total++
			j.mu.Unlock()
			t.attachPart(f, e, r.Start)
			return
		}
		if j.cfg.MaxJoinedFiles <= 0 {
			j.mu.Unlock()
			return
		}
		if j.joined >= j.cfg.MaxJoinedFiles {
			j.mu.Unlock()
			if !t.evictOldest() {
				t.stats.JoinRefused++
				return
			}
			continue
		}
		e := j.newEntry(t.worker, joinRange, f.Meta.Name)
		e.joined, e.parts, e.total = true, 1, 1
		j.joined++
		j.addKey(e, k)
		j.mu.Unlock()
		jm := f.Meta
		jm.Range = nil
		jm.Size = r.Total
		t.nextID++
		t.stats.Opened++
		t.stats.Joined++
		t.stats.JoinedOpen++
		jf := &File[O, S]{Meta: jm, ID: t.nextID, Owner: f.Owner, t: t, isJoin: true, side: &fileSide[O, S]{entry: e}}
		jf.initHashes()
		e.file, e.lastActive = jf, t.now
		t.owned = append(t.owned, e)
		t.attachPart(f, e, r.Start)
		return
	}
}

// attachPart makes f a part of e, its bytes placed at base in the joined
// file. A part joined on the owning worker lends the joined file its owner
// and transaction (the joined file is logged with the flow of the part
// that joined it last); a part on another worker lends nothing, since the
// joined file's events are written by its owner.
func (t *Tracker[O, S]) attachPart(f *File[O, S], e *joinEntry[O, S], base int64) {
	sd := f.aside()
	sd.entry, f.isPart, sd.joinBase = e, true, base
	t.stats.JoinParts++
	if e.owner == t.worker && e.file != nil && e.kind == joinRange {
		e.file.Owner = f.Owner
		e.file.Meta.Tx = f.Meta.Tx
	}
}

// joinSMB registers f, a file of an SMB open other connections may carry:
// it joins the open's entry when one exists (f becomes a counting part:
// its bytes go to the joined file, which the first file's stream becomes),
// or else registers f as the open's first file (a candidate: it streams,
// hashes and scans alone, paying nothing per byte, until another
// connection joins).
func (t *Tracker[O, S]) joinSMB(f *File[O, S]) {
	j := t.j
	o := f.Meta.SMB
	ks, n := smbKeys(o, f.Meta.Direction)
	keys := ks[:n]
	for {
		j.mu.Lock()
		var e *joinEntry[O, S]
		for _, k := range keys {
			if e = j.index[k]; e != nil {
				break
			}
		}
		if e != nil {
			if !j.promoteCand(e) {
				j.mu.Unlock()
				if !t.evictOldest() {
					t.stats.JoinRefused++
					t.soloSMB(f)
					return
				}
				continue
			}
			e.parts++
			e.total++
			e.durable = e.durable || o.Durable || o.Reconnect
			for _, k := range keys {
				j.addKey(e, k)
			}
			if e.name == "" {
				// The first file's connection never saw the CREATE
				// (a bound channel): the joined file takes this name.
				e.name = f.Meta.Name
			}
			name := e.name
			j.mu.Unlock()
			if f.Meta.Name == "" {
				f.Meta.Name = name
			}
			f.aside().entry, f.isPart, f.counting = e, true, true
			t.stats.JoinParts++
			if e.owner == t.worker {
				t.promote(e)
			}
			return
		}
		if j.cfg.MaxJoinCandidates <= 0 || j.cfg.MaxJoinedFiles <= 0 {
			j.mu.Unlock()
			return
		}
		if j.cands >= j.cfg.MaxJoinCandidates {
			j.remove(j.candHead)
			t.stats.JoinCandidatesEvicted++
		}
		e = j.newEntry(t.worker, joinSMB, f.Meta.Name)
		e.parts, e.total = 1, 1
		e.durable = o.Durable || o.Reconnect
		for _, k := range keys {
			j.addKey(e, k)
		}
		j.linkCand(e)
		j.mu.Unlock()
		e.canon = f
		f.setEntry(e)
		return
	}
}

// soloSMB leaves f unjoined after a refusal.
func (t *Tracker[O, S]) soloSMB(f *File[O, S]) {
	f.setEntry(nil)
	f.isPart, f.counting = false, false
}
