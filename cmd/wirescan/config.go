package main

import (
	"flag"
	"io"
)

// cmdConfig prints the effective configuration (defaults, -c, --set) as YAML:
// the reference of every key --set accepts.
func cmdConfig(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	var cf configFlags
	cf.register(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	out, err := cfg.YAML()
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}
