// Package diff compares the alerts two signature sets raise on the same
// traffic: the canary a detection engineer runs before shipping a rule
// update ("what will this change make my sensors say?").
//
// # Input and output
//
// Each side is a list of alerts (Alert, built from EVE alert events with
// FromEvent) raised by replaying the same captures with one worker, so flow
// ids, transaction ids and packet numbers identify the same traffic on both
// sides. Compare pairs the alerts of each signature that fired on the same
// thing (flow, transaction, direction, file) and reports, per signature:
//
//   - added: alerts only the new set raises;
//   - removed: alerts only the old set raises;
//   - changed: alerts both raise whose rule differs (rev, message,
//     severity, category) or that matched elsewhere (match offset).
//
// Each entry carries the alert count, the SHA-256s and names of the files
// involved and the flows (bounded lists: the first MaxListed of each, and
// the count). Equal means nothing was added, removed or changed.
//
// # Limits
//
// Compare holds both alert lists; Collector refuses more than MaxAlerts
// alerts per side (ErrTooManyAlerts), so a runaway rule can't exhaust
// memory on a canary run.
package diff

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/wirescan/wirescan/engine/eve"
)

// MaxListed bounds the files and flows listed per signature entry.
const MaxListed = 20

// MaxAlerts bounds the alerts a Collector keeps per side.
const MaxAlerts = 5_000_000

// ErrTooManyAlerts is returned by Collector.Write beyond MaxAlerts.
var ErrTooManyAlerts = errors.New("diff: too many alerts")

// Alert is what diff needs to know about one alert.
type Alert struct {
	GID, SID, Rev int
	Signature     string
	Category      string
	Severity      int
	FlowID        uint64
	TxID          int64 // -1 when the alert has no transaction
	Direction     string
	Src, Dst      string // "ip:port"
	SHA256, Name  string // the file the alert fired on, when any
	Offset        int64  // match offset, -1 when not known
}

// key identifies what an alert fired on, independently of the rule's text.
type key struct {
	gid, sid  int
	flow      uint64
	tx        int64
	dir, file string
}

func (a *Alert) key() key {
	file := a.SHA256
	if file == "" {
		file = a.Name
	}
	return key{a.GID, a.SID, a.FlowID, a.TxID, a.Direction, file}
}

// FromEvent extracts an Alert from an EVE alert event; ok is false for
// other events.
func FromEvent(ev *eve.Event) (a Alert, ok bool) {
	if ev.EventType != "alert" || ev.Alert == nil {
		return Alert{}, false
	}
	a = Alert{
		GID: ev.Alert.GID, SID: ev.Alert.SignatureID, Rev: ev.Alert.Rev,
		Signature: ev.Alert.Signature, Category: ev.Alert.Category, Severity: ev.Alert.Severity,
		FlowID: ev.FlowID, TxID: -1, Direction: ev.Direction,
		Src:    ev.SrcIP + ":" + strconv.Itoa(int(ev.SrcPort)),
		Dst:    ev.DestIP + ":" + strconv.Itoa(int(ev.DestPort)),
		Offset: -1,
	}
	if ev.TxID != nil {
		a.TxID = int64(*ev.TxID)
	}
	if len(ev.Files) > 0 {
		a.SHA256, a.Name = ev.Files[0].SHA256, ev.Files[0].Filename
	}
	if w := ev.Wirescan; w != nil && len(w.MatchOffsets) > 0 {
		a.Offset = w.MatchOffsets[0]
	}
	return a, true
}

// Collector is an engine EventWriter that keeps the alerts of a run. It
// needs no locking of its own: the engine serialises writes.
//
// An alert that fires while its file is still streaming can't name the
// file's SHA-256 yet; the file's fileinfo event, which comes at its end,
// fills it in (send the collector both alert and fileinfo events).
type Collector struct {
	Alerts []Alert
	// open maps a file still streaming (flow, tx, direction, name) to the
	// alerts waiting for its hash.
	open map[fileKey][]int
}

// fileKey identifies a file within a run: its flow, transaction, sender
// (events are oriented by the file's direction) and name.
type fileKey struct {
	flow      uint64
	tx        int64
	src, name string
}

// Write keeps ev when it is an alert, and completes earlier alerts with the
// hash of a fileinfo event.
func (c *Collector) Write(ev *eve.Event) error {
	if ev.EventType == "fileinfo" && ev.FileInfo != nil {
		tx := int64(-1)
		if ev.TxID != nil {
			tx = int64(*ev.TxID)
		}
		k := fileKey{ev.FlowID, tx, ev.SrcIP + ":" + strconv.Itoa(int(ev.SrcPort)), ev.FileInfo.Filename}
		for _, i := range c.open[k] {
			c.Alerts[i].SHA256 = ev.FileInfo.SHA256
		}
		delete(c.open, k)
		return nil
	}
	a, ok := FromEvent(ev)
	if !ok {
		return nil
	}
	if len(c.Alerts) >= MaxAlerts {
		return fmt.Errorf("%w: more than %d", ErrTooManyAlerts, MaxAlerts)
	}
	if a.SHA256 == "" && a.Name != "" {
		if c.open == nil {
			c.open = map[fileKey][]int{}
		}
		k := fileKey{a.FlowID, a.TxID, a.Src, a.Name}
		c.open[k] = append(c.open[k], len(c.Alerts))
	}
	c.Alerts = append(c.Alerts, a)
	return nil
}

// Flush implements the engine's EventWriter; nothing is buffered.
func (c *Collector) Flush() error { return nil }

