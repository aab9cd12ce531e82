// Package evidence writes evidence pcaps: the packets of every flow that
// raised an alert (after policy), the ones before the alert included, to
// DIR/<flow_id>.pcap, so an analyst can open the transfer that matched in
// Wireshark or replay it with wirescan.
//
// # Place in the pipeline
//
// A sink. The engine gives each flow a Ring (NewRing) and hands it every
// frame of the flow (Record). Until the flow alerts, the ring keeps its
// most recent frames in memory; at the first alert the policy lets through,
// Start writes them to a new file, and later frames go straight to it until
// the flow ends (Close) or the file reaches Config.MaxBytesPerFlow.
//
// # Limits
//
// Each ring keeps at most Config.MaxPacketsPerFlow frames; all rings
// together at most Config.Memcap bytes: at the cap a ring drops its oldest
// frames to keep the newest (Stats.Denied). At most 256 evidence files are
// open at once; beyond that a flow's file gets the frames kept so far and
// is closed. One link type per file: frames of another are left out
// (Stats.Skipped). Files are named by flow id only (never by
// attacker-chosen text), and an existing file is never overwritten.
//
// # Concurrency
//
// A Store is safe for concurrent use (its budget and counters are atomic);
// a Ring belongs to the goroutine that owns its flow.
package evidence

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/memcap"
)

// Config configures evidence pcaps: the packets of every flow that
// raised an alert (after policy), the ones before the alert included, written
// to DIR/<flow_id>.pcap so an analyst can open the transfer that matched.
type Config struct {
	// Dir is where evidence pcaps are written, named by flow id only (never
	// by attacker-chosen text). Empty disables evidence (`--evidence` sets
	// LOGDIR/evidence).
	Dir string `yaml:"dir"`
	// MaxPacketsPerFlow is how many of its most recent frames each flow
	// keeps in memory until it alerts.
	MaxPacketsPerFlow int `yaml:"max-packets-per-flow"`
	// MaxBytesPerFlow bounds one evidence file; at the limit the file is
	// closed and later packets of the flow are not written.
	MaxBytesPerFlow int64 `yaml:"max-bytes-per-flow" unit:"bytes"`
	// Memcap bounds the frames all flows keep in memory. At the limit a
	// flow's ring stops growing: it drops its oldest frames to keep the
	// newest (wirescan_evidence_ring_denied_total).
	Memcap int64 `yaml:"memcap" unit:"bytes"`
}

// maxOpenEvidence bounds the evidence files open at once (one descriptor
// each). Beyond it an alerting flow's file gets the frames kept so far and is
// closed at once, so an alert flood can't exhaust file descriptors.
const maxOpenEvidence = 256

// Store is the engine-wide part of evidence pcaps: the memory budget and
// the counters. Flows own their rings and files (Ring).
type Store struct {
	cfg                Config
	mem                *memcap.Budget
	open               atomic.Int64
	files, bytes, errs atomic.Uint64
	denied, skipped    atomic.Uint64
}

// New returns a store writing to cfg.Dir, or nil when cfg.Dir is empty
// (evidence disabled).
func New(cfg Config) *Store {
	if cfg.Dir == "" {
		return nil
	}
	cfg.MaxPacketsPerFlow = max(cfg.MaxPacketsPerFlow, 1)
	return &Store{cfg: cfg, mem: memcap.New(cfg.Memcap)}
}

// Stats are a Store's counters.
type Stats struct {
	Files, Bytes, Errors uint64
	// Memory is the bytes rings hold now (bounded by Config.Memcap).
	Memory int64
	// Denied counts frames the budget refused (older frames were dropped).
	Denied uint64
	// Skipped counts frames of another link type than their file's.
	Skipped uint64
}

// Stats returns the store's counters; zero for a nil Store.
func (ev *Store) Stats() Stats {
	if ev == nil {
		return Stats{}
	}
	return Stats{Files: ev.files.Load(), Bytes: ev.bytes.Load(), Errors: ev.errs.Load(),
		Memory: ev.mem.InUse(), Denied: ev.denied.Load(), Skipped: ev.skipped.Load()}
}

// Frame is one captured frame as the flow saw it.
type Frame struct {
	Time time.Time
	// Data is the frame as captured (only read during Record).
	Data []byte
	// WireLen is the frame's length on the wire.
	WireLen int
	Link    capture.LinkType
}

// evFrame is one frame kept by a ring; data's capacity is reserved from the
// evidence budget.
type evFrame struct {
	ts      time.Time
	data    []byte
	wireLen int
}

// Ring is one flow's evidence: before the alert, a ring of its most
// recent frames; after it, the open pcap file the flow's packets go to.
// Owned by the flow's worker.
type Ring struct {
	frames  []evFrame // circular: n frames from head, oldest first
	head, n int
	link    capture.LinkType
	held    int64 // bytes reserved from the budget

	name    string // file name once the flow alerted; "" before
	f       *os.File
	bw      *bufio.Writer
	pw      *capture.Writer
	written int64
	done    bool // the file is closed (or failed): nothing more is kept
}

// pcap header sizes, for max-bytes-per-flow.
const (
	pcapFileHeader   = 24
	pcapRecordHeader = 16
)

// Record keeps p's frame: in the ring before the flow alerted, in its file
// after.
func (ev *Store) Record(r *Ring, p Frame) {
	if r.done || len(p.Data) == 0 {
		return
	}
	if r.n == 0 && r.f == nil {
		r.link = p.Link
	}
	if p.Link != r.link {
		ev.skipped.Add(1) // one link type per file
		return
	}
	if r.f != nil {
		ev.write(r, p.Time, p.Data, p.WireLen)
		return
	}
	ev.push(r, p)
}

