package signatures

import "fmt"

// absentMode is the absent keyword on one buffer.
type absentMode uint8

const (
	absentNone   absentMode = iota
	absentOnly              // absent: the buffer must not exist
	absentOrElse            // absent: or_else: the buffer is missing, or its conditions hold
)

// FileDataPresence says whether a transaction carried file data (a body or
// file) in the direction a transaction rule is evaluated for; rules with
// "file.data; absent" need it.
type FileDataPresence uint8

const (
	// FileDataUnknown is the default: "file.data; absent" never matches.
	FileDataUnknown FileDataPresence = iota
	// FileDataAbsent: the direction had no file data.
	FileDataAbsent
	// FileDataPresent: the direction had file data.
	FileDataPresent
)

// absent parses absent[:or_else] on the active sticky buffer.
func (p *ruleParser) absent(o option) error {
	mode := absentOnly
	if o.hasVal {
		if o.val != "or_else" {
			return fmt.Errorf("keyword \"absent\": bad value %q, want or_else", truncate(o.val))
		}
		mode = absentOrElse
	}
	if p.cur == "" {
		return fmt.Errorf("keyword \"absent\" without a sticky buffer")
	}
	if p.absentBufs == nil {
		p.absentBufs = map[string]absentMode{}
	}
	if _, ok := p.absentBufs[p.cur]; ok {
		return fmt.Errorf("keyword \"absent\" given twice for %s", p.cur)
	}
	if len(p.bufs[p.cur]) > 0 {
		return fmt.Errorf("keyword \"absent\" must come before the conditions of %s", p.cur)
	}
	p.absentBufs[p.cur] = mode
	p.absentOrder = append(p.absentOrder, p.cur)
	return nil
}

// finishAbsent applies the absent keywords once the rule's kind is known.
func (p *ruleParser) finishAbsent() error {
	r := p.r
	for _, name := range p.absentOrder {
		mode := p.absentBufs[name]
		n := len(p.bufs[name])
		if name == fileDataBuf {
			n = len(r.data)
		}
		if mode == absentOnly && n > 0 {
			return fmt.Errorf("keyword \"absent\" with conditions on %s (use absent: or_else)", name)
		}
		if mode == absentOrElse && n == 0 {
			return fmt.Errorf("keyword \"absent: or_else\" without conditions on %s", name)
		}
		switch name {
		case fileDataBuf:
			if mode == absentOnly && r.kind != kindTx {
				return unsupported("\"file.data; absent\" together with file conditions")
			}
			if len(r.dataXform) > 0 {
				return unsupported("\"file.data; absent\" with transforms")
			}
			r.dataAbsent = mode
		case "file.name", "file.magic":
			return unsupported("keyword \"absent\" on %s", name)
		default:
			i := 0
			for i < len(r.bufs) && r.bufs[i].name != name {
				i++
			}
			if i == len(r.bufs) {
				r.bufs = append(r.bufs, bufCond{name: name})
			}
			r.bufs[i].absent = mode
		}
	}
	return nil
}

// absentOK decides the file.data absent condition of a transaction rule.
func absentOK(r *Rule, ctx *Context) bool {
	return r.dataAbsent == absentNone || ctx.FileData == FileDataAbsent
}

// NeedsFileDataPresence reports whether some rule has "file.data; absent", so
// the caller must fill Context.FileData for MatchTransaction.
func (s *Set) NeedsFileDataPresence() bool { return s.fileAbsent }
