package policy

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Load reads and validates the policy file at path. Errors are *Error values
// (except for I/O) naming the file, the line and the bad field; unknown keys,
// duplicate keys, empty lists and malformed sids, hashes, hosts, windows and
// dates are all errors.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return Parse(path, data)
}

// Parse is Load for a policy already in memory; name is used in messages.
func Parse(name string, data []byte) (*Policy, error) {
	cfg, err := ParseConfig(name, data)
	if err != nil {
		return nil, err
	}
	p, err := New(cfg)
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			pe.File = name
		}
		return nil, err
	}
	p.name = name
	return p, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// ParseConfig decodes a policy file without validating the entries against
// each other (New does that). It checks every key and value it reads.
func ParseConfig(name string, data []byte) (Config, error) {
	var cfg Config
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		line := 0
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		return cfg, &Error{File: name, Line: line, Msg: "bad YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return cfg, nil // empty file: no entries
	}
	d := decoder{file: name}
	root := deref(doc.Content[0])
	err := d.mapping(root, "", func(key string, v *yaml.Node) error {
		switch key {
		case "rules":
			return d.rules(v, &cfg.Rules)
		case "max-incidents":
			n, err := d.int(v, key)
			cfg.MaxIncidents = n
			return err
		case "default-aggregate":
			dur, err := d.duration(v, key)
			cfg.DefaultAggregate = dur
			return err
		}
		return nil
	}, "rules", "max-incidents", "default-aggregate")
	return cfg, err
}

// decoder walks yaml.Node trees, so that every error carries a line.
type decoder struct{ file string }

func (d *decoder) errf(n *yaml.Node, field, format string, args ...any) *Error {
	return &Error{File: d.file, Line: n.Line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// mapping calls f for each key of the mapping n, rejecting keys not in known
// and keys given twice. path prefixes field names in errors.
func (d *decoder) mapping(n *yaml.Node, path string, f func(key string, v *yaml.Node) error, known ...string) error {
	if n.Kind != yaml.MappingNode {
		return d.errf(n, strings.TrimSuffix(path, "."), "want a mapping of keys (%s)", strings.Join(known, ", "))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		field := path + k.Value
		if !contains(known, k.Value) {
			return d.errf(k, field, "unknown key (known: %s)", strings.Join(known, ", "))
		}
		if seen[k.Value] {
			return d.errf(k, field, "key given twice")
		}
		seen[k.Value] = true
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			return d.errf(k, field, "empty value: leave the key out to match anything")
		}
		if err := f(k.Value, v); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var ruleKeys = []string{"sids", "sha256", "hosts", "src-hosts", "dst-hosts", "action", "window", "comment", "expires"}

func (d *decoder) rules(n *yaml.Node, out *[]Rule) error {
	if n.Kind != yaml.SequenceNode {
		return d.errf(n, "rules", "want a list of entries")
	}
	for i, item := range n.Content {
		item = deref(item)
		path := fmt.Sprintf("rules[%d]", i)
		r := Rule{Line: item.Line}
		err := d.mapping(item, path+".", func(key string, v *yaml.Node) error {
			field := path + "." + key
			var err error
			switch key {
			case "sids":
				r.SIDs, err = list(d, v, field, parseSID)
			case "sha256":
				r.SHA256, err = list(d, v, field, func(s string) (string, error) {
					s = strings.ToLower(s)
					return s, checkHash(s)
				})
			case "hosts":
				r.Hosts, err = list(d, v, field, parseHost)
			case "src-hosts":
				r.SrcHosts, err = list(d, v, field, parseHost)
			case "dst-hosts":
				r.DstHosts, err = list(d, v, field, parseHost)
			case "action":
				r.Action, err = d.scalar(v, field)
			case "window":
				r.Window, err = d.duration(v, field)
			case "comment":
				r.Comment, err = d.scalar(v, field)
			case "expires":
				var s string
				if s, err = d.scalar(v, field); err == nil {
					if r.Expires, err = parseExpires(s); err != nil {
						err = d.errf(v, field, "%v", err)
					}
				}
			}
			return err
		}, ruleKeys...)
		if err != nil {
			return err
		}
		*out = append(*out, r)
	}
	return nil
}

// list reads a scalar or a non-empty sequence of scalars, converting each.
func list[T any](d *decoder, n *yaml.Node, field string, conv func(string) (T, error)) ([]T, error) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		if len(items) == 0 {
			return nil, d.errf(n, field, "empty list: leave the key out to match anything")
		}
	}
	out := make([]T, 0, len(items))
	for i, it := range items {
		it = deref(it)
		f := field
		if n.Kind == yaml.SequenceNode {
			f = fmt.Sprintf("%s[%d]", field, i)
		}
		s, err := d.scalar(it, f)
		if err != nil {
			return nil, err
		}
		v, err := conv(s)
		if err != nil {
			return nil, d.errf(it, f, "%v", err)
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *decoder) scalar(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", d.errf(n, field, "want a single value")
	}
	return n.Value, nil
}

func (d *decoder) int(n *yaml.Node, field string) (int, error) {
	s, err := d.scalar(n, field)
	if err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, d.errf(n, field, "want an integer, got %q", s)
	}
	return v, nil
}

func (d *decoder) duration(n *yaml.Node, field string) (time.Duration, error) {
	s, err := d.scalar(n, field)
	if err != nil {
		return 0, err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, d.errf(n, field, "want a duration such as 90s, 10m or 1h, got %q", s)
	}
	return v, nil
}
