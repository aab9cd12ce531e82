package policy

import (
	"net/netip"
	"sync"
	"time"
)

// Alert is what Decide needs to know about one alert.
type Alert struct {
	// SID is the signature id that fired.
	SID int
	// SHA256 is the lowercase hex SHA-256 of the file the alert fired on; ""
	// when the alert is not on a complete file (stream rules, files still
	// open or truncated). Such an alert never matches an entry with hashes.
	SHA256 string
	// Src and Dst are the endpoints oriented like the alert (source = sender
	// of the bytes that fired). IPv4-mapped IPv6 addresses are unmapped.
	Src, Dst netip.Addr
	// Time is the packet time of the alert.
	Time time.Time
}

// Decision is what to do with one alert.
type Decision struct {
	// Emit is true when the alert should be logged.
	Emit bool
	// Suppressed is true when a suppress entry dropped the alert.
	Suppressed bool
	// RuleIndex is the entry that matched (index into Config.Rules), -1 for none.
	RuleIndex int
	// IncidentID is the incident the alert belongs to; 0 when it was not
	// aggregated.
	IncidentID uint64
	// IncidentCount is the number of hits of the incident so far, this one
	// included (1 for the emitted first hit).
	IncidentCount uint64
	// FirstSeen is the packet time of the incident's first hit.
	FirstSeen time.Time
}

// Stats counts what the policy did since New (or since the policy it
// carried counters from; see Carry).
type Stats struct {
	// Suppressed counts alerts dropped by suppress entries.
	Suppressed uint64
	// Aggregated counts alerts folded into an open incident, not emitted.
	Aggregated uint64
	// Incidents counts incidents opened.
	Incidents uint64
	// Evictions counts incidents closed early because the table was full.
	Evictions uint64
	// SummaryDrops counts closed incidents discarded because Flush was not
	// called often enough (more than MaxIncidents waiting).
	SummaryDrops uint64
	// Open is the number of incidents currently open (a gauge).
	Open int
	// MaxIncidents is the table's limit (a gauge).
	MaxIncidents int
	// BySID counts suppressed alerts per signature id.
	BySID map[int]uint64
	// ByRule counts the alerts each entry matched (suppressed, emitted or
	// aggregated), indexed like Config.Rules.
	ByRule []uint64
}

// Policy decides, for each alert, whether to emit it. It is safe for
// concurrent use: matching reads only immutable entries, and one mutex,
// held for a map lookup and a list move, guards the incident table and the
// counters. Alerts are far rarer than packets, so one lock is enough.
type Policy struct {
	name    string // file name for messages; "" when built in code
	cfg     Config
	entries []entry
	// hashes is set when an entry names file hashes: alerts on open files
	// must then wait for the file's hash before they are decided.
	hashes bool

	mu    sync.Mutex
	inc   table
	stats Stats
}

// entry is a Rule prepared for matching.
type entry struct {
	*Rule
	sids   map[int]bool    // nil: any
	hashes map[string]bool // nil: any
}

// New builds a policy from cfg after validating it. The policy keeps cfg's
// rules; the caller must not change them afterwards.
func New(cfg Config) (*Policy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxIncidents == 0 {
		cfg.MaxIncidents = DefaultMaxIncidents
	}
	p := &Policy{cfg: cfg, entries: make([]entry, len(cfg.Rules))}
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		e := entry{Rule: r}
		if len(r.SIDs) > 0 {
			e.sids = make(map[int]bool, len(r.SIDs))
			for _, s := range r.SIDs {
				e.sids[s] = true
			}
		}
		if len(r.SHA256) > 0 {
			p.hashes = true
			e.hashes = make(map[string]bool, len(r.SHA256))
			for _, h := range r.SHA256 {
				e.hashes[h] = true
			}
		}
		p.entries[i] = e
	}
	p.stats = Stats{MaxIncidents: cfg.MaxIncidents, BySID: map[int]uint64{}, ByRule: make([]uint64, len(cfg.Rules))}
	p.inc.init(cfg.MaxIncidents, &p.stats)
	return p, nil
}

