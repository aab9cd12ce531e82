package engine

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
	"unsafe"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/decode"
	"github.com/wirescan/wirescan/engine/memcap"
)

// EvidenceConfig configures evidence pcaps: the packets of every flow that
// raised an alert (after policy), the ones before the alert included, written
// to DIR/<flow_id>.pcap so an analyst can open the transfer that matched.
type EvidenceConfig struct {
	// Dir is where evidence pcaps are written, named by flow id only (never
	// by attacker-chosen text). Empty disables evidence (`--evidence` sets
	// LOGDIR/evidence).
	Dir string `yaml:"dir"`
	// MaxPacketsPerFlow is how many of its most recent frames each flow
	// keeps in memory until it alerts.
	MaxPacketsPerFlow int `yaml:"max-packets-per-flow"`
	// MaxBytesPerFlow bounds one evidence file; at the limit the file is
	// closed and later packets of the flow are not written.
	MaxBytesPerFlow int64 `yaml:"max-bytes-per-flow"`
	// Memcap bounds the frames all flows keep in memory. At the limit a
	// flow's ring stops growing: it drops its oldest frames to keep the
	// newest (wirescan_evidence_ring_denied_total).
	Memcap int64 `yaml:"memcap"`
}

// maxOpenEvidence bounds the evidence files open at once (one descriptor
// each). Beyond it an alerting flow's file gets the frames kept so far and is
// closed at once, so an alert flood can't exhaust file descriptors.
const maxOpenEvidence = 256

// evidence is the engine-wide part of evidence pcaps: the memory budget and
// the counters. Flows own their rings and files (evidenceRing).
type evidence struct {
	cfg                EvidenceConfig
	mem                *memcap.Budget
	open               atomic.Int64
	files, bytes, errs atomic.Uint64
	denied, skipped    atomic.Uint64
}

func newEvidence(cfg EvidenceConfig) *evidence {
	if cfg.Dir == "" {
		return nil
	}
	cfg.MaxPacketsPerFlow = max(cfg.MaxPacketsPerFlow, 1)
	return &evidence{cfg: cfg, mem: memcap.New(cfg.Memcap)}
}

// evFrame is one frame kept by a ring; data's capacity is reserved from the
// evidence budget.
type evFrame struct {
	ts      time.Time
	data    []byte
	wireLen int
}

// evidenceRing is one flow's evidence: before the alert, a ring of its most
// recent frames; after it, the open pcap file the flow's packets go to.
// Owned by the flow's worker.
type evidenceRing struct {
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

// record keeps p's frame: in the ring before the flow alerted, in its file
// after.
func (ev *evidence) record(r *evidenceRing, p *decode.Packet) {
	if r.done || len(p.Raw) == 0 {
		return
	}
	if r.n == 0 && r.f == nil {
		r.link = p.LinkType
	}
	if p.LinkType != r.link {
		ev.skipped.Add(1) // one link type per file
		return
	}
	if r.f != nil {
		ev.write(r, p.Timestamp, p.Raw, p.Length)
		return
	}
	ev.push(r, p)
}

// push adds p's frame to the ring, reusing the oldest frame's buffer when the
// ring is full, and dropping more old frames while the budget refuses.
func (ev *evidence) push(r *evidenceRing, p *decode.Packet) {
	var buf []byte
	if r.n == ev.cfg.MaxPacketsPerFlow {
		old := r.at(0)
		buf, old.data = old.data, nil
		r.head, r.n = (r.head+1)%len(r.frames), r.n-1
	}
	if cap(buf) < len(p.Raw) {
		ev.mem.Release(int64(cap(buf)))
		r.held -= int64(cap(buf))
		buf = nil
		for !ev.mem.TryReserve(int64(len(p.Raw))) {
			ev.denied.Add(1)
			if r.n == 0 {
				return // not even this frame alone fits: it is not kept
			}
			r.dropOldest(ev)
		}
		r.held += int64(len(p.Raw))
		buf = make([]byte, 0, len(p.Raw))
	}
	*r.free() = evFrame{ts: p.Timestamp, data: append(buf[:0], p.Raw...), wireLen: p.Length}
	r.n++
}

// at returns the i-th oldest frame.
func (r *evidenceRing) at(i int) *evFrame { return &r.frames[(r.head+i)%len(r.frames)] }

// free returns the slot after the newest frame, growing the ring if needed.
func (r *evidenceRing) free() *evFrame {
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

func (r *evidenceRing) dropOldest(ev *evidence) {
	old := r.at(0)
	ev.mem.Release(int64(cap(old.data)))
	r.held -= int64(cap(old.data))
	old.data = nil
	r.head, r.n = (r.head+1)%len(r.frames), r.n-1
}

// release gives the ring's memory back.
func (r *evidenceRing) release(ev *evidence) {
	ev.mem.Release(r.held)
	r.held, r.frames, r.head, r.n = 0, nil, 0, 0
}

// start opens the flow's evidence file at its first alert and writes the
// ring to it; it returns the file name for the alert ("" when nothing could
// be written). Later calls return the name again.
func (ev *evidence) start(r *evidenceRing, flowID uint64) string {
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
		ev.close(r)
	}
	return r.name
}

// create makes DIR/<flowID>.pcap, or <flowID>-N.pcap when a file of that
// name exists (flow ids repeat across runs), never overwriting evidence.
func (ev *evidence) create(flowID uint64) (*os.File, string, error) {
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
func (ev *evidence) write(r *evidenceRing, ts time.Time, data []byte, wireLen int) {
	if r.f == nil {
		return
	}
	n := int64(pcapRecordHeader + len(data))
	if r.written+n > ev.cfg.MaxBytesPerFlow {
		ev.close(r)
		return
	}
	if err := r.pw.WritePacket(ts, data, wireLen); err != nil {
		ev.fail(r)
		return
	}
	r.written += n
	ev.bytes.Add(uint64(n))
}

func (ev *evidence) fail(r *evidenceRing) {
	ev.errs.Add(1)
	ev.close(r)
}

// close flushes and closes the flow's file (if open) and frees the ring:
// the flow ended, or its file is complete.
func (ev *evidence) close(r *evidenceRing) {
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

// copyFrame copies p's raw frame (and its payload, when the payload is not
// part of the frame: a defragmented packet) to the end of buf and points
// cp.Raw and cp.Payload at the copies, for packets handed to another
// goroutine (runParallel).
func copyFrame(buf []byte, cp *decode.Packet) []byte {
	raw, payload := cp.Raw, cp.Payload
	off := len(buf)
	buf = append(buf, raw...)
	cp.Raw = buf[off:len(buf):len(buf)]
	if po, ok := within(payload, raw); ok {
		cp.Payload = cp.Raw[po : po+len(payload) : po+len(payload)]
		return buf
	}
	off = len(buf)
	buf = append(buf, payload...)
	cp.Payload = buf[off:len(buf):len(buf)]
	return buf
}

// within reports whether inner lies inside outer, and at which offset.
func within(inner, outer []byte) (int, bool) {
	if len(inner) == 0 || len(outer) == 0 {
		return 0, len(inner) == 0
	}
	i := uintptr(unsafe.Pointer(unsafe.SliceData(inner)))
	o := uintptr(unsafe.Pointer(unsafe.SliceData(outer)))
	if i < o || i+uintptr(len(inner)) > o+uintptr(len(outer)) {
		return 0, false
	}
	return int(i - o), true
}
