package threshold

import (
	"fmt"
	"math"
	"net/netip"
	"sync"
	"time"

	"github.com/wirescan/wirescan/signatures/thresholdspec"
)

// DefaultMaxTracked is Options.MaxTracked when it is 0.
const DefaultMaxTracked = 65536

// Options are a Filter's limits.
type Options struct {
	// MaxTracked bounds the counters held (one per limiter, signature and
	// tracked address, address pair or flow); when full, the least recently
	// hit counter is dropped, and counted in Stats.Evictions. 0 means
	// DefaultMaxTracked.
	MaxTracked int
}

// Validate reports a negative limit.
func (o Options) Validate() error {
	if o.MaxTracked < 0 || o.MaxTracked > math.MaxInt32 {
		return fmt.Errorf("threshold: max tracked must be from 0 (default) to %d, got %d", math.MaxInt32, o.MaxTracked)
	}
	return nil
}

// Alert is what Decide needs to know about one alert.
type Alert struct {
	// GID and SID identify the signature (GID is 1 unless the rule sets gid).
	GID, SID int
	// Src and Dst are the alert's endpoints (source = sender of the bytes
	// that fired). IPv4-mapped IPv6 addresses match as IPv4.
	Src, Dst netip.Addr
	// Flow identifies the alert's flow, for track by_flow.
	Flow uint64
	// Time is the packet time of the alert; counting windows are measured
	// in packet time only, so replays decide the same way every time.
	Time time.Time
	// Rule is the signature's own threshold: or detection_filter: keyword
	// (signatures.Rule.Threshold), nil when it has none.
	Rule *thresholdspec.Spec
}

// Reason says which mechanism decided an alert.
type Reason uint8

// Reasons.
const (
	// ReasonNone: no suppression, threshold or active rate filter applied.
	ReasonNone Reason = iota
	// Suppressed: a suppress entry silenced the alert.
	Suppressed
	// Thresholded: a threshold (entry or the rule's keyword) held the alert
	// back.
	Thresholded
	// RateFiltered: a rate_filter's new action is in effect.
	RateFiltered
)

var reasonNames = [...]string{ReasonNone: "", Suppressed: "suppressed", Thresholded: "thresholded", RateFiltered: "rate_filtered"}

// String names the reason ("rate_filtered"; "" for ReasonNone).
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", r)
}

// RuleEntry is Decision.Entry when the rule's own threshold: or
// detection_filter: keyword decided (the alert names the rule's file and
// line already).
const RuleEntry = "rule"

// Decision is what to do with one alert.
type Decision struct {
	// Emit is true when the alert should be logged.
	Emit bool
	// Reason says what decided; ReasonNone when nothing applied (Emit true).
	Reason Reason
	// Action is the new_action of the rate filter in effect ("alert",
	// "drop", "pass", "reject", "sdrop", "log"), "" when none is. wirescan
	// never blocks traffic: with drop, sdrop or reject the alert is emitted
	// and carries the action; with pass it is not emitted.
	Action string
	// Entry is "FILE:LINE" of the entry that decided, RuleEntry for the
	// rule's keyword, "" when nothing did. The string is shared; don't
	// modify it.
	Entry string
}

// SIDCounts are the alerts of one signature each mechanism decided.
type SIDCounts struct {
	Suppressed, Thresholded, RateFiltered uint64
}

// Stats counts what a Filter did since New (or since the filter it carried
// counters from; see Carry).
type Stats struct {
	// Suppressed counts alerts silenced by suppress entries.
	Suppressed uint64
	// Thresholded counts alerts held back by thresholds (entries and rule
	// keywords).
	Thresholded uint64
	// RateFiltered counts alerts decided while a rate filter's new action
	// was in effect; RatePassed those of them not emitted (new_action pass).
	RateFiltered, RatePassed uint64
	// Evictions counts counters dropped because the table was full.
	Evictions uint64
	// Tracked is the number of counters held (a gauge); MaxTracked its
	// limit.
	Tracked, MaxTracked int
	// BySID splits the counts by signature id.
	BySID map[int]SIDCounts
	// ByEntry counts the alerts each entry decided, indexed like
	// Config.Entries.
	ByEntry []uint64
}

// gs is a signature selector; sid 0 (and gid 0) are wildcards.
type gs struct{ gid, sid uint32 }

