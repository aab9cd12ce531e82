package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Defaults of Config's limits.
const (
	// DefaultMaxIncidents bounds the incident table (roughly 1 KiB per
	// incident, strings included).
	DefaultMaxIncidents = 1_000_000
	// DefaultMaxSignatures bounds the signatures that get a timeline series
	// and an overflow incident of their own.
	DefaultMaxSignatures = 10_000
	// DefaultMaxListed is how many distinct values (file names, hosts,
	// sensors, evidence pcaps, ...) an incident lists; the rest are counted.
	DefaultMaxListed = 10
	// DefaultMaxDistinct bounds the table that counts distinct values beyond
	// the listed ones (16-byte keys).
	DefaultMaxDistinct = 4_000_000
	// DefaultMaxPending bounds the alerts waiting for their file's hash.
	DefaultMaxPending = 100_000
	// DefaultMaxLineBytes is the longest EVE line read; longer lines are
	// damage.
	DefaultMaxLineBytes = 16 << 20
	// DefaultMaxBuckets is how many fine timeline buckets are kept before
	// they are merged into wider ones.
	DefaultMaxBuckets = 240
	// DefaultTargetBuckets is about how many buckets the final timeline has.
	DefaultTargetBuckets = 60
)

// Key is one field of the incident key (see Config.By).
type Key string

// The fields an incident can be keyed by.
const (
	// KeySID is the signature (gid:sid); it is always part of the key.
	KeySID Key = "sid"
	// KeySHA256 is the SHA-256 of the file the alert fired on ("" for none).
	KeySHA256 Key = "sha256"
	// KeyClient is the client address of the alert's connection.
	KeyClient Key = "client"
	// KeyServer is the server address of the alert's connection.
	KeyServer Key = "server"
	// KeySensor is the sensor name (the event's top-level "host").
	KeySensor Key = "sensor"
)

// DefaultKeys returns the default incident key, the way an analyst triages
// alerts: one signature on one file between one client and one server.
func DefaultKeys() []Key { return []Key{KeySID, KeySHA256, KeyClient, KeyServer} }

// ParseKeys parses a --by list such as "sid,sha256". It must name sid;
// unknown or repeated fields are errors.
func ParseKeys(s string) ([]Key, error) {
	var keys []Key
	seen := map[Key]bool{}
	for _, f := range strings.Split(s, ",") {
		k := Key(strings.ToLower(strings.TrimSpace(f)))
		switch k {
		case KeySID, KeySHA256, KeyClient, KeyServer, KeySensor:
		case "":
			return nil, fmt.Errorf("report: --by %q: empty field", s)
		default:
			return nil, fmt.Errorf("report: --by %q: unknown field %q (want sid, sha256, client, server, sensor)", s, k)
		}
		if seen[k] {
			return nil, fmt.Errorf("report: --by %q: field %q given twice", s, k)
		}
		seen[k] = true
		keys = append(keys, k)
	}
	if !seen[KeySID] {
		return nil, fmt.Errorf("report: --by %q: must include sid (incidents are per signature)", s)
	}
	return keys, nil
}

// Config holds the grouping, the time window and every limit of an
// Aggregator. The zero value of a limit means its default.
type Config struct {
	// By lists the fields of the incident key; nil means DefaultKeys.
	By []Key
	// Since and Until bound the events counted by their timestamp
	// (Since <= t < Until); zero means unbounded.
	Since, Until time.Time
	// MaxIncidents bounds the incident table. Alerts with a new key beyond it
	// are folded into one overflow incident per signature, so counts stay
	// exact.
	MaxIncidents int
	// MaxSignatures bounds the signatures that get their own timeline series
	// and overflow incident; others share an "other signatures" series and
	// one catch-all overflow incident.
	MaxSignatures int
	// MaxListed is how many distinct values each list of an incident keeps.
	MaxListed int
	// MaxDistinct bounds the table counting distinct values past MaxListed;
	// when it is full, counts become lower bounds (Incident.Capped).
	MaxDistinct int
	// MaxPending bounds the alerts waiting for the fileinfo event that gives
	// their file's SHA-256; at the limit the oldest is counted without one.
	MaxPending int
	// MaxLineBytes is the longest line a file Source returns.
	MaxLineBytes int
	// MaxBuckets is how many fine timeline buckets are kept per signature.
	MaxBuckets int
	// TargetBuckets is about how many buckets the final timeline has.
	TargetBuckets int
}

