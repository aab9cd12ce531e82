package report

import (
	"sort"
	"strconv"
	"time"
)

// Report is the result of an aggregation: every incident, busiest first,
// the counters, and the timeline. Its JSON form is what --json prints.
type Report struct {
	// Incidents are all incidents, sorted by hits, then count (both
	// descending), then signature, file, client and server: the same input
	// gives the same order.
	Incidents []Incident `json:"incidents"`
	Summary
}

// Summary is everything in a Report but the incidents.
type Summary struct {
	Stats
	// Signatures counts distinct signatures (gid:sid) among the alerts.
	Signatures int `json:"signatures"`
	// Files counts distinct file SHA-256s among the alerts.
	Files int `json:"files"`
	// OverflowIncidents counts incidents that hold alerts folded in when the
	// incident table was full.
	OverflowIncidents int `json:"overflow_incidents"`
	// By is the incident key.
	By []Key `json:"by"`
	// Since and Until are the time window ("" when unbounded).
	Since string `json:"since,omitempty"`
	Until string `json:"until,omitempty"`
	// FirstSeen and LastSeen bound the hits counted.
	FirstSeen string `json:"first_seen,omitempty"`
	LastSeen  string `json:"last_seen,omitempty"`
	// Timeline is hits over time for the busiest signatures.
	Timeline Timeline `json:"timeline"`
}

// Incident is one group of alerts: a signature on a file between a client
// and a server (or what Config.By keys on). Lists hold at most
// Config.MaxListed distinct values, sorted; the *_more fields count the
// distinct values beyond them.
type Incident struct {
	GID         int    `json:"gid"`
	SignatureID int    `json:"signature_id"`
	Rev         int    `json:"rev"`
	Revs        []int  `json:"revs"`
	Signature   string `json:"signature"`
	// SHA256 is the file's hash: "" for alerts without a file (or whose
	// file's hash never came), and when sha256 is not in the key.
	SHA256 string `json:"sha256"`
	// SHA256s lists the files' hashes when sha256 is not in the key (and
	// for overflow incidents).
	SHA256s     []string `json:"sha256s,omitempty"`
	SHA256sMore int      `json:"sha256s_more,omitempty"`
	// Filenames are the names the file was carried under
	// (attacker-controlled text: escape before display).
	Filenames     []string `json:"filenames"`
	FilenamesMore int      `json:"filenames_more"`
	// Size is the largest file size seen (0 when unknown).
	Size int64 `json:"size"`
	// Count is the number of alert lines; the counts of all incidents sum
	// to Report.Alerts.
	Count uint64 `json:"count"`
	// Hits is Count plus the hits folded into policy incident summaries.
	Hits      uint64 `json:"hits"`
	FirstSeen string `json:"first_seen"`
	LastSeen  string `json:"last_seen"`
	// Clients and Servers are the endpoints (one each unless collapsed by
	// --by or folded into an overflow incident).
	Clients     []string `json:"clients"`
	ClientsMore int      `json:"clients_more"`
	Servers     []string `json:"servers"`
	ServersMore int      `json:"servers_more"`
	// Fanout is how many distinct clients got this signature on this file,
	// across incidents.
	Fanout int `json:"fanout"`
	// Evidence lists wirescan evidence pcaps of the alerting flows.
	Evidence     []string `json:"evidence"`
	EvidenceMore int      `json:"evidence_more"`
	// Rule is where the signature is defined ("file:line"), when known.
	Rule string `json:"rule,omitempty"`
	// Sensors are the sensor names (EVE "host") that saw the alerts.
	Sensors     []string `json:"sensors"`
	SensorsMore int      `json:"sensors_more"`
	// Protocols are the application protocols (EVE "app_proto").
	Protocols []string `json:"protocols"`
	// Overflow marks an incident of alerts folded in because the incident
	// table was full (one per signature; SignatureID 0 is the catch-all).
	Overflow bool `json:"overflow,omitempty"`
	// Capped marks counts of distinct values that are lower bounds because
	// the distinct-value table was full.
	Capped bool `json:"distinct_capped,omitempty"`
}

// Report ends the aggregation and returns its result: alerts still waiting
// for their file's hash are counted without one first. Adding lines after
// Report is allowed; a later Report includes them.
func (a *Aggregator) Report() *Report {
	for _, ref := range a.pending.drain() {
		a.stats.Unhashed++
		a.commitRef(ref)
	}
	r := &Report{Summary: Summary{Stats: a.stats, By: a.cfg.By}, Incidents: make([]Incident, 0, len(a.incidents)+len(a.overflow)+1)}
	r.Signatures, r.Files = a.signatures.count(), a.files.count()
	r.Since, r.Until = formatTime(a.cfg.Since), formatTime(a.cfg.Until)
	var first, last time.Time
	add := func(key incidentKey, inc *incident) {
		r.Incidents = append(r.Incidents, a.export(key, inc))
		if first.IsZero() || inc.first.Before(first) {
			first = inc.first
		}
		if inc.last.After(last) {
			last = inc.last
		}
	}
	for key, inc := range a.incidents {
		add(key, inc)
	}
	for sk, inc := range a.overflow {
		add(incidentKey{gid: sk.gid, sid: sk.sid}, inc)
		r.OverflowIncidents++
	}
	if a.catchAll != nil {
		add(incidentKey{}, a.catchAll)
		r.OverflowIncidents++
	}
	r.FirstSeen, r.LastSeen = formatTime(first), formatTime(last)
	sort.Slice(r.Incidents, func(i, j int) bool { return incidentLess(&r.Incidents[i], &r.Incidents[j]) })
	r.Timeline = a.renderTimeline(timelineSeries)
	return r
}