// Filter applies a threshold.config and the rules' own threshold keywords
// to alerts. It is safe for concurrent use: matching reads immutable
// indexes without locking; one mutex, held for a map lookup or two and a
// list move, guards the counters. Alerts are far rarer than packets.
type Filter struct {
	cfg   *Config
	where []string // Entries[i].Where(), precomputed so Decide never allocates

	suppress   map[gs][]int32 // suppress entries by exact, (gid, 0) and (0, 0) selector
	thresholds map[gs]int32   // the last exact threshold/event_filter entry per signature
	rates      map[gs][]int32 // exact rate_filter entries per signature
	wild       []int32        // threshold, event_filter and rate_filter entries with sig_id 0, in file order
	self       [][]int32      // self[i] is []int32{i}, so a wildcard rate filter needs no allocation

	mu    sync.Mutex
	table table
	stats Stats
}

// New builds a Filter over cfg (nil: no threshold.config, only the rules'
// own keywords apply). The filter keeps cfg; don't modify it afterwards.
func New(cfg *Config, opts Options) (*Filter, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.MaxTracked == 0 {
		opts.MaxTracked = DefaultMaxTracked
	}
	if cfg == nil {
		cfg = &Config{}
	}
	f := &Filter{
		cfg:        cfg,
		where:      make([]string, len(cfg.Entries)),
		suppress:   map[gs][]int32{},
		thresholds: map[gs]int32{},
		rates:      map[gs][]int32{},
		self:       make([][]int32, len(cfg.Entries)),
		table:      newTable(opts.MaxTracked),
	}
	for i := range cfg.Entries {
		e := &cfg.Entries[i]
		k, n := gs{e.GID, e.SID}, int32(i)
		f.where[i] = e.Where()
		f.self[i] = []int32{n}
		switch {
		case e.Kind == Suppress:
			f.suppress[k] = append(f.suppress[k], n)
		case e.SID == 0:
			f.wild = append(f.wild, n)
		case e.Kind == Threshold:
			f.thresholds[k] = n // a later entry for the signature replaces an earlier one
		case e.Kind == RateFilter:
			f.rates[k] = append(f.rates[k], n)
		}
	}
	f.stats = Stats{MaxTracked: opts.MaxTracked, BySID: map[int]SIDCounts{}, ByEntry: make([]uint64, len(cfg.Entries))}
	return f, nil
}

// Config returns the filter's configuration (shared; don't modify it).
func (f *Filter) Config() *Config { return f.cfg }

// Decide applies, in order, the suppressions, the threshold and the rate
// filters that select the alert's signature, at the alert's packet time;
// see the package documentation for which ones apply. It allocates nothing
// once the counter table has grown.
func (f *Filter) Decide(a Alert) Decision {
	a.Src, a.Dst = a.Src.Unmap(), a.Dst.Unmap()
	k := gs{uint32(a.GID), uint32(a.SID)}
	if i := f.suppressedBy(k, &a); i >= 0 {
		f.mu.Lock()
		f.stats.Suppressed++
		f.count(a.SID, i, func(c *SIDCounts) { c.Suppressed++ })
		f.mu.Unlock()
		return Decision{Reason: Suppressed, Entry: f.where[i]}
	}
	th, thEntry := a.Rule, int32(-1)
	var rates []int32
	if i, ok := f.thresholds[k]; ok {
		th, thEntry = &f.cfg.Entries[i].Spec, i
	}
	if a.Rule == nil {
		rates = f.rates[k]
		if thEntry < 0 && len(rates) == 0 {
			if i := f.wildcard(k.gid); i >= 0 {
				if e := &f.cfg.Entries[i]; e.Kind == Threshold {
					th, thEntry = &e.Spec, i
				} else {
					rates = f.self[i]
				}
			}
		}
	}
	if th == nil && len(rates) == 0 {
		return Decision{Emit: true}
	}
	t := unixNano(a.Time)
	f.mu.Lock()
	defer f.mu.Unlock()
	if th != nil {
		st, fresh := f.table.get(makeKey(0, th.Track, &a))
		if !hit(th, st, fresh, t) {
			f.stats.Thresholded++
			f.count(a.SID, thEntry, func(c *SIDCounts) { c.Thresholded++ })
			return Decision{Reason: Thresholded, Entry: f.entryName(thEntry)}
		}
	}
	d := Decision{Emit: true}
	active := int32(-1)
	for _, i := range rates {
		e := &f.cfg.Entries[i]
		st, fresh := f.table.get(makeKey(uint32(i)+1, e.Spec.Track, &a))
		if rateHit(e, st, fresh, t) {
			active = i // as in Suricata, the last filter in effect sets the action
		}
	}
	if active >= 0 {
		e := &f.cfg.Entries[active]
		d = Decision{Emit: e.NewAction != ActionPass, Reason: RateFiltered, Action: e.NewAction, Entry: f.where[active]}
		f.stats.RateFiltered++
		if !d.Emit {
			f.stats.RatePassed++
		}
		f.count(a.SID, active, func(c *SIDCounts) { c.RateFiltered++ })
	}
	return d
}

