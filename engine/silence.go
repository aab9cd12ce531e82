package engine

import (
	"encoding/hex"
	"fmt"
	"maps"

	"github.com/wirescan/wirescan/engine/allowlist"
	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/engine/policy"
	"github.com/wirescan/wirescan/engine/stats"
	"github.com/wirescan/wirescan/engine/threshold"
	"github.com/wirescan/wirescan/signatures"
)

// Silencing: before an alert is logged it passes, in this order, the hash
// allowlist (a known-good file never alerts), the threshold filter
// (threshold.config and the rules' own threshold/detection_filter keywords)
// and the alert policy (suppress, aggregate). Each may hold it back; each
// counts what it held back, per signature, so nothing is silenced
// invisibly (stats events, Prometheus). All three are swapped atomically on
// reload.

// SetThreshold installs the threshold filter; nil installs one with no
// threshold.config, so the rules' own keywords still apply. Counters and
// windows of the filter it replaces carry over.
func (e *Engine) SetThreshold(f *threshold.Filter) error {
	if f == nil {
		var err error
		if f, err = threshold.New(nil, threshold.Options{MaxTracked: e.cfg.ThresholdMaxTracked}); err != nil {
			return fmt.Errorf("engine: %w", err)
		}
	}
	if old := e.threshold.Load(); old != nil {
		f.Carry(old)
	}
	e.threshold.Store(f)
	return nil
}

// SetAllowlist installs the known-good hash list (nil: none); its hit
// count carries over from the list it replaces.
func (e *Engine) SetAllowlist(l *allowlist.List) {
	if old := e.allow.Load(); old != nil && l != nil {
		l.Carry(old)
	}
	e.needDigest(allowlistDigests(l), "the allowlist")
	e.allow.Store(l)
}

// fileDigest is what the silencers know of the file an alert fired on:
// its hashes, once the file ended complete (nil otherwise: a partial
// file's hash is not the file's hash).
type fileDigest struct {
	md5, sha256 []byte
}

func digestOf(f *trackedFile) fileDigest {
	if f == nil || f.State != files.StateClosed || f.Gaps {
		return fileDigest{}
	}
	return fileDigest{md5: f.MD5, sha256: f.SHA256}
}

// holdsForHash reports whether alerts on open files must wait for the
// file's hash: something decides by it.
func (e *Engine) holdsForHash() bool {
	return e.allow.Load() != nil || e.policy.Load().NamesHashes()
}

// admit passes an alert through the silencers and completes ev with what
// they decided (incident id, rate filter action). It returns false when
// the alert must not be logged.
func (w *worker) admit(c *conn, dir app.Direction, ev *eve.Event, r *signatures.Rule, d fileDigest) bool {
	e := w.e
	src, dst := c.endpoints(dir)
	if l := e.allow.Load(); l != nil && len(d.sha256) > 0 && l.Allowed(d.md5, d.sha256) {
		e.alertMu.Lock()
		e.allowlistedBySID[r.SID]++
		e.alertMu.Unlock()
		return false
	}
	if f := e.threshold.Load(); f != nil {
		td := f.Decide(threshold.Alert{GID: r.GID, SID: r.SID, Src: src.Addr(), Dst: dst.Addr(), Flow: c.id, Time: w.now, Rule: r.Threshold})
		if !td.Emit {
			return false
		}
		if td.Action != "" && td.Action != "alert" && td.Action != "log" {
			ev.Wirescan.RateFilterAction = td.Action
		}
	}
	if p := e.policy.Load(); p != nil {
		var sha string
		if len(d.sha256) > 0 {
			sha = hex.EncodeToString(d.sha256)
		}
		pd := p.Decide(policy.Alert{SID: r.SID, SHA256: sha, Src: src.Addr(), Dst: dst.Addr(), Time: w.now})
		if !pd.Emit {
			return false
		}
		if pd.IncidentID != 0 {
			ev.Wirescan.IncidentID = pd.IncidentID
		}
	}
	return true
}

// silencedSnapshot fills the silencers' counters of s.
func (e *Engine) silencedSnapshot(s *stats.Snapshot) {
	if f := e.threshold.Load(); f != nil {
		ts := f.Stats()
		s.Threshold = &ts
	}
	if l := e.allow.Load(); l != nil {
		as := l.Stats()
		s.Allowlist = &as
	}
	e.alertMu.Lock()
	s.AllowlistedBySID = maps.Clone(e.allowlistedBySID)
	e.alertMu.Unlock()
}
