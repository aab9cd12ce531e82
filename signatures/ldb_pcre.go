package signatures

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// PCRE subsignatures of ClamAV logical signatures: "Trigger/PCRE/Flags"
// (docs.clamav.net, "Logical signatures"). libclamav runs the regex after
// the other subsignatures, only when the trigger (a logical expression over
// earlier subsignatures) holds, and counts its first match (every match
// with the g flag). Here the regex is a streamed pcre (pcre_stream.go):
// it must have a bounded width and be anchored or start with a literal of
// at least 3 bytes, else the signature is skipped with a warning naming
// why. Its matches are counted like a hex subsignature's (distinct ends),
// the trigger is evaluated at End on the other counts, and a signature with
// a PCRE subsignature is decided at End. Not supported: an offset before
// the trigger (libclamav then anchors the regex there), the x flag (RE2 has
// no extended syntax), and PCRE subsignatures in signatures that wait for
// the file's headers (the streamed pcre's window would be gone when the
// waiting candidates are replayed).

// ldbPcre is what a PCRE subsignature adds to its chain.
type ldbPcre struct {
	trigger *lnode
	global  bool // g: count every match, not the first only
}

// parseLdbPcre parses subsignature index idx "Trigger/PCRE/Flags".
func parseLdbPcre(s string, idx int) (ldbSub, []item, error) {
	var sub ldbSub
	i := strings.IndexByte(s, '/')
	j := strings.LastIndexByte(s, '/')
	trig, expr, flags := s[:i], s[i+1:j], s[j+1:]
	if strings.Contains(trig, ":") {
		return sub, nil, unsupported("ldb PCRE subsignature with an offset %q", truncate(s))
	}
	if expr == "" {
		return sub, nil, fmt.Errorf("empty PCRE in %q", truncate(s))
	}
	if len(expr) > maxRegexpLen {
		return sub, nil, fmt.Errorf("PCRE longer than %d bytes: %w", maxRegexpLen, ErrLimit)
	}
	tn, maxID, err := parseLdbExpr(trig)
	if err != nil {
		return sub, nil, fmt.Errorf("PCRE trigger: %w", err)
	}
	if maxID >= idx {
		return sub, nil, fmt.Errorf("PCRE trigger names subsignature %d, not one before %d", maxID, idx)
	}
	lp := &ldbPcre{trigger: tn}
	goFlags, anchored := "", false
	for k := 0; k < len(flags); k++ {
		switch f := flags[k]; f {
		case 'i', 's', 'm', 'U':
			if !strings.ContainsRune(goFlags, rune(f)) {
				goFlags += string(f)
			}
		case 'g':
			lp.global = true
		case 'A':
			anchored = true
		case 'r', 'e', 'E': // r, e: about offsets (none here); E: Go's $ is already end-only
		case 'x':
			return sub, nil, unsupported("ldb PCRE flag x (extended syntax)")
		default:
			return sub, nil, fmt.Errorf("unknown PCRE flag %q", f)
		}
	}
	re := expr
	if anchored {
		re = `\A(?:` + re + ")"
	}
	if goFlags != "" {
		re = "(?" + goFlags + ")" + re
	}
	rx, err := regexp.Compile(re)
	if err != nil {
		return sub, nil, unsupported("ldb PCRE construct (%v)", err)
	}
	it := item{typ: itPcre, re: rx, pcreSrc: "/" + expr + "/" + flags}
	items := []item{it}
	if err := prepareStreamPcre(items); err != nil {
		if errors.Is(err, ErrUnsupported) {
			return sub, nil, unsupportedError("ldb PCRE subsignature " + strings.TrimPrefix(err.Error(), `keyword "pcre" `))
		}
		return sub, nil, err
	}
	sub.offset, sub.nchains, sub.pcre = trig, 1, lp
	return sub, items, nil
}

// pcreCount is the count of a PCRE subsignature at End: its matches (the
// first only without g) when its trigger holds on the earlier counts.
func (p *ldbPcre) count(n uint32, earlier []uint32) uint32 {
	if ok, _, _ := p.trigger.eval(earlier); !ok {
		return 0
	}
	if !p.global {
		return min(n, 1)
	}
	return n
}
