package main

import (
	"fmt"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/allowlist"
	"github.com/wirescan/wirescan/engine/policy"
	"github.com/wirescan/wirescan/engine/threshold"
)

// silencers are the files that decide which matches are logged: the alert
// policy, a threshold.config and a hash allowlist. They are loaded together
// and swapped together (at start and on reload), so a reload that fails on
// any of them changes nothing.
type silencers struct {
	policyFile, thresholdFile, allowlistFile string
	vars                                     map[string]string
	maxTracked                               int
}

// silencerSet is one loaded generation of silencers.
type silencerSet struct {
	pol   *policy.Policy
	thr   *threshold.Filter
	allow *allowlist.List
}

// load reads every configured file; the first error names its file and
// line.
func (s silencers) load() (silencerSet, error) {
	var set silencerSet
	var err error
	if s.policyFile != "" {
		if set.pol, err = policy.Load(s.policyFile); err != nil {
			return set, err
		}
	}
	var cfg *threshold.Config
	if s.thresholdFile != "" {
		if cfg, err = threshold.Load(s.thresholdFile, s.vars); err != nil {
			return set, err
		}
	}
	if set.thr, err = threshold.New(cfg, threshold.Options{MaxTracked: s.maxTracked}); err != nil {
		return set, fmt.Errorf("threshold: %w", err)
	}
	if s.allowlistFile != "" {
		if set.allow, err = allowlist.Load(s.allowlistFile, allowlist.Options{}); err != nil {
			return set, err
		}
	}
	return set, nil
}

// install puts set in force in eng; counters carry over from the set it
// replaces.
func (set silencerSet) install(eng *engine.Engine) error {
	eng.SetPolicy(set.pol)
	eng.SetAllowlist(set.allow)
	return eng.SetThreshold(set.thr)
}
