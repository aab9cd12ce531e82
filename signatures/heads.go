package signatures

// Rule group heads: what NewScanner consults instead of every group.
//
// A group (rules sharing every condition decided at NewScanner time) is
// static when those conditions depend only on the rule's kind, protocol,
// flow direction and establishment: its header is "any any -> any any" and it
// has no protocol-buffer, file-name or DCERPC condition. For each kind and
// each context class (protocol class, direction, established) compile time
// records which static groups apply, as a bitset shared by every Scanner of
// that class. The other (dynamic) groups of a kind sit behind a litFilter
// over their buffer and file-name conditions: NewScanner evaluates only the
// dynamic groups whose needed literal occurs in the context's buffers, and
// those without one. A set of plain file_data rules therefore costs one
// lookup per file however many rules it has, and buffer conditions cost what
// the buffers and their hits cost, as Suricata's signature group heads and
// fast patterns do.

// Protocol classes of a context: the protocols some rule restricts to.
const (
	protoOther = iota
	protoHTTP
	protoSMB
	protoDCERPC
	numProtoClasses
)

// protoClass returns the class of a context protocol.
func protoClass(p string) int {
	switch p {
	case "http":
		return protoHTTP
	case "smb":
		return protoSMB
	case "dcerpc":
		return protoDCERPC
	}
	return protoOther
}

// classProto is a protocol name of each class, for evaluating static groups.
var classProto = [numProtoClasses]string{"", "http", "smb", "dcerpc"}

// head is the static groups one context class can use.
type head struct {
	static []uint64 // bitset over group ids: static groups that apply
	any    bool     // some static group applies
}

// dynGroups are the dynamic groups of one scanner kind and the filter over
// their representatives' buffer conditions.
type dynGroups struct {
	groups []int32
	filter litFilter
}

// heads indexes head by scanner kind (0 file, 1 stream), protocol class,
// direction and establishment.
type heads [2][numProtoClasses][2][2]head

// headOf returns the head of a Scanner context.
func (s *Set) headOf(rk ruleKind, ctx *Context) *head {
	return &s.heads[rk-kindFile][protoClass(ctx.Proto)][b2i(ctx.ToServer)][b2i(ctx.Established)]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// staticGroup reports whether the conditions of group rep are decided by the
// context class alone.
func staticGroup(cr *crule) bool {
	r := cr.r
	h := &r.hdr
	all := func(any, neg bool) bool { return any && !neg }
	return all(h.src.any, h.src.neg) && all(h.dst.any, h.dst.neg) && all(h.sport.any, h.sport.neg) &&
		all(h.dport.any, h.dport.neg) && len(cr.bufs) == 0 && r.dce == nil
}

// buildHeads computes the heads and dynamic groups of s from its groups.
func (s *Set) buildHeads(opts Options) error {
	words := (len(s.groups) + 63) / 64
	for ki, rk := range []ruleKind{kindFile, kindStream} {
		d := &s.dyn[ki]
		for _, g := range s.byKind[rk] {
			if !staticGroup(s.crule(s.groups[g].rep)) {
				d.groups = append(d.groups, g)
			}
		}
		var err error
		d.filter, err = buildLitFilter(len(d.groups), func(p int) *crule { return s.crule(s.groups[d.groups[p]].rep) }, opts)
		if err != nil {
			return err
		}
		for pc := range numProtoClasses {
			for dir := range 2 {
				for est := range 2 {
					h := &s.heads[ki][pc][dir][est]
					ctx := &Context{Proto: classProto[pc], ToServer: dir == 1, Established: est == 1}
					for _, g := range s.byKind[rk] {
						cr := s.crule(s.groups[g].rep)
						if staticGroup(cr) && s.applies(cr, ctx) {
							if h.static == nil {
								h.static = make([]uint64, words)
							}
							h.static[g>>6] |= 1 << (g & 63)
							h.any = true
						}
					}
				}
			}
		}
	}
	return nil
}

// staticPartApplies checks the conditions of cr that depend only on the
// context class (protocol, direction, establishment).
func (s *Set) staticPartApplies(cr *crule, ctx *Context) bool {
	r := cr.r
	if (r.Proto == "http" || r.Proto == "smb") && ctx.Proto != r.Proto {
		return false
	}
	if r.Proto == "dcerpc" && ctx.Proto != "dcerpc" && ctx.Proto != "smb" {
		return false
	}
	if r.flow.toServer && !ctx.ToServer || r.flow.toClient && ctx.ToServer {
		return false
	}
	if r.flow.established && !ctx.Established {
		return false
	}
	return !(r.dirTo == 1 && !ctx.ToServer || r.dirTo == -1 && ctx.ToServer)
}

// groupOK reports whether group g applies to the Scanner.
func (sc *Scanner) groupOK(g int32) bool {
	if sc.gs != nil && sc.gs.static[g>>6]&(1<<(g&63)) != 0 {
		return true
	}
	return sc.x != nil && sc.x.gd != nil && sc.x.gd[g>>6]&(1<<(g&63)) != 0
}