// Entry is the difference for one signature.
type Entry struct {
	GID         int    `json:"gid"`
	SignatureID int    `json:"signature_id"`
	Signature   string `json:"signature"`
	// Count is the number of alerts added, removed or changed.
	Count int `json:"count"`
	// SHA256 and Files list the files those alerts fired on (at most
	// MaxListed each; FilesMore counts the rest).
	SHA256    []string `json:"sha256"`
	Files     []string `json:"files,omitempty"`
	FilesMore int      `json:"files_more,omitempty"`
	// Flows lists the flows the alerts fired in, at most MaxListed.
	Flows     []Flow `json:"flows"`
	FlowsMore int    `json:"flows_more,omitempty"`
	// Changes says what differs, for changed entries ("rev 1 -> 2").
	Changes []string `json:"changes,omitempty"`
}

// Flow names a flow: the alert's source and destination ("ip:port", the
// source sent the bytes that fired) and its EVE flow_id.
type Flow struct {
	Src    string `json:"src"`
	Dst    string `json:"dst"`
	FlowID uint64 `json:"flow_id"`
}

// Result is the comparison of two runs.
type Result struct {
	Added   []Entry `json:"added"`
	Removed []Entry `json:"removed"`
	Changed []Entry `json:"changed"`
	// OldAlerts and NewAlerts count the alerts of each side.
	OldAlerts int `json:"old_alerts"`
	NewAlerts int `json:"new_alerts"`
}

// Equal reports whether the two runs raised the same alerts.
func (r *Result) Equal() bool {
	return len(r.Added) == 0 && len(r.Removed) == 0 && len(r.Changed) == 0
}

// Compare pairs the alerts of old and new and returns what differs. The
// result is deterministic: entries are ordered by gid and sid, lists keep
// the order of the alerts (capture order with one worker).
func Compare(old, new []Alert) Result {
	byKey := map[key][]int{} // key -> indexes into old, in order
	for i := range old {
		k := old[i].key()
		byKey[k] = append(byKey[k], i)
	}
	added, removed, changed := newEntries(), newEntries(), newEntries()
	paired := make([]bool, len(old))
	for i := range new {
		a := &new[i]
		k := a.key()
		olds := byKey[k]
		if len(olds) == 0 {
			added.add(a, nil)
			continue
		}
		o := &old[olds[0]]
		byKey[k] = olds[1:]
		paired[olds[0]] = true
		if ch := changes(o, a); len(ch) > 0 {
			changed.add(a, ch)
		}
	}
	for i := range old {
		if !paired[i] {
			removed.add(&old[i], nil)
		}
	}
	return Result{Added: added.list(), Removed: removed.list(), Changed: changed.list(), OldAlerts: len(old), NewAlerts: len(new)}
}

// changes describes how the rule or the match of a paired alert differs.
func changes(o, n *Alert) []string {
	var ch []string
	if o.Rev != n.Rev {
		ch = append(ch, fmt.Sprintf("rev %d -> %d", o.Rev, n.Rev))
	}
	if o.Signature != n.Signature {
		ch = append(ch, fmt.Sprintf("msg %q -> %q", o.Signature, n.Signature))
	}
	if o.Severity != n.Severity {
		ch = append(ch, fmt.Sprintf("severity %d -> %d", o.Severity, n.Severity))
	}
	if o.Category != n.Category {
		ch = append(ch, fmt.Sprintf("category %q -> %q", o.Category, n.Category))
	}
	if o.Offset != n.Offset {
		ch = append(ch, fmt.Sprintf("match offset %d -> %d", o.Offset, n.Offset))
	}
	return ch
}

// entries accumulates Entries per signature.
type entries struct {
	m     map[[2]int]*acc
	order [][2]int
}

type acc struct {
	Entry
	seenFile   map[string]bool
	seenFlow   map[Flow]bool
	seenChange map[string]bool
}

func newEntries() *entries { return &entries{m: map[[2]int]*acc{}} }

func (es *entries) add(a *Alert, ch []string) {
	id := [2]int{a.GID, a.SID}
	e := es.m[id]
	if e == nil {
		e = &acc{Entry: Entry{GID: a.GID, SignatureID: a.SID, Signature: a.Signature, SHA256: []string{}, Flows: []Flow{}},
			seenFile: map[string]bool{}, seenFlow: map[Flow]bool{}, seenChange: map[string]bool{}}
		es.m[id] = e
		es.order = append(es.order, id)
	}
	e.Count++
	if a.SHA256 != "" || a.Name != "" {
		f := a.SHA256 + "\x00" + a.Name
		if !e.seenFile[f] {
			e.seenFile[f] = true
			if len(e.Files) < MaxListed && len(e.SHA256) < MaxListed {
				if a.SHA256 != "" && !slices.Contains(e.SHA256, a.SHA256) {
					e.SHA256 = append(e.SHA256, a.SHA256)
				}
				if a.Name != "" && !slices.Contains(e.Files, a.Name) {
					e.Files = append(e.Files, a.Name)
				}
			} else {
				e.FilesMore++
			}
		}
	}
	flow := Flow{Src: a.Src, Dst: a.Dst, FlowID: a.FlowID}
	if !e.seenFlow[flow] {
		e.seenFlow[flow] = true
		if len(e.Flows) < MaxListed {
			e.Flows = append(e.Flows, flow)
		} else {
			e.FlowsMore++
		}
	}
	for _, c := range ch {
		if !e.seenChange[c] && len(e.Changes) < MaxListed {
			e.seenChange[c] = true
			e.Changes = append(e.Changes, c)
		}
	}
}

func (es *entries) list() []Entry {
	out := make([]Entry, 0, len(es.order))
	for _, id := range es.order {
		out = append(out, es.m[id].Entry)
	}
	slices.SortStableFunc(out, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.GID, b.GID), cmp.Compare(a.SignatureID, b.SignatureID))
	})
	return out
}
