//go:build realtraffic

// Package realtraffic holds end-to-end tests that run real clients and
// servers (curl and nginx, smbclient and Samba) in two network namespaces
// joined by a veth pair, capture the traffic with tcpdump and replay the
// capture through the wirescan binary named by $WIRESCAN_BIN.
//
// The tests need root, iproute2 with network namespaces, and the tools each
// one names; where something is missing they skip with a message. Traffic
// never leaves the namespaces the tests create.
package realtraffic

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// requireRoot skips t unless it runs as root.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("realtraffic: needs root (network namespaces, tcpdump)")
	}
}

// requireTools skips t when one of the named programs is not on $PATH.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	var missing []string
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		t.Skipf("realtraffic: missing tools: %s", strings.Join(missing, ", "))
	}
}

// optionalBin returns the absolute path of the wirescan binary to test:
// $WIRESCAN_BIN, else bin/wirescan at the repository root, else "" (the
// tests then make and check their captures and skip the replay). It fails t
// when $WIRESCAN_BIN names a missing file.
func optionalBin(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("WIRESCAN_BIN"); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("WIRESCAN_BIN: %v", err)
		}
		return bin
	}
	bin, err := filepath.Abs(filepath.Join("..", "..", "bin", "wirescan"))
	if err == nil {
		if _, err = os.Stat(bin); err == nil {
			return bin
		}
	}
	t.Log("realtraffic: no wirescan binary (set WIRESCAN_BIN or run make build): captures are made but not replayed")
	return ""
}

// nsCommand builds a command that runs argv in network namespace ns (the
// host's namespace when ns is empty), in its own process group so that
// cancelling ctx ends the program and everything it forked.
func nsCommand(ctx context.Context, ns string, argv ...string) *exec.Cmd {
	if ns != "" {
		argv = append([]string{"ip", "netns", "exec", ns}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs argv in namespace ns and returns its combined output; the error
// names the command and carries the output.
func run(ctx context.Context, ns string, argv ...string) (string, error) {
	cmd := nsCommand(ctx, ns, argv...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// mustRun is run that fails t on error.
func mustRun(t *testing.T, ctx context.Context, ns string, argv ...string) string {
	t.Helper()
	out, err := run(ctx, ns, argv...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// daemon is a long-running program started by a test. Its standard output
// and error go to a log file that is printed when the test fails.
type daemon struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error

	mu     sync.Mutex
	lines  []string
	notify chan struct{}
}

// startDaemon starts argv in namespace ns and registers a cleanup that ends
// its process group (SIGTERM, then SIGKILL after a grace period) and shows
// its log when t failed.
func startDaemon(t *testing.T, ctx context.Context, ns, name string, argv ...string) *daemon {
	t.Helper()
	d := &daemon{name: name, log: filepath.Join(t.TempDir(), name+".log"), done: make(chan struct{}), notify: make(chan struct{}, 1)}
	logf, err := os.Create(d.log)
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	d.cmd = nsCommand(ctx, ns, argv...)
	pr, pw := io.Pipe()
	d.cmd.Stdout = pw
	d.cmd.Stderr = pw
	if err := d.cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	go d.collect(pr, logf)
	go func() {
		d.err = d.cmd.Wait()
		pw.Close()
		close(d.done)
	}()
	t.Cleanup(func() {
		d.stop(5 * time.Second)
		if t.Failed() {
			if b, err := os.ReadFile(d.log); err == nil && len(b) > 0 {
				t.Logf("--- %s log (%s) ---\n%s", name, d.log, tail(string(b), 4000))
			}
		}
	})
	return d
}

// collect copies the daemon's output to its log file and keeps the lines
// for waitLine.
func (d *daemon) collect(r io.Reader, logf *os.File) {
	defer logf.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(logf, line)
		d.mu.Lock()
		d.lines = append(d.lines, line)
		d.mu.Unlock()
		select {
		case d.notify <- struct{}{}:
		default:
		}
	}
}

// waitLine waits until the daemon printed a line containing substr.
func (d *daemon) waitLine(ctx context.Context, substr string, timeout time.Duration) error {
	deadline := time.After(timeout)
	for seen := 0; ; {
		d.mu.Lock()
		for ; seen < len(d.lines); seen++ {
			if strings.Contains(d.lines[seen], substr) {
				d.mu.Unlock()
				return nil
			}
		}
		d.mu.Unlock()
		select {
		case <-d.notify:
		case <-d.done:
			return fmt.Errorf("%s exited (%v) before printing %q", d.name, d.err, substr)
		case <-deadline:
			return fmt.Errorf("%s: no %q after %v", d.name, substr, timeout)
		case <-ctx.Done():
			return fmt.Errorf("%s: waiting for %q: %w", d.name, substr, ctx.Err())
		}
	}
}

// signal sends sig to the daemon's process group and waits up to grace for
// it to exit; it reports whether it exited.
func (d *daemon) signal(sig syscall.Signal, grace time.Duration) bool {
	select {
	case <-d.done:
		return true
	default:
	}
	_ = syscall.Kill(-d.cmd.Process.Pid, sig)
	select {
	case <-d.done:
		return true
	case <-time.After(grace):
		return false
	}
}

// stop ends the daemon: SIGTERM, then SIGKILL to its process group.
func (d *daemon) stop(grace time.Duration) {
	if !d.signal(syscall.SIGTERM, grace) {
		d.signal(syscall.SIGKILL, grace)
	}
}

// exited reports whether the daemon has already exited.
func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// waitPort waits until something in namespace ns accepts TCP connections
// on addr (host:port), polling with ss so no traffic is sent.
func waitPort(ctx context.Context, ns, port string, d *daemon, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		out, err := run(ctx, ns, "ss", "-Hltn", "sport", "= :"+port)
		if err == nil && strings.TrimSpace(out) != "" {
			return nil
		}
		if d != nil && d.exited() {
			return fmt.Errorf("%s exited (%v) before listening on port %s", d.name, d.err, port)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens on port %s in %s after %v", port, ns, timeout)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for port %s: %w", port, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tail returns at most the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
