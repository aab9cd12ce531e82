package signatures

import (
	"fmt"
	"strconv"
	"strings"
)

// ClamAV logical signatures (.ldb): "Name;TargetDescriptionBlock;
// LogicalExpression;Subsig0;Subsig1;...". Each subsignature is a hex
// signature (the .ndb body syntax, hexsig.go) with an optional offset and
// "::" modifiers; it compiles to one chain (two for "::wa"). The rule
// matches when the expression over the subsignatures' match counts holds
// and the target description's conditions do. See doc.go for what is
// supported and DESIGN.md for how PE offsets are resolved while streaming.

// ldbInfo is what a logical signature adds to its chains.
type ldbInfo struct {
	subs     []ldbSub
	expr     *lnode
	target   int
	fileSize *[2]int64 // FileSize:a-b, nil when absent
	ep       *[2]int64 // EntryPoint:a-b (entry point file offset)
	nsect    *[2]int64 // NumberOfSections:a-b
	monotone bool      // the expression can only turn true as counts grow
	zeroTrue bool      // the expression holds with no match at all
	pcre     bool      // some subsignature is a PCRE: decided at End
}

// ldbSub is one subsignature: its chains and how it was written.
type ldbSub struct {
	chain, nchains int // chains [chain, chain+nchains) in rule order
	item, nitems   int // its items in Rule.data
	offset         string
	mods           string
	anchor         peAnchor // PE-relative offset, or none
	eof            bool     // EOF-n[,shift]: the origin must lie in [size-n, size-n+shift]
	eofN, eofShift int64
	lead           int64    // fixed wildcard bytes before the first element
	pcre           *ldbPcre // PCRE subsignature (ldb_pcre.go)
}

// waitsForHeaders reports whether the signature can only be evaluated once
// the file's first bytes are known (its type, or its PE headers).
func (l *ldbInfo) waitsForHeaders() bool {
	if l.target != 0 && l.target != 7 || l.ep != nil || l.nsect != nil {
		return true
	}
	for _, s := range l.subs {
		if s.anchor.kind != anchorNone {
			return true
		}
	}
	return false
}

// peAnchor is a subsignature offset relative to the PE structure: the start
// of its first element must lie in [base+n, base+n+shift] where base is the
// entry point (EP), a section's raw start (Sx, SL) or, for SEx, anywhere in
// [raw, raw+rawsize].
type peAnchor struct {
	kind  uint8
	sect  int32 // Sx, SEx
	n     int64 // signed offset from the base, plus the signature's lead
	shift int64 // floating offset: extra start positions allowed
}

// Kinds of peAnchor.
const (
	anchorNone    = iota
	anchorEP      // EP+n, EP-n
	anchorSection // Sx+n
	anchorWithin  // SEx
	anchorLast    // SL+n
)

// window returns the allowed start positions of the first element for the
// file's PE headers, ok false when the anchor does not exist in this file.
func (a *peAnchor) window(x *exeInfo) (lo, hi int64, ok bool) {
	if !x.pe {
		return 0, 0, false
	}
	var base int64
	switch a.kind {
	case anchorEP:
		if x.ep < 0 {
			return 0, 0, false
		}
		base = x.ep
	case anchorSection, anchorWithin:
		if int(a.sect) >= len(x.sects) {
			return 0, 0, false
		}
		s := x.sects[a.sect]
		base = int64(s.raw)
		if a.kind == anchorWithin {
			return base + a.n, base + a.n + int64(s.rsize), true
		}
	case anchorLast:
		if len(x.sects) == 0 {
			return 0, 0, false
		}
		base = int64(x.sects[len(x.sects)-1].raw)
	default:
		return 0, 0, false
	}
	return base + a.n, base + a.n + a.shift, true
}

