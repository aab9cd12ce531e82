package socket

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/output"
)

func registry() *output.Registry {
	r := output.NewRegistry()
	r.Register("syslog", SyslogFactory)
	r.Register("syslog+udp", SyslogFactory)
	r.Register("syslog+tcp", SyslogFactory)
	r.Register("unix", UnixFactory)
	return r
}

func openURL(t *testing.T, url string) output.Sink {
	t.Helper()
	outs, err := registry().OpenAll(context.Background(), []string{url}, output.Env{Host: "sensor 1", DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return outs[0].Sink
}

func line(i int) []byte { return fmt.Appendf(nil, `{"event_type":"flow","n":%d}`+"\n", i) }

// readDatagrams reads n datagrams (or until a 5 s silence).
func readDatagrams(t *testing.T, c net.PacketConn, n int) []string {
	t.Helper()
	var out []string
	buf := make([]byte, 1<<17)
	for len(out) < n {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		k, _, err := c.ReadFrom(buf)
		if err != nil {
			break
		}
		out = append(out, string(buf[:k]))
	}
	return out
}

func TestSyslogUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	defer pc.Close()
	s := openURL(t, "syslog+udp://"+pc.LocalAddr().String()+"?facility=daemon&severity=warning&spool="+t.TempDir())
	const n = 50
	for i := range n {
		s.Write(line(i))
	}
	s.Write(append(bytes.Repeat([]byte("x"), 70000), '\n')) // over one datagram: dropped
	got := readDatagrams(t, pc, n)
	s.Close(context.Background())
	if len(got) != n {
		t.Fatalf("%d datagrams, want %d", len(got), n)
	}
	for i, g := range got {
		f := strings.SplitN(g, " ", 8)
		// daemon (3) * 8 + warning (4) = 28; the space in the sensor name
		// is not allowed in HOSTNAME.
		if len(f) != 8 || f[0] != "<28>1" || f[2] != "sensor_1" || f[3] != "wirescan" || f[7] != strings.TrimSuffix(string(line(i)), "\n") {
			t.Fatalf("datagram %d: %q", i, g)
		}
	}
	if st := s.Stats(); st.Dropped != 1 || st.Delivered != n {
		t.Fatalf("stats %+v", st)
	}
}

func TestUnixDatagram(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eve.sock")
	pc, err := net.ListenPacket("unixgram", path)
	if err != nil {
		t.Skip(err)
	}
	defer pc.Close()
	s := openURL(t, "unix:"+path+"?spool="+t.TempDir())
	const n = 200
	for i := range n {
		s.Write(line(i))
	}
	got := readDatagrams(t, pc, n)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d datagrams, want %d", len(got), n)
	}
	for i, g := range got {
		if g != strings.TrimSuffix(string(line(i)), "\n") {
			t.Fatalf("datagram %d = %q", i, g)
		}
	}
}

func TestSyslogTCPReceiverRestart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	addr := ln.Addr().String()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	s := openURL(t, "syslog://"+addr+"?spool="+t.TempDir())
	first := <-accepted
	// The receiver goes away; lines written meanwhile are spooled and
	// arrive on the next connection.
	first.Close()
	ln.Close()
	for i := range 100 {
		s.Write(line(i))
		time.Sleep(time.Millisecond)
	}
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port taken meanwhile: %v", err)
	}
	defer ln2.Close()
	recv := make(chan []byte, 1)
	go func() {
		c, err := ln2.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var all []byte
		buf := make([]byte, 64<<10)
		for {
			c.SetReadDeadline(time.Now().Add(3 * time.Second))
			n, err := c.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil {
				recv <- all
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	all := <-recv
	if st := s.Stats(); st.Spooled != 0 {
		t.Fatalf("%d lines still spooled: %+v", st.Spooled, st)
	}
	// Every line arrived, in order (writes into the dead connection's
	// kernel buffer may repeat: at-least-once).
	next := 0
	for _, msg := range bytes.Split(all, []byte("<174>1 ")) {
		if next < 100 && bytes.Contains(msg, bytes.TrimSuffix(line(next), []byte("\n"))) {
			next++
		}
	}
	if next != 100 {
		t.Fatalf("line %d of 100 missing after the receiver came back (stats %+v): %.300s", next, s.Stats(), all)
	}
}
