package signatures

import "time"

// Packet rules ("alert tcp-pkt ..."): contents evaluated on each TCP
// segment's payload as it arrived, not on the reassembled stream. They hold
// every content condition of a whole buffer (offset, depth, distance,
// within, pcre, isdataat, bsize) and the header and flow conditions; file,
// protocol-buffer and event keywords are not accepted with them.

// finishPacket classifies a tcp-pkt rule: its stream items become the
// packet payload condition.
func (p *ruleParser) finishPacket(items []item) error {
	r := p.r
	if len(p.bufs[fileDataBuf]) > 0 || p.fileKw {
		return unsupported("file keywords on a tcp-pkt rule")
	}
	for _, name := range p.order {
		if name != "" {
			return unsupported("buffer %s on a tcp-pkt rule", name)
		}
	}
	if r.event != "" || r.dce != nil || len(p.absentOrder) > 0 {
		return unsupported("protocol keywords on a tcp-pkt rule")
	}
	if err := validateItems(items, false); err != nil {
		return err
	}
	r.kind = kindPkt
	r.data = items
	r.dataXform = p.xforms[""]
	return nil
}

// HasPacketRules reports whether the set holds tcp-pkt rules, so a caller can
// skip building a Context for every packet when it does not.
func (s *Set) HasPacketRules() bool { return len(s.pktRules) > 0 }

// MatchPacket evaluates the tcp-pkt rules on one TCP segment's payload, for
// the addresses, ports, direction and flowbits in ctx (ctx.Buffers and
// ctx.Filename are ignored). Each rule matches at most once per call, with
// Offset -1, in rule order; flowbit actions of matching rules are applied.
// payload is only read during the call; the returned slice is newly
// allocated (nil when nothing matched).
func (s *Set) MatchPacket(ctx *Context, payload []byte) []Match {
	var out []Match
	for _, rid := range s.pktRules {
		cr := &s.crules[rid]
		var start time.Time
		if ctx.Profile != nil {
			start = time.Now()
		}
		ok := cr.flowOK(ctx.Flow) && s.applies(cr, ctx) && cr.pkt.match(payload)
		if ok {
			cr.flowApply(ctx.Flow)
			out = append(out, Match{Rule: cr.r, Offset: -1, NoAlert: cr.r.noAlert})
		}
		if ctx.Profile != nil {
			ctx.Profile.add(cr.r, 1, ok, start)
		}
	}
	return out
}
