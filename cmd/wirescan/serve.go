package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/metrics"
)

// reloader recompiles the rule files and swaps the set in, for SIGHUP and
// POST /-/reload. Reloads are serialised; a failed load keeps the old set.
type reloader struct {
	mu     sync.Mutex
	eng    *engine.Engine
	paths  []string
	loader ruleLoader
	// silencers are reloaded with the rules: all or nothing.
	silencers silencers
	logf      func(format string, args ...any)
	reopen    func() error // reopens the EVE file (logrotate); may be nil
}

// reload loads the rules again and reports what happened.
func (r *reloader) reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reopen != nil {
		if err := r.reopen(); err != nil {
			r.logf("wirescan: reopening the EVE log: %v", err)
		}
	}
	start := time.Now()
	set, err := loadRules(r.paths, r.loader, logWriter{r.logf})
	if err == nil && len(set.Rules()) == 0 && len(r.paths) > 0 {
		// Reloading into an empty set would silently stop detection.
		err = fmt.Errorf("reload: no rule could be loaded from %s", strings.Join(r.paths, ", "))
	}
	if err != nil {
		r.eng.ReloadFailed()
		r.logf("wirescan: reload failed, keeping the previous rules: %v", err)
		return err
	}
	sil, err := r.silencers.load()
	if err != nil {
		r.eng.ReloadFailed()
		r.logf("wirescan: reload failed, keeping the previous rules, policy, thresholds and allowlist: %v", err)
		return err
	}
	if err := r.eng.SetRules(set, time.Since(start)); err != nil {
		r.logf("wirescan: reload failed, keeping the previous rules: %v", err)
		return err
	}
	if err := sil.install(r.eng); err != nil {
		r.logf("wirescan: reload: %v", err)
		return err
	}
	r.logf("wirescan: rules reloaded: %d rules, version %s, in %s", len(set.Rules()), set.Version(), time.Since(start).Round(time.Millisecond))
	return nil
}

// logWriter adapts a printf-style logger to io.Writer for rule warnings.
type logWriter struct{ logf func(string, ...any) }

func (l logWriter) Write(p []byte) (int, error) {
	l.logf("%s", trimNewline(string(p)))
	return len(p), nil
}

func trimNewline(s string) string {
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return s
}

// watchHUP reloads on every SIGHUP until stop is called.
func watchHUP(r *reloader) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				_ = r.reload()
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

// serveMetrics serves /metrics (the engine's and the outputs' counters),
// /-/healthy and, when guard allows it, POST /-/reload on addr (a bare port
// binds to loopback, see listenAddr). It returns once the listener is bound,
// so a bad address is reported before capture starts.
func serveMetrics(addr string, eng *engine.Engine, outs metrics.OutputSource, r *reloader, guard reloadGuard, stderr io.Writer) (stop func(), err error) {
	ln, err := net.Listen("tcp", listenAddr(addr))
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	reg := metrics.NewRegistry(eng)
	reg.MustRegister(metrics.NewOutputCollector(outs))
	registerCacheMetrics(reg, r.loader.cache)
	mux.Handle("/metrics", metrics.Handler(reg))
	mux.HandleFunc("/-/reload", func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost {
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		if !guard.allow(w, req) {
			return
		}
		if err := r.reload(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "reloaded: version %s\n", eng.Snapshot().Ruleset.Version)
	})
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "wirescan: metrics server: %v\n", err)
		}
	}()
	return func() { _ = srv.Close() }, nil
}

// statsTicker writes an EVE stats event every interval until stop is called.
func statsTicker(eng *engine.Engine, interval time.Duration) (stop func()) {
	if interval <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				eng.EmitStats(time.Now())
			case <-done:
				return
			}
		}
	}()
	return func() { close(done) }
}