// push adds p's frame to the ring, reusing the oldest frame's buffer when the
// ring is full, and dropping more old frames while the budget refuses.
func (ev *Store) push(r *Ring, p Frame) {
	var buf []byte
	if r.n == ev.cfg.MaxPacketsPerFlow {
		old := r.at(0)
		buf, old.data = old.data, nil
		r.head, r.n = (r.head+1)%len(r.frames), r.n-1
	}
	if cap(buf) < len(p.Data) {
		ev.mem.Release(int64(cap(buf)))
		r.held -= int64(cap(buf))
		buf = nil
		for !ev.mem.TryReserve(int64(len(p.Data))) {
			ev.denied.Add(1)
			if r.n == 0 {
				return // not even this frame alone fits: it is not kept
			}
			r.dropOldest(ev)
		}
		r.held += int64(len(p.Data))
		buf = make([]byte, 0, len(p.Data))
	}
	*r.free() = evFrame{ts: p.Time, data: append(buf[:0], p.Data...), wireLen: p.WireLen}
	r.n++
}

// at returns the i-th oldest frame.
func (r *Ring) at(i int) *evFrame { return &r.frames[(r.head+i)%len(r.frames)] }

// free returns the slot after the newest frame, growing the ring if needed.
func (r *Ring) free() *evFrame {
	if r.n < len(r.frames) {
		return r.at(r.n)
	}
	if r.head != 0 { // full and wrapped: unwrap before growing (rare)
		r.frames = append(append(make([]evFrame, 0, len(r.frames)+1), r.frames[r.head:]...), r.frames[:r.head]...)
		r.head = 0
	}
	r.frames = append(r.frames, evFrame{})
	return &r.frames[len(r.frames)-1]
}

func (r *Ring) dropOldest(ev *Store) {
	old := r.at(0)
	ev.mem.Release(int64(cap(old.data)))
	r.held -= int64(cap(old.data))
	old.data = nil
	r.head, r.n = (r.head+1)%len(r.frames), r.n-1
}

// release gives the ring's memory back.
func (r *Ring) release(ev *Store) {
	ev.mem.Release(r.held)
	r.held, r.frames, r.head, r.n = 0, nil, 0, 0
}

// Start opens the flow's evidence file at its first alert and writes the
// ring to it; it returns the file name for the alert ("" when nothing could
// be written). Later calls return the name again.
func (ev *Store) Start(r *Ring, flowID uint64) string {
	if r.name != "" || r.done {
		return r.name
	}
	ring := *r
	defer ring.release(ev) // the frames written, the ring's memory goes back
	r.frames, r.head, r.n, r.held = nil, 0, 0, 0
	if ring.n == 0 {
		r.done = true
		return ""
	}
	f, name, err := ev.create(flowID)
	if err != nil {
		ev.errs.Add(1)
		r.done = true
		return ""
	}
	ev.open.Add(1)
	ev.files.Add(1)
	r.f, r.name, r.bw = f, name, bufio.NewWriter(f)
	if r.pw, err = capture.NewWriter(r.bw, r.link, 0); err != nil {
		ev.fail(r)
		return r.name
	}
	r.written = pcapFileHeader
	ev.bytes.Add(pcapFileHeader)
	for i := range ring.n {
		fr := ring.at(i)
		ev.write(r, fr.ts, fr.data, fr.wireLen)
	}
	if ev.open.Load() > maxOpenEvidence {
		ev.Close(r)
	}
	return r.name
}

// create makes DIR/<flowID>.pcap, or <flowID>-N.pcap when a file of that
// name exists (flow ids repeat across runs), never overwriting evidence.
func (ev *Store) create(flowID uint64) (*os.File, string, error) {
	if err := os.MkdirAll(ev.cfg.Dir, 0o750); err != nil {
		return nil, "", fmt.Errorf("evidence: %w", err)
	}
	id := strconv.FormatUint(flowID, 10)
	for n := 0; n < 100; n++ {
		name := id + ".pcap"
		if n > 0 {
			name = id + "-" + strconv.Itoa(n) + ".pcap"
		}
		f, err := os.OpenFile(filepath.Join(ev.cfg.Dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		if err == nil {
			return f, name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, "", fmt.Errorf("evidence: %w", err)
		}
	}
	return nil, "", fmt.Errorf("evidence: no free file name for flow %s", id)
}

// write appends one frame to the open file, closing it at max-bytes-per-flow.
func (ev *Store) write(r *Ring, ts time.Time, data []byte, wireLen int) {
	if r.f == nil {
		return
	}
	n := int64(pcapRecordHeader + len(data))
	if r.written+n > ev.cfg.MaxBytesPerFlow {
		ev.Close(r)
		return
	}
	if err := r.pw.WritePacket(ts, data, wireLen); err != nil {
		ev.fail(r)
		return
	}
	r.written += n
	ev.bytes.Add(uint64(n))
}

func (ev *Store) fail(r *Ring) {
	ev.errs.Add(1)
	ev.Close(r)
}

// Close flushes and closes the flow's file (if open) and frees the ring:
// the flow ended, or its file is complete.
func (ev *Store) Close(r *Ring) {
	r.release(ev)
	r.done = true
	if r.f == nil {
		return
	}
	ferr := r.bw.Flush()
	if err := r.f.Close(); err != nil || ferr != nil {
		ev.errs.Add(1)
	}
	r.f, r.bw, r.pw = nil, nil, nil
	ev.open.Add(-1)
}
