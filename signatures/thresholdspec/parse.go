package thresholdspec

import (
	"fmt"
	"strconv"
	"strings"
)

// UnsupportedError names an option Suricata has and wirescan does not
// implement (detection_filter's unique_on), as opposed to a malformed value.
type UnsupportedError struct {
	Keyword, Option string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s option %q not supported", e.Keyword, e.Option)
}

// Field is one "name value" item of a comma-separated field list.
type Field struct {
	Name, Value string
}

// maxFields bounds the fields of one list, so a hostile line costs little.
const maxFields = 64

// Fields splits s at commas outside brackets (an ip list "[a,b]" stays one
// value) into fields, each a name, white space and a value. An empty item
// (",,", a trailing comma), a name without value and unbalanced brackets
// are errors; an empty s has no fields.
func Fields(s string) ([]Field, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []Field
	depth, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch s[i] {
			case '[':
				depth++
				continue
			case ']':
				if depth--; depth < 0 {
					return nil, fmt.Errorf("unbalanced ']'")
				}
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		if depth > 0 {
			return nil, fmt.Errorf("unbalanced '['")
		}
		item := strings.TrimSpace(s[start:i])
		start = i + 1
		if item == "" {
			return nil, fmt.Errorf("empty field (two commas in a row, or a comma at the end)")
		}
		if len(out) == maxFields {
			return nil, fmt.Errorf("more than %d fields", maxFields)
		}
		name, value := item, ""
		if j := strings.IndexAny(item, " \t"); j >= 0 {
			name, value = item[:j], strings.TrimSpace(item[j+1:])
		}
		if value == "" {
			return nil, fmt.Errorf("field %q has no value (want \"name value\"; a list goes in brackets: [a,b])", quote(name))
		}
		out = append(out, Field{Name: name, Value: value})
	}
	return out, nil
}

// Collect maps fields by name, rejecting a name not in known and a name
// given twice (the first such problem is returned, naming the field).
func Collect(fields []Field, known ...string) (map[string]string, error) {
	vals := make(map[string]string, len(fields))
	for _, f := range fields {
		if !contains(known, f.Name) {
			return nil, fmt.Errorf("unknown field %q (want %s)", quote(f.Name), strings.Join(known, ", "))
		}
		if _, dup := vals[f.Name]; dup {
			return nil, fmt.Errorf("field %q given twice", f.Name)
		}
		vals[f.Name] = f.Value
	}
	return vals, nil
}

func contains[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

// ParseType reads a threshold type among allowed.
func ParseType(s string, allowed ...Type) (Type, error) {
	for _, t := range allowed {
		if t.String() == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown type %q (want %s)", quote(s), join(allowed))
}

// ParseTrack reads a tracker among allowed.
func ParseTrack(s string, allowed ...Track) (Track, error) {
	for _, t := range allowed {
		if t.String() == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown track %q (want %s)", quote(s), join(allowed))
}

func join[T fmt.Stringer](xs []T) string {
	names := make([]string, len(xs))
	for i, x := range xs {
		names[i] = x.String()
	}
	return strings.Join(names, ", ")
}

// ParseNumber reads the decimal value of field name, which must lie in
// [lo, hi].
func ParseNumber(name, s string, lo, hi uint64) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("bad %s %q: want a whole number from %d to %d", name, quote(s), lo, hi)
	}
	return n, nil
}

// countingFields are the field names FromValues reads.
func countingFields() []string { return []string{"type", "track", "count", "seconds", "multiplier"} }

// FromValues builds the Spec of a threshold: keyword (or threshold.config
// threshold/event_filter line) from its field values, or of a
// detection_filter: keyword when detectionFilter is set (then vals has no
// "type"). types lists the threshold types accepted. Fields other than
// "type", "track", "count", "seconds" and "multiplier" are the caller's business.
func FromValues(vals map[string]string, detectionFilter bool, types ...Type) (Spec, error) {
	var s Spec
	var err error
	if detectionFilter {
		s.Type = DetectionFilter
	} else {
		v, ok := vals["type"]
		if !ok {
			return s, fmt.Errorf("missing field \"type\" (%s)", join(types))
		}
		if s.Type, err = ParseType(v, types...); err != nil {
			return s, err
		}
	}
	v, ok := vals["track"]
	if !ok {
		return s, fmt.Errorf("missing field \"track\" (%s)", join(CountTracks()))
	}
	if s.Track, err = ParseTrack(v, CountTracks()...); err != nil {
		return s, err
	}
	if s.Count, err = number(vals, "count", 1, MaxCount); err != nil {
		return s, err
	}
	if s.Type == Backoff {
		if _, ok := vals["seconds"]; ok {
			return s, fmt.Errorf("type backoff takes a multiplier, not seconds")
		}
		if s.Track != ByFlow {
			return s, fmt.Errorf("type backoff needs track by_flow, got %s", s.Track)
		}
		s.Multiplier, err = number(vals, "multiplier", 2, MaxCount)
		return s, err
	}
	if _, ok := vals["multiplier"]; ok {
		return s, fmt.Errorf("multiplier applies only to type backoff")
	}
	s.Seconds, err = number(vals, "seconds", 1, MaxSeconds)
	return s, err
}

// number reads the required field name as a uint32 in [lo, hi].
func number(vals map[string]string, name string, lo, hi uint64) (uint32, error) {
	v, ok := vals[name]
	if !ok {
		return 0, fmt.Errorf("missing field %q", name)
	}
	n, err := ParseNumber(name, v, lo, hi)
	return uint32(n), err
}

// ParseKeyword parses the value of a rule's threshold: or detection_filter:
// keyword ("type limit, track by_src, count 1, seconds 60"). Fields may come
// in any order; each must be given once.
func ParseKeyword(keyword, value string) (Spec, error) {
	fields, err := Fields(value)
	if err != nil {
		return Spec{}, err
	}
	switch keyword {
	case "threshold":
		vals, err := Collect(fields, countingFields()...)
		if err != nil {
			return Spec{}, err
		}
		return FromValues(vals, false, Limit, Threshold, Both, Backoff)
	case "detection_filter":
		for _, f := range fields {
			if f.Name == "unique_on" {
				return Spec{}, &UnsupportedError{Keyword: keyword, Option: f.Name}
			}
		}
		vals, err := Collect(fields, "track", "count", "seconds")
		if err != nil {
			return Spec{}, err
		}
		return FromValues(vals, true)
	}
	return Spec{}, fmt.Errorf("unknown threshold keyword %q", quote(keyword))
}

// quote shortens hostile text quoted in messages.
func quote(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
