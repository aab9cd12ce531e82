package signatures

import (
	"fmt"
	"strings"
)

// Flowbits (Suricata "flowbits" and "noalert"): named per-flow booleans that
// rules set, unset, toggle and test. Names are interned when a Set is compiled,
// so a FlowState is a small bitset. Conditions (isset, isnotset) are checked
// when a rule would otherwise match: for transaction rules when they are
// evaluated, for file and stream rules when their content completes (or at End).
// Actions (set, unset, toggle) happen when the rule matches, before later rules
// of the same MatchTransaction call are evaluated: rules that only set run
// first, then rules that set and test, then the rest, as Suricata orders them.
//
// Because the engine reports an HTTP transaction only when its response is
// complete, transaction rules that set or unset flowbits (and do not toggle)
// are also evaluated when a file of the transaction starts (NewScanner with
// Context.Buffers and Context.Flow), so the response body's rules see bits set
// by request-side rules, as in Suricata where the request is inspected first.

// Limits on flowbits.
const (
	maxFlowbitOps  = 32  // flowbits keywords per rule
	maxFlowbitName = 128 // bytes per name
	maxFlowbits    = 1 << 16
)

// Flowbit operations.
const (
	fbSet byte = iota
	fbUnset
	fbToggle
	fbIsset
	fbIsnotset
)

// bitOps maps the operation words of flowbits and xbits to their codes.
var bitOps = map[string]byte{"set": fbSet, "unset": fbUnset, "toggle": fbToggle, "isset": fbIsset, "isnotset": fbIsnotset}

// flowbitOp is one flowbits keyword as parsed: names joined by '|' (any, for
// tests) or '&' (all).
type flowbitOp struct {
	op    byte
	names []string
	any   bool // '|': one of the names
	dir   bool // two names: the bit of the scanned direction (to server, to client); implicit ops only
}

// cflowbit is a flowbitOp with interned names.
type cflowbit struct {
	op   byte
	bits []int
	any  bool
	dir  bool // bits[0] to server, bits[1] to client: the one of the direction applies
}

// dirBits returns the bits an op applies to in a direction.
func (o *cflowbit) dirBits(toServer bool) []int {
	switch {
	case !o.dir:
		return o.bits
	case toServer:
		return o.bits[:1]
	}
	return o.bits[1:2]
}

// FlowState holds one flow's flowbits. The zero value and nil are "no bit
// set". It belongs to one connection and is used from one goroutine.
type FlowState struct {
	bits []uint64
}

// NewFlowState returns an empty FlowState for a new connection.
func NewFlowState() *FlowState { return &FlowState{} }

// isSet reports whether bit i is set.
func (f *FlowState) isSet(i int) bool {
	if f == nil || i>>6 >= len(f.bits) {
		return false
	}
	return f.bits[i>>6]&(1<<(i&63)) != 0
}

// put sets or clears bit i.
func (f *FlowState) put(i int, v bool) {
	if f == nil {
		return
	}
	for i>>6 >= len(f.bits) {
		f.bits = append(f.bits, 0)
	}
	if v {
		f.bits[i>>6] |= 1 << (i & 63)
	} else {
		f.bits[i>>6] &^= 1 << (i & 63)
	}
}

// flowbits parses flowbits:<op>[,<names>].
func (p *ruleParser) flowbits(v string) error {
	r := p.r
	if len(r.flowbits) >= maxFlowbitOps {
		return fmt.Errorf("more than %d flowbits keywords: %w", maxFlowbitOps, ErrLimit)
	}
	op, names, hasNames := strings.Cut(strings.TrimSpace(v), ",")
	op = strings.TrimSpace(op)
	if op == "noalert" {
		if hasNames {
			return fmt.Errorf("keyword \"flowbits\": noalert takes no name")
		}
		r.noAlert = true
		return nil
	}
	code, ok := bitOps[op]
	if !ok {
		return fmt.Errorf("keyword \"flowbits\": unknown operation %q", truncate(op))
	}
	fo := flowbitOp{op: code}
	names = strings.TrimSpace(names)
	if !hasNames || names == "" {
		return fmt.Errorf("keyword \"flowbits\": %s needs a name", op)
	}
	sep := "&"
	if strings.Contains(names, "|") {
		if strings.Contains(names, "&") {
			return fmt.Errorf("keyword \"flowbits\": mixed '|' and '&' in %q", truncate(names))
		}
		if fo.op != fbIsset && fo.op != fbIsnotset {
			return fmt.Errorf("keyword \"flowbits\": '|' only with isset/isnotset")
		}
		sep, fo.any = "|", true
	}
	for _, n := range strings.Split(names, sep) {
		n = strings.TrimSpace(n)
		if n == "" || len(n) > maxFlowbitName || strings.ContainsAny(n, " \t\",;") {
			return fmt.Errorf("keyword \"flowbits\": bad name %q", truncate(n))
		}
		fo.names = append(fo.names, n)
	}
	r.flowbits = append(r.flowbits, fo)
	return nil
}

