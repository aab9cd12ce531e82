package threshold

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wirescan/wirescan/internal/lines"
	"github.com/wirescan/wirescan/signatures"
	"github.com/wirescan/wirescan/signatures/thresholdspec"
)

// Limits on a threshold.config, so that a hostile or mistaken file costs
// little to read.
const (
	// MaxLineBytes bounds one entry, continuation lines included; a longer
	// entry is an error.
	MaxLineBytes = 64 << 10
	// MaxEntries bounds the entries of one file; beyond it Parse stops with
	// an error.
	MaxEntries = 1_000_000
	// MaxErrors bounds the errors Parse collects; the last one says how
	// many more there were.
	MaxErrors = 100
	// maxSID bounds gen_id and sig_id as the rule parser bounds gid and sid.
	maxSID = 1<<31 - 1
)

// Load reads and parses the threshold.config at path; see Parse.
func Load(path string, vars map[string]string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("threshold: %w", err)
	}
	defer f.Close()
	return Parse(f, path, vars)
}

// Parse reads a threshold.config from r; name is the file name messages
// cite. vars resolves $NAME in suppress ip lists (as signatures.Options.Vars
// does for rules; an undefined variable is an error). Every entry is
// checked, and all problems are returned together as Errors, each naming
// FILE:LINE; the returned Config then holds the entries that parsed, for
// tools that list them, and must not be used to filter alerts. An I/O error
// is returned as is (wrapped).
func Parse(r io.Reader, name string, vars map[string]string) (*Config, error) {
	cfg := &Config{Name: name}
	errs := lines.NewCollector("threshold", name, MaxErrors)
	fail := errs.Add
	err := readEntries(r, func(line int, text string, tooLong bool) bool {
		if tooLong {
			fail(line, "entry longer than %d bytes", MaxLineBytes)
			return true
		}
		if len(cfg.Entries) == MaxEntries {
			fail(line, "more than %d entries", MaxEntries)
			return false
		}
		e, err := parseEntry(text, vars)
		if err != nil {
			fail(line, "%v", err)
			return true
		}
		e.File, e.Line = name, line
		cfg.Entries = append(cfg.Entries, e)
		return true
	})
	if err != nil {
		return cfg, fmt.Errorf("threshold: %s: %w", name, err)
	}
	if err := errs.Err(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// readEntries calls fn with each entry of r: comments (from '#' to the end
// of the line) removed, lines ending in '\' joined with the next, blank
// entries skipped. line is the entry's first line. An entry over
// MaxLineBytes is passed with tooLong set and no text. fn returns false to
// stop. Memory is bounded by MaxLineBytes whatever the input.
func readEntries(r io.Reader, fn func(line int, text string, tooLong bool) bool) error {
	lr := lines.NewReader(r, MaxLineBytes)
	var entry []byte
	first := 0
	tooLong := false
	for {
		phys, n, long, err := lr.Next()
		if err != nil && err != io.EOF {
			return err
		}
		eof := err == io.EOF
		if !eof {
			if i := bytes.IndexByte(phys, '#'); i >= 0 {
				phys, long = phys[:i], false // the rest of the line is comment
			}
			if len(entry) == 0 && !tooLong {
				first = n
			}
			phys = bytes.TrimRight(phys, " \t\r")
			cont := len(phys) > 0 && phys[len(phys)-1] == '\\'
			if cont {
				phys = phys[:len(phys)-1]
			}
			if long || len(entry)+len(phys) >= MaxLineBytes {
				tooLong, entry = true, entry[:0]
			}
			if !tooLong {
				entry = append(append(entry, phys...), ' ')
			}
			if cont {
				continue
			}
		}
		if text := bytes.TrimSpace(entry); tooLong || len(text) > 0 {
			if !fn(first, string(text), tooLong) {
				return nil
			}
		}
		entry, tooLong = entry[:0], false
		if eof {
			return nil
		}
	}
}

// Fields each keyword accepts.
var (
	suppressFields  = []string{"gen_id", "sig_id", "track", "ip"}
	thresholdFields = []string{"gen_id", "sig_id", "type", "track", "count", "seconds"}
	rateFields      = []string{"gen_id", "sig_id", "track", "count", "seconds", "new_action", "timeout"}
)

// parseEntry parses one entry's text (without file and line).
func parseEntry(text string, vars map[string]string) (Entry, error) {
	kw, rest := text, ""
	if i := strings.IndexAny(text, " \t"); i >= 0 {
		kw, rest = text[:i], text[i+1:]
	}
	e := Entry{Keyword: kw}
	var known []string
	switch kw {
	case "suppress":
		e.Kind, known = Suppress, suppressFields
	case "threshold", "event_filter":
		e.Kind, known = Threshold, thresholdFields
	case "rate_filter":
		e.Kind, known = RateFilter, rateFields
	default:
		return e, fmt.Errorf("unknown keyword %q (want suppress, threshold, event_filter or rate_filter)", short(kw))
	}
	fields, err := thresholdspec.Fields(rest)
	if err != nil {
		return e, fmt.Errorf("%s: %w", kw, err)
	}
	vals, err := thresholdspec.Collect(fields, known...)
	if err != nil {
		return e, fmt.Errorf("%s: %w", kw, err)
	}
	if err := e.ids(vals); err != nil {
		return e, fmt.Errorf("%s: %w", kw, err)
	}
	switch e.Kind {
	case Suppress:
		err = e.suppress(vals, vars)
	case Threshold:
		e.Spec, err = thresholdspec.FromValues(vals, false, thresholdspec.Limit, thresholdspec.Threshold, thresholdspec.Both)
	case RateFilter:
		err = e.rate(vals)
	}
	if err != nil {
		return e, fmt.Errorf("%s: %w", kw, err)
	}
	return e, nil
}

// ids reads gen_id and sig_id.
func (e *Entry) ids(vals map[string]string) error {
	for _, f := range []struct {
		name string
		dst  *uint32
	}{{"gen_id", &e.GID}, {"sig_id", &e.SID}} {
		v, ok := vals[f.name]
		if !ok {
			return fmt.Errorf("missing field %q", f.name)
		}
		n, err := thresholdspec.ParseNumber(f.name, v, 0, maxSID)
		if err != nil {
			return err
		}
		*f.dst = uint32(n)
	}
	if e.GID == 0 && e.SID != 0 {
		return fmt.Errorf("sig_id %d with gen_id 0: gen_id 0 is only a wildcard together with sig_id 0 (wirescan rules have gen_id 1 unless they set gid)", e.SID)
	}
	return nil
}

// suppress reads a suppression's optional track and ip.
func (e *Entry) suppress(vals map[string]string, vars map[string]string) error {
	track, hasTrack := vals["track"]
	ip, hasIP := vals["ip"]
	switch {
	case !hasTrack && !hasIP:
		return nil
	case !hasIP:
		return fmt.Errorf("missing field \"ip\" (a suppression with track needs the addresses)")
	case !hasTrack:
		return fmt.Errorf("missing field \"track\" (%s) for the ip list", "by_src, by_dst, by_either")
	}
	var err error
	if e.Spec.Track, err = thresholdspec.ParseTrack(track, thresholdspec.SuppressTracks()...); err != nil {
		return err
	}
	set, err := signatures.ParseAddress(ip, vars)
	if err != nil {
		return fmt.Errorf("bad ip %q: %v", short(ip), trimPrefix(err))
	}
	e.IP, e.Addrs = ip, &set
	return nil
}

// rate reads a rate filter's fields.
func (e *Entry) rate(vals map[string]string) error {
	v, ok := vals["track"]
	if !ok {
		return fmt.Errorf("missing field \"track\" (by_src, by_dst, by_rule, by_both, by_flow)")
	}
	var err error
	if e.Spec.Track, err = thresholdspec.ParseTrack(v, thresholdspec.CountTracks()...); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		lo   uint64
		dst  *uint32
	}{{"count", 1, &e.Spec.Count}, {"seconds", 1, &e.Spec.Seconds}, {"timeout", 1, &e.Timeout}} {
		v, ok := vals[f.name]
		if !ok {
			return fmt.Errorf("missing field %q", f.name)
		}
		n, err := thresholdspec.ParseNumber(f.name, v, f.lo, thresholdspec.MaxSeconds)
		if err != nil {
			return err
		}
		*f.dst = uint32(n)
	}
	a, ok := vals["new_action"]
	if !ok {
		return fmt.Errorf("missing field \"new_action\" (%s)", strings.Join(rateActions, ", "))
	}
	for _, known := range rateActions {
		if a == known {
			e.NewAction = a
			return nil
		}
	}
	return fmt.Errorf("unknown new_action %q (want %s)", short(a), strings.Join(rateActions, ", "))
}

// trimPrefix drops the "signatures: " a wrapped error might carry.
func trimPrefix(err error) string { return strings.TrimPrefix(err.Error(), "signatures: ") }

// short shortens hostile text quoted in messages.
func short(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
