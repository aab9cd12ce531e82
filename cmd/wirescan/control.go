package main

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/wirescan/wirescan/engine"
)

// listenAddr turns a --metrics address into the one to bind: a bare port
// (":9719") binds to the loopback interface, so metrics and the control
// endpoints are never exposed by accident; give a host (0.0.0.0:9719,
// [::]:9719) to listen elsewhere.
func listenAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err == nil && host == "" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

// reloadGuard decides who may POST /-/reload.
type reloadGuard struct {
	enabled bool
	token   []byte
}

// newReloadGuard reads the token of cfg (the file must not be empty).
func newReloadGuard(cfg engine.ReloadAPIConfig) (reloadGuard, error) {
	if !cfg.Enabled {
		return reloadGuard{}, nil
	}
	data, err := os.ReadFile(cfg.TokenFile)
	if err != nil {
		return reloadGuard{}, fmt.Errorf("reload-api: %w", err)
	}
	tok := strings.TrimSpace(string(data))
	if len(tok) < 16 {
		return reloadGuard{}, fmt.Errorf("reload-api: %s: token shorter than 16 characters", cfg.TokenFile)
	}
	return reloadGuard{enabled: true, token: []byte(tok)}, nil
}

// allow answers req with an error and returns false unless it may reload.
func (g reloadGuard) allow(w http.ResponseWriter, req *http.Request) bool {
	if !g.enabled {
		http.Error(w, "reload over HTTP is disabled (reload-api.enabled); use SIGHUP", http.StatusForbidden)
		return false
	}
	got, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), g.token) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="wirescan"`)
		http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
		return false
	}
	return true
}
