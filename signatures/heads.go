package signatures

// Rule group heads: what NewScanner consults instead of every group.
//
// A group (rules sharing every condition decided at NewScanner time) is
// static when those conditions depend only on the rule's kind, protocol,
// flow direction and establishment: its header is "any any -> any any" and it
// has no protocol-buffer, file-name or DCERPC condition. For each kind and
// each context class (protocol class, direction, established) compile time
// records which static groups apply, as a bitset shared by every Scanner of
// that class, and lists the dynamic groups whose static part passes, which
// NewScanner evaluates one by one. A set of plain file_data rules therefore
// costs one lookup per file however many rules it has, as Suricata's
// signature group heads do by protocol, direction and port.

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

// head is the groups one context class can use.
type head struct {
	static []uint64 // bitset over group ids: static groups that apply
	any    bool     // some static group applies
	dyn    []int32  // dynamic groups whose static part applies, evaluated per Scanner
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

// buildHeads computes the heads of s from its groups.
func (s *Set) buildHeads() {
	words := (len(s.groups) + 63) / 64
	for ki, rk := range []ruleKind{kindFile, kindStream} {
		for pc := range numProtoClasses {
			for dir := range 2 {
				for est := range 2 {
					h := &s.heads[ki][pc][dir][est]
					ctx := &Context{Proto: classProto[pc], ToServer: dir == 1, Established: est == 1}
					for _, g := range s.byKind[rk] {
						cr := s.crule(s.groups[g].rep)
						if !staticGroup(cr) {
							if s.staticPartApplies(cr, ctx) {
								h.dyn = append(h.dyn, g)
							}
							continue
						}
						if s.applies(cr, ctx) {
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
	if sc.gs != nil && sc.gs[g>>6]&(1<<(g&63)) != 0 {
		return true
	}
	return sc.gd != nil && sc.gd[g>>6]&(1<<(g&63)) != 0
}
