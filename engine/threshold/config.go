package threshold

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wirescan/wirescan/internal/lines"
	"github.com/wirescan/wirescan/signatures"
	"github.com/wirescan/wirescan/signatures/thresholdspec"
)

// Kind is what an entry of a threshold.config does.
type Kind uint8

// Entry kinds.
const (
	// Suppress silences a signature, for every address or for the
	// addresses of its ip list.
	Suppress Kind = iota + 1
	// Threshold (keywords threshold and event_filter) sets how often a
	// signature alerts.
	Threshold
	// RateFilter changes a signature's action for Timeout seconds once it
	// hits more than Count times within Seconds.
	RateFilter
)

var kindNames = [...]string{Suppress: "suppress", Threshold: "threshold", RateFilter: "rate_filter"}

// String names the kind ("rate_filter").
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Rate filter actions (new_action), as Suricata names them.
const (
	ActionAlert  = "alert"
	ActionDrop   = "drop"
	ActionPass   = "pass"
	ActionReject = "reject"
	ActionSdrop  = "sdrop"
	ActionLog    = "log"
)

var rateActions = []string{ActionAlert, ActionDrop, ActionPass, ActionReject, ActionSdrop, ActionLog}

// Entry is one line (continuations joined) of a threshold.config.
type Entry struct {
	// Keyword is the entry's keyword as written: suppress, threshold,
	// event_filter or rate_filter.
	Keyword string
	// Kind is what the entry does (event_filter is a Threshold).
	Kind Kind
	// GID and SID select signatures: SID 0 is every signature of GID, and
	// GID 0 with SID 0 every signature.
	GID, SID uint32
	// Spec is the counting part: Type, Track, Count and Seconds for a
	// Threshold; Track, Count and Seconds for a RateFilter (Type is 0);
	// only Track for a Suppress (TrackNone when the entry names no ip).
	Spec thresholdspec.Spec
	// IP is a suppression's ip expression as written ("" without track).
	IP string
	// Addrs is IP parsed; nil without track.
	Addrs *signatures.AddressSet
	// NewAction and Timeout (seconds) are a RateFilter's action and how
	// long it lasts once triggered.
	NewAction string
	Timeout   uint32
	// File and Line locate the entry (its first line when continued).
	File string
	Line int
}

// String writes the entry back in threshold.config syntax, fields in
// Suricata's documented order.
func (e *Entry) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s gen_id %d, sig_id %d", e.Keyword, e.GID, e.SID)
	switch e.Kind {
	case Suppress:
		if e.Spec.Track != thresholdspec.TrackNone {
			fmt.Fprintf(&b, ", track %s, ip %s", e.Spec.Track, e.IP)
		}
	case Threshold:
		fmt.Fprintf(&b, ", %s", e.Spec)
	case RateFilter:
		fmt.Fprintf(&b, ", track %s, count %d, seconds %d, new_action %s, timeout %d",
			e.Spec.Track, e.Spec.Count, e.Spec.Seconds, e.NewAction, e.Timeout)
	}
	return b.String()
}

// Where is "FILE:LINE" of the entry.
func (e *Entry) Where() string { return e.File + ":" + strconv.Itoa(e.Line) }

// Config is a parsed threshold.config: its entries in file order. It is
// immutable once parsed; a Filter reads it without copying.
type Config struct {
	// Name is the file name messages cite.
	Name string
	// Entries are the entries in file order.
	Entries []Entry
}

// Error is one problem in a threshold.config: where it is and what is
// wrong ("threshold: FILE:LINE: what is wrong").
type Error = lines.Error

// Errors is every problem found in one file, in line order (at most
// MaxErrors, the last one then saying how many more there were).
type Errors = lines.Errors
