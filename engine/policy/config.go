package policy

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Actions an entry can take.
const (
	// ActionSuppress drops matching alerts; they are still counted per entry
	// and per signature.
	ActionSuppress = "suppress"
	// ActionAggregate groups identical matching alerts into incidents.
	ActionAggregate = "aggregate"
)

// DefaultMaxIncidents is the size of the incident table when
// Config.MaxIncidents is 0.
const DefaultMaxIncidents = 100000

// Rule is one suppression or aggregation entry of a policy file. A field
// left empty matches anything; the fields that are set must all match.
type Rule struct {
	// SIDs are the signature ids the entry applies to.
	SIDs []int `yaml:"sids"`
	// SHA256 are lowercase hex SHA-256 hashes of files. Only alerts on
	// complete files carry a hash, so an alert without one never matches an
	// entry that lists hashes.
	SHA256 []string `yaml:"sha256"`
	// Hosts match when either endpoint of the alert is inside one prefix.
	Hosts []netip.Prefix `yaml:"hosts"`
	// SrcHosts match the source of the alert (the sender of the bytes that
	// fired the signature).
	SrcHosts []netip.Prefix `yaml:"src-hosts"`
	// DstHosts match the destination of the alert.
	DstHosts []netip.Prefix `yaml:"dst-hosts"`
	// Action is ActionSuppress or ActionAggregate.
	Action string `yaml:"action"`
	// Window, for aggregate entries only, is how long an incident stays open
	// after its last hit, in packet time.
	Window time.Duration `yaml:"window"`
	// Comment says why the entry exists; Check and the policy summary show it.
	Comment string `yaml:"comment"`
	// Expires, when set, is the packet time from which the entry no longer
	// applies.
	Expires time.Time `yaml:"expires"`
	// Line is the 1-based line of the entry in its file (0 when built in
	// code); messages cite it.
	Line int `yaml:"-"`
}

// Config is a whole policy: its entries in matching order and its limits.
type Config struct {
	// Rules are tried in order; the first one that matches decides.
	Rules []Rule `yaml:"rules"`
	// MaxIncidents bounds the open incident table (and, separately, the
	// closed incidents waiting for Flush); 0 means DefaultMaxIncidents.
	MaxIncidents int `yaml:"max-incidents"`
	// DefaultAggregate, when positive, groups identical alerts (same sid,
	// sha256, source and destination) that match no entry into incidents with
	// this window. 0 leaves them alone: every such alert is emitted.
	DefaultAggregate time.Duration `yaml:"default-aggregate"`
}

// Validate reports the first problem of c, naming the entry (and its line
// when known). Problems include a suppression that names no signature, hash
// or host: it would silence everything.
func (c *Config) Validate() error {
	if c.MaxIncidents < 0 {
		return &Error{Field: "max-incidents", Msg: fmt.Sprintf("must not be negative, got %d", c.MaxIncidents)}
	}
	if c.DefaultAggregate < 0 {
		return &Error{Field: "default-aggregate", Msg: fmt.Sprintf("must not be negative, got %s", c.DefaultAggregate)}
	}
	for i := range c.Rules {
		if err := c.Rules[i].validate(); err != nil {
			err.Field = fmt.Sprintf("rules[%d]%s", i, err.Field)
			return err
		}
	}
	return nil
}

// validate checks one entry; the returned error's Field is relative to the
// entry ("" or ".hosts[1]").
func (r *Rule) validate() *Error {
	bad := func(field string, format string, args ...any) *Error {
		return &Error{Line: r.Line, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	for i, sid := range r.SIDs {
		if err := checkSID(sid); err != nil {
			return bad(fmt.Sprintf(".sids[%d]", i), "%v", err)
		}
	}
	for i, h := range r.SHA256 {
		if err := checkHash(h); err != nil {
			return bad(fmt.Sprintf(".sha256[%d]", i), "%v", err)
		}
	}
	for _, l := range []struct {
		name string
		ps   []netip.Prefix
	}{{"hosts", r.Hosts}, {"src-hosts", r.SrcHosts}, {"dst-hosts", r.DstHosts}} {
		for i, p := range l.ps {
			if err := checkPrefix(p); err != nil {
				return bad(fmt.Sprintf(".%s[%d]", l.name, i), "%v", err)
			}
		}
	}
	switch r.Action {
	case ActionSuppress:
		if r.Window != 0 {
			return bad(".window", "window applies only to aggregate entries")
		}
		if len(r.SIDs) == 0 && len(r.SHA256) == 0 && !narrowsHosts(r) {
			return bad("", "suppress entry names no sid, sha256 or host (other than /0): it would silence everything")
		}
	case ActionAggregate:
		if r.Window <= 0 {
			return bad(".window", "aggregate entry needs a positive window (e.g. 10m)")
		}
	case "":
		return bad(".action", "missing action: want suppress or aggregate")
	default:
		return bad(".action", "unknown action %q: want suppress or aggregate", r.Action)
	}
	return nil
}

// narrowsHosts reports whether r has a host prefix that excludes something.
func narrowsHosts(r *Rule) bool {
	for _, ps := range [][]netip.Prefix{r.Hosts, r.SrcHosts, r.DstHosts} {
		for _, p := range ps {
			if p.Bits() > 0 {
				return true
			}
		}
	}
	return false
}

func checkSID(sid int) error {
	if sid <= 0 {
		return fmt.Errorf("bad sid %d: must be positive", sid)
	}
	return nil
}

func checkHash(h string) error {
	if len(h) != 64 {
		return fmt.Errorf("bad sha256 %q: want 64 hex digits, got %d characters", h, len(h))
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return fmt.Errorf("bad sha256 %q: want lowercase hex digits, got %q at %d", h, c, i)
		}
	}
	return nil
}

func checkPrefix(p netip.Prefix) error {
	switch {
	case !p.IsValid():
		return fmt.Errorf("invalid prefix")
	case p.Addr().Is4In6():
		return fmt.Errorf("bad host %s: write IPv4-mapped addresses in IPv4 form", p)
	case p != p.Masked():
		return fmt.Errorf("bad host %s: host bits set; did you mean %s or %s/%d?", p, p.Masked(), p.Addr(), p.Addr().BitLen())
	}
	return nil
}

// parseHost reads "10.1.2.3", "10.0.0.0/8", "2001:db8::1" or
// "2001:db8::/32"; a bare address is a single host.
func parseHost(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return p, fmt.Errorf("bad host %q: not an address or CIDR prefix", s)
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return p, fmt.Errorf("bad host %q: not an address or CIDR prefix", s)
		}
		if a.Zone() != "" {
			return p, fmt.Errorf("bad host %q: zones are not supported", s)
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	return p, checkPrefix(p)
}

// parseExpires reads an RFC 3339 time or a date (YYYY-MM-DD, meaning 00:00
// UTC of that day).
func parseExpires(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad expires %q: want a date (2025-12-31) or an RFC 3339 time (2025-12-31T18:00:00Z)", s)
}

func parseSID(s string) (int, error) {
	sid, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("bad sid %q: not an integer", s)
	}
	return sid, checkSID(sid)
}

// Error is a problem in a policy file or Config: where it is and what is
// wrong.
type Error struct {
	// File is the policy file ("" for a Config built in code).
	File string
	// Line is the 1-based line (0 when unknown).
	Line int
	// Field is the YAML path of the bad value ("rules[2].hosts[0]").
	Field string
	// Msg says what is wrong.
	Msg string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("policy: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(":")
	}
	if e.File != "" || e.Line > 0 {
		b.WriteString(" ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}
