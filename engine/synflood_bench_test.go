package engine_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/internal/pcapgen"
	"github.com/wirescan/wirescan/signatures"
)

var (
	// synFlood is 300k SYNs from distinct sources.
	synFlood = onceCapture{write: func(buf *bytes.Buffer) error { return pcapgen.WriteSynFlood(buf, 300_000, 1) }}
	// halfOpen is 20k HTTP responses left in mid-transfer around an EICAR
	// download.
	halfOpen = onceCapture{write: func(buf *bytes.Buffer) error { return pcapgen.WriteDownloadUnderFlood(buf, 0, 20_000) }}
)

// replayHostile replays data (one worker, built-in rules) b.N times and
// reports packets per second besides bytes and allocations.
func replayHostile(b *testing.B, data []byte) {
	cfg := engine.DefaultConfig()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var pkts uint64
	for b.Loop() {
		e, err := engine.New(cfg, signatures.Builtin(), eve.NewWriter(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		src, err := capture.NewReader(bytes.NewReader(data), "hostile.pcap", cfg.Capture)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := e.Run(context.Background(), src, nil)
		if err != nil {
			b.Fatal(err)
		}
		pkts += sum.Packets
	}
	b.ReportMetric(float64(pkts)/b.Elapsed().Seconds(), "pkts/s")
}

// BenchmarkSynFlood: what a flood of new flows costs per packet.
func BenchmarkSynFlood(b *testing.B) { replayHostile(b, synFlood.get(b)) }

// BenchmarkHalfOpenHTTP: what connections left in mid-response cost.
func BenchmarkHalfOpenHTTP(b *testing.B) { replayHostile(b, halfOpen.get(b)) }
