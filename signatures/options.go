package signatures

import "github.com/wirescan/wirescan/signatures/mpm"

// Options controls loading and compiling. The zero value is usable: every limit has
// a default that bounds the memory and time a hostile rule file can cost.
type Options struct {
	// Strict makes any rule that fails to parse or uses an unsupported keyword a
	// LoadError instead of a Warning.
	Strict bool
	// Vars maps rule variables (HOME_NET, $HOME_NET, HTTP_PORTS, ...) to address or
	// port expressions. Undefined variables mean "any".
	Vars map[string]string

	// MaxLineBytes bounds one rule line (continuations included); longer lines are
	// skipped with a Warning. Default 64 KiB.
	MaxLineBytes int
	// MaxRules bounds the number of rules and signatures in one Set; Load and
	// Compile fail with ErrLimit beyond it. Default 4,000,000.
	MaxRules int
	// MaxStates bounds the states of the automaton of short literals (about
	// one per distinct pattern byte; longer literals go to the prefilter).
	// Default 32 Mi states (about 0.7 GiB of tables).
	MaxStates int
	// DenseBytes is the memory given to dense DFA rows for the shallowest states
	// of that automaton; deeper states use failure links. More is faster on
	// data that walks deep into it. Default 4 MiB.
	DenseBytes int
	// MaxWarnings bounds the warnings Load returns; the rest are counted in a
	// final summary warning. Default 1000.
	MaxWarnings int
	// MaxHashListEntries bounds the lines read from one filemd5/filesha1/
	// filesha256 list. Default 10,000,000.
	MaxHashListEntries int

	// Cache, when set, makes Load read a Set compiled earlier from the same
	// files and options instead of compiling (see Cache). It is not part of
	// what the cache keys on.
	Cache *Cache

	// positions is the per-rule, per-stage bound on remembered match positions
	// (tests shrink or grow it). Default defaultPositions.
	positions int
}

// Test hooks: the prefilter mode and stride of every Set compiled while set
// (tests force the prefilter on every Write, off, or a stride).
var (
	testFilter mpm.Filter
	testStride int
)

// mpmOptions returns the matcher options of o.
func (o Options) mpmOptions() mpm.Options {
	return mpm.Options{MaxStates: o.MaxStates, DenseBytes: o.DenseBytes, Filter: testFilter, Stride: testStride}
}

// Defaults for Options.
const (
	defaultMaxLineBytes       = 64 << 10
	defaultMaxRules           = 4_000_000
	defaultMaxStates          = 32 << 20
	defaultDenseBytes         = 4 << 20
	defaultMaxWarnings        = 1000
	defaultMaxHashListEntries = 10_000_000
	defaultPositions          = 64
)

// withDefaults returns o with zero limits replaced by defaults.
func (o Options) withDefaults() Options {
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = defaultMaxLineBytes
	}
	if o.MaxRules <= 0 {
		o.MaxRules = defaultMaxRules
	}
	if o.MaxStates <= 0 {
		o.MaxStates = defaultMaxStates
	}
	if o.DenseBytes <= 0 {
		o.DenseBytes = defaultDenseBytes
	}
	if o.MaxWarnings <= 0 {
		o.MaxWarnings = defaultMaxWarnings
	}
	if o.MaxHashListEntries <= 0 {
		o.MaxHashListEntries = defaultMaxHashListEntries
	}
	if o.positions <= 0 {
		o.positions = defaultPositions
	}
	return o
}
