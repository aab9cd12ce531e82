package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/engine/output"
	"github.com/wirescan/wirescan/internal/testservers"
)

// Output throughput and replay cost, measured against real servers:
//
//	go test -run XXX -bench Output -benchtime 3x ./cmd/wirescan/
//
// BenchmarkOutputSink: events/s one output delivers (Write of pre-built
// events, then Close waits until the sink acknowledged all of them).
// BenchmarkOutputReplay: the same capture replayed with only the file
// output ("off") and with a network output on as well, in the same run;
// compare the events/s (packet processing, from the summary line),
// delivered-s (until the sink acknowledged everything) and cpu-µs/event
// (wirescan's own CPU per event: at R events/s an output costs
// R × (on − off) µs of CPU per second).

// drainListener accepts connections and discards what they send.
func drainListener(b *testing.B, network, addr string) net.Listener {
	ln, err := net.Listen(network, addr)
	if err != nil {
		b.Skip(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, bufio.NewReader(c)); c.Close() }()
		}
	}()
	b.Cleanup(func() { ln.Close() })
	return ln
}

func benchSinkURLs(b *testing.B) map[string]string {
	rs := testservers.Redis(b, "--appendonly", "no")
	ns := testservers.NATS(b)
	tcp := drainListener(b, "tcp", "127.0.0.1:0")
	sock := filepath.Join(b.TempDir(), "eve.sock")
	drainListener(b, "unix", sock)
	return map[string]string{
		"file":         "file:" + filepath.Join(b.TempDir(), "eve.json"),
		"redis-list":   "redis://" + rs.Addr + "/eve?mode=list",
		"redis-stream": "redis://" + rs.Addr + "/evs?mode=stream",
		"nats":         "nats://" + ns.Addr + "/wirescan.eve?stream=WIRESCAN",
		"syslog-tcp":   "syslog+tcp://" + tcp.Addr().String() + "?facility=local5",
		"unix-stream":  "unix:" + sock + "?type=stream",
	}
}

func BenchmarkOutputSink(b *testing.B) {
	urls := benchSinkURLs(b)
	// A realistic fileinfo event (~600 bytes encoded).
	ev := &eve.Event{Timestamp: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), FlowID: 1234567, EventType: "fileinfo",
		SrcIP: "10.2.0.1", SrcPort: 80, DestIP: "10.1.0.7", DestPort: 40007, Proto: "TCP", AppProto: "http",
		FileInfo: &eve.FileInfo{Filename: "/c1/f1.txt", State: "CLOSED", Size: 355, TxID: 1,
			SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", MD5: "d41d8cd98f00b204e9800998ecf8427e"}}
	const events = 100000
	for _, name := range []string{"file", "redis-list", "redis-stream", "nats", "syslog-tcp", "unix-stream"} {
		b.Run(name, func(b *testing.B) {
			var busy time.Duration
			for range b.N {
				env := output.Env{Host: "bench", DialTimeout: 5 * time.Second}
				u := urls[name]
				if name != "file" {
					u += "&spool=" + b.TempDir()
				}
				outs, err := outputRegistry().OpenAll(context.Background(), []string{u}, env)
				if err != nil {
					b.Fatal(err)
				}
				m := output.NewMux("bench", outs)
				start := time.Now()
				for range events {
					if err := m.Write(ev); err != nil {
						b.Fatal(err)
					}
				}
				left, err := m.Close(context.Background())
				if err != nil || len(left) > 0 {
					b.Fatalf("close: %v, left %v", err, left)
				}
				busy += time.Since(start)
			}
			b.ReportMetric(float64(events*b.N)/busy.Seconds(), "events/s")
		})
	}
}

func BenchmarkOutputReplay(b *testing.B) {
	urls := benchSinkURLs(b)
	capture := filepath.Join(b.TempDir(), "many.pcap")
	if err := os.WriteFile(capture, manyEventsCapture(&testing.T{}, 3000), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"off", "redis-list", "nats", "off-again"} {
		b.Run(name, func(b *testing.B) {
			var engineS, wallS float64
			var cpu time.Duration
			var n int
			for range b.N {
				dir := b.TempDir()
				args := []string{"-r", capture, "-l", dir}
				if u, ok := urls[name]; ok {
					args = append(args, "--output", u+"&spool="+b.TempDir())
				}
				cpu0 := cpuTime()
				start := time.Now()
				code, stderr := runReplay(&testing.T{}, nil, args...)
				if code != 0 {
					b.Fatalf("exit %d: %s", code, stderr)
				}
				wall := time.Since(start)
				// The summary's time is the packet processing alone; wall
				// time adds waiting until the sink acknowledged everything.
				m := regexp.MustCompile(` in ([0-9.]+)s `).FindStringSubmatch(stderr)
				if m == nil {
					b.Fatalf("no summary in %q", stderr)
				}
				engine, _ := strconv.ParseFloat(m[1], 64)
				engineS += engine
				wallS += wall.Seconds()
				cpu += cpuTime() - cpu0
				n += len(fileLines(&testing.T{}, filepath.Join(dir, "eve.json")))
			}
			b.ReportMetric(float64(n)/engineS, "events/s")
			b.ReportMetric(engineS/float64(b.N), "replay-s")
			b.ReportMetric(wallS/float64(b.N), "delivered-s")
			b.ReportMetric(float64(n/b.N), "events")
			b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/event")
		})
	}
}

// cpuTime is the process's user+system CPU time so far (wirescan's own
// goroutines: engine, encoding, delivery; not the servers).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOutputReplayPaced feeds the capture through standard input at
// about 10,000 events/s (the target rate) and reports the wall
// time until every event was delivered: with the output on, it should stay
// within 10 % of the same replay with it off.
func BenchmarkOutputReplayPaced(b *testing.B) {
	urls := benchSinkURLs(b)
	data := manyEventsCapture(&testing.T{}, 3000) // 21,001 events
	const steps, total = 100, 2100 * time.Millisecond
	for _, name := range []string{"off", "redis-list", "nats", "off-again"} {
		b.Run(name, func(b *testing.B) {
			var wallS float64
			var cpu time.Duration
			var n int
			for range b.N {
				dir := b.TempDir()
				args := []string{"-q", "-r", "-", "-l", dir}
				if u, ok := urls[name]; ok {
					args = append(args, "--output", u+"&spool="+b.TempDir())
				}
				pr, pw := io.Pipe()
				go func() {
					tick := time.NewTicker(total / steps)
					defer tick.Stop()
					for i := range steps {
						<-tick.C
						if _, err := pw.Write(data[len(data)*i/steps : len(data)*(i+1)/steps]); err != nil {
							return
						}
					}
					pw.Close()
				}()
				cpu0 := cpuTime()
				start := time.Now()
				code, stderr := runReplay(&testing.T{}, pr, args...)
				if code != 0 {
					b.Fatalf("exit %d: %s", code, stderr)
				}
				wallS += time.Since(start).Seconds()
				cpu += cpuTime() - cpu0
				n += len(fileLines(&testing.T{}, filepath.Join(dir, "eve.json")))
			}
			b.ReportMetric(wallS/float64(b.N), "delivered-s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/event")
		})
	}
}
