package signatures

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// DCERPC keywords (Suricata "DCERPC keywords"): dcerpc.iface, dcerpc.opnum and
// the dcerpc.stub_data sticky buffer. They are transaction conditions read
// from the protocol buffers the parser exposes (engine/smb dcerpc_tx.go):
//
//   - "dcerpc.opnum": the REQUEST's opnum, 2 bytes big-endian;
//   - "dcerpc.iface": the interfaces the server accepted on the connection,
//     18 bytes each: UUID (canonical order) + major version, big-endian;
//   - "dcerpc.stub_data.to_server" / ".to_client": request / response stub.
//
// A transaction without these buffers (not a DCERPC REQUEST) never matches.

// stubDataBuf is the internal buffer name of dcerpc.stub_data; the direction
// suffix is added when the rule is evaluated.
const stubDataBuf = "dcerpc.stub_data"

// Limits on DCERPC keyword values.
const (
	maxOpnumRanges = 64
	maxOpnum       = 65535
)

// dceCond is a rule's DCERPC conditions; every part must hold.
type dceCond struct {
	ifaces []ifaceCond
	opnums []opnumRange // any range
}

// ifaceCond is one dcerpc.iface keyword.
type ifaceCond struct {
	uuid    [16]byte
	op      byte // 0 (no version), '<', '>', '=', '!'
	version uint16
	anyFrag bool // accepted; SMB transactions carry whole calls
}

// opnumRange is one opnum or an inclusive range.
type opnumRange struct{ lo, hi uint16 }

// parseIface parses "<uuid>[,<op><version>][,any_frag]".
func parseIface(v string) (ifaceCond, error) {
	var c ifaceCond
	parts := strings.Split(v, ",")
	if len(parts) > 3 {
		return c, fmt.Errorf("keyword \"dcerpc.iface\": too many fields in %q", truncate(v))
	}
	u := strings.TrimSpace(parts[0])
	raw, err := hex.DecodeString(strings.ReplaceAll(u, "-", ""))
	if err != nil || len(raw) != 16 || len(u) != 36 || u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-' {
		return c, fmt.Errorf("keyword \"dcerpc.iface\": bad uuid %q", truncate(u))
	}
	copy(c.uuid[:], raw)
	for _, f := range parts[1:] {
		f = strings.TrimSpace(f)
		switch {
		case f == "any_frag":
			if c.anyFrag {
				return c, fmt.Errorf("keyword \"dcerpc.iface\": any_frag given twice")
			}
			c.anyFrag = true
		case len(f) >= 2 && strings.IndexByte("<>=!", f[0]) >= 0 && c.op == 0:
			n, err := strconv.ParseUint(f[1:], 10, 16)
			if err != nil {
				return c, fmt.Errorf("keyword \"dcerpc.iface\": bad version %q", truncate(f))
			}
			c.op, c.version = f[0], uint16(n)
		default:
			return c, fmt.Errorf("keyword \"dcerpc.iface\": bad option %q", truncate(f))
		}
	}
	return c, nil
}

// parseOpnums parses "n", "n-m" and comma-separated lists of them.
func parseOpnums(v string) ([]opnumRange, error) {
	var out []opnumRange
	for _, f := range strings.Split(v, ",") {
		if len(out) >= maxOpnumRanges {
			return nil, fmt.Errorf("keyword \"dcerpc.opnum\": more than %d ranges: %w", maxOpnumRanges, ErrLimit)
		}
		f = strings.TrimSpace(f)
		lo, hi, isRange := strings.Cut(f, "-")
		a, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 16)
		if err != nil {
			return nil, fmt.Errorf("keyword \"dcerpc.opnum\": bad value %q", truncate(f))
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(strings.TrimSpace(hi), 10, 16); err != nil || b <= a {
				return nil, fmt.Errorf("keyword \"dcerpc.opnum\": bad range %q", truncate(f))
			}
		}
		out = append(out, opnumRange{uint16(a), uint16(b)})
	}
	return out, nil
}

// match evaluates the conditions against a transaction's buffers.
func (d *dceCond) match(b Buffers) bool {
	if b == nil {
		return false
	}
	if len(d.opnums) > 0 {
		raw, ok := b.Buffer("dcerpc.opnum")
		if !ok || len(raw) != 2 {
			return false
		}
		op := binary.BigEndian.Uint16(raw)
		hit := false
		for _, r := range d.opnums {
			if op >= r.lo && op <= r.hi {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	if len(d.ifaces) > 0 {
		raw, ok := b.Buffer("dcerpc.iface")
		if !ok {
			return false
		}
		for i := range d.ifaces {
			if !d.ifaces[i].matchAny(raw) {
				return false
			}
		}
	}
	return true
}

// matchAny reports whether some accepted interface record in raw matches.
func (c *ifaceCond) matchAny(raw []byte) bool {
	for ; len(raw) >= 18; raw = raw[18:] {
		if !bytes.Equal(raw[:16], c.uuid[:]) {
			continue
		}
		v := binary.BigEndian.Uint16(raw[16:])
		switch c.op {
		case 0:
			return true
		case '<':
			if v < c.version {
				return true
			}
		case '>':
			if v > c.version {
				return true
			}
		case '=':
			if v == c.version {
				return true
			}
		case '!':
			if v != c.version {
				return true
			}
		}
	}
	return false
}

// key is the canonical text of the conditions, for rule grouping.
func (d *dceCond) key() string {
	var b strings.Builder
	b.WriteString("dce:")
	for _, c := range d.ifaces {
		fmt.Fprintf(&b, "%x,%d,%d,%v;", c.uuid, c.op, c.version, c.anyFrag)
	}
	fmt.Fprintf(&b, "%v", d.opnums)
	return b.String()
}

// dcerpcOption handles the dcerpc.* keywords that take a value.
func (p *ruleParser) dcerpcOption(o option) error {
	r := p.r
	if r.dce == nil {
		r.dce = &dceCond{}
	}
	r.perDirection = true
	switch o.name {
	case "dcerpc.iface":
		c, err := parseIface(o.val)
		if err != nil {
			return err
		}
		r.dce.ifaces = append(r.dce.ifaces, c)
	case "dcerpc.opnum":
		rs, err := parseOpnums(o.val)
		if err != nil {
			return err
		}
		r.dce.opnums = append(r.dce.opnums, rs...)
	}
	return nil
}