// flowbitTable interns flowbit names for one Set (and its transform sub-sets).
type flowbitTable map[string]int

// compileFlowbits interns a rule's flowbit names.
func (t flowbitTable) compile(ops []flowbitOp) ([]cflowbit, error) {
	var out []cflowbit
	for _, o := range ops {
		c := cflowbit{op: o.op, any: o.any, dir: o.dir}
		for _, n := range o.names {
			i, ok := t[n]
			if !ok {
				if len(t) >= maxFlowbits {
					return nil, fmt.Errorf("more than %d flowbit names: %w", maxFlowbits, ErrLimit)
				}
				i = len(t)
				t[n] = i
			}
			c.bits = append(c.bits, i)
		}
		out = append(out, c)
	}
	return out, nil
}

// flowClass orders transaction rules: 0 only sets, 1 sets and tests, 2 other
// (flowbits and xbits alike).
func flowClass(cr *crule) int {
	act, test := false, false
	for _, op := range bitOpCodes(cr) {
		act = act || op <= fbToggle
		test = test || op > fbToggle
	}
	switch {
	case act && !test:
		return 0
	case act:
		return 1
	}
	return 2
}

// flowOK reports whether the rule's flowbit tests hold in f for bytes
// travelling in the given direction.
func (cr *crule) flowOK(f *FlowState, toServer bool) bool {
	for i := range cr.fbits {
		o := &cr.fbits[i]
		if o.op < fbIsset {
			continue
		}
		want := o.op == fbIsset
		hit := !o.any
		for _, b := range o.dirBits(toServer) {
			if o.any {
				if f.isSet(b) == want {
					hit = true
					break
				}
			} else if f.isSet(b) != want {
				hit = false
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// flowApply performs the rule's flowbit actions on f, for bytes travelling
// in the given direction.
func (cr *crule) flowApply(f *FlowState, toServer bool) {
	for i := range cr.fbits {
		o := &cr.fbits[i]
		for _, b := range o.dirBits(toServer) {
			switch o.op {
			case fbSet:
				f.put(b, true)
			case fbUnset:
				f.put(b, false)
			case fbToggle:
				f.put(b, !f.isSet(b))
			}
		}
	}
}

// hasAction reports whether the rule sets, unsets or toggles a flowbit or
// xbit; toggle reports whether any action is a toggle.
func hasAction(cr *crule) (action, toggle bool) {
	for _, op := range bitOpCodes(cr) {
		action = action || op <= fbToggle
		toggle = toggle || op == fbToggle
	}
	return action, toggle
}

// bitOpCodes lists the operations of the rule's flowbits and xbits
// keywords (at compile time).
func bitOpCodes(cr *crule) []byte {
	var ops []byte
	for _, o := range cr.fbits {
		ops = append(ops, o.op)
	}
	for _, o := range cr.xbits {
		ops = append(ops, o.op)
	}
	return ops
}

// presetFlowbits evaluates, for a file starting in a transaction, the
// transaction rules that set or unset flowbits or xbits, in both directions, and
// applies their actions (see the package comment on flowbits). No Match is
// produced: MatchTransaction reports those rules when the transaction ends.
func (s *Set) presetFlowbits(ctx *Context) {
	if ctx.Flow == nil && ctx.XBits == nil || ctx.Buffers == nil || len(s.flowSetters) == 0 {
		return
	}
	rev := *ctx
	rev.ToServer = !ctx.ToServer
	rev.SrcIP, rev.DstIP, rev.SrcPort, rev.DstPort = ctx.DstIP, ctx.SrcIP, ctx.DstPort, ctx.SrcPort
	for _, c := range []*Context{ctx, &rev} {
		env := envOf(c)
		for _, rid := range s.flowSetters {
			cr := s.crule(rid)
			if cr.bitsOK(&env) && s.applies(cr, c) {
				cr.bitsApply(&env)
			}
		}
	}
}
