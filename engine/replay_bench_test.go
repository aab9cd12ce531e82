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

// onceCapture makes a generated capture once per test binary.
type onceCapture struct {
	once  sync.Once
	write func(*bytes.Buffer) error
	data  []byte
	err   error
}

func (c *onceCapture) get(b *testing.B) []byte {
	c.once.Do(func() {
		var buf bytes.Buffer
		c.err = c.write(&buf)
		c.data = buf.Bytes()
	})
	if c.err != nil {
		b.Fatal(c.err)
	}
	return c.data
}

// mix is a 64 MiB capture of benign HTTP and SMB2 transfers.
var mix = onceCapture{write: func(buf *bytes.Buffer) error { return pcapgen.SyntheticMix(buf, 64<<20, 1) }}

func syntheticMix(b *testing.B) []byte { return mix.get(b) }

func benchReplay(b *testing.B, workers int) {
	data := syntheticMix(b)
	cfg := engine.DefaultConfig()
	cfg.Workers = workers
	cfg.EventTypes = []string{"alert", "fileinfo"}
	rules := signatures.Builtin()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	var fileBytes uint64
	for range b.N {
		src, err := capture.NewReader(bytes.NewReader(data), "mix", cfg.Capture)
		if err != nil {
			b.Fatal(err)
		}
		eng, err := engine.New(cfg, rules, eve.NewWriter(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		sum, err := eng.Run(context.Background(), src, nil)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Alerts != 0 || sum.Files == 0 {
			b.Fatalf("benign mix: %d alerts, %d files", sum.Alerts, sum.Files)
		}
		fileBytes = sum.FileBytes
	}
	b.ReportMetric(float64(fileBytes)*float64(b.N)/b.Elapsed().Seconds()/1e6, "file-MB/s")
}

// BenchmarkReplay measures whole-pipeline replay throughput (capture bytes per
// second, and file bytes per second in file-MB/s) on a benign HTTP+SMB mix
// with the built-in rules.
func BenchmarkReplay(b *testing.B) {
	b.Run("workers=1", func(b *testing.B) { benchReplay(b, 1) })
	b.Run("workers=2", func(b *testing.B) { benchReplay(b, 2) })
}
