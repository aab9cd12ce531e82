package output

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/eve"
)

type recSink struct {
	lines [][]byte
	st    Stats
}

func (r *recSink) Write(line []byte) error     { r.lines = append(r.lines, line); return nil }
func (r *recSink) Flush() error                { return nil }
func (r *recSink) Reopen() error               { return nil }
func (r *recSink) Close(context.Context) error { return nil }
func (r *recSink) Stats() Stats                { return r.st }

func TestMuxEncodesOnceFiltersAndStampsHost(t *testing.T) {
	all, alerts := &recSink{}, &recSink{}
	m := NewMux("sensor-7", []*Output{
		{Name: "a0", Sink: all},
		{Name: "b0", Sink: alerts, Types: []string{"alert"}},
	})
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, typ := range []string{"flow", "alert", "http"} {
		if err := m.Write(&eve.Event{Timestamp: ts, EventType: typ}); err != nil {
			t.Fatal(err)
		}
	}
	m.Close(context.Background())
	if len(all.lines) != 3 || len(alerts.lines) != 1 {
		t.Fatalf("all got %d, alerts got %d", len(all.lines), len(alerts.lines))
	}
	if &all.lines[1][0] != &alerts.lines[0][0] {
		t.Fatal("the alert was encoded twice instead of shared")
	}
	var ev map[string]any
	if err := json.Unmarshal(alerts.lines[0], &ev); err != nil {
		t.Fatal(err)
	}
	if ev["host"] != "sensor-7" || ev["event_type"] != "alert" {
		t.Fatalf("line %s", alerts.lines[0])
	}
	// Same bytes as the eve.Writer would write.
	var sb strings.Builder
	w := eve.NewWriter(&sb)
	w.Write(&eve.Event{Timestamp: ts, EventType: "alert", Host: "sensor-7"})
	w.Flush()
	if sb.String() != string(alerts.lines[0]) {
		t.Fatalf("mux line %q differs from the writer's %q", alerts.lines[0], sb.String())
	}
}

func TestRegistryErrors(t *testing.T) {
	r := NewRegistry()
	r.Register("fake", func(_ context.Context, s *Spec) (Sink, error) {
		s.Params.String("known", "")
		if err := s.CheckParams(); err != nil {
			return nil, err
		}
		return &recSink{}, nil
	})
	r.Register("net", func(_ context.Context, s *Spec) (Sink, error) {
		if _, err := s.QueueConfig(); err != nil {
			return nil, err
		}
		return nil, &DialError{URL: s.Redacted, Err: errors.New("connection refused")}
	})
	for _, tc := range []struct{ name, url, want string }{
		{"unknown scheme", "kafka://h/t", `unknown scheme "kafka"`},
		{"no scheme", "/var/log/eve.json", "no scheme"},
		{"unknown param", "fake:x?known=1&bogus=2", `unknown parameter "bogus"`},
		{"repeated param", "fake:x?known=1&known=2", "given 2 times"},
		{"unknown type", "fake:x?types=alert,dns", `unknown event type "dns"`},
		{"no spool", "net://u:secret@h:1/k", "no spool directory"},
		{"bad size", "net://h:1/k?spool=/tmp/x&spool-max=lots", `spool-max="lots"`},
		{"dial", "net://u:secret@h:1/k?spool=/tmp/x", "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.OpenAll(context.Background(), []string{tc.url}, Env{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if !IsStartupError(err) {
				t.Fatalf("%v is not a startup error", err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("password in the message: %v", err)
			}
		})
	}
	outs, err := r.OpenAll(context.Background(), []string{"fake:a", "fake:b?types=alert"}, Env{})
	if err != nil {
		t.Fatal(err)
	}
	if outs[0].Name != "fake0" || outs[1].Name != "fake1" || len(outs[1].Types) != 1 {
		t.Fatalf("outputs %+v %+v", outs[0], outs[1])
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"512": 512, "64KB": 64 << 10, "100MB": 100 << 20, "1GB": 1 << 30, "2GiB": 2 << 30, "10k": 10 << 10, "1.5GB": 3 << 29, "1TB": 1 << 40} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "MB", "-1", "1.5B", "64XB", "9999999TiB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}