// DefaultConfig returns a Config with every limit at its default.
func DefaultConfig() Config {
	return Config{
		By:            DefaultKeys(),
		MaxIncidents:  DefaultMaxIncidents,
		MaxSignatures: DefaultMaxSignatures,
		MaxListed:     DefaultMaxListed,
		MaxDistinct:   DefaultMaxDistinct,
		MaxPending:    DefaultMaxPending,
		MaxLineBytes:  DefaultMaxLineBytes,
		MaxBuckets:    DefaultMaxBuckets,
		TargetBuckets: DefaultTargetBuckets,
	}
}

// withDefaults fills zero limits with their defaults.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.By == nil {
		c.By = d.By
	}
	for _, p := range []struct {
		v *int
		d int
	}{
		{&c.MaxIncidents, d.MaxIncidents}, {&c.MaxSignatures, d.MaxSignatures},
		{&c.MaxListed, d.MaxListed}, {&c.MaxDistinct, d.MaxDistinct},
		{&c.MaxPending, d.MaxPending}, {&c.MaxLineBytes, d.MaxLineBytes},
		{&c.MaxBuckets, d.MaxBuckets}, {&c.TargetBuckets, d.TargetBuckets},
	} {
		if *p.v == 0 {
			*p.v = p.d
		}
	}
	return c
}

// Validate reports the first problem of c: a negative limit, an unknown,
// repeated or sid-less key, fewer fine buckets than twice the target
// buckets, or Until not after Since.
func (c Config) Validate() error {
	for _, p := range []struct {
		name string
		v    int
	}{
		{"max-incidents", c.MaxIncidents}, {"max-signatures", c.MaxSignatures},
		{"max-listed", c.MaxListed}, {"max-distinct", c.MaxDistinct},
		{"max-pending", c.MaxPending}, {"max-line-bytes", c.MaxLineBytes},
		{"max-buckets", c.MaxBuckets}, {"target-buckets", c.TargetBuckets},
	} {
		if p.v < 0 {
			return fmt.Errorf("report: %s must not be negative, got %d", p.name, p.v)
		}
	}
	c = c.withDefaults()
	if c.MaxBuckets < 2*c.TargetBuckets {
		return fmt.Errorf("report: max-buckets (%d) must be at least twice target-buckets (%d)", c.MaxBuckets, c.TargetBuckets)
	}
	hasSID, seen := false, map[Key]bool{}
	for _, k := range c.By {
		switch k {
		case KeySID, KeySHA256, KeyClient, KeyServer, KeySensor:
		default:
			return fmt.Errorf("report: unknown incident key field %q", k)
		}
		if seen[k] {
			return fmt.Errorf("report: incident key field %q given twice", k)
		}
		seen[k] = true
		hasSID = hasSID || k == KeySID
	}
	if !hasSID {
		return fmt.Errorf("report: the incident key must include sid")
	}
	if !c.Since.IsZero() && !c.Until.IsZero() && !c.Until.After(c.Since) {
		return fmt.Errorf("report: --until %s is not after --since %s", c.Until.Format(time.RFC3339), c.Since.Format(time.RFC3339))
	}
	return nil
}

// ParseTime parses a --since/--until value. A duration ("90m", "24h", "7d")
// is that long before now (wall clock); an RFC 3339 time is absolute; a date
// (2026-01-02) is 00:00 UTC of that day. Event timestamps are packet times,
// so for a replayed capture give absolute times.
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, ok := parseDays(s); ok {
		return now.Add(-d), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("report: duration %q is negative (give how long ago, e.g. 24h)", s)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("report: %q is neither a duration (30m, 24h, 7d) nor an RFC 3339 time (2026-01-02T15:04:05Z)", s)
}

// parseDays parses "Nd", which time.ParseDuration does not know.
func parseDays(s string) (time.Duration, bool) {
	if !strings.HasSuffix(s, "d") {
		return 0, false
	}
	n, err := strconv.ParseUint(s[:len(s)-1], 10, 16)
	if err != nil {
		return 0, false
	}
	return time.Duration(n) * 24 * time.Hour, true
}