// parseLDB parses one .ldb line.
func parseLDB(line string) (*Rule, error) {
	f := strings.Split(line, ";")
	if len(f) < 4 {
		return nil, fmt.Errorf("ldb signature needs name;target description;logical expression;subsignatures")
	}
	name := strings.TrimSpace(f[0])
	if name == "" {
		return nil, fmt.Errorf("empty signature name")
	}
	info := &ldbInfo{target: -1}
	if err := info.parseTDB(f[1]); err != nil {
		return nil, err
	}
	expr, maxID, err := parseLdbExpr(f[2])
	if err != nil {
		return nil, err
	}
	subs := f[3:]
	if len(subs) > maxLdbSubsigs {
		return nil, fmt.Errorf("%d subsignatures, at most %d", len(subs), maxLdbSubsigs)
	}
	if maxID+1 != len(subs) {
		return nil, fmt.Errorf("logical expression names subsignatures 0-%d but the line has %d", maxID, len(subs))
	}
	info.expr = expr
	info.monotone = expr.monotone()
	info.zeroTrue, _, _ = expr.eval(make([]uint32, len(subs))) // PCRE subsignatures count 0 too: a trigger on nothing
	var items []item
	chains := 0
	for i, s := range subs {
		var sub ldbSub
		var its []item
		if isLdbPcre(s) {
			sub, its, err = parseLdbPcre(s, i)
			info.pcre = true
		} else {
			sub, its, err = parseLdbSubsig(s)
		}
		if err != nil {
			return nil, fmt.Errorf("subsignature %d: %w", i, err)
		}
		sub.chain, sub.item, sub.nitems = chains, len(items), len(its)
		chains += sub.nchains
		items = append(items, its...)
		info.subs = append(info.subs, sub)
		if len(items) > maxSigElements {
			return nil, fmt.Errorf("more than %d elements: %w", maxSigElements, ErrLimit)
		}
	}
	if info.pcre && info.waitsForHeaders() {
		return nil, unsupported("ldb PCRE subsignature in a signature that needs the file's headers (a Target other than 0 and 7, PE offsets)")
	}
	r := newClamRule(name, line)
	r.data = items
	r.ldb = info
	return r, nil
}

// isLdbPcre recognises a PCRE subsignature: "Trigger/PCRE/Flags", the
// trigger made of subsignature indexes and expression characters.
func isLdbPcre(s string) bool {
	i := strings.IndexByte(s, '/')
	if i < 0 || strings.LastIndexByte(s, '/') == i {
		return false
	}
	return strings.Trim(s[:i], "0123456789&|()=<>,:*EOFPSL+-") == "" && !strings.HasPrefix(s, "${")
}

// Target types (docs.clamav.net, "ClamAV File Types"): which a logical
// signature may name and how wirescan decides them (by the first bytes).
var ldbTargets = map[int]string{
	0: "any file", 1: "PE", 2: "OLE2", 5: "graphics", 6: "ELF", 7: "ASCII text (matched raw, as .ndb)",
	9: "Mach-O", 10: "PDF", 11: "Flash", 12: "Java class",
}

// parseTDB parses the target description block.
func (l *ldbInfo) parseTDB(s string) error {
	if s == "" {
		return fmt.Errorf("empty target description block")
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, ":")
		if !ok {
			return fmt.Errorf("target description %q is not Name:Value", truncate(kv))
		}
		switch k {
		case "Target":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("bad Target %q", truncate(v))
			}
			switch n {
			case 3:
				return unsupported("ClamAV target type 3 (HTML, matched normalized by ClamAV)")
			case 4:
				return unsupported("ClamAV target type 4 (mail, matched decoded by ClamAV)")
			}
			if _, known := ldbTargets[n]; !known {
				return unsupported("ClamAV target type %d", n)
			}
			l.target = n
		case "Engine":
			if _, err := parseRange(v); err != nil {
				return fmt.Errorf("bad Engine range %q", truncate(v))
			}
		case "FileSize", "EntryPoint", "NumberOfSections":
			r, err := parseRange(v)
			if err != nil {
				return fmt.Errorf("bad %s range %q", k, truncate(v))
			}
			switch k {
			case "FileSize":
				l.fileSize = &r
			case "EntryPoint":
				l.ep = &r
			default:
				l.nsect = &r
			}
		case "Container":
			if v != "CL_TYPE_ANY" {
				return unsupported("ldb Container:%s (only CL_TYPE_ANY: wirescan does not look inside containers)", truncate(v))
			}
		case "Intermediates", "IconGroup1", "IconGroup2", "HandlerType":
			return unsupported("ldb target description %s", k)
		default:
			return unsupported("ldb target description %q", truncate(k))
		}
	}
	if l.target < 0 {
		return fmt.Errorf("target description block has no Target")
	}
	if (l.ep != nil || l.nsect != nil) && l.target != 1 {
		if l.target == 6 || l.target == 9 {
			return unsupported("ldb EntryPoint/NumberOfSections on Target:%d (only PE headers are parsed)", l.target)
		}
		return fmt.Errorf("EntryPoint and NumberOfSections need Target 1, 6 or 9")
	}
	return nil
}

