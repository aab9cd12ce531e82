package report

import (
	"strconv"
	"time"
)

// incident accumulates one group of alerts.
// Its key is the map key (overflow incidents: gid and sid only).
type incident struct {
	owner    uint32
	overflow bool
	sig      string
	revs     []int
	count    uint64
	hits     uint64
	first    time.Time
	last     time.Time
	size     int64
	rule     string
	fan      *fanSet

	filenames, clients, servers, sensors, protos, evidence, hashes valueSet
}

// commitRef counts an alert (and the summary hits that arrived while it
// waited for its hash) into its incident.
func (a *Aggregator) commitRef(ref *alertRef) {
	ref.pending = false
	a.commit(&ref.h, 1, 1, ref.h.time, ref.h.time)
	if ref.sumHits > 0 {
		a.commit(&ref.h, 0, ref.sumHits, ref.sumFirst, ref.sumLast)
		ref.sumHits = 0
	}
}

// commit adds alerts alert lines and hits hits (between first and last) of
// h to its incident, creating it, or folding it into its signature's
// overflow incident when the table is full.
func (a *Aggregator) commit(h *hit, alerts, hits uint64, first, last time.Time) {
	in := &a.strs
	h.signature, h.sha256, h.rule, h.proto = in.intern(h.signature), in.intern(h.sha256), in.intern(h.rule), in.intern(h.proto)
	h.client, h.server, h.sensor = in.intern(h.client), in.intern(h.server), in.intern(h.sensor)
	key := incidentKey{gid: h.gid, sid: h.sid}
	if a.bySHA {
		key.sha256 = h.sha256
	}
	if a.byClient {
		key.client = h.client
	}
	if a.byServer {
		key.server = h.server
	}
	if a.bySensor {
		key.sensor = h.sensor
	}
	inc := a.incidents[key]
	if inc == nil {
		if len(a.incidents) < a.cfg.MaxIncidents {
			inc = a.newIncident()
			a.incidents[key] = inc
			inc.fan = a.fanFor(fanKey{gid: key.gid, sid: key.sid, sha256: key.sha256})
		} else {
			inc = a.overflowFor(h)
			a.stats.Folded += alerts
		}
	}
	inc.count += alerts
	inc.hits += hits
	if inc.first.IsZero() || first.Before(inc.first) {
		inc.first = first
	}
	if last.After(inc.last) {
		inc.last = last
	}
	if inc.sig == "" {
		inc.sig = h.signature
	}
	if h.rev != 0 && !containsInt(inc.revs, h.rev) && len(inc.revs) < a.cfg.MaxListed {
		inc.revs = append(inc.revs, h.rev)
	}
	if h.size > inc.size {
		inc.size = h.size
	}
	if inc.rule == "" {
		inc.rule = h.rule
	}
	max, t, o := a.cfg.MaxListed, a.distinct, inc.owner
	inc.filenames.add(h.filename, max, o, roleFilename, t)
	inc.clients.add(h.client, max, o, roleClient, t)
	inc.servers.add(h.server, max, o, roleServer, t)
	inc.sensors.add(h.sensor, max, o, roleSensor, t)
	inc.protos.add(h.proto, max, o, roleProto, t)
	inc.evidence.add(h.evidence, max, o, roleEvidence, t)
	if !a.bySHA || inc.overflow {
		inc.hashes.add(h.sha256, max, o, roleHash, t)
	}
	if inc.fan != nil {
		inc.fan.clients.add(h.client, max, inc.fan.owner, roleFanout, t)
	}
	a.files.add(h.sha256, 0, 0, roleGlobalFile, t)
	a.signatures.add(strconv.Itoa(h.gid)+":"+strconv.Itoa(h.sid), 0, 0, roleGlobalSig, t)
	if hits > 0 {
		si := a.sigFor(h)
		si.hits += hits
		a.tl.addSpread(si.series, first, last, hits)
	}
}

func (a *Aggregator) newIncident() *incident {
	a.nextOwner++
	return &incident{owner: a.nextOwner}
}

// fanSet is the set of clients of one signature and file, shared by the
// incidents of that pair: their fanout.
type fanSet struct {
	owner   uint32
	clients valueSet
}

// fanFor returns the fanout set of a signature and file (nil when that
// table is full). Without sha256 in the key, the file is "" for all: the
// fanout is then the signature's clients whatever the file.
func (a *Aggregator) fanFor(k fanKey) *fanSet {
	if s := a.fanout[k]; s != nil {
		return s
	}
	if len(a.fanout) >= a.cfg.MaxIncidents {
		return nil
	}
	a.nextOwner++
	s := &fanSet{owner: a.nextOwner}
	a.fanout[k] = s
	return s
}

// overflowFor returns h's signature's overflow incident, or the catch-all
// one when too many signatures have one.
func (a *Aggregator) overflowFor(h *hit) *incident {
	sk := sigKey{h.gid, h.sid}
	if inc := a.overflow[sk]; inc != nil {
		return inc
	}
	if len(a.overflow) < a.cfg.MaxSignatures {
		inc := a.newIncident()
		inc.overflow = true
		a.overflow[sk] = inc
		return inc
	}
	if a.catchAll == nil {
		a.catchAll = a.newIncident()
		a.catchAll.overflow = true
		a.catchAll.sig = "(other signatures)"
	}
	return a.catchAll
}

// sigFor returns h's signature's timeline entry; past MaxSignatures new
// signatures share the "other signatures" one.
func (a *Aggregator) sigFor(h *hit) *sigInfo {
	sk := sigKey{h.gid, h.sid}
	if si := a.sigs[sk]; si != nil {
		return si
	}
	if len(a.sigs) >= a.cfg.MaxSignatures {
		sk = sigKey{}
		if si := a.sigs[sk]; si != nil {
			return si
		}
		si := &sigInfo{series: a.tl.addSeries(), name: "other signatures"}
		a.sigs[sk] = si
		return si
	}
	si := &sigInfo{series: a.tl.addSeries(), name: h.signature}
	a.sigs[sk] = si
	return si
}
