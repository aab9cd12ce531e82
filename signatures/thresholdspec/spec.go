// Package thresholdspec is the vocabulary shared by Suricata's rule keywords
// threshold: and detection_filter: and by the lines of a threshold.config
// file: the threshold types, the trackers, and the "name value, name value"
// field lists both are written in. It parses and validates; it keeps no
// state. The counting (which hit alerts) lives in engine/threshold, which
// consumes Spec; the rule parser in signatures produces it. Keeping the
// type here lets both use it without signatures importing the engine.
package thresholdspec

import (
	"fmt"
	"strconv"
	"strings"
)

// Type is how a threshold counts hits.
type Type uint8

// Threshold types, as Suricata names them.
const (
	// Limit alerts on at most Count hits per Seconds window.
	Limit Type = iota + 1
	// Threshold alerts on every Count-th hit within a window.
	Threshold
	// Both alerts once per window, on the Count-th hit.
	Both
	// Backoff alerts on hits Count, Count×Multiplier, Count×Multiplier², …
	// of a flow (track by_flow only).
	Backoff
	// DetectionFilter alerts on every hit after the first Count hits within
	// a window (the detection_filter keyword).
	DetectionFilter
)

var typeNames = [...]string{Limit: "limit", Threshold: "threshold", Both: "both", Backoff: "backoff", DetectionFilter: "detection_filter"}

// String returns the type's name as written in rules ("limit").
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Track is what a threshold counts per: an address, a pair, a flow, or the
// whole rule. For a suppression it is the address the ip list is matched
// against.
type Track uint8

// Trackers, as Suricata names them.
const (
	// TrackNone is a suppression without track: it silences the signature
	// for every address.
	TrackNone Track = iota
	// BySrc counts per source address of the alert.
	BySrc
	// ByDst counts per destination address.
	ByDst
	// ByRule counts once for the whole signature.
	ByRule
	// ByBoth counts per address pair; both directions between two addresses
	// share one count.
	ByBoth
	// ByFlow counts per flow.
	ByFlow
	// ByEither (suppress only) matches the ip list against either address.
	ByEither
)

var trackNames = [...]string{TrackNone: "", BySrc: "by_src", ByDst: "by_dst", ByRule: "by_rule", ByBoth: "by_both", ByFlow: "by_flow", ByEither: "by_either"}

// String returns the tracker's name as written ("by_src"); "" for TrackNone.
func (t Track) String() string {
	if int(t) < len(trackNames) {
		return trackNames[t]
	}
	return "track(" + strconv.Itoa(int(t)) + ")"
}

// CountTracks returns the trackers a counting threshold (rule keyword,
// threshold, event_filter, rate_filter) accepts, in documentation order.
func CountTracks() []Track { return []Track{BySrc, ByDst, ByRule, ByBoth, ByFlow} }

// SuppressTracks returns the trackers a suppression accepts.
func SuppressTracks() []Track { return []Track{BySrc, ByDst, ByEither} }

// Limits on numbers, as in Suricata (unsigned 32-bit).
const (
	// MaxCount bounds count and multiplier.
	MaxCount = 1<<32 - 1
	// MaxSeconds bounds seconds and timeout.
	MaxSeconds = 1<<32 - 1
)

// Spec is one counting threshold: a rule's threshold: or detection_filter:
// keyword, or the counting part of a threshold.config threshold/event_filter
// line. It is a small value, compared with ==.
type Spec struct {
	Type  Type
	Track Track
	// Count is the number of hits the type counts to (at least 1).
	Count uint32
	// Seconds is the window length (at least 1); 0 for Backoff.
	Seconds uint32
	// Multiplier is Backoff's growth factor (at least 2); 0 otherwise.
	Multiplier uint32
}

// String writes s as a rule keyword value would ("type limit, track by_src,
// count 1, seconds 60"; detection_filter has no type field).
func (s Spec) String() string {
	var b strings.Builder
	if s.Type != DetectionFilter {
		fmt.Fprintf(&b, "type %s, ", s.Type)
	}
	fmt.Fprintf(&b, "track %s, count %d", s.Track, s.Count)
	if s.Type == Backoff {
		fmt.Fprintf(&b, ", multiplier %d", s.Multiplier)
	} else {
		fmt.Fprintf(&b, ", seconds %d", s.Seconds)
	}
	return b.String()
}

// Keyword is the rule keyword that writes s: "detection_filter" for
// DetectionFilter, else "threshold".
func (s Spec) Keyword() string {
	if s.Type == DetectionFilter {
		return "detection_filter"
	}
	return "threshold"
}
