package signatures

import (
	"fmt"
	"strings"
)

// Limits on one rule's structure.
const (
	maxItemsPerRule = 256       // content/pcre/isdataat/bsize items
	maxContentLen   = 16 << 10  // bytes in one content
	maxOptions      = 1024      // options in one rule
	maxSID          = 1<<31 - 1 // sid/gid/rev/priority upper bound
)

// parseCtx is what parsing a rule needs besides its text.
type parseCtx struct {
	dir  string // directory for relative list files
	opts Options
}

// ParseRule parses one Suricata rule. Variables resolve to "any" and list files
// (filemd5:...) resolve against the current directory. Errors are prefixed with
// "signatures: " and wrap ErrUnsupported when the rule uses a feature wirescan does
// not implement.
func ParseRule(line string) (*Rule, error) {
	r, err := parseRule(line, &parseCtx{dir: ".", opts: Options{}.withDefaults()})
	if err != nil {
		return nil, fmt.Errorf("signatures: %w", err)
	}
	return r, nil
}

// ruleParser holds the state of parsing one rule's options.
type ruleParser struct {
	r      *Rule
	pc     *parseCtx
	cur    string            // active sticky buffer: "" = stream, "file_data", "http.uri", ...
	bufs   map[string][]item // items per buffer
	order  []string          // buffer names in first-use order
	last   string            // buffer of the last content
	lastIx int               // index of the last content in bufs[last], -1 none
	nitems int
	prio   int
	hasSID bool
	fileKw bool                   // a file keyword (filename, filesize, ...) was used
	xforms map[string][]transform // transforms per buffer
	evKw   string                 // "app-layer-event" or "stream-event" when the rule has one

	absentBufs  map[string]absentMode // absent keyword per buffer
	absentOrder []string              // buffers with absent, in rule order
}

// parseRule parses one rule with context.
func parseRule(line string, pc *parseCtx) (*Rule, error) {
	line = strings.TrimSpace(line)
	open := strings.IndexByte(line, '(')
	if open < 0 || !strings.HasSuffix(line, ")") {
		return nil, fmt.Errorf("rule must be 'action proto src sport -> dst dport (options)'")
	}
	r := &Rule{Raw: line, GID: 1, Priority: 3, Rev: 1, ruleBody: &ruleBody{}}
	if err := parseHeader(r, line[:open], pc); err != nil {
		return nil, err
	}
	p := &ruleParser{r: r, pc: pc, bufs: map[string][]item{}, lastIx: -1}
	opts, err := splitOptions(line[open+1 : len(line)-1])
	if err != nil {
		return nil, err
	}
	for _, o := range opts {
		if err := p.option(o); err != nil {
			return nil, err
		}
	}
	if !p.hasSID {
		return nil, fmt.Errorf("rule has no sid")
	}
	if p.prio != 0 {
		r.Priority = p.prio
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return r, nil
}

// parseHeader parses "action proto src sport dir dst dport".
func parseHeader(r *Rule, h string, pc *parseCtx) error {
	f := headerFields(h)
	if len(f) != 7 {
		return fmt.Errorf("rule header needs 7 fields, got %d", len(f))
	}
	switch f[0] {
	case "alert", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth", "pass":
		r.Action = f[0]
	default:
		return unsupported("action %q", truncate(f[0]))
	}
	switch f[1] {
	case "http", "http1":
		r.Proto = "http"
	case "tcp", "file", "ip", "smb", "dcerpc", "tcp-pkt":
		r.Proto = f[1]
	default:
		return unsupported("protocol %q", truncate(f[1]))
	}
	var err error
	v := pc.opts.Vars
	if r.hdr.src, err = parseAddr(f[2], v, 0); err != nil {
		return err
	}
	if r.hdr.sport, err = parsePort(f[3], v, 0); err != nil {
		return err
	}
	switch f[4] {
	case "->":
	case "<>":
		r.hdr.bidir = true
	default:
		return fmt.Errorf("bad direction %q", truncate(f[4]))
	}
	if r.hdr.dst, err = parseAddr(f[5], v, 0); err != nil {
		return err
	}
	r.hdr.dport, err = parsePort(f[6], v, 0)
	r.hdrKey = strings.Join(f[1:], " ")
	return err
}

// headerFields splits a header at whitespace outside brackets.
func headerFields(h string) []string {
	var out []string
	depth, start := 0, -1
	for i := 0; i <= len(h); i++ {
		sp := i == len(h) || (depth == 0 && (h[i] == ' ' || h[i] == '\t'))
		if !sp {
			if start < 0 {
				start = i
			}
			switch h[i] {
			case '[':
				depth++
			case ']':
				depth--
			}
			continue
		}
		if start >= 0 {
			out = append(out, h[start:i])
			start = -1
		}
		if len(out) > 8 {
			break
		}
	}
	return out
}

// option is one "name[:value]" of the option list.
type option struct {
	name, val string
	hasVal    bool
}

// splitOptions splits the option list at unescaped ';' (Suricata does not track
// quotes; a ';' inside a value must be escaped).
func splitOptions(s string) ([]option, error) {
	var out []option
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ';':
			o := strings.TrimSpace(s[start:i])
			start = i + 1
			if o == "" {
				continue
			}
			if len(out) >= maxOptions {
				return nil, fmt.Errorf("more than %d options: %w", maxOptions, ErrLimit)
			}
			name, val, ok := strings.Cut(o, ":")
			out = append(out, option{name: strings.TrimSpace(name), val: strings.TrimSpace(val), hasVal: ok})
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		return nil, fmt.Errorf("option %q not terminated by ';'", truncate(strings.TrimSpace(s[start:])))
	}
	return out, nil
}
