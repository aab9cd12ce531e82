package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/wirescan/wirescan/signatures"
)

// rulesCacheFlag is --rules-cache: a directory, "off", or "" for the default
// (wirescan under the user's cache directory).
type rulesCacheFlag struct {
	dir string
}

func (f *rulesCacheFlag) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "rules-cache", "", "compiled rule set cache `DIR` (default: wirescan under the user cache directory; 'off' disables)")
}

// open returns the cache, or nil when it is off or no default directory
// exists (rules are then compiled on every load).
func (f *rulesCacheFlag) open() *signatures.Cache {
	dir := f.dir
	switch dir {
	case "off":
		return nil
	case "":
		d, err := signatures.DefaultCacheDir()
		if err != nil {
			return nil
		}
		dir = d
	}
	return signatures.NewCache(dir, 0)
}

// ruleLoader loads signature files with the command's options, through the
// compiled-set cache when one is open.
type ruleLoader struct {
	strict bool
	vars   map[string]string // rule variables (the configuration's vars)
	cache  *signatures.Cache
}

// options returns the signatures.Options of a load.
func (l ruleLoader) options() signatures.Options {
	return signatures.Options{Strict: l.strict, Vars: l.vars, Cache: l.cache}
}

// load loads paths and says on w when a damaged cache entry was rebuilt or
// the cache could not be written (the load itself succeeds either way).
func (l ruleLoader) load(paths []string, w io.Writer) (*signatures.Set, []signatures.Warning, error) {
	var before signatures.CacheStats
	if l.cache != nil {
		before = l.cache.Stats()
	}
	set, warns, err := signatures.Load(paths, l.options())
	if l.cache != nil {
		after := l.cache.Stats()
		if after.Rebuilt > before.Rebuilt {
			fmt.Fprintf(w, "wirescan: warning: rules cache: a damaged entry in %s was replaced (rules compiled again)\n", l.cache.Dir())
		}
		if after.WriteErrors > before.WriteErrors {
			fmt.Fprintf(w, "wirescan: warning: rules cache: could not write to %s (rules will be compiled again next time)\n", l.cache.Dir())
		}
	}
	return set, warns, err
}

// registerCacheMetrics adds the cache's counters to reg.
func registerCacheMetrics(reg *prometheus.Registry, c *signatures.Cache) {
	if c == nil {
		return
	}
	for _, m := range []struct {
		name, help string
		get        func(signatures.CacheStats) uint64
	}{
		{"hits", "Rule loads answered from the compiled-set cache.", func(s signatures.CacheStats) uint64 { return s.Hits }},
		{"misses", "Rule loads that found no cache entry and compiled.", func(s signatures.CacheStats) uint64 { return s.Misses }},
		{"rebuilt", "Rule loads that found a corrupt, truncated or mismatched cache entry and compiled.", func(s signatures.CacheStats) uint64 { return s.Rebuilt }},
		{"writes", "Compiled-set cache entries written.", func(s signatures.CacheStats) uint64 { return s.Writes }},
		{"write_errors", "Compiled-set cache entries that could not be written.", func(s signatures.CacheStats) uint64 { return s.WriteErrors }},
		{"evicted", "Compiled-set cache entries removed to stay within the size bound.", func(s signatures.CacheStats) uint64 { return s.Evicted }},
	} {
		get := m.get
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "wirescan_rules_cache_" + m.name + "_total", Help: m.help,
		}, func() float64 { return float64(get(c.Stats())) }))
	}
}
