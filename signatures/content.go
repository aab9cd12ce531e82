package signatures

import (
	"fmt"
	"strconv"
	"strings"
)

// unquote strips the surrounding double quotes of a keyword value, if any, and
// resolves Suricata's escapes (\" \\ \; \:). It reports whether the value was quoted.
func unquote(v string) (string, error) {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	} else if strings.HasPrefix(v, "\"") {
		return "", fmt.Errorf("unterminated quoted string")
	}
	if !strings.Contains(v, "\\") {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String(), nil
}

// decodeContent turns a content value (without the negation mark) into bytes:
// quoted text with escapes and |hex| segments.
func decodeContent(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, fmt.Errorf("content must be a quoted string")
	}
	v = v[1 : len(v)-1]
	out := make([]byte, 0, len(v))
	hex := false
	var nib []byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		if hex {
			switch {
			case c == '|':
				if len(nib) != 0 {
					return nil, fmt.Errorf("odd number of hex digits in content")
				}
				hex = false
			case c == ' ':
				if len(nib) != 0 {
					return nil, fmt.Errorf("split hex byte in content")
				}
			case isHex(c):
				nib = append(nib, c)
				if len(nib) == 2 {
					x, _ := strconv.ParseUint(string(nib), 16, 8)
					out = append(out, byte(x))
					nib = nib[:0]
				}
			default:
				return nil, fmt.Errorf("invalid hex character %q in content", c)
			}
			continue
		}
		switch c {
		case '|':
			hex = true
		case '\\':
			if i+1 >= len(v) {
				return nil, fmt.Errorf("trailing backslash in content")
			}
			i++
			out = append(out, v[i])
		case '"':
			return nil, fmt.Errorf("unescaped '\"' in content")
		default:
			out = append(out, c)
		}
	}
	if hex {
		return nil, fmt.Errorf("unterminated hex segment in content")
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty content")
	}
	return out, nil
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// sizeCond is a numeric comparison: filesize, bsize.
type sizeCond struct {
	op     byte // '=', '<', '>', 'l' (<=), 'g' (>=), 'r' (lo<x<hi), '!' (!=)
	lo, hi int64
}

// parseSize parses "n", "<n", ">n", "<=n", ">=n", "!n" and "lo<>hi" (exclusive).
func parseSize(v string) (sizeCond, error) {
	v = strings.TrimSpace(v)
	num := func(s string) (int64, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad number %q", truncate(s))
		}
		return n, nil
	}
	if i := strings.Index(v, "<>"); i >= 0 {
		lo, err := num(v[:i])
		if err != nil {
			return sizeCond{}, err
		}
		hi, err := num(v[i+2:])
		if err != nil {
			return sizeCond{}, err
		}
		if hi <= lo {
			return sizeCond{}, fmt.Errorf("empty range %q", truncate(v))
		}
		return sizeCond{op: 'r', lo: lo, hi: hi}, nil
	}
	for _, p := range []struct {
		pre string
		op  byte
	}{{"<=", 'l'}, {">=", 'g'}, {"<", '<'}, {">", '>'}, {"!", '!'}} {
		if strings.HasPrefix(v, p.pre) {
			n, err := num(v[len(p.pre):])
			return sizeCond{op: p.op, lo: n}, err
		}
	}
	n, err := num(v)
	return sizeCond{op: '=', lo: n}, err
}

// match reports whether x satisfies the comparison.
func (c *sizeCond) match(x int64) bool {
	switch c.op {
	case '<':
		return x < c.lo
	case '>':
		return x > c.lo
	case 'l':
		return x <= c.lo
	case 'g':
		return x >= c.lo
	case 'r':
		return x > c.lo && x < c.hi
	case '!':
		return x != c.lo
	}
	return x == c.lo
}

// String renders the condition as the filesize and bsize keywords write it.
func (c sizeCond) String() string {
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	switch c.op {
	case '<':
		return "<" + n(c.lo)
	case '>':
		return ">" + n(c.lo)
	case 'l':
		return "<=" + n(c.lo)
	case 'g':
		return ">=" + n(c.lo)
	case 'r':
		return n(c.lo) + "<>" + n(c.hi)
	case '!':
		return "!" + n(c.lo)
	}
	return n(c.lo)
}