// parseRange parses "a-b" (ClamAV ranges always have both ends).
func parseRange(s string) ([2]int64, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return [2]int64{}, fmt.Errorf("not a range")
	}
	x, err1 := strconv.ParseUint(a, 10, 32)
	y, err2 := strconv.ParseUint(b, 10, 32)
	if err1 != nil || err2 != nil {
		return [2]int64{}, fmt.Errorf("not a range")
	}
	return [2]int64{int64(x), int64(y)}, nil
}

// inRange reports whether v is in the optional range r.
func inRange(r *[2]int64, v int64) bool { return r == nil || v >= r[0] && v <= r[1] }

// parseLdbSubsig parses "[offset:]hexsig[::modifiers]" into items (the
// ascii form, then the wide one for "::wa").
func parseLdbSubsig(s string) (ldbSub, []item, error) {
	var sub ldbSub
	if s == "" {
		return sub, nil, fmt.Errorf("empty subsignature")
	}
	switch {
	case strings.HasPrefix(s, "${"):
		return sub, nil, unsupported("ldb macro subsignature %q", truncate(s))
	case isByteCompare(s):
		return sub, nil, unsupported("ldb byte compare subsignature %q", truncate(s))
	}
	body, mods, _ := strings.Cut(s, "::")
	sub.mods = mods
	off, sig, hasOff := strings.Cut(body, ":")
	if !hasOff {
		off, sig = "*", body
	}
	sub.offset = off
	nocase, wide, ascii := false, false, false
	for i := 0; i < len(mods); i++ {
		switch mods[i] {
		case 'i':
			nocase = true
		case 'w':
			wide = true
		case 'a':
			ascii = true
		case 'f':
			return sub, nil, unsupported("ldb subsignature modifier f (fullword)")
		default:
			return sub, nil, fmt.Errorf("unknown subsignature modifier %q", mods[i])
		}
	}
	forms := []bool{false}
	switch {
	case wide && ascii:
		forms = []bool{false, true}
	case wide:
		forms = []bool{true}
	}
	var items []item
	for _, w := range forms {
		its, lead, err := parseHexSigForm(sig, w)
		if err != nil {
			return sub, nil, err
		}
		if nocase {
			for i := range its {
				its[i].nocase = true
			}
		}
		if err := sub.place(&its[0], off, lead); err != nil {
			return sub, nil, err
		}
		items = append(items, its...)
		sub.nchains++
	}
	return sub, items, nil
}

// isByteCompare recognises "N(>>off#opts#cmp)" and "N(<<off#...)".
func isByteCompare(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 0 && (strings.HasPrefix(s[i:], "(>>") || strings.HasPrefix(s[i:], "(<<"))
}

