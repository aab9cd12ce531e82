package report

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// Aggregator groups the alerts of a stream of EVE lines into incidents. Feed
// it lines (Add, or Feed for a whole Source) and call Report at the end. Its
// memory grows with the number of distinct incidents, never with the number
// of lines or alerts, and every table is bounded by Config. An Aggregator is
// not safe for concurrent use; feed several sources one after the other.
type Aggregator struct {
	cfg                                 Config
	bySHA, byClient, byServer, bySensor bool

	sc scanner
	ev eveLine

	incidents map[incidentKey]*incident
	overflow  map[sigKey]*incident
	catchAll  *incident
	sigs      map[sigKey]*sigInfo
	fanout    map[fanKey]*fanSet
	distinct  *distinctTable
	pending   pendingTable
	opened    openedTable
	tl        *timeline
	nextOwner uint32

	files, signatures valueSet // distinct hashes and signatures, all in distinct
	strs              interner
	stats             Stats
}

// maxInterned bounds the strings shared between incidents (a few MiB).
const maxInterned = 1 << 16

// incidentKey is the grouping key; fields not in Config.By stay empty.
type incidentKey struct {
	gid, sid                       int
	sha256, client, server, sensor string
}

type sigKey struct{ gid, sid int }

type fanKey struct {
	gid, sid int
	sha256   string
}

// sigInfo is what a signature has besides its incidents: a timeline
// series and a name for it.
type sigInfo struct {
	series int
	name   string
	hits   uint64
}

// Stats counts what an Aggregator read.
type Stats struct {
	// Lines counts lines read, damaged ones included.
	Lines uint64 `json:"lines"`
	// Damaged counts lines that were not a sound JSON object, or alert and
	// incident lines that lacked what the report needs.
	Damaged uint64 `json:"damaged_lines"`
	// Alerts counts alert lines counted (inside the time window); the
	// incidents' counts sum to it.
	Alerts uint64 `json:"alerts"`
	// Summaries counts "incident" summary lines of wirescan's alert policy.
	Summaries uint64 `json:"incident_summaries"`
	// Hits counts alerts plus the hits the summaries stand for beyond their
	// first (which was logged as an alert).
	Hits uint64 `json:"hits"`
	// OutOfWindow counts alert and incident lines outside --since/--until.
	OutOfWindow uint64 `json:"out_of_window"`
	// Folded counts alerts counted into overflow incidents because the
	// incident table was full.
	Folded uint64 `json:"folded_alerts"`
	// PendingEvicted counts alerts counted without their file's hash
	// because too many alerts were waiting for one (Config.MaxPending).
	PendingEvicted uint64 `json:"pending_evicted"`
	// Unhashed counts alerts on a file whose hash never came (no fileinfo
	// before the flow ended or the input did).
	Unhashed uint64 `json:"unhashed_file_alerts"`
}

// NewAggregator returns an Aggregator for cfg (zero limits take their
// defaults).
func NewAggregator(cfg Config) (*Aggregator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	a := &Aggregator{
		cfg:       cfg,
		incidents: map[incidentKey]*incident{},
		overflow:  map[sigKey]*incident{},
		sigs:      map[sigKey]*sigInfo{},
		fanout:    map[fanKey]*fanSet{},
		distinct:  newDistinctTable(cfg.MaxDistinct),
		pending:   newPendingTable(cfg.MaxPending),
		opened:    newOpenedTable(cfg.MaxIncidents),
		tl:        newTimeline(cfg.MaxBuckets),
		strs:      interner{m: map[string]string{}, max: maxInterned},
	}
	for _, k := range cfg.By {
		switch k {
		case KeySHA256:
			a.bySHA = true
		case KeyClient:
			a.byClient = true
		case KeyServer:
			a.byServer = true
		case KeySensor:
			a.bySensor = true
		}
	}
	return a, nil
}

// Feed reads src to its end and adds every line. Each damaged line is
// counted and passed to damage (which may be nil). The error is a failure of
// src itself (an I/O error); src is not closed.
func (a *Aggregator) Feed(src Source, damage func(*DamageError)) error {
	for {
		line, err := src.Next()
		if err == io.EOF {
			return nil
		}
		var de *DamageError
		if errors.As(err, &de) {
			a.stats.Lines++
			a.stats.Damaged++
			if damage != nil {
				damage(de)
			}
			continue
		}
		if err != nil {
			return err
		}
		// The position is formatted only for damage: not once per line.
		if problem := a.add(line); problem != "" && damage != nil {
			damage(&DamageError{Pos: src.Pos(), Msg: problem})
		}
	}
}

// Add adds one EVE line; pos names it in the error ("eve.json:12"). The
// returned error, when not nil, is the line's damage (the line is counted
// as damaged and otherwise ignored). line is not retained.
func (a *Aggregator) Add(line []byte, pos string) *DamageError {
	if problem := a.add(line); problem != "" {
		return &DamageError{Pos: pos, Msg: problem}
	}
	return nil
}

// add adds one line and returns its problem ("" when it was sound).
func (a *Aggregator) add(line []byte) (problem string) {
	a.stats.Lines++
	f, problem := a.sc.scan(line)
	if problem == "" {
		switch string(f.eventType) {
		case "alert":
			problem = a.addAlert(line)
		case "incident":
			problem = a.addSummary(line)
		case "fileinfo":
			if a.pending.hasFlow(f.flowID) && a.pending.mayResolve(&f) {
				problem = a.addFileinfo(line)
			}
		case "flow":
			if a.pending.hasFlow(f.flowID) {
				problem = a.addFlowEnd(line, &f)
			}
		}
	}
	if problem != "" {
		a.stats.Damaged++
	}
	return problem
}

