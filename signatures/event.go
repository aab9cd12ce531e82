package signatures

import (
	"fmt"
	"strings"
)

// app-layer-event rules fire on anomalies the protocol parsers raise
// ("smb.file_overlap", "http.multiple_content_length", ...). They have no
// content; the engine evaluates them with MatchEvent when it receives an
// anomaly, instead of with MatchTransaction.

// eventAliases maps anomaly names raised by protocol-independent stages to
// the Suricata event name of the protocol they happened in.
var eventAliases = map[string]map[string]string{
	"file.overlap_different_data": {"smb": "smb.file_overlap"},
	"file.overlap":                {"smb": "smb.file_overlap"},
}

// streamEventNames maps Suricata stream-event names to the anomaly names
// reassembly raises (reassembly/events.go) where the two spell the same
// anomaly differently. Any other stream-event:X matches the anomaly
// "stream.X", so reassembly anomalies named after Suricata's events need no
// entry here.
var streamEventNames = map[string]string{
	"reassembly_overlap_different_data":    "stream.overlap_different_data",
	"est_packet_out_of_window":             "stream.seq_out_of_window",
	"3whs_syn_resend_diff_seq_on_syn_recv": "stream.syn_resend_different_seq",
}

// maxEventName bounds an app-layer-event or stream-event value.
const maxEventName = 128

// streamEvent parses stream-event:<name>. Stream events are anomalies of TCP
// reassembly; the engine evaluates them like app-layer events, in the
// direction of the packet that raised them.
func (p *ruleParser) streamEvent(v string) error {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > maxEventName || strings.ContainsAny(v, " \t\".") {
		return fmt.Errorf("keyword \"stream-event\": bad value %q", truncate(v))
	}
	name, ok := streamEventNames[v]
	if !ok {
		name = "stream." + v
	}
	return p.setEvent("stream-event", name)
}

// setEvent makes the rule an event rule for the anomaly name (keyword kw).
func (p *ruleParser) setEvent(kw, name string) error {
	if p.r.event != "" {
		return fmt.Errorf("more than one app-layer-event or stream-event")
	}
	p.r.event = name
	p.evKw = kw
	p.r.perDirection = true
	p.r.hdrKey += "|event:" + name
	return nil
}

// appLayerEvent parses app-layer-event:<proto>.<name>.
func (p *ruleParser) appLayerEvent(v string) error {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > maxEventName || strings.ContainsAny(v, " \t\"") {
		return fmt.Errorf("keyword \"app-layer-event\": bad value %q", truncate(v))
	}
	proto, _, ok := strings.Cut(v, ".")
	if !ok || proto == "" {
		return unsupported("app-layer-event %q (decoder/stream events)", truncate(v))
	}
	return p.setEvent("app-layer-event", v)
}

// eventAsCondition turns the event of a rule that also inspects content (a
// file, stream or protocol buffer) into a condition: the rule is matched as
// any content rule, and reports only once the anomaly was raised on the
// connection (MatchEvent sets a per-flow bit for it, checked like
// "flowbits:isset"; a file or stream rule whose content completed before
// the anomaly is decided again at End). Suricata attaches the event to the
// transaction; here it holds for the rest of the connection.
func (p *ruleParser) eventAsCondition() {
	r := p.r
	r.flowbits = append(r.flowbits, flowbitOp{op: fbIsset, names: []string{eventFlowbit(r.event)}})
	r.event, r.lateTest, r.perDirection = "", true, false
}

// eventFlowbit names the per-flow bit of an anomaly; the leading space
// keeps it apart from flowbit names, which can't contain one.
func eventFlowbit(name string) string { return " event:" + name }

// MatchEvent evaluates the app-layer-event rules for the anomaly name raised
// in the transaction or flow ctx describes, and records the anomaly in
// ctx.Flow for rules that combine it with content (ctx.Proto is the flow's
// protocol; name is what the parser or file tracker reported). Header, flow
// and direction conditions apply as in MatchTransaction. Like Suricata, an
// event rule without a direction matches in each direction it is evaluated
// for, so the caller evaluates both directions (Rule.PerDirection).
// Matches carry Offset -1. The returned slice is newly allocated.
func (s *Set) MatchEvent(ctx *Context, name string) []Match {
	if name == "" {
		return nil
	}
	if a, ok := eventAliases[name][ctx.Proto]; ok {
		name = a
	}
	if i, ok := s.flowTable[eventFlowbit(name)]; ok {
		ctx.Flow.put(i, true) // for rules with the event and content
	}
	var out []Match
	for _, rid := range s.txRules {
		cr := s.crule(rid)
		if cr.r.event != name {
			continue
		}
		if m, ok := s.txMatch(cr, ctx); ok {
			out = append(out, m)
		}
	}
	return out
}
