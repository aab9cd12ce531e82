package signatures

import (
	"fmt"
	"sort"
	"strings"
)

// Frame rules: the frame keyword is a sticky buffer naming an application
// frame (a protocol data unit the parser delimits in the byte stream:
// "smb2.hdr", "nbss.pdu", "http1.request", "http1.stream"). Its items are
// parsed like any buffer's into a buffer named framePrefix+type, which no
// transaction serves, so MatchTransaction never fires such a rule. A
// FrameSet recompiles these rules as stream rules, one Set per frame type,
// so each frame is scanned incrementally with the stream semantics
// (startswith, endswith and negation decided at the frame's end).

// framePrefix starts the internal buffer name of a frame type.
const framePrefix = "frame:"

// frameOption handles frame:<type>.
func (p *ruleParser) frameOption(val string) error {
	t := strings.ToLower(strings.TrimSpace(val))
	if t == "" || strings.ContainsAny(t, " \t;\"") || len(t) > 64 {
		return fmt.Errorf("keyword \"frame\": bad frame type %q", truncate(val))
	}
	if rest, ok := strings.CutPrefix(t, "http."); ok {
		t = "http1." + rest // Suricata accepts both spellings
	}
	p.cur = framePrefix + t
	return nil
}

// FrameSet holds the frame rules of a Set, compiled per frame type. It is
// immutable and safe for concurrent use.
type FrameSet struct {
	sets map[string]*Set
	orig map[*Rule]*Rule // compiled copy -> rule of the parent Set
}

// NewFrameSet compiles the frame rules of s. It returns nil when s is nil or
// has no frame rule.
func NewFrameSet(s *Set) (*FrameSet, error) {
	if s == nil {
		return nil, nil
	}
	byType := map[string][]*Rule{}
	orig := map[*Rule]*Rule{}
	for i, r := range s.rules {
		if s.lazy != nil && !s.lazy.ready[i].Load() {
			continue // a lazy rule is never a frame rule (cache.go)
		}
		cp, typ, ok := frameRule(r)
		if !ok {
			continue
		}
		byType[typ] = append(byType[typ], cp)
		orig[cp] = r
	}
	if len(byType) == 0 {
		return nil, nil
	}
	fs := &FrameSet{sets: map[string]*Set{}, orig: orig}
	for typ, rs := range byType {
		sub, err := compileSet(rs, Options{}, s.flowTable, true)
		if err != nil {
			return nil, fmt.Errorf("signatures: frame %s: %w", typ, err)
		}
		fs.sets[typ] = sub
	}
	return fs, nil
}

// frameRule converts a rule with a frame buffer into a stream rule over the
// frame's bytes. ok is false for other rules.
func frameRule(r *Rule) (cp *Rule, typ string, ok bool) {
	var fb *bufCond
	var others []bufCond
	for i := range r.bufs {
		if t, found := strings.CutPrefix(r.bufs[i].name, framePrefix); found && fb == nil {
			fb, typ = &r.bufs[i], t
			continue
		}
		others = append(others, r.bufs[i])
	}
	if fb == nil || r.kind != kindTx {
		return nil, "", false
	}
	c := *r
	body := *r.ruleBody
	c.ruleBody = &body
	c.kind = kindStream
	c.bufs = others
	c.dataXform = fb.xform
	c.data = nil
	for _, it := range fb.items {
		switch {
		case it.typ == itBsize:
			sc := it.size
			c.file.bsize = &sc
		case it.typ == itIsdataat && !it.relative:
			c.file.isdataat = append(c.file.isdataat, it)
		default:
			c.data = append(c.data, it)
		}
	}
	return &c, typ, true
}

// Types lists the frame types some rule inspects, sorted.
func (fs *FrameSet) Types() []string {
	if fs == nil {
		return nil
	}
	out := make([]string, 0, len(fs.sets))
	for t := range fs.sets {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Has reports whether some rule inspects frames of type typ.
func (fs *FrameSet) Has(typ string) bool {
	return fs != nil && fs.sets[typ] != nil
}

// NewScanner starts inspecting one frame of type typ: Write its bytes, Gap
// its holes, End with FileFacts{Size: frame length, Complete: no hole}. A
// rule is reported at most once per frame. ctx says which way the frame
// travels (ToServer) and, in Buffers, the transaction it belongs to, if
// any. It returns nil when no rule can match. Matches from the Scanner name
// compiled copies of the rules; Rule maps them back.
func (fs *FrameSet) NewScanner(typ string, ctx *Context) *Scanner {
	if fs == nil || fs.sets[typ] == nil {
		return nil
	}
	return fs.sets[typ].NewScanner(Stream, ctx)
}

// Rule returns the rule of the parent Set that a frame match names.
func (fs *FrameSet) Rule(r *Rule) *Rule {
	if o := fs.orig[r]; o != nil {
		return o
	}
	return r
}
