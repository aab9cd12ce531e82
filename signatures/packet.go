package signatures

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
	return s.matchWhole(s.pktRules, ctx, -1, payload)
}
