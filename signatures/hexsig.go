package signatures

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits on one ClamAV body signature.
const (
	maxHexSigLen   = 64 << 10 // characters
	maxAlts        = 256      // alternatives of one element after expansion
	maxSigElements = 1024     // elements of one signature
)

// unit is one position of a hex signature: the set of byte strings it accepts.
type unit [][]byte

// gap is a wildcard run between units: lo..hi bytes, hi -1 for unbounded.
type gap struct{ lo, hi int64 }

// parseHexSig compiles a ClamAV hex signature into content items: maximal runs of
// bytes, nibble wildcards and alternations become elements (expanded into at most
// maxAlts literal alternatives, split into adjacent elements beyond that or past
// maxVerify bytes); wildcards become distance/shift constraints. lead is the
// fixed number of wildcard bytes before the first element.
func parseHexSig(sig string) (items []item, lead int64, err error) {
	return parseHexSigForm(sig, false)
}

// parseHexSigForm is parseHexSig; wide interleaves every literal byte with
// a zero byte (ClamAV's "::w" subsignature modifier; wildcards and gaps
// are not widened).
func parseHexSigForm(sig string, wide bool) (items []item, lead int64, err error) {
	if len(sig) > maxHexSigLen {
		return nil, 0, fmt.Errorf("hex signature longer than %d characters: %w", maxHexSigLen, ErrLimit)
	}
	var pend *gap // gap before the next unit
	var seg []unit
	addGap := func(g gap) {
		if pend == nil {
			pend = &g
			return
		}
		pend.lo += g.lo
		if pend.hi < 0 || g.hi < 0 {
			pend.hi = -1
		} else {
			pend.hi += g.hi
		}
	}
	flush := func() error {
		if len(seg) == 0 {
			return nil
		}
		els := expandSegment(seg)
		for k, alts := range els {
			it := item{typ: itContent, alts: alts}
			if k > 0 {
				it.hasDistance, it.hasShift = true, true
			} else if len(items) > 0 {
				g := gap{}
				if pend != nil {
					g = *pend
				}
				it.hasDistance, it.distance = true, g.lo
				if g.hi >= 0 {
					it.hasShift, it.shift = true, g.hi-g.lo
				}
			}
			items = append(items, it)
			if len(items) > maxSigElements {
				return fmt.Errorf("more than %d elements: %w", maxSigElements, ErrLimit)
			}
		}
		seg, pend = seg[:0], nil
		return nil
	}
	for i := 0; i < len(sig); {
		c := sig[i]
		switch {
		case c == '*':
			if err := flush(); err != nil {
				return nil, 0, err
			}
			if len(items) == 0 {
				return nil, 0, unsupported("ndb signature starting with '*'")
			}
			addGap(gap{0, -1})
			i++
		case c == '{':
			j := strings.IndexByte(sig[i:], '}')
			if j < 0 {
				return nil, 0, fmt.Errorf("unterminated '{' in hex signature")
			}
			g, err := parseGap(sig[i+1 : i+j])
			if err != nil {
				return nil, 0, err
			}
			if err := flush(); err != nil {
				return nil, 0, err
			}
			if len(items) == 0 && g.lo != g.hi {
				return nil, 0, unsupported("ndb signature starting with a variable gap")
			}
			addGap(g)
			i += j + 1
		case c == '(':
			j := strings.IndexByte(sig[i:], ')')
			if j < 0 {
				return nil, 0, fmt.Errorf("unterminated '(' in hex signature")
			}
			u, err := parseAlternation(sig[i+1 : i+j])
			if err != nil {
				return nil, 0, err
			}
			if wide {
				u = widen(u)
			}
			seg = append(seg, u)
			i += j + 1
		case c == '?' && i+1 < len(sig) && sig[i+1] == '?':
			if err := flush(); err != nil {
				return nil, 0, err
			}
			addGap(gap{1, 1})
			i += 2
		case i+1 < len(sig) && (isHex(c) || c == '?') && (isHex(sig[i+1]) || sig[i+1] == '?'):
			seg = append(seg, hexUnit(c, sig[i+1]))
			if wide {
				seg = append(seg, singleBytes[0])
			}
			i += 2
		case c == '!' || c == '[' || c == 'B' || c == 'L':
			return nil, 0, unsupported("ndb construct %q", string(c))
		default:
			return nil, 0, fmt.Errorf("invalid character %q in hex signature", c)
		}
	}
	if err := flush(); err != nil {
		return nil, 0, err
	}
	if pend != nil {
		if len(items) == 0 {
			return nil, 0, fmt.Errorf("hex signature has no literal bytes")
		}
		return nil, 0, unsupported("ndb signature ending with a wildcard")
	}
	if len(items) == 0 {
		return nil, 0, fmt.Errorf("empty hex signature")
	}
	// A fixed gap before the first element is the lead.
	return items, leadOf(sig), nil
}

