package main

import (
	"errors"
	"flag"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/wirescan/wirescan/engine"
)

// errHelp is returned when -h was asked for; the usage was printed.
var errHelp = errors.New("help requested")

// multiFlag is a repeatable string flag (-r a -r b, -S x -S y).
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// parseFlags parses fs, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

// configFlags are the flags every engine-running command shares.
type configFlags struct {
	file   string
	sets   multiFlag
	rules  multiFlag
	strict bool
	// policy, threshold and allowlist name the silencer files (flags,
	// else the configuration's policy-file, threshold-file and
	// hash-allowlist keys).
	policy, threshold, allowlist string
	vars                         map[string]string
	maxTracked                   int
	// evidence asks for pcaps of alerting flows in LOGDIR/evidence.
	evidence bool
	// explain puts wirescan.explain into every alert.
	explain bool
	cache   rulesCacheFlag
	loader  *ruleLoader // made by ruleLoader, once
}

// ruleLoader returns the loader of the -S files (the same for every load of
// the command, reloads included, so its cache counters add up); call it
// after load, which sets the rule variables.
func (c *configFlags) ruleLoader() ruleLoader {
	if c.loader == nil {
		c.loader = &ruleLoader{strict: c.strict, vars: c.vars, cache: c.cache.open()}
	}
	return *c.loader
}

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.file, "c", "", "YAML configuration `file` (see 'wirescan config')")
	fs.Var(&c.sets, "set", "override a configuration key: `key=value` (repeatable)")
	fs.Var(&c.rules, "S", "signature `file` (.rules, .ndb, .ldb, .hdb, .hsb, .ign2); repeatable; default: the built-in set")
	fs.BoolVar(&c.strict, "strict", false, "fail on any rule that can't be loaded instead of skipping it")
	fs.StringVar(&c.policy, "policy", "", "alert policy `file` (YAML): suppressions and aggregation of alert floods; see configs/policy.yaml")
	fs.StringVar(&c.threshold, "threshold", "", "Suricata threshold.config `file`: suppress, threshold, event_filter, rate_filter")
	fs.StringVar(&c.allowlist, "allowlist", "", "known-good hash list `file` (SHA-256/MD5, one a line): files on it never alert")
	c.cache.register(fs)
	fs.BoolVar(&c.explain, "explain", false, "add wirescan.explain to every alert: where each content of the rule matched, with the bytes around it (see wirescan explain)")
	fs.BoolVar(&c.evidence, "evidence", false, "write the packets of each alerting flow to LOGDIR/evidence/<flow_id>.pcap (replay, live; needs -l)")
}

// logDirs points the file store (and, with --evidence, evidence pcaps) into
// logDir unless the configuration names their directories; cmd names the
// command in a usage error.
func (c *configFlags) logDirs(cfg *engine.Config, logDir, cmd string) error {
	if cfg.FileStore.Dir == "" && logDir != "" {
		cfg.FileStore.Dir = filepath.Join(logDir, "filestore")
	}
	if !c.evidence || cfg.Evidence.Dir != "" {
		return nil
	}
	if logDir == "" {
		return usagef("%s: --evidence needs a log directory (-l DIR) or evidence.dir", cmd)
	}
	cfg.Evidence.Dir = filepath.Join(logDir, "evidence")
	return nil
}

// load builds the engine configuration: defaults, then -c, then --set.
func (c *configFlags) load() (engine.Config, error) {
	cfg := engine.DefaultConfig()
	if c.file != "" {
		if err := cfg.LoadConfigFile(c.file); err != nil {
			if errors.As(err, new(*fs.PathError)) {
				return cfg, err // missing or unreadable: a runtime error
			}
			// A key or value the file gets wrong is the caller's mistake,
			// as with --set.
			return cfg, usageError{strings.ReplaceAll(err.Error(), "\nconfig: ", "\nwirescan: config: ")}
		}
	}
	for _, kv := range c.sets {
		if err := cfg.Set(kv); err != nil {
			return cfg, usageError{err.Error()}
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{strings.ReplaceAll(err.Error(), "\n", "\nwirescan: ")}
	}
	if c.explain {
		cfg.Explain = true
	}
	if c.policy == "" {
		c.policy = cfg.PolicyFile
	}
	if c.threshold == "" {
		c.threshold = cfg.ThresholdFile
	}
	if c.allowlist == "" {
		c.allowlist = cfg.HashAllowlist
	}
	c.vars, c.maxTracked = cfg.Vars, cfg.ThresholdMaxTracked
	return cfg, nil
}

// silencers names the silencer files; call it after load.
func (c *configFlags) silencers() silencers {
	return silencers{policyFile: c.policy, thresholdFile: c.threshold, allowlistFile: c.allowlist, vars: c.vars, maxTracked: c.maxTracked}
}
