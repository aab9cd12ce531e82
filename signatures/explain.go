package signatures

import (
	"sort"
	"strconv"
	"strings"
)

// Explanations: why did a rule match? For an alert the engine asks which of
// the rule's contents (and pcres) matched where, so an analyst sees the
// bytes behind the verdict instead of guessing from the rule text. Explain
// re-evaluates one rule on the bytes the engine still holds (a window of the
// file ending at the match, or a whole protocol buffer) with the whole-buffer
// evaluator, keeping the occurrence each element used. It is slow by design
// (it lists occurrences), and runs only for alerts.

// FileDataBuffer names the file_data buffer (file and stream rules) in
// Part and Rule.Buffers.
const FileDataBuffer = "file_data"

// Part is one element of a rule (a content or a pcre) and the occurrence
// that satisfied it.
type Part struct {
	// Buffer is the buffer the element inspects: FileDataBuffer for file and
	// stream rules, else the sticky buffer ("http.uri", "smb.share", ...).
	Buffer string
	// Kind is "content" or "pcre".
	Kind string
	// Pattern is the element as written: a content in rule notation
	// (printable bytes, |hex| for the others; several alternatives joined by
	// " | " for ClamAV alternations), or the pcre ("/re/flags").
	Pattern string
	// Options lists its modifiers as written (nocase, offset, depth,
	// distance, within, startswith, endswith).
	Options string
	// Negated is true for "content:!..."; a negated element is satisfied
	// by an absence and has no occurrence.
	Negated bool
	// Start and End are the occurrence [Start, End) in the buffer (for
	// files: file offsets); -1 when not located: negated, or outside the
	// bytes given.
	Start, End int64
}

// Buffers lists the buffers r inspects: FileDataBuffer when it has file or
// stream contents, then its sticky buffers in rule order.
func (r *Rule) Buffers() []string {
	var out []string
	if r.ruleBody == nil {
		return nil // a cached rule not parsed yet: it never matched
	}
	if len(r.data) > 0 {
		out = append(out, FileDataBuffer)
	}
	for _, b := range r.bufs {
		out = append(out, b.name)
	}
	return out
}

// Explain locates the elements of rule r in buffer (FileDataBuffer or a sticky
// buffer name) given as data, whose first byte is at offset base of the
// buffer (a window of a file: the engine holds only the bytes before a
// match). end is where the match completed (Match.Offset; -1 when unknown):
// among the ways the elements could be satisfied, Explain reports the one
// completing there. located is false when the elements can't all be placed
// within data (an occurrence lies before the window, or a transform
// rewrote the buffer); the parts then carry the patterns with Start -1.
// Transformed buffers (to_lowercase, ...) are explained on their
// transformed bytes.
func (r *Rule) Explain(buffer string, data []byte, base, end int64) (parts []Part, located bool) {
	if r.ruleBody == nil {
		return nil, false
	}
	if r.ldb != nil && buffer == FileDataBuffer {
		return r.explainLDB(data, base, end)
	}
	var items []item
	var xform []transform
	var eof bool
	switch {
	case buffer == FileDataBuffer:
		items, xform = r.data, r.dataXform
		if r.clam != nil {
			eof = r.clam.eof
		}
	default:
		for i := range r.bufs {
			if r.bufs[i].name == buffer {
				items, xform = r.bufs[i].items, r.bufs[i].xform
				break
			}
		}
	}
	for i := range items {
		if it := &items[i]; it.typ == itContent || it.typ == itPcre {
			parts = append(parts, describeItem(buffer, it))
		}
	}
	if len(parts) == 0 {
		return nil, false
	}
	if len(xform) > 0 {
		data = applyTransforms(xform, data)
	}
	chains := compileItems(items, false)
	if eof {
		return parts, false // anchored at the end of a file whose end isn't known here
	}
	var folded []byte
	k := 0
	located = true
	for ci := range chains {
		c := &chains[ci]
		occs, ok := locateChain(data, &folded, c, base, end)
		for j := range c.elems {
			if ok && occs[j].s >= 0 {
				parts[k+j].Start, parts[k+j].End = occs[j].s, occs[j].e
			}
		}
		if !ok {
			located = false
		}
		k += len(c.elems)
	}
	return parts, located
}

// describeItem renders an element as the rule wrote it.
func describeItem(buffer string, it *item) Part {
	p := Part{Buffer: buffer, Kind: "content", Negated: it.neg, Start: -1, End: -1}
	if it.typ == itPcre {
		p.Kind, p.Pattern = "pcre", it.pcreSrc
	} else {
		alts := make([]string, len(it.alts))
		for i, a := range it.alts {
			alts[i] = contentNotation(a)
		}
		p.Pattern = strings.Join(alts, " | ")
	}
	var opts []string
	add := func(name string, v int64, has bool) {
		if has {
			opts = append(opts, name+":"+strconv.FormatInt(v, 10))
		}
	}
	if it.nocase {
		opts = append(opts, "nocase")
	}
	add("offset", it.offset, it.hasOffset)
	add("depth", it.depth, it.hasDepth)
	add("distance", it.distance, it.hasDistance)
	add("within", it.within, it.hasWithin)
	if it.startswith {
		opts = append(opts, "startswith")
	}
	if it.endswith {
		opts = append(opts, "endswith")
	}
	p.Options = strings.Join(opts, "; ")
	return p
}

