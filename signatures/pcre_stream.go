package signatures

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// pcre on streaming data (file data and raw streams). Go's regexp cannot
// resume a match across Writes and the Scanner never holds a whole file, so
// only expressions whose match is bounded are accepted, in three shapes:
//
//   - pcreRel: relative (/R) and anchored (^): checked against the bytes
//     [p, p+W+L) after the previous element's end p;
//   - pcreStart: anchored (^) without /R: checked against the first W+L
//     bytes of the buffer;
//   - pcreLit: unanchored, beginning with literal alternatives (after
//     zero-width assertions such as \b): the literals go into the automaton
//     and each occurrence is checked against the W+L bytes it starts.
//
// W is the expression's maximum match width in bytes; L is 1 when an
// assertion (\b, \B, $) may read the byte after a match, else 0. The
// windowed check then decides exactly what the whole-buffer search decides
// (DESIGN.md has the argument).

// Limits of streaming pcre.
const (
	// maxPcreWindow bounds the bytes one check reads (maximum width + 1).
	maxPcreWindow = 4096
	// minPcreLiteral is the shortest literal prefix an unanchored pcre is
	// found by: shorter automaton patterns slow every scan.
	minPcreLiteral = 3
	// maxPcreLiteral bounds the automaton pattern taken from a literal
	// prefix (the verifier checks the rest).
	maxPcreLiteral = 32
	// maxPcreLiterals bounds the alternatives of a literal prefix.
	maxPcreLiterals = 64
)

// pcreShape says how a streaming pcre element is anchored.
type pcreShape uint8

const (
	pcreRel   pcreShape = iota + 1 // at the previous element's end
	pcreStart                      // at offset 0
	pcreLit                        // at an occurrence of its literal prefix
)

// streamPcre is the compiled form of a pcre on streaming data.
type streamPcre struct {
	shape  pcreShape
	re     *regexp.Regexp // verifier, anchored at the window's start
	width  int            // maximum match width in bytes
	look   int            // 1 when an assertion reads the byte after the match
	lead   []syntax.Op    // pcreLit: zero-width assertions at the literal's start
	lits   [][]byte       // pcreLit: automaton patterns (literal prefixes)
	nocase bool           // pcreLit: some literal is case-insensitive
	src    string         // as written, for messages
}

// prepareStreamPcre analyses every pcre of a streamed item list, setting
// item.sp, or returns an ErrUnsupported error naming the construct.
func prepareStreamPcre(items []item) error {
	for i := range items {
		it := &items[i]
		if it.typ != itPcre {
			continue
		}
		endUsed := false
		if i+1 < len(items) {
			n := &items[i+1]
			endUsed = n.hasDistance || n.hasWithin || n.relative
		}
		sp, err := analyzePcre(it, endUsed)
		if err != nil {
			return err
		}
		it.sp = sp
	}
	return nil
}

// analyzePcre decides the shape and width of one streamed pcre. endUsed says
// whether a later relative item starts from its end (then the match end
// must be exact and nothing may be trimmed).
func analyzePcre(it *item, endUsed bool) (*streamPcre, error) {
	sp := &streamPcre{src: it.pcreSrc}
	fail := func(format string, args ...any) error {
		return unsupported("keyword \"pcre\" %q: %s on streaming data", sp.src, fmt.Sprintf(format, args...))
	}
	tree, err := syntax.Parse(it.re.String(), syntax.Perl)
	if err != nil {
		return nil, fail("unparsable (%v)", err)
	}
	for tree.Op == syntax.OpCapture {
		tree = tree.Sub[0]
	}
	subs := []*syntax.Regexp{tree}
	if tree.Op == syntax.OpConcat {
		subs = append([]*syntax.Regexp(nil), tree.Sub...)
	}
	anchored := len(subs) > 0 && subs[0].Op == syntax.OpBeginText
	// A trailing part that can match the empty string without passing an
	// assertion (\s*, .*, (x)?) never decides whether the expression
	// matches: a match of the rest extends to a match of the whole and
	// vice versa. Only the match end moves, so it goes only when nothing
	// after the pcre depends on that end (the reported offset then ends at
	// the trimmed match).
	if !endUsed {
		for len(subs) > 0 && freelyNullable(subs[len(subs)-1]) {
			subs = subs[:len(subs)-1]
		}
	}
	switch {
	case it.relative && !anchored:
		return nil, fail("unanchored relative pcre (add ^, or put a content before it)")
	case it.relative:
		sp.shape = pcreRel
	case anchored:
		sp.shape = pcreStart
	default:
		if endUsed {
			return nil, fail("relative inspection after an unanchored pcre")
		}
		// Likewise a leading freely nullable part of an unanchored
		// expression only moves the match start.
		for len(subs) > 0 && freelyNullable(subs[0]) {
			subs = subs[1:]
		}
		for len(subs) > 0 && isLeadAssertion(subs[0].Op) {
			sp.lead = append(sp.lead, subs[0].Op)
			subs = subs[1:]
		}
		if len(subs) == 0 {
			return nil, fail("no literal prefix")
		}
		lits, nocase, ok := firstLiterals(subs[0])
		if !ok {
			return nil, fail("no literal prefix of at least %d bytes (%s)", minPcreLiteral, truncate(subs[0].String()))
		}
		sp.shape, sp.lits, sp.nocase = pcreLit, lits, nocase
	}
	rest := &syntax.Regexp{Op: syntax.OpConcat, Sub: subs}
	if len(subs) == 0 {
		rest = &syntax.Regexp{Op: syntax.OpEmptyMatch}
	}
	w, bad := maxWidth(rest)
	if bad != nil {
		return nil, fail("unbounded width (%s)", truncate(bad.String()))
	}
	if w+1 > maxPcreWindow {
		return nil, fail("width over %d bytes", maxPcreWindow-1)
	}
	sp.width = w
	if looksAhead(rest) {
		sp.look = 1
	}
	expr := rest.String()
	if sp.shape == pcreLit {
		expr = `\A(?:` + expr + `)`
	}
	if sp.re, err = regexp.Compile(expr); err != nil {
		return nil, fail("internal: %v", err)
	}
	return sp, nil
}

