package engine_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/internal/pcapgen"
	"github.com/wirescan/wirescan/signatures"
)

var (
	synOnce sync.Once
	synData []byte
	synErr  error
)

// synFlood is a capture of 300k SYNs from distinct sources, made once per
// test binary.
func synFlood(b *testing.B) []byte {
	synOnce.Do(func() {
		var buf bytes.Buffer
		synErr = pcapgen.WriteSynFlood(&buf, 300_000, 1)
		synData = buf.Bytes()
	})
	if synErr != nil {
		b.Fatal(synErr)
	}
	return synData
}

// BenchmarkSynFlood replays a SYN flood (one worker, built-in rules):
// packets per second and bytes allocated per packet of a flow-table flood.
func BenchmarkSynFlood(b *testing.B) {
	data := synFlood(b)
	cfg := engine.DefaultConfig()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var pkts uint64
	for b.Loop() {
		e, err := engine.New(cfg, signatures.Builtin(), eve.NewWriter(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		src, err := capture.NewReader(bytes.NewReader(data), "syn.pcap", cfg.Capture)
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

var (
	halfOnce sync.Once
	halfData []byte
	halfErr  error
)

// BenchmarkHalfOpenHTTP replays 20k half-open HTTP responses around an
// EICAR download (one worker, built-in rules): what each such connection
// costs.
func BenchmarkHalfOpenHTTP(b *testing.B) {
	halfOnce.Do(func() {
		var buf bytes.Buffer
		halfErr = pcapgen.WriteDownloadUnderFlood(&buf, 0, 20_000)
		halfData = buf.Bytes()
	})
	if halfErr != nil {
		b.Fatal(halfErr)
	}
	cfg := engine.DefaultConfig()
	b.ReportAllocs()
	b.SetBytes(int64(len(halfData)))
	for b.Loop() {
		e, err := engine.New(cfg, signatures.Builtin(), eve.NewWriter(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		src, err := capture.NewReader(bytes.NewReader(halfData), "half.pcap", cfg.Capture)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Run(context.Background(), src, nil); err != nil {
			b.Fatal(err)
		}
	}
}