// place sets the first element's absolute constraints for an offset ("*",
// "n[,shift]") or records the subsignature's EOF anchor ("EOF-n[,shift]")
// or PE anchor (EP±n, Sx+n, SEx, SL+n, each with an optional ",shift").
func (sub *ldbSub) place(first *item, off string, lead int64) error {
	first.offset = lead
	sub.lead = lead
	var a peAnchor
	defer func() { sub.anchor = a }()
	num := parseOffset
	switch {
	case off == "*":
	case strings.HasPrefix(off, "EOF-"):
		n, shift, err := num(off[4:])
		if err != nil {
			return err
		}
		sub.eof, sub.eofN, sub.eofShift = true, n, shift
	case strings.HasPrefix(off, "EP+"), strings.HasPrefix(off, "EP-"):
		n, shift, err := num(off[3:])
		if err != nil {
			return err
		}
		if off[2] == '-' {
			n = -n
		}
		a = peAnchor{kind: anchorEP, n: n + lead, shift: shift}
	case strings.HasPrefix(off, "SL+"):
		n, shift, err := num(off[3:])
		if err != nil {
			return err
		}
		a = peAnchor{kind: anchorLast, n: n + lead, shift: shift}
	case strings.HasPrefix(off, "SE"):
		x, err := strconv.ParseUint(off[2:], 10, 16)
		if err != nil {
			return fmt.Errorf("bad ldb offset %q", truncate(off))
		}
		a = peAnchor{kind: anchorWithin, sect: int32(x), n: lead}
	case strings.HasPrefix(off, "S") && strings.Contains(off, "+"):
		xs, rest, _ := strings.Cut(off[1:], "+")
		x, err := strconv.ParseUint(xs, 10, 16)
		if err != nil {
			return fmt.Errorf("bad ldb offset %q", truncate(off))
		}
		n, shift, err := num(rest)
		if err != nil {
			return err
		}
		a = peAnchor{kind: anchorSection, sect: int32(x), n: n + lead, shift: shift}
	case strings.HasPrefix(off, "VI"):
		return unsupported("ldb offset VI (version information)")
	case off != "" && off[0] >= '0' && off[0] <= '9':
		n, shift, err := num(off)
		if err != nil {
			return err
		}
		first.offset, first.hasShift, first.shift = n+lead, true, shift
	default:
		return fmt.Errorf("bad ldb offset %q", truncate(off))
	}
	return nil
}

// compileLDB attaches a logical signature's per-subsignature offsets to its
// chains (one per subsignature, two for "::wa").
func (cr *crule) compileLDB() error {
	l := cr.r.ldb
	n := 0
	for _, s := range l.subs {
		n += s.nchains
	}
	if n != len(cr.chains) {
		return fmt.Errorf("logical signature compiled to %d chains, want %d", len(cr.chains), n)
	}
	for _, sub := range l.subs {
		for c := sub.chain; c < sub.chain+sub.nchains; c++ {
			ch := &cr.chains[c]
			ch.lead, ch.pe = sub.lead, sub.anchor
			if sub.eof {
				ch.eof, ch.eofN, ch.eofShift = true, sub.eofN, sub.eofShift
			}
		}
	}
	cr.ldb, cr.waits = l, l.waitsForHeaders()
	if l.pcre {
		for _, sub := range l.subs {
			if sub.pcre != nil && len(cr.chains[sub.chain].elems) != 1 {
				return fmt.Errorf("PCRE subsignature compiled to %d elements", len(cr.chains[sub.chain].elems))
			}
		}
	}
	return nil
}

// explainLDB locates each subsignature of a logical signature in data
// (file bytes from offset base): every chain is placed on its own, the one
// completing at end preferred. PE-relative and EOF offsets are not checked
// here (the headers and the file's end are not at hand): the parts say so
// in Options. located is true when some subsignature was placed.
func (r *Rule) explainLDB(data []byte, base, end int64) (parts []Part, located bool) {
	var folded []byte
	for i, sub := range r.ldb.subs {
		items := r.data[sub.item : sub.item+sub.nitems]
		k := len(parts)
		for j := range items {
			p := describeItem(FileDataBuffer, &items[j])
			p.Options = fmt.Sprintf("subsig %d", i)
			if j == 0 {
				p.Options += "; offset " + sub.offset
				if sub.mods != "" {
					p.Options += "; ::" + sub.mods
				}
				if sub.anchor.kind != anchorNone || sub.eof {
					p.Options += " (not checked here)"
				}
			}
			parts = append(parts, p)
		}
		for _, c := range compileItems(items, false) {
			occs, ok := locateChain(data, &folded, &c, base, end)
			if ok && !sub.eof {
				for j, o := range occs {
					parts[k+j].Start, parts[k+j].End = o.s, o.e
				}
				located = true
				break
			}
			k += len(c.elems)
		}
	}
	return parts, located
}
