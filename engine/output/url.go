package output

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wirescan/wirescan/internal/bytesize"

	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/engine/output/spool"
)

// Env is what every output factory may use besides its URL.
type Env struct {
	// LogDir is the -l directory; network outputs spool to
	// LogDir/spool/NAME unless ?spool= says otherwise. May be empty.
	LogDir string
	// Host is the sensor name (syslog's HOSTNAME).
	Host string
	// DialTimeout bounds connection attempts (the first one at start too).
	DialTimeout time.Duration
	// Logf reports sinks going down and coming back; may be nil.
	Logf func(format string, args ...any)
}

// Spec is a parsed output URL handed to a factory.
type Spec struct {
	// Name is the output's label: the scheme family and its index
	// ("redis0", "syslog1").
	Name string
	// URL is the parsed URL; Redacted is it without the password.
	URL      *url.URL
	Redacted string
	// Params are the query parameters; a factory takes the ones it knows
	// and Registry.Open rejects the rest.
	Params *Params
	// Env is the common environment.
	Env Env
}

// Errorf returns a ConfigError about this output.
func (s *Spec) Errorf(format string, args ...any) error {
	return &ConfigError{URL: s.Redacted, Msg: fmt.Sprintf(format, args...)}
}

// Path returns the path of an opaque or hierarchical URL ("file:eve.json",
// "file:///var/log/eve.json", "unix:/run/x.sock").
func (s *Spec) Path() string {
	if s.URL.Opaque != "" {
		return s.URL.Opaque
	}
	return s.URL.Path
}

// QueueConfig reads the parameters every queued (network) output shares:
// spool, spool-max, queue, queue-bytes, batch.
func (s *Spec) QueueConfig() (QueueConfig, error) {
	p := s.Params
	qc := QueueConfig{Name: s.Name, DialTimeout: s.Env.DialTimeout, Logf: s.Env.Logf}
	qc.MaxLines = p.Int("queue", DefaultQueueLines)
	qc.MaxBytes = p.Size("queue-bytes", DefaultQueueBytes)
	qc.BatchLines = p.Int("batch", DefaultBatchLines)
	dir := p.String("spool", "")
	if dir == "" && s.Env.LogDir != "" {
		dir = filepath.Join(s.Env.LogDir, "spool", s.Name)
	}
	// The spool belongs to the destination, whatever the tuning parameters.
	owner := *s.URL
	owner.RawQuery, owner.User = "", nil
	qc.Spool = spool.Config{Dir: dir, MaxBytes: p.Size("spool-max", spool.DefaultMaxBytes), Owner: owner.String()}
	if err := p.Err(); err != nil {
		return qc, err
	}
	if dir == "" {
		if err := s.CheckParams(); err != nil {
			return qc, err
		}
		return qc, s.Errorf("no spool directory: add ?spool=DIR (or give -l DIR: the spool is then DIR/spool/%s)", s.Name)
	}
	if qc.MaxLines <= 0 || qc.BatchLines <= 0 || qc.MaxBytes <= 0 || qc.Spool.MaxBytes <= 0 {
		return qc, s.Errorf("queue, queue-bytes, batch and spool-max must be positive")
	}
	return qc, nil
}

// CheckParams reports a bad value or a parameter no getter asked for.
// Factories call it after reading their parameters and before dialling or
// creating anything.
func (s *Spec) CheckParams() error {
	if err := s.Params.Err(); err != nil {
		return err
	}
	if un := s.Params.unused(); len(un) > 0 {
		return s.Errorf("unknown parameter %q", un[0])
	}
	return nil
}

// ReaderSpec parses an output URL for a reader (wirescan report): the
// parameters only outputs use (types, spool, spool-max, queue,
// queue-bytes, batch) are accepted and ignored, so a reader takes the URL
// the output was given.
func ReaderSpec(raw string) (*Spec, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &ConfigError{URL: redactRaw(raw), Msg: "not a URL: " + err.Error()}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, &ConfigError{URL: u.Redacted(), Msg: "bad query: " + err.Error()}
	}
	s := &Spec{URL: u, Redacted: u.Redacted(), Params: &Params{url: u.Redacted(), v: q, used: map[string]bool{}}}
	for _, k := range []string{"types", "spool", "spool-max", "queue", "queue-bytes", "batch"} {
		s.Params.used[k] = true
	}
	return s, nil
}

// Params are an output URL's query parameters. Getters record which keys
// were used and the first bad value; Err reports it.
type Params struct {
	url  string
	v    url.Values
	used map[string]bool
	err  error
}

func (p *Params) get(key string) (string, bool) {
	p.used[key] = true
	vs, ok := p.v[key]
	if !ok || len(vs) == 0 {
		return "", false
	}
	if len(vs) > 1 && p.err == nil {
		p.err = &ConfigError{URL: p.url, Msg: fmt.Sprintf("parameter %q given %d times", key, len(vs))}
	}
	return vs[0], true
}

func (p *Params) fail(key, val, want string) {
	if p.err == nil {
		p.err = &ConfigError{URL: p.url, Msg: fmt.Sprintf("parameter %s=%q: want %s", key, val, want)}
	}
}

// String returns the value of key, or def.
func (p *Params) String(key, def string) string {
	if v, ok := p.get(key); ok {
		return v
	}
	return def
}