// leadOf returns the fixed wildcard bytes before the first literal of sig.
func leadOf(sig string) int64 {
	var n int64
	for i := 0; i < len(sig); {
		switch {
		case strings.HasPrefix(sig[i:], "??"):
			n++
			i += 2
		case sig[i] == '{':
			j := strings.IndexByte(sig[i:], '}')
			g, _ := parseGap(sig[i+1 : i+j])
			n += g.lo
			i += j + 1
		default:
			return n
		}
	}
	return n
}

// parseGap parses the inside of {n}, {-n}, {n-}, {n-m}.
func parseGap(s string) (gap, error) {
	num := func(x string) (int64, error) {
		n, err := strconv.ParseInt(x, 10, 32)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad gap {%s} in hex signature", truncate(s))
		}
		return n, nil
	}
	lo, hi, rng := strings.Cut(s, "-")
	if !rng {
		n, err := num(s)
		return gap{n, n}, err
	}
	var g gap
	var err error
	if lo != "" {
		if g.lo, err = num(lo); err != nil {
			return g, err
		}
	}
	g.hi = -1
	if hi != "" {
		if g.hi, err = num(hi); err != nil {
			return g, err
		}
		if g.hi < g.lo {
			return g, fmt.Errorf("bad gap {%s} in hex signature", truncate(s))
		}
	}
	if lo == "" && hi == "" {
		return g, fmt.Errorf("bad gap {%s} in hex signature", truncate(s))
	}
	return g, nil
}

// hexUnit returns the unit of a hex pair, expanding nibble wildcards ('?').
// The strings are shared and read-only.
func hexUnit(hi, lo byte) unit {
	his, los := nibbles(hi), nibbles(lo)
	if len(his) == 1 && len(los) == 1 {
		return singleBytes[his[0]<<4|los[0]]
	}
	u := make(unit, 0, len(his)*len(los))
	for _, h := range his {
		for _, l := range los {
			u = append(u, singleBytes[h<<4|l][0])
		}
	}
	return u
}

// singleBytes holds, for every byte value, the unit of that one byte.
var singleBytes = func() (t [256]unit) {
	for i := range t {
		t[i] = unit{{byte(i)}}
	}
	return t
}()

// allNibbles lists every nibble value, for a '?' digit.
var allNibbles = []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

// nibbles returns the nibble values hex digit c stands for ('?' is any).
func nibbles(c byte) []byte {
	switch {
	case c == '?':
		return allNibbles
	case c >= '0' && c <= '9':
		return allNibbles[c-'0' : c-'0'+1]
	case c >= 'a' && c <= 'f':
		return allNibbles[c-'a'+10 : c-'a'+11]
	case c >= 'A' && c <= 'F':
		return allNibbles[c-'A'+10 : c-'A'+11]
	}
	return nil
}

// parseAlternation parses "aa|bbcc|dd" (each alternative: hex pairs, nibbles).
func parseAlternation(s string) (unit, error) {
	var u unit
	for _, alt := range strings.Split(s, "|") {
		if len(alt) == 0 || len(alt)%2 != 0 || len(alt) > 2*maxVerify {
			return nil, unsupported("ndb alternative %q", truncate(alt))
		}
		cur := [][]byte{{}}
		for i := 0; i < len(alt); i += 2 {
			if !(isHex(alt[i]) || alt[i] == '?') || !(isHex(alt[i+1]) || alt[i+1] == '?') || alt[i:i+2] == "??" {
				return nil, unsupported("ndb alternative %q", truncate(alt))
			}
			cur = product(cur, hexUnit(alt[i], alt[i+1]))
			if len(cur) > maxAlts {
				return nil, unsupported("ndb alternative %q expands to more than %d strings", truncate(alt), maxAlts)
			}
		}
		u = append(u, cur...)
		if len(u) > maxAlts {
			return nil, unsupported("ndb alternation with more than %d strings", maxAlts)
		}
	}
	return u, nil
}

// widen returns the alternatives of u with a zero byte after each byte.
func widen(u unit) unit {
	out := make(unit, len(u))
	for i, a := range u {
		w := make([]byte, 0, 2*len(a))
		for _, c := range a {
			w = append(w, c, 0)
		}
		out[i] = w
	}
	return out
}

// product returns every concatenation a+b. as is consumed: its strings may
// be extended in place.
func product(as [][]byte, bs unit) [][]byte {
	if len(as) == 1 && len(bs) == 1 { // a plain byte run: no copies
		as[0] = append(as[0], bs[0]...)
		return as
	}
	out := make([][]byte, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			out = append(out, append(append([]byte(nil), a...), b...))
		}
	}
	return out
}

// expandSegment turns adjacent units into elements (alternative sets) of at most
// maxAlts strings and maxVerify bytes each; consecutive elements are adjacent.
func expandSegment(seg []unit) [][][]byte {
	var out [][][]byte
	cur := [][]byte{{}}
	curMax := 0
	for _, u := range seg {
		uMax := 0
		for _, b := range u {
			uMax = max(uMax, len(b))
		}
		if len(cur)*len(u) > maxAlts || curMax+uMax > maxVerify {
			out = append(out, cur)
			cur, curMax = [][]byte{{}}, 0
		}
		cur = product(cur, u)
		curMax += uMax
	}
	return append(out, cur)
}