// isLeadAssertion reports zero-width assertions a Scanner checks itself at a
// literal's start (they look at the byte before it).
func isLeadAssertion(op syntax.Op) bool {
	switch op {
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpBeginLine, syntax.OpBeginText:
		return true
	}
	return false
}

// freelyNullable reports whether re can match the empty string without
// passing any assertion.
func freelyNullable(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpRepeat:
		return re.Min == 0 || freelyNullable(re.Sub[0])
	case syntax.OpCapture, syntax.OpPlus:
		return freelyNullable(re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !freelyNullable(s) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if freelyNullable(s) {
				return true
			}
		}
	}
	return false
}

// maxWidth is the most bytes a match of re can span, or the first unbounded
// sub-expression. Character classes count the UTF-8 length of their largest
// rune (Go matches runes), case-folded literals the longest case variant.
func maxWidth(re *syntax.Regexp) (int, *syntax.Regexp) {
	const big = maxPcreWindow
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			n += foldWidth(r, re.Flags&syntax.FoldCase != 0)
		}
		return n, nil
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return 0, nil
		}
		return runeWidth(re.Rune[len(re.Rune)-1]), nil
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax, nil
	case syntax.OpCapture, syntax.OpQuest:
		return maxWidth(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		w, bad := maxWidth(re.Sub[0])
		switch {
		case bad != nil:
			return 0, bad
		case w == 0:
			return 0, nil
		case re.Op != syntax.OpRepeat || re.Max < 0:
			return 0, re
		}
		return min(w*re.Max, big), nil
	case syntax.OpConcat, syntax.OpAlternate:
		n := 0
		for _, s := range re.Sub {
			w, bad := maxWidth(s)
			if bad != nil {
				return 0, bad
			}
			if re.Op == syntax.OpConcat {
				n = min(n+w, big)
			} else {
				n = max(n, w)
			}
		}
		return n, nil
	}
	return 0, nil // empty match, assertions, no match
}

// runeWidth is the UTF-8 length of r (3 for surrogates, which Go encodes as
// U+FFFD).
func runeWidth(r rune) int {
	switch {
	case r < 0x80:
		return 1
	case r < 0x800:
		return 2
	case r < 0x10000:
		return 3
	}
	return 4
}

// foldWidth is the longest UTF-8 length among r's case variants (k matches
// the Kelvin sign, 3 bytes) when fold is set.
func foldWidth(r rune, fold bool) int {
	w := runeWidth(r)
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			w = max(w, runeWidth(f))
		}
	}
	return w
}

// firstLiterals returns automaton patterns one of which begins every match
// of re, and whether any is case-insensitive. Case-insensitive literals are
// cut before their first non-ASCII rune (the automaton folds ASCII only);
// every pattern is at least minPcreLiteral bytes.
func firstLiterals(re *syntax.Regexp) ([][]byte, bool, bool) {
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return firstLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return firstLiterals(re.Sub[0])
		}
	case syntax.OpConcat:
		if len(re.Sub) > 0 {
			return firstLiterals(re.Sub[0])
		}
	case syntax.OpAlternate:
		var out [][]byte
		nocase := false
		for _, s := range re.Sub {
			l, nc, ok := firstLiterals(s)
			if !ok || len(out)+len(l) > maxPcreLiterals {
				return nil, false, false
			}
			out = append(out, l...)
			nocase = nocase || nc
		}
		return out, nocase, true
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		var b []byte
		for _, r := range re.Rune {
			if fold && r >= utf8.RuneSelf {
				break
			}
			b = utf8.AppendRune(b, r)
		}
		if len(b) < minPcreLiteral {
			return nil, false, false
		}
		return [][]byte{b[:min(len(b), maxPcreLiteral)]}, fold, true
	}
	return nil, false, false
}

// looksAhead reports whether re has an assertion that reads the byte after
// its position (\b, \B, $): the window then holds one byte past the width.
func looksAhead(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEndLine, syntax.OpEndText:
		return true
	}
	for _, s := range re.Sub {
		if looksAhead(s) {
			return true
		}
	}
	return false
}