// List returns the comma-separated values of key (repeating the key also
// works).
func (p *Params) List(key string) []string {
	p.used[key] = true
	var out []string
	for _, v := range p.v[key] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// Int returns key as a non-negative integer, or def.
func (p *Params) Int(key string, def int) int {
	v, ok := p.get(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		p.fail(key, v, "a non-negative integer")
		return def
	}
	return n
}

// Bool returns key as a boolean (true/false/1/0), or def.
func (p *Params) Bool(key string, def bool) bool {
	v, ok := p.get(key)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(key, v, "true or false")
		return def
	}
	return b
}

// Size returns key as a byte size ("512", "64KB", "100MB", "1GB"; units
// are powers of 1024), or def.
func (p *Params) Size(key string, def int64) int64 {
	v, ok := p.get(key)
	if !ok {
		return def
	}
	n, err := ParseSize(v)
	if err != nil {
		p.fail(key, v, "a size like 100MB")
		return def
	}
	return n
}

// Err is the first bad parameter value.
func (p *Params) Err() error { return p.err }

// unused lists the parameters no getter asked for.
func (p *Params) unused() []string {
	var out []string
	for k := range p.v {
		if !p.used[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// ParseSize parses a byte size of an output option (rotate=, spool-max=):
// the configuration's form, a number with an optional unit (bytesize.Units,
// all powers of 1024).
func ParseSize(s string) (int64, error) {
	n, err := bytesize.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("output: %w", err)
	}
	return n, nil
}

// Factory opens one output from its Spec. It takes its parameters from
// s.Params and returns a ConfigError for bad ones and a DialError when the
// sink can't be reached or refuses the credentials.
type Factory func(ctx context.Context, s *Spec) (Sink, error)

// Registry maps URL schemes to factories. It is built by the command (not
// in init), so tests and other programs choose the schemes they offer.
type Registry struct {
	factories map[string]Factory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: map[string]Factory{}} }

// Register adds a scheme ("redis", "syslog+tcp").
func (r *Registry) Register(scheme string, f Factory) { r.factories[scheme] = f }

// Schemes lists the registered schemes.
func (r *Registry) Schemes() []string {
	var out []string
	for s := range r.factories {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// spoolDirer is implemented by sinks with a spool.
type spoolDirer interface{ SpoolDir() string }

// OpenAll opens every URL in order; names are the scheme family (the part
// before "+") and its index among outputs of that family. On error the
// outputs opened so far are closed.
func (r *Registry) OpenAll(ctx context.Context, raws []string, env Env) ([]*Output, error) {
	var outs []*Output
	counts := map[string]int{}
	for _, raw := range raws {
		o, err := r.open(ctx, raw, env, counts)
		if err != nil {
			cctx, cancel := context.WithTimeout(context.Background(), time.Second)
			for _, o := range outs {
				_ = o.Sink.Close(cctx)
			}
			cancel()
			return nil, err
		}
		outs = append(outs, o)
	}
	return outs, nil
}

func (r *Registry) open(ctx context.Context, raw string, env Env, counts map[string]int) (*Output, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &ConfigError{URL: redactRaw(raw), Msg: "not a URL: " + err.Error()}
	}
	if u.Scheme == "" {
		return nil, &ConfigError{URL: raw, Msg: "no scheme: want one of " + strings.Join(r.Schemes(), ", ")}
	}
	scheme := strings.ToLower(u.Scheme)
	f, ok := r.factories[scheme]
	if !ok {
		return nil, &ConfigError{URL: u.Redacted(), Msg: fmt.Sprintf("unknown scheme %q: want one of %s", u.Scheme, strings.Join(r.Schemes(), ", "))}
	}
	family, _, _ := strings.Cut(scheme, "+")
	name := family + strconv.Itoa(counts[family])
	counts[family]++
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, &ConfigError{URL: u.Redacted(), Msg: "bad query: " + err.Error()}
	}
	s := &Spec{Name: name, URL: u, Redacted: u.Redacted(), Env: env,
		Params: &Params{url: u.Redacted(), v: q, used: map[string]bool{}}}
	types := s.Params.List("types")
	for _, t := range types {
		if !eve.KnownEventType(t) {
			return nil, s.Errorf("types: unknown event type %q (known: %s)", t, strings.Join(eve.EventTypes(), ", "))
		}
	}
	sink, err := f(ctx, s)
	if err != nil {
		return nil, err
	}
	if un := s.Params.unused(); len(un) > 0 {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = sink.Close(cctx)
		cancel()
		return nil, s.Errorf("unknown parameter %q", un[0])
	}
	o := &Output{Name: name, URL: s.Redacted, Types: types, Sink: sink}
	if sd, ok := sink.(spoolDirer); ok {
		o.SpoolDir = sd.SpoolDir()
	}
	return o, nil
}

// redactRaw hides anything between "//" and "@" in a URL that did not parse.
func redactRaw(raw string) string {
	if i := strings.Index(raw, "//"); i >= 0 {
		if j := strings.Index(raw[i+2:], "@"); j >= 0 {
			return raw[:i+2] + "xxxxx" + raw[i+2+j:]
		}
	}
	return raw
}
