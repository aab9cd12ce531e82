package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/output"
	"github.com/wirescan/wirescan/engine/output/file"
	"github.com/wirescan/wirescan/engine/output/nats"
	"github.com/wirescan/wirescan/engine/output/redis"
	"github.com/wirescan/wirescan/engine/output/socket"
	"github.com/wirescan/wirescan/signatures"
)

// outputRegistry lists the output URL schemes wirescan offers.
func outputRegistry() *output.Registry {
	redis.Quiet()
	r := output.NewRegistry()
	r.Register("file", file.Factory)
	r.Register("redis", redis.Factory)
	r.Register("nats", nats.Factory)
	r.Register("syslog", socket.SyslogFactory)
	r.Register("syslog+tcp", socket.SyslogFactory)
	r.Register("syslog+udp", socket.SyslogFactory)
	r.Register("unix", socket.UnixFactory)
	return r
}

// outputFlags are the output flags of replay and live.
type outputFlags struct {
	urls  multiFlag
	drain time.Duration
}

func (o *outputFlags) register(fs *flag.FlagSet) {
	fs.Var(&o.urls, "output", "send events to `URL` (file:PATH, redis://HOST:PORT/KEY, nats://HOST:PORT/SUBJECT, syslog://HOST:PORT, unix:PATH); repeatable; see the README's Outputs")
	fs.DurationVar(&o.drain, "drain-timeout", 30*time.Second, "at the end, how long network outputs may take to deliver what is queued before it is left in their spool")
}

// sensorName is the name every event carries as "host": the configured
// sensor-name; live capture defaults it to the hostname (see cmdLive), a
// replay leaves it out unless configured, so replaying a capture gives the
// same events on every machine.
func sensorName(cfg engine.Config) string { return cfg.SensorName }

// defaultSensorName fills sensor-name with the hostname when unset.
func defaultSensorName(cfg *engine.Config) {
	if cfg.SensorName == "" {
		cfg.SensorName, _ = os.Hostname()
	}
}

// openOutputs opens -l DIR (as file:DIR/eve.json), the configuration's
// outputs and --output URLs, in that order; with none of them, standard
// output. A bad URL, an unreachable sink or refused credentials are usage
// errors (exit 2).
func openOutputs(cfg engine.Config, logDir string, urls []string, stdout, stderr io.Writer) (*output.Mux, error) {
	var all []string
	if logDir != "" {
		if err := os.MkdirAll(logDir, 0o755); err != nil {
			return nil, fmt.Errorf("log directory: %w", err)
		}
		all = append(all, "file:"+filepath.Join(logDir, "eve.json"))
	}
	all = append(all, cfg.Outputs...)
	all = append(all, urls...)
	host := sensorName(cfg)
	if len(all) == 0 {
		return output.NewMux(host, []*output.Output{{Name: "stdout", URL: "stdout", Sink: output.NewWriterSink(stdout)}}), nil
	}
	env := output.Env{LogDir: logDir, Host: host, DialTimeout: output.DefaultDialTimeout,
		Logf: func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }}
	outs, err := outputRegistry().OpenAll(context.Background(), all, env)
	if err != nil {
		if output.IsStartupError(err) {
			return nil, usageError{err.Error()}
		}
		return nil, err
	}
	return output.NewMux(host, outs), nil
}

// outputSession closes the outputs once, reporting what stayed undelivered.
type outputSession struct {
	mux    *output.Mux
	drain  time.Duration
	stderr io.Writer
	closed bool
	err    error
}

// close delivers for at most the drain timeout and returns an error naming
// every output that left events in its spool.
func (s *outputSession) close() error {
	if s.closed {
		return s.err
	}
	s.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), s.drain)
	defer cancel()
	left, err := s.mux.Close(ctx)
	var msgs []string
	for _, u := range left {
		msgs = append(msgs, fmt.Sprintf("output %s: %d events not delivered, kept in %s (sent first by the next run)", u.Name, u.Lines, u.SpoolDir))
	}
	for _, st := range s.mux.Stats() {
		if st.Dropped > 0 {
			msgs = append(msgs, fmt.Sprintf("output %s: %d events dropped (spool full or too large for the transport)", st.Name, st.Dropped))
		}
	}
	if len(msgs) > 0 {
		err = errors.Join(err, errors.New(strings.Join(msgs, "\n")))
	}
	s.err = err
	return err
}

// startEngine opens the outputs, loads the silencers (policy, thresholds,
// allowlist), creates the engine and starts what a running engine needs
// around it: reload on SIGHUP (rules, silencers, log reopen) and, with metricsAt, the metrics/reload listener.
// stop undoes all of it; outputs.close() closes the outputs first when the
// caller wants their result.
func startEngine(cfg engine.Config, rules *signatures.Set, cf *configFlags, of *outputFlags, logDir, metricsAt string, stdout, stderr io.Writer) (eng *engine.Engine, outputs *outputSession, stop func(), err error) {
	mux, err := openOutputs(cfg, logDir, of.urls, stdout, stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	outputs = &outputSession{mux: mux, drain: of.drain, stderr: stderr}
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	stops = append(stops, func() {
		if outputs.closed {
			return
		}
		if err := outputs.close(); err != nil {
			fmt.Fprintf(stderr, "wirescan: %v\n", err)
		}
	})
	sil, err := cf.silencers().load()
	if err != nil {
		stop()
		return nil, nil, nil, err
	}
	eng, err = engine.New(cfg, rules, mux)
	if err == nil {
		err = sil.install(eng)
	}
	if err != nil {
		stop()
		return nil, nil, nil, err
	}
	for _, n := range eng.DigestNotes() {
		fmt.Fprintf(stderr, "wirescan: note: %s\n", n)
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	rl := &reloader{eng: eng, paths: cf.rules, loader: cf.ruleLoader(), silencers: cf.silencers(), logf: logf, reopen: mux.Reopen}
	stops = append(stops, watchHUP(rl))
	if metricsAt != "" {
		guard, err := newReloadGuard(cfg.ReloadAPI)
		if err != nil {
			stop()
			return nil, nil, nil, err
		}
		stopMetrics, err := serveMetrics(metricsAt, eng, mux, rl, guard, stderr)
		if err != nil {
			stop()
			return nil, nil, nil, err
		}
		stops = append(stops, stopMetrics)
	}
	return eng, outputs, stop, nil
}