// inWindow reports whether t is inside [Since, Until).
func (a *Aggregator) inWindow(t time.Time) bool {
	return (a.cfg.Since.IsZero() || !t.Before(a.cfg.Since)) && (a.cfg.Until.IsZero() || t.Before(a.cfg.Until))
}

// decodeEvent decodes an alert or incident line and its timestamp.
func (a *Aggregator) decodeEvent(line []byte, kind string) (time.Time, string) {
	if p := decodeLine(line, &a.ev); p != "" {
		return time.Time{}, kind + ": " + p
	}
	if a.ev.Alert == nil {
		return time.Time{}, kind + " event without an \"alert\" object"
	}
	t, ok := parseTime(a.ev.Timestamp)
	if !ok {
		return time.Time{}, fmt.Sprintf("%s: bad or missing timestamp %q", kind, a.ev.Timestamp)
	}
	return t, ""
}

func (a *Aggregator) addAlert(line []byte) string {
	t, problem := a.decodeEvent(line, "alert")
	if problem != "" {
		return problem
	}
	if !a.inWindow(t) {
		a.stats.OutOfWindow++
		return ""
	}
	a.stats.Alerts++
	a.stats.Hits++
	ref := &alertRef{h: a.ev.alertHit(t)}
	if w := a.ev.Wirescan; w != nil && w.IncidentID != 0 {
		a.opened.put(openKey{sensor: a.ev.Host, id: w.IncidentID}, ref)
	}
	if ref.h.sha256 == "" && ref.h.filename != "" && ref.h.flowID != 0 && ref.h.hasTx {
		// The file was still open when the alert fired: its hash comes with
		// the fileinfo event when it closes.
		if evicted := a.pending.add(ref); evicted != nil {
			a.stats.PendingEvicted++
			a.commitRef(evicted)
		}
		return ""
	}
	a.commitRef(ref)
	return ""
}

// addSummary counts an incident summary: its hits beyond the first go to the
// incident of the alert that opened it (found by incident id), or, when that
// alert was not read, to an incident keyed by the summary's own fields.
func (a *Aggregator) addSummary(line []byte) string {
	t, problem := a.decodeEvent(line, "incident")
	if problem != "" {
		return problem
	}
	w := a.ev.Wirescan
	if w == nil || w.IncidentID == 0 {
		return "incident: no wirescan.incident_id"
	}
	if !a.inWindow(t) {
		a.stats.OutOfWindow++
		return ""
	}
	a.stats.Summaries++
	if w.IncidentCount <= 1 {
		return ""
	}
	n := w.IncidentCount - 1
	a.stats.Hits += n
	first, last := a.ev.summaryTimes(t)
	if !a.cfg.Since.IsZero() && first.Before(a.cfg.Since) {
		first = a.cfg.Since // the hits are spread over the window's part only
	}
	if ref := a.opened.get(openKey{sensor: a.ev.Host, id: w.IncidentID}); ref != nil {
		if ref.pending {
			ref.addSummary(n, first, last)
			return ""
		}
		a.commit(&ref.h, 0, n, first, last)
		return ""
	}
	// The opening alert was not read (outside the window, rotated away, or
	// forgotten): the summary names the signature and both addresses, but
	// neither the file nor which side is the client.
	al := a.ev.Alert
	h := hit{gid: al.GID, sid: al.SignatureID, rev: al.Rev, signature: al.Signature,
		client: a.ev.SrcIP, server: a.ev.DestIP, sensor: a.ev.Host, proto: a.ev.AppProto}
	if h.gid == 0 {
		h.gid = 1
	}
	a.commit(&h, 0, n, first, last)
	return ""
}

// addFileinfo gives pending alerts of the same flow, transaction and file
// name their file's hash and size.
func (a *Aggregator) addFileinfo(line []byte) string {
	if p := decodeLine(line, &a.ev); p != "" {
		return "fileinfo: " + p
	}
	fi := a.ev.FileInfo
	if fi == nil {
		return "fileinfo event without a \"fileinfo\" object"
	}
	tx, hasTx := uint64(0), false
	if fi.TxID != nil {
		tx, hasTx = *fi.TxID, true
	} else if a.ev.TxID != nil {
		tx, hasTx = *a.ev.TxID, true
	}
	if !hasTx {
		return ""
	}
	for _, ref := range a.pending.take(pendKey{sensor: a.ev.Host, flowID: a.ev.FlowID}, func(r *alertRef) bool {
		return r.h.txID == tx && r.h.filename == fi.Filename && (len(fi.SID) == 0 || containsInt(fi.SID, r.h.sid))
	}) {
		ref.h.sha256 = fi.SHA256
		if fi.Size > ref.h.size {
			ref.h.size = fi.Size
		}
		if fi.SHA256 == "" {
			a.stats.Unhashed++
		}
		a.commitRef(ref)
	}
	return ""
}

// addFlowEnd commits the pending alerts of a flow that ended: no fileinfo
// will come for them. The scanner's facts usually suffice; a sensor name
// with escapes needs a decode.
func (a *Aggregator) addFlowEnd(line []byte, f *lineFacts) string {
	key := pendKey{sensor: string(f.host), flowID: f.flowID}
	if f.host != nil && !f.hostOK {
		if p := decodeLine(line, &a.ev); p != "" {
			return "flow: " + p
		}
		key.sensor = a.ev.Host
	}
	for _, ref := range a.pending.take(key, nil) {
		a.stats.Unhashed++
		a.commitRef(ref)
	}
	return ""
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Stats returns the counters so far.
func (a *Aggregator) Stats() Stats { return a.stats }