// Config returns the policy's configuration (defaults filled in). The
// returned value shares the rules with the policy; don't modify them.
func (p *Policy) Config() Config { return p.cfg }

// Decide applies the first entry that matches a (ignoring entries expired at
// a.Time) and returns what to do with the alert.
func (p *Policy) Decide(a Alert) Decision {
	a.Src, a.Dst = a.Src.Unmap(), a.Dst.Unmap()
	idx := p.match(&a)
	window := p.cfg.DefaultAggregate
	if idx >= 0 {
		window = p.entries[idx].Window
	}
	d := Decision{Emit: true, RuleIndex: idx}
	if idx < 0 && window <= 0 {
		return d
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if idx >= 0 {
		p.stats.ByRule[idx]++
		if p.entries[idx].Action == ActionSuppress {
			p.stats.Suppressed++
			p.stats.BySID[a.SID]++
			return Decision{Suppressed: true, RuleIndex: idx}
		}
	}
	in, opened := p.inc.hit(key{rule: idx, sid: a.SID, sha256: a.SHA256, src: a.Src, dst: a.Dst}, a.Time, window)
	if opened {
		p.stats.Incidents++
	} else {
		p.stats.Aggregated++
		d.Emit = false
	}
	d.IncidentID, d.IncidentCount, d.FirstSeen = in.ID, in.Count, in.FirstSeen
	return d
}

// match returns the index of the first entry that matches a, or -1.
func (p *Policy) match(a *Alert) int {
	for i := range p.entries {
		if p.entries[i].matches(a) {
			return i
		}
	}
	return -1
}

func (e *entry) matches(a *Alert) bool {
	if !e.Expires.IsZero() && !a.Time.Before(e.Expires) {
		return false
	}
	if e.sids != nil && !e.sids[a.SID] {
		return false
	}
	if e.hashes != nil && (a.SHA256 == "" || !e.hashes[a.SHA256]) {
		return false
	}
	if len(e.Hosts) > 0 && !inAny(e.Hosts, a.Src) && !inAny(e.Hosts, a.Dst) {
		return false
	}
	if len(e.SrcHosts) > 0 && !inAny(e.SrcHosts, a.Src) {
		return false
	}
	return len(e.DstHosts) == 0 || inAny(e.DstHosts, a.Dst)
}

func inAny(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Flush closes the incidents whose window ended before now (packet time) and
// returns them with those closed earlier (evicted, or superseded by a new
// incident for the same alert), ordered by ID. A zero now closes every
// incident, for shutdown and reload. The caller owns the returned slice.
func (p *Policy) Flush(now time.Time) []Incident {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.inc.flush(now)
}

// Stats returns a copy of the counters.
func (p *Policy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Open = p.inc.open()
	s.BySID = make(map[int]uint64, len(p.stats.BySID))
	for k, v := range p.stats.BySID {
		s.BySID[k] = v
	}
	s.ByRule = append([]uint64(nil), p.stats.ByRule...)
	return s
}

// Carry continues prev in p after a reload: incident IDs keep counting from
// where prev stopped (so they stay unique in the log) and the cumulative
// counters (all but ByRule, whose entries changed) carry over, so metrics
// stay monotonic. Call it before p is used, after prev.Flush(time.Time{}).
func (p *Policy) Carry(prev *Policy) {
	prev.mu.Lock()
	s, next := prev.stats, prev.inc.nextID
	bySID := make(map[int]uint64, len(s.BySID))
	for k, v := range s.BySID {
		bySID[k] = v
	}
	prev.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inc.nextID = max(p.inc.nextID, next)
	p.stats.Suppressed += s.Suppressed
	p.stats.Aggregated += s.Aggregated
	p.stats.Incidents += s.Incidents
	p.stats.Evictions += s.Evictions
	p.stats.SummaryDrops += s.SummaryDrops
	for k, v := range bySID {
		p.stats.BySID[k] += v
	}
}

// NamesHashes reports whether an entry names file hashes, so the caller
// knows to decide alerts on open files only once their hash is known. It is
// false for a nil policy.
func (p *Policy) NamesHashes() bool { return p != nil && p.hashes }