// timelineSeries is how many signatures get a series of their own in the
// report's timeline; the rest are summed in "other signatures".
const timelineSeries = 8

func (a *Aggregator) export(key incidentKey, inc *incident) Incident {
	out := Incident{
		GID: key.gid, SignatureID: key.sid, Signature: inc.sig, SHA256: key.sha256,
		Size: inc.size, Count: inc.count, Hits: inc.hits, Rule: inc.rule, Overflow: inc.overflow,
		FirstSeen: formatTime(inc.first), LastSeen: formatTime(inc.last),
	}
	out.Revs = append([]int{}, inc.revs...)
	sort.Ints(out.Revs)
	if n := len(out.Revs); n > 0 {
		out.Rev = out.Revs[n-1]
	}
	out.Filenames, out.FilenamesMore = inc.filenames.sorted()
	out.Clients, out.ClientsMore = inc.clients.sorted()
	out.Servers, out.ServersMore = inc.servers.sorted()
	out.Sensors, out.SensorsMore = inc.sensors.sorted()
	out.Protocols, _ = inc.protos.sorted()
	out.Evidence, out.EvidenceMore = inc.evidence.sorted()
	if !a.bySHA || inc.overflow {
		out.SHA256s, out.SHA256sMore = inc.hashes.sorted()
		if len(out.SHA256s) == 0 {
			out.SHA256s = nil
		}
	}
	out.Fanout = inc.clients.count()
	capped := inc.filenames.capped || inc.clients.capped || inc.servers.capped || inc.sensors.capped ||
		inc.protos.capped || inc.evidence.capped || inc.hashes.capped
	if inc.fan != nil && !inc.overflow {
		out.Fanout = inc.fan.clients.count()
		capped = capped || inc.fan.clients.capped
	} else if !inc.overflow {
		capped = true // the fanout table was full: fanout counts this incident only
	}
	out.Capped = capped
	return out
}

// incidentLess orders incidents busiest first, then by their key, so the
// order never depends on map iteration.
func incidentLess(x, y *Incident) bool {
	if x.Hits != y.Hits {
		return x.Hits > y.Hits
	}
	if x.Count != y.Count {
		return x.Count > y.Count
	}
	if x.Overflow != y.Overflow {
		return !x.Overflow
	}
	if x.GID != y.GID {
		return x.GID < y.GID
	}
	if x.SignatureID != y.SignatureID {
		return x.SignatureID < y.SignatureID
	}
	if x.SHA256 != y.SHA256 {
		return x.SHA256 < y.SHA256
	}
	if c, d := first(x.Clients), first(y.Clients); c != d {
		return c < d
	}
	if c, d := first(x.Servers), first(y.Servers); c != d {
		return c < d
	}
	return first(x.Sensors) < first(y.Sensors)
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// renderTimeline returns the timeline at about Config.TargetBuckets buckets:
// the n busiest signatures each get a series, the rest are summed.
func (a *Aggregator) renderTimeline(n int) Timeline {
	tl := a.tl
	if !tl.any {
		return Timeline{Series: []Series{}}
	}
	step := tl.finalWidth(int64(a.cfg.TargetBuckets))
	lo, hi := tl.rangeAt(step)
	w := widthAt(step)
	out := Timeline{Start: time.Unix(lo*w, 0).UTC(), WidthSeconds: w, Buckets: int(hi - lo + 1)}
	type entry struct {
		k  sigKey
		si *sigInfo
	}
	sigs := make([]entry, 0, len(a.sigs))
	for k, si := range a.sigs {
		sigs = append(sigs, entry{k, si})
	}
	sort.Slice(sigs, func(i, j int) bool {
		x, y := sigs[i], sigs[j]
		if (x.k == sigKey{}) != (y.k == sigKey{}) {
			return y.k == sigKey{} // "other signatures" last
		}
		if x.si.hits != y.si.hits {
			return x.si.hits > y.si.hits
		}
		return x.k.gid < y.k.gid || (x.k.gid == y.k.gid && x.k.sid < y.k.sid)
	})
	var other []uint64
	for i, e := range sigs {
		counts := tl.render(e.si.series, step)
		if i < n && e.k != (sigKey{}) {
			label := strconv.Itoa(e.k.gid) + ":" + strconv.Itoa(e.k.sid) + " " + e.si.name
			out.Series = append(out.Series, Series{Label: label, GID: e.k.gid, SignatureID: e.k.sid, Counts: counts})
			continue
		}
		if other == nil {
			other = make([]uint64, len(counts))
		}
		for j, c := range counts {
			other[j] += c
		}
	}
	if other != nil {
		out.Series = append(out.Series, Series{Label: "other signatures", Counts: other})
	}
	return out
}
