// Package testservers starts real redis-server and nats-server processes on
// loopback ports in temporary directories for integration tests, and stops
// and restarts them (to test outputs whose sink goes away). A test skips,
// saying why, when the server binary is not installed.
package testservers

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Server is one server process on a fixed loopback port; Kill and Start
// keep the port and the data directory.
type Server struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// Dir is the server's data directory.
	Dir string

	t    testing.TB
	name string
	args []string
	cmd  *exec.Cmd
	log  *os.File
}

// freePort returns a loopback port nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback TCP: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func lookPath(t testing.TB, bin, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(bin)
	if err != nil {
		t.Skipf("%s not installed (apt-get install %s; .ci/run installs it)", bin, pkg)
	}
	return p
}

// Redis starts redis-server with an append-only file synced on every write,
// so data acknowledged before a Kill is there after Start. extra are more
// config arguments ("--requirepass", "x").
func Redis(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin := lookPath(t, "redis-server", "redis-server")
	dir := t.TempDir()
	port := freePort(t)
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no"}, extra...)
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Dir: dir, t: t, name: bin, args: args}
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

// NATS starts nats-server with JetStream storing in a temporary directory.
// extra are more arguments ("--user", "u", "--pass", "p").
func NATS(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin := lookPath(t, "nats-server", "nats-server")
	dir := t.TempDir()
	port := freePort(t)
	args := append([]string{"-js", "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-sd", dir}, extra...)
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Dir: dir, t: t, name: bin, args: args}
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

// Start runs the server and waits (up to 15 s) until it accepts
// connections.
func (s *Server) Start() {
	s.t.Helper()
	if s.cmd != nil {
		s.t.Fatalf("%s already running", s.name)
	}
	log, err := os.OpenFile(filepath.Join(s.Dir, "server.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(s.name, s.args...)
	cmd.Stdout, cmd.Stderr, cmd.Dir = log, log, s.Dir
	if err := cmd.Start(); err != nil {
		log.Close()
		s.t.Fatalf("starting %s: %v", s.name, err)
	}
	s.cmd, s.log = cmd, log
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.Close()
			// nats-server accepts before JetStream is ready: give it a moment.
			time.Sleep(100 * time.Millisecond)
			return
		}
		if time.Now().After(deadline) {
			data, _ := os.ReadFile(filepath.Join(s.Dir, "server.log"))
			s.t.Fatalf("%s did not start on %s: %v\n%s", s.name, s.Addr, err, data)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Kill ends the server with SIGKILL (a crash) and waits for it; a no-op
// when it is not running.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.log.Close()
	s.cmd = nil
}

// String names the server for messages.
func (s *Server) String() string { return fmt.Sprintf("%s on %s", filepath.Base(s.name), s.Addr) }