// contentNotation writes b as a Suricata content value: printable ASCII as
// is (except the characters the syntax reserves), the rest as |hex|.
func contentNotation(b []byte) string {
	var s strings.Builder
	inHex := false
	for _, c := range b {
		plain := c >= 0x20 && c < 0x7f && c != '|' && c != '"' && c != ';' && c != '\\'
		switch {
		case plain && inHex:
			s.WriteString("|")
			inHex = false
		case !plain && !inHex:
			s.WriteString("|")
			inHex = true
		case !plain:
			s.WriteByte(' ')
		}
		if plain {
			s.WriteByte(c)
		} else {
			s.WriteString(strconv.FormatUint(uint64(c)|0x100, 16)[1:])
		}
	}
	if inHex {
		s.WriteString("|")
	}
	return s.String()
}

// located is one candidate occurrence of an element and the candidate of
// the previous element it follows (-1 for the first element).
type located struct {
	o    occ
	prev int
}

// locateChain finds occurrences of the chain's elements in data (whose
// first byte is at offset base) satisfying every constraint, preferring an
// assignment whose last positive element ends at end. It returns one
// occurrence per element ({-1,-1} for negated ones).
func locateChain(data []byte, folded *[]byte, c *chain, base, end int64) ([]occ, bool) {
	els := c.elems
	n := base + int64(len(data))
	shift := func(os []occ) []occ {
		for i := range os {
			os[i].s += base
			os[i].e += base
		}
		return os
	}
	levels := make([][]located, len(els))
	for j := range els {
		el := &els[j]
		if el.re != nil && el.rel && j > 0 {
			// A relative pcre: its matches start at the previous element's end.
			for pi, prev := range levels[j-1] {
				p := prev.o.e - base
				if p < 0 || p > int64(len(data)) {
					continue
				}
				if loc := el.re.FindIndex(data[p:]); loc != nil && !el.neg {
					levels[j] = append(levels[j], located{occ{base + p + int64(loc[0]), base + p + int64(loc[1])}, pi})
				} else if loc == nil && el.neg {
					levels[j] = append(levels[j], located{occ{prev.o.e, prev.o.e}, pi})
				}
			}
		} else {
			occs := shift(findAll(data, folded, el))
			switch {
			case j == 0 && el.neg:
				for _, o := range occs {
					if el.absOK(o.s, o.e) {
						return nil, false
					}
				}
				levels[j] = []located{{occ{-1, -1}, -1}}
			case j == 0:
				for _, o := range occs {
					if el.absOK(o.s, o.e) {
						levels[j] = append(levels[j], located{o, -1})
					}
				}
			case el.neg:
				for pi, prev := range levels[j-1] {
					hit := false
					for _, o := range occs {
						if el.relOK(prev.o.e, o.s, o.e) {
							hit = true
							break
						}
					}
					if !hit {
						levels[j] = append(levels[j], located{occ{prev.o.e, prev.o.e}, pi})
					}
				}
			default:
				prevEnds := levels[j-1]
				sort.SliceStable(prevEnds, func(a, b int) bool { return prevEnds[a].o.e < prevEnds[b].o.e })
				for _, o := range occs {
					lo, hi := el.pRange(o.s, o.e)
					k := sort.Search(len(prevEnds), func(i int) bool { return prevEnds[i].o.e >= lo })
					if k < len(prevEnds) && prevEnds[k].o.e <= hi {
						levels[j] = append(levels[j], located{o, k})
					}
				}
			}
		}
		if len(levels[j]) == 0 {
			return nil, false
		}
	}
	last := levels[len(els)-1]
	pick := -1
	for i, cand := range last {
		if !completionOK(c, cand.o.e, n) {
			continue
		}
		if pick < 0 || (end >= 0 && cand.o.e == end && last[pick].o.e != end) {
			pick = i
		}
	}
	if pick < 0 {
		return nil, false
	}
	out := make([]occ, len(els))
	for j := len(els) - 1; j >= 0; j-- {
		cand := levels[j][pick]
		out[j] = cand.o
		if els[j].neg {
			out[j] = occ{-1, -1}
		}
		pick = cand.prev
	}
	return out, true
}

// Facts describes, for explanations, the conditions of r decided on the
// file's end-of-file facts rather than on its bytes: ClamAV hash
// signatures, hash lists (filemd5, filesha256), filesize. Each is one line
// as the rule meant it ("sha256 = 275a…, size 68").
func (r *Rule) Facts() []string {
	if r.ruleBody == nil {
		return nil
	}
	var out []string
	f := &r.file
	if h := f.clamHash; h != nil {
		size := "any size"
		if h.size >= 0 {
			size = "size " + strconv.FormatInt(h.size, 10)
		}
		out = append(out, "file "+h.algo+" = "+h.sum+", "+size+" (ClamAV hash signature)")
	}
	for _, l := range f.hashes {
		op := "in"
		if l.neg {
			op = "not in"
		}
		out = append(out, "file "+l.algo+" "+op+" a list of "+strconv.Itoa(len(l.set))+" hashes")
	}
	if s := f.size; s != nil {
		out = append(out, "filesize "+s.String())
	}
	return out
}
