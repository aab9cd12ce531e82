package signatures

import (
	"fmt"
	"math/bits"
	"strconv"
)

// The logical expression of a ClamAV logical signature (.ldb), parsed and
// evaluated as libclamav does (docs.clamav.net, "Logical signatures"):
//
//   - A top-level '&' or '|' (outside parentheses) splits the expression at
//     the first one: "0&1|2" is 0 & (1|2). There is no precedence.
//   - Otherwise an expression "(...)" optionally followed by a block
//     modifier ("=X", ">X", "<X", each with an optional ",Y") is a block,
//     split at its last operator inside the outer parentheses: "(0&1|2)" is
//     (0&1) | 2; "(x)" without an operator at that level is x itself.
//   - A leaf is a subsignature index with an optional modifier on its match
//     count ("0>2"); ",Y" after a leaf's modifier is accepted and ignored.
//
// Evaluation returns (true/false, count, ids): a true leaf contributes its
// match count and its index to its parents (a leaf whose modifier holds
// contributes them even when its count is 0, so "0=0" counts subsignature 0
// as matched for a block's ",Y"); '&' and '|' pass on the sum and union of
// both sides when true. A block modifier compares the block's count (0
// when the block is false) with X and, with ",Y", requires at least Y
// distinct subsignatures among the ids; a block passes its count on but not
// its ids.

// Limits on one expression.
const (
	maxLdbSubsigs  = 64  // subsignatures of one logical signature (ClamAV's limit)
	maxLdbExprNode = 512 // nodes (and parentheses) of one expression: bounds the recursion
)

// lnode is one node of a logical expression.
type lnode struct {
	op   byte // 0 (leaf), '&' or '|'
	id   int  // leaf: subsignature index
	l, r *lnode
	mod  byte   // 0 or '=', '>', '<': on the leaf's or the block's count
	x    uint32 // the modifier's X
	y    uint32 // a block modifier's Y (minimum distinct subsignatures)
}

// lparser parses one expression, counting nodes.
type lparser struct {
	nodes int
	maxID int
}

// parseLdbExpr parses a logical expression; maxID is the largest
// subsignature index it names.
func parseLdbExpr(s string) (n *lnode, maxID int, err error) {
	p := &lparser{maxID: -1}
	n, err = p.parse(s)
	if err != nil {
		return nil, 0, fmt.Errorf("logical expression %q: %w", truncate(s), err)
	}
	return n, p.maxID, nil
}

func (p *lparser) parse(s string) (*lnode, error) {
	if p.nodes++; p.nodes > maxLdbExprNode {
		return nil, fmt.Errorf("more than %d nodes: %w", maxLdbExprNode, ErrLimit)
	}
	if s == "" {
		return nil, fmt.Errorf("missing operand")
	}
	level, top, inner := 0, -1, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '(':
			level++
		case ')':
			if level == 0 {
				return nil, fmt.Errorf("')' without '(' at %d", i)
			}
			level--
		case '&', '|':
			switch level {
			case 0:
				if top < 0 {
					top = i
				}
			case 1:
				inner = i
			}
		}
	}
	if level != 0 {
		return nil, fmt.Errorf("missing ')'")
	}
	if top >= 0 {
		l, err := p.parse(s[:top])
		if err != nil {
			return nil, err
		}
		r, err := p.parse(s[top+1:])
		if err != nil {
			return nil, err
		}
		return &lnode{op: s[top], l: l, r: r}, nil
	}
	if s[0] == '(' {
		m := matchParen(s)
		if inner < 0 || inner > m {
			if m != len(s)-1 {
				return nil, fmt.Errorf("modifier after a parenthesised single subsignature %q", truncate(s))
			}
			return p.parse(s[1:m])
		}
		n := &lnode{op: s[inner]}
		var err error
		if n.l, err = p.parse(s[1:inner]); err != nil {
			return nil, err
		}
		if n.r, err = p.parse(s[inner+1 : m]); err != nil {
			return nil, err
		}
		if m+1 < len(s) {
			if n.mod, n.x, n.y, err = parseLdbModifier(s[m+1:]); err != nil {
				return nil, err
			}
		}
		return n, nil
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return nil, fmt.Errorf("expected a subsignature index at %q", truncate(s))
	}
	id, err := strconv.Atoi(s[:i])
	if err != nil || id >= maxLdbSubsigs {
		return nil, fmt.Errorf("subsignature index %s out of range 0-%d", truncate(s[:i]), maxLdbSubsigs-1)
	}
	n := &lnode{id: id}
	p.maxID = max(p.maxID, id)
	if i < len(s) {
		if n.mod, n.x, _, err = parseLdbModifier(s[i:]); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// matchParen returns the index of the ')' closing s[0] (balanced: checked).
func matchParen(s string) int {
	level := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			level++
		case ')':
			if level--; level == 0 {
				return i
			}
		}
	}
	return len(s) - 1
}

