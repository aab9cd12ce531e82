package engine

import (
	"time"

	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/engine/output/statsevent"
	"github.com/wirescan/wirescan/engine/stats"
)

// EmitStats writes one EVE stats event from the current snapshot, stamped
// with at, or with the last packet's time when at is zero.
func (e *Engine) EmitStats(at time.Time) {
	if !e.out.wants("stats") {
		return
	}
	if at.IsZero() {
		at = time.Unix(0, e.lastTS.Load()).UTC()
	}
	s := e.Snapshot()
	e.out.write(&eve.Event{Timestamp: at, EventType: "stats", Stats: statsevent.Build(s),
		Wirescan: &eve.Extra{Silenced: statsevent.Silenced(&s), Outputs: statsevent.Outputs(&s), FileJoin: fileJoin(&s), XBits: xbitsEvent(&s)}})
}

// xbitsEvent is the stats event's account of the xbits table, nil while it
// never held a bit.
func xbitsEvent(s *stats.Snapshot) *eve.XBits {
	x := s.XBits
	if x.Entries == 0 && x.Evicted == 0 && x.Expired == 0 {
		return nil
	}
	return &eve.XBits{Entries: x.Entries, Limit: x.Limit, Evicted: x.Evicted, Expired: x.Expired}
}

// fileJoin is the stats event's account of the file joiner, nil while it
// joined, dropped and refused nothing.
func fileJoin(s *stats.Snapshot) *eve.FileJoin {
	var fj eve.FileJoin
	for i := range s.Workers {
		f := &s.Workers[i].Files
		fj.Joined += f.Joined
		fj.Parts += f.JoinParts
		fj.ForwardedBytes += f.JoinForwardedBytes
		fj.DroppedBytes += f.JoinDroppedBytes
		fj.Refused += f.JoinRefused
		fj.Evicted += f.JoinEvicted
		fj.Expired += f.JoinExpired
		fj.CandidatesEvicted += f.JoinCandidatesEvicted
	}
	if fj == (eve.FileJoin{}) {
		return nil
	}
	return &fj
}