// suppressedBy returns the suppress entry that silences a, or -1: the
// exact selector's entries first, then (gid, 0), then (0, 0), each in file
// order.
func (f *Filter) suppressedBy(k gs, a *Alert) int32 {
	if len(f.suppress) == 0 {
		return -1
	}
	sels := [3]gs{k, {k.gid, 0}, {}}
	for j, sel := range sels {
		if j > 0 && sel == sels[j-1] {
			continue // the alert's own ids are a wildcard already
		}
		for _, i := range f.suppress[sel] {
			if f.cfg.Entries[i].suppresses(a) {
				return i
			}
		}
	}
	return -1
}

// suppresses reports whether suppress entry e matches a's addresses.
func (e *Entry) suppresses(a *Alert) bool {
	switch e.Spec.Track {
	case thresholdspec.BySrc:
		return e.Addrs.Contains(a.Src)
	case thresholdspec.ByDst:
		return e.Addrs.Contains(a.Dst)
	case thresholdspec.ByEither:
		return e.Addrs.Contains(a.Src) || e.Addrs.Contains(a.Dst)
	}
	return true // no track: the whole signature
}

// wildcard returns the first sig_id 0 entry whose gen_id is 0 or gid, -1
// for none.
func (f *Filter) wildcard(gid uint32) int32 {
	for _, i := range f.wild {
		if g := f.cfg.Entries[i].GID; g == 0 || g == gid {
			return i
		}
	}
	return -1
}

// count adds one to the counts of sid (via inc) and of entry i (-1: the
// rule's keyword). Called with mu held.
func (f *Filter) count(sid int, i int32, inc func(*SIDCounts)) {
	c := f.stats.BySID[sid]
	inc(&c)
	f.stats.BySID[sid] = c
	if i >= 0 {
		f.stats.ByEntry[i]++
	}
}

func (f *Filter) entryName(i int32) string {
	if i < 0 {
		return RuleEntry
	}
	return f.where[i]
}

// unixNano is t in Unix nanoseconds, 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Stats returns a copy of the counters.
func (f *Filter) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.Evictions += f.table.evictions
	s.Tracked = f.table.len()
	s.BySID = make(map[int]SIDCounts, len(f.stats.BySID))
	for k, v := range f.stats.BySID {
		s.BySID[k] = v
	}
	s.ByEntry = append([]uint64(nil), f.stats.ByEntry...)
	return s
}

// Carry continues prev in f after a reload: the cumulative counters (all
// but ByEntry, whose entries changed) carry over so metrics stay monotonic,
// and so do the threshold counters (not the rate filters', which belong to
// entries that may have changed), so a reload does not restart every
// limit's window. Call it before f is used.
func (f *Filter) Carry(prev *Filter) {
	if prev == nil || prev == f {
		return
	}
	prev.mu.Lock()
	s := prev.stats
	s.Evictions += prev.table.evictions
	bySID := make(map[int]SIDCounts, len(s.BySID))
	for k, v := range s.BySID {
		bySID[k] = v
	}
	type kv struct {
		k key
		s state
	}
	var kept []kv
	prev.table.each(func(k key, st state) {
		if k.slot == 0 {
			kept = append(kept, kv{k, st})
		}
	})
	prev.mu.Unlock()

	f.mu.Lock()
	defer f.mu.Unlock()
	f.stats.Suppressed += s.Suppressed
	f.stats.Thresholded += s.Thresholded
	f.stats.RateFiltered += s.RateFiltered
	f.stats.RatePassed += s.RatePassed
	f.stats.Evictions += s.Evictions
	for k, v := range bySID {
		c := f.stats.BySID[k]
		c.Suppressed += v.Suppressed
		c.Thresholded += v.Thresholded
		c.RateFiltered += v.RateFiltered
		f.stats.BySID[k] = c
	}
	for _, x := range kept { // oldest first, so recency order is kept
		st, _ := f.table.get(x.k)
		*st = x.s
	}
	f.table.evictions = 0 // evictions while carrying are not the traffic's
}
