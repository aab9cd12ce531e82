package signatures

import (
	"fmt"
	"regexp"
	"strings"
)

// pcreBufferFlags maps Suricata's legacy pcre buffer flags to buffers.
var pcreBufferFlags = map[byte]string{
	'U': "http.uri", 'I': "http.uri.raw", 'H': "http.header", 'M': "http.method",
	'C': "http.cookie", 'S': "http.stat_code", 'V': "http.user_agent", 'W': "http.host",
	'P': fileDataBuf, 'Q': fileDataBuf,
}

// maxRegexpLen bounds a pcre pattern; Go's regexp compiles in linear time but the
// program size still grows with counted repetitions.
const maxRegexpLen = 8 << 10

// pcre parses pcre:[!]"/re/flags" into an item on the active (or flagged) buffer.
func (p *ruleParser) pcre(v string) error {
	neg := false
	if strings.HasPrefix(v, "!") {
		neg, v = true, strings.TrimSpace(v[1:])
	}
	// Only the quotes go: the regex keeps its escapes (\x00, \b, \s, ...);
	// Suricata's \" and \; are valid regex escapes of punctuation as well.
	s := strings.TrimSpace(v)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	} else if strings.HasPrefix(s, "\"") {
		return fmt.Errorf("keyword \"pcre\": unterminated quoted string")
	}
	end := strings.LastIndexByte(s, '/')
	if !strings.HasPrefix(s, "/") || end <= 0 {
		return fmt.Errorf("keyword \"pcre\": expected /regex/flags")
	}
	expr, flags := s[1:end], s[end+1:]
	if len(expr) > maxRegexpLen {
		return fmt.Errorf("keyword \"pcre\": pattern longer than %d bytes: %w", maxRegexpLen, ErrLimit)
	}
	var goFlags string
	it := item{typ: itPcre, neg: neg}
	buf := p.cur
	anchored := false
	for i := 0; i < len(flags); i++ {
		f := flags[i]
		switch f {
		case 'i', 's', 'm':
			if !strings.ContainsRune(goFlags, rune(f)) {
				goFlags += string(f)
			}
		case 'R':
			it.relative = true
		case 'A':
			anchored = true
		case 'O', 'B', 'E':
		default:
			b, ok := pcreBufferFlags[f]
			if !ok {
				return unsupported("pcre flag %q", string(f))
			}
			buf = b
		}
	}
	if anchored {
		expr = `\A(?:` + expr + ")" // \A: (?m) would turn ^ into a line start
	}
	if goFlags != "" {
		expr = "(?" + goFlags + ")" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return unsupported("pcre construct (%v)", err)
	}
	it.re, it.pcreSrc = re, s
	if it.relative && (p.lastIx < 0 || p.last != buf) {
		return fmt.Errorf("keyword \"pcre\" relative without a preceding content in its buffer")
	}
	cur := p.cur
	p.cur = buf
	err = p.add(it)
	p.cur = cur
	return err
}

// validateItems checks an item list against what the evaluators support.
// streaming is true for file data and stream buffers, which are never held whole.
func validateItems(items []item, streaming bool) error {
	for i := range items {
		it := &items[i]
		next := (*item)(nil)
		if i+1 < len(items) {
			next = &items[i+1]
		}
		nextRel := next != nil && (next.hasDistance || next.hasWithin || next.relative)
		if streaming && it.typ == itPcre && it.sp == nil {
			return unsupported("keyword \"pcre\" on file data or stream (not analysed)")
		}
		if it.typ == itPcre && it.neg && nextRel {
			return unsupported("relative inspection after a negated pcre")
		}
		if it.typ == itIsdataat && it.relative && nextRel {
			return unsupported("relative inspection after a relative isdataat")
		}
		if it.typ != itContent {
			continue
		}
		if it.neg && nextRel {
			return unsupported("relative inspection after a negated content")
		}
		if it.neg && it.endswith && streaming {
			return unsupported("negated content with endswith")
		}
		if it.endswith && nextRel && streaming {
			return unsupported("relative inspection after an endswith content")
		}
		if it.neg && streaming && len(it.alts[0]) > maxVerify && !it.nocase && hasLetter(it.alts[0]) {
			return unsupported("negated case-sensitive content longer than %d bytes", maxVerify)
		}
	}
	return nil
}

// hasLetter reports whether b contains an ASCII letter (where case matters).
func hasLetter(b []byte) bool {
	for _, c := range b {
		if c|0x20 >= 'a' && c|0x20 <= 'z' {
			return true
		}
	}
	return false
}