// parseLdbModifier parses "=X", ">X", "<X", each with an optional ",Y".
func parseLdbModifier(s string) (mod byte, x, y uint32, err error) {
	if s == "" || (s[0] != '=' && s[0] != '>' && s[0] != '<') {
		return 0, 0, 0, fmt.Errorf("unexpected %q (want '=', '>' or '<' and a count)", truncate(s))
	}
	mod = s[0]
	xs, ys, hasY := cutByte(s[1:], ',')
	num := func(t string) (uint32, error) {
		if t == "" {
			return 0, fmt.Errorf("missing number after '%c'", mod)
		}
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return 0, fmt.Errorf("bad count %q after '%c'", truncate(t), mod)
			}
		}
		v, err := strconv.ParseUint(t, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("count %q after '%c' out of range", truncate(t), mod)
		}
		return uint32(v), nil
	}
	if x, err = num(xs); err != nil {
		return 0, 0, 0, err
	}
	if hasY {
		if y, err = num(ys); err != nil {
			return 0, 0, 0, err
		}
	}
	return mod, x, y, nil
}

// cutByte splits s around the first c.
func cutByte(s string, c byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// eval evaluates the expression on per-subsignature match counts.
func (n *lnode) eval(counts []uint32) (ok bool, cnt uint64, ids uint64) {
	if n.op == 0 {
		v := uint64(0)
		if n.id < len(counts) {
			v = uint64(counts[n.id])
		}
		if n.mod == 0 {
			if v == 0 {
				return false, 0, 0
			}
		} else if !compareCount(n.mod, v, n.x) {
			return false, 0, 0
		}
		return true, v, 1 << uint(n.id)
	}
	lok, lcnt, lids := n.l.eval(counts)
	rok, rcnt, rids := n.r.eval(counts)
	if n.op == '&' {
		ok = lok && rok
	} else {
		ok = lok || rok
	}
	if n.mod == 0 {
		if !ok {
			return false, 0, 0
		}
		return true, lcnt + rcnt, lids | rids
	}
	var tcnt, tids uint64
	if ok {
		tcnt, tids = lcnt+rcnt, lids|rids
	}
	if !compareCount(n.mod, tcnt, n.x) {
		return false, 0, 0
	}
	if n.y > 0 && uint32(bits.OnesCount64(tids)) < n.y {
		return false, 0, 0
	}
	return true, tcnt, 0
}

// compareCount applies a count modifier.
func compareCount(mod byte, v uint64, x uint32) bool {
	switch mod {
	case '=':
		return v == uint64(x)
	case '>':
		return v > uint64(x)
	case '<':
		return v < uint64(x)
	}
	return false
}

// monotone reports whether the expression, once true, stays true as counts
// grow (no '=' or '<' anywhere): such a signature can be reported as soon
// as it holds, before the end of the file.
func (n *lnode) monotone() bool {
	if n.mod == '=' || n.mod == '<' {
		return false
	}
	if n.op == 0 {
		return true
	}
	return n.l.monotone() && n.r.monotone()
}

// String writes the expression back in ClamAV syntax, fully parenthesised.
func (n *lnode) String() string {
	var s string
	if n.op == 0 {
		s = strconv.Itoa(n.id)
	} else {
		s = "(" + n.l.String() + string(n.op) + n.r.String() + ")"
	}
	if n.mod != 0 {
		s += string(n.mod) + strconv.FormatUint(uint64(n.x), 10)
		if n.y > 0 {
			s += "," + strconv.FormatUint(uint64(n.y), 10)
		}
	}
	return s
}
