package engine

import (
	"time"

	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/engine/policy"
)

// flushIncidents writes one "incident" event for every aggregated incident
// of p whose window has closed at packet time now (all of them when now is
// zero). An incident that saw a single hit needs no summary: its alert was
// logged. The event carries the signature, the endpoints and, under
// "wirescan", the incident id, count and first/last hit, so a flood of
// identical alerts shows up as one line with its true size.
func (e *Engine) flushIncidents(p *policy.Policy, now time.Time) {
	if p == nil {
		return
	}
	for _, inc := range p.Flush(now) {
		if inc.Count <= 1 {
			continue
		}
		ev := &eve.Event{
			Timestamp: inc.LastSeen,
			EventType: "incident",
			SrcIP:     inc.Src.String(),
			DestIP:    inc.Dst.String(),
			Alert:     &eve.Alert{Action: "allowed", GID: 1, SignatureID: inc.SID},
			Wirescan: &eve.Extra{
				IncidentID:      inc.ID,
				IncidentCount:   inc.Count,
				IncidentFirst:   eve.FormatTime(inc.FirstSeen),
				IncidentLast:    eve.FormatTime(inc.LastSeen),
				IncidentEvicted: inc.Evicted,
			},
		}
		if inc.RuleIndex >= 0 {
			idx := inc.RuleIndex
			ev.Wirescan.PolicyRule = &idx
		}
		if set := e.Rules(); set != nil {
			for _, r := range set.Rules() {
				if r.SID == inc.SID {
					ev.Alert.GID, ev.Alert.Rev, ev.Alert.Signature = r.GID, r.Rev, r.Msg
					ev.Alert.Category, ev.Alert.Severity = classtypeDescription(r.Classtype), r.Priority
					break
				}
			}
		}
		e.out.write(ev)
	}
}
