package engine

import (
	"strings"
	"testing"

	"github.com/wirescan/wirescan/signatures"
)

// TestDispatchIPPair: with dispatch ip-pair every connection of an address
// pair reaches one worker (http-eicar.pcap: two connections between the
// same two hosts), whatever the run's hash seed, and the events are those
// of a one-worker replay.
func TestDispatchIPPair(t *testing.T) {
	data, _ := joinedCapture(t, "http-eicar.pcap")
	run := func(workers int, dispatch string) (*recorder, Summary) {
		cfg := DefaultConfig()
		cfg.Workers, cfg.Dispatch = workers, dispatch
		return replayRun(t, data, cfg, signatures.Builtin(), nil)
	}
	one, _ := run(1, DispatchFlow)
	want := len(one.of("alert")) + len(one.of("fileinfo"))
	if len(one.of("alert")) == 0 {
		t.Fatal("no alert in the one-worker replay")
	}
	// Ten runs, ten hash seeds: were the pair's two connections dispatched
	// by connection, all ten would put them on one worker with p = 1/512.
	for range 10 {
		rec, sum := run(2, DispatchIPPair)
		if len(sum.Workers) != 2 {
			t.Fatalf("%d workers", len(sum.Workers))
		}
		if p0, p1 := sum.Workers[0].Packets, sum.Workers[1].Packets; p0 != 0 && p1 != 0 {
			t.Fatalf("the pair's packets went to both workers: %d and %d", p0, p1)
		}
		if got := len(rec.of("alert")) + len(rec.of("fileinfo")); got != want {
			t.Fatalf("%d alert and fileinfo events, want %d as with one worker", got, want)
		}
	}
}

// TestDispatchValidated: an unknown dispatch is a configuration error naming
// the key.
func TestDispatchValidated(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Dispatch = "round-robin"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "dispatch") {
		t.Fatalf("Validate() = %v, want an error naming dispatch", err)
	}
}
