package threshold

import (
	"fmt"

	"github.com/wirescan/wirescan/signatures/thresholdspec"
)

// Check lists problems that don't stop the file from loading, one
// "FILE:LINE: message" line each, for `wirescan policy check`:
// suppressions that silence a whole signature (or every signature),
// ip lists that match every address, entries for another generator than
// wirescan's rules use, entries that can never apply because another one
// takes precedence, duplicates, and rate filter actions a passive sensor
// can only report.
func (c *Config) Check() []string {
	var out []string
	say := func(e *Entry, format string, args ...any) {
		out = append(out, e.Where()+": "+fmt.Sprintf(format, args...))
	}
	seen := map[string]*Entry{}
	lastThreshold := map[gs]*Entry{}
	for i := range c.Entries {
		e := &c.Entries[i]
		if prev, dup := seen[e.String()]; dup {
			say(e, "duplicates %s", prev.Where())
			continue
		}
		seen[e.String()] = e
		if e.GID > 1 {
			say(e, "gen_id %d: wirescan rules have gen_id 1 unless they set gid:%d, so this entry applies only to such rules", e.GID, e.GID)
		}
		switch e.Kind {
		case Suppress:
			c.checkSuppress(e, i, say)
		case Threshold:
			if e.SID != 0 {
				if prev := lastThreshold[gs{e.GID, e.SID}]; prev != nil {
					say(prev, "never applies: %s sets the threshold of the same signature (the last one wins)", e.Where())
				}
				lastThreshold[gs{e.GID, e.SID}] = e
			}
		case RateFilter:
			switch e.NewAction {
			case ActionDrop, ActionReject, ActionSdrop:
				say(e, "new_action %s: wirescan is a passive sensor and blocks nothing; the alerts are logged with the action named (use pass to silence them)", e.NewAction)
			}
		}
		if e.Kind != Suppress && e.SID == 0 {
			for j := range i {
				w := &c.Entries[j]
				if w.Kind != Suppress && w.SID == 0 && (w.GID == 0 || w.GID == e.GID) {
					say(e, "never applies: the wildcard at %s comes first and covers the same signatures (the first wildcard wins)", w.Where())
					break
				}
			}
		}
	}
	return out
}

// checkSuppress warns about broad or redundant suppression i.
func (c *Config) checkSuppress(e *Entry, i int, say func(*Entry, string, ...any)) {
	for j := range i {
		w := &c.Entries[j]
		if w.Kind == Suppress && w.Spec.Track == thresholdspec.TrackNone && covers(w, e) {
			say(e, "never applies: %s already silences these signatures for every address", w.Where())
			return
		}
	}
	if e.Spec.Track == thresholdspec.TrackNone || e.Addrs.IsAny() {
		what := fmt.Sprintf("signature %d:%d", e.GID, e.SID)
		switch {
		case e.GID == 0:
			what = "every signature"
		case e.SID == 0:
			what = fmt.Sprintf("every signature of gen_id %d", e.GID)
		}
		say(e, "silences %s for every address, real attacks included; name a track and an ip list if you can", what)
	}
}

// covers reports whether the selector of a includes that of b.
func covers(a, b *Entry) bool {
	switch {
	case a.GID == 0 && a.SID == 0:
		return true
	case a.SID == 0:
		return a.GID == b.GID
	}
	return a.GID == b.GID && a.SID == b.SID
}
