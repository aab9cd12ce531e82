package engine

import (
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/decode"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/engine/flow"
	"github.com/wirescan/wirescan/internal/pcapgen"
	"github.com/wirescan/wirescan/signatures"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// midTransferHeap replays n HTTP downloads left in mid-response (each one a
// request, a response header announcing 1 MiB and its first 1000 bytes;
// pcapgen.HalfOpenHTTP) into one worker and returns the live heap each
// connection it still tracks holds once all are open, as the collector sees it. With
// WIRESCAN_HEAPPROFILE set it also writes a heap profile there at that
// moment (go tool pprof -sample_index=inuse_space).
func midTransferHeap(tb testing.TB, cfg Config, rules *signatures.Set, n int) (perConn int64, w *worker) {
	tb.Helper()
	profile := os.Getenv("WIRESCAN_HEAPPROFILE")
	if profile != "" {
		runtime.MemProfileRate = 512
	}
	var buf bytes.Buffer
	if err := pcapgen.WriteDownloadUnderFlood(&buf, 0, n); err != nil {
		tb.Fatal(err)
	}
	e, err := New(cfg, rules, discardEvents{})
	if err != nil {
		tb.Fatal(err)
	}
	src, err := capture.NewReader(bytes.NewReader(buf.Bytes()), "midtransfer.pcap", cfg.Capture)
	if err != nil {
		tb.Fatal(err)
	}
	var ds decode.Stats
	dec := decode.NewDecoder(&cfg.Decode, &ds)
	w = newWorker(e, 0, nil)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for {
		p, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if d, ok := dec.Decode(p.LinkType, p.Data, p.Timestamp, p.Num, p.Length); ok {
			w.handle(d)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			tb.Fatal(err)
		}
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			tb.Fatal(err)
		}
		if err := f.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	runtime.KeepAlive(buf.Bytes())
	return (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / int64(w.flows.Len()), w
}

// accountedPerConn returns what the memcaps account for each tracked
// connection of w: its flow memcap charge (flow.Config.Memcap), plus its
// share of the stream and app-layer memcaps (reassembly buffers and
// histories, parser buffers), which bound the rest of its heap.
func accountedPerConn(w *worker) (flowCharge, total int64) {
	n := int64(w.flows.Len())
	flowCharge = w.stats.Flows.MemoryBytes / n
	return flowCharge, (w.stats.Flows.MemoryBytes + w.e.mem.InUse() + w.e.parserMem.InUse()) / n
}

// discardEvents is an EventWriter that drops every event.
type discardEvents struct{}

func (discardEvents) Write(*eve.Event) error { return nil }
func (discardEvents) Flush() error           { return nil }

// TestMidTransferConnCost: a connection in mid-response (its request
// parsed, its response file open, 1000 body bytes hashed and scanned) holds
// at most 6.5 KiB of heap with the defaults (MD5, SHA-1 and SHA-256 on;
// about 5.9 KiB, reassembly history rings included, which a larger flood
// loses under memcap pressure; 15 KiB before they were trimmed), and every
// one of them is still tracked with its file open.
func TestMidTransferConnCost(t *testing.T) {
	const n = 5000
	perConn, w := midTransferHeap(t, DefaultConfig(), signatures.Builtin(), n)
	charge, accounted := accountedPerConn(w)
	t.Logf("%d connections in mid-response: %d bytes of heap each; the flow memcap charges %d, all memcaps %d", n, perConn, charge, accounted)
	if accounted < perConn {
		t.Errorf("the memcaps account %d bytes per connection in mid-response (flow memcap %d) but one holds %d", accounted, charge, perConn)
	}
	if got := w.flows.Len(); got != n+1 {
		t.Fatalf("%d flows, want %d", got, n+1)
	}
	open := 0
	w.flows.Each(func(e *flow.Entry[*conn]) { open += len(e.Value.files) })
	if open != n {
		t.Fatalf("%d files open, want %d", open, n)
	}
	if perConn > 6656 {
		t.Errorf("a connection in mid-response holds %d bytes of heap, want at most 6.5 KiB", perConn)
	}
}

// BenchmarkMidTransferHeap reports the live heap per connection in
// mid-response (B/conn) with the built-in rules and with 10,000 generated
// file_data rules; WIRESCAN_HEAPPROFILE writes the heap profile of the last
// run.
func BenchmarkMidTransferHeap(b *testing.B) {
	const n = 100000
	sets := []struct {
		name  string
		rules func() *signatures.Set
	}{
		{"builtin", signatures.Builtin},
		{"10k", func() *signatures.Set {
			var rs []*signatures.Rule
			for _, l := range sigtest.Rules(sigtest.Patterns(10000, 10000), 1) {
				r, err := signatures.ParseRule(l)
				if err != nil {
					b.Fatal(err)
				}
				rs = append(rs, r)
			}
			s, err := signatures.Compile(rs, signatures.Options{})
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
	}
	for _, s := range sets {
		b.Run(s.name, func(b *testing.B) {
			rules := s.rules()
			var perConn int64
			var w *worker
			for b.Loop() {
				perConn, w = midTransferHeap(b, DefaultConfig(), rules, n)
			}
			b.ReportMetric(float64(perConn), "B/conn")
			charge, accounted := accountedPerConn(w)
			b.ReportMetric(float64(charge), "charged-B/conn")
			b.ReportMetric(float64(accounted), "accounted-B/conn")
			b.ReportMetric(float64(w.flows.Len()), "conns")
		})
	}
}
