package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/wirescan/wirescan/internal/evegen"
)

// benchLog generates a realistic EVE log of about n bytes (see evegen).
func benchLog(b *testing.B, n int64) ([]byte, evegen.Stats) {
	b.Helper()
	var buf bytes.Buffer
	st, err := evegen.Write(&buf, evegen.Config{Bytes: n, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return buf.Bytes(), st
}

// BenchmarkReport measures the aggregation of a generated log against two
// baselines in the same run: splitting the lines only (the floor), and
// decoding every line with encoding/json (what the fast path avoids).
// Compare their MB/s. The report's answer is checked against the generator.
func BenchmarkReport(b *testing.B) {
	data, st := benchLog(b, 32<<20)
	b.Run("aggregate", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			a, _ := NewAggregator(DefaultConfig())
			src, _ := NewLineSource("bench", io.NopCloser(bytes.NewReader(data)), 0)
			if err := a.Feed(src, func(d *DamageError) { b.Fatal(d) }); err != nil {
				b.Fatal(err)
			}
			rep := a.Report()
			if int64(rep.Alerts) != st.Alerts || int64(rep.Hits) != st.Alerts+st.SummaryHits || len(rep.Incidents) != st.Keys {
				b.Fatalf("report: %d alerts, %d hits, %d incidents; generator: %+v", rep.Alerts, rep.Hits, len(rep.Incidents), st)
			}
		}
	})
	b.Run("baseline-split-lines", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(make([]byte, 64<<10), 16<<20)
			n := 0
			for sc.Scan() {
				n++
			}
			if int64(n) != st.Lines {
				b.Fatalf("%d lines, want %d", n, st.Lines)
			}
		}
	})
	b.Run("baseline-decode-every-line", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(make([]byte, 64<<10), 16<<20)
			alerts := int64(0)
			for sc.Scan() {
				var ev struct {
					EventType string `json:"event_type"`
				}
				if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
					b.Fatal(err)
				}
				if ev.EventType == "alert" {
					alerts++
				}
			}
			if alerts != st.Alerts {
				b.Fatalf("%d alerts, want %d", alerts, st.Alerts)
			}
		}
	})
}

// BenchmarkScan measures the structural scan of one typical non-alert line.
func BenchmarkScan(b *testing.B) {
	data, _ := benchLog(b, 64<<10)
	line := data[:bytes.IndexByte(data, '\n')]
	var sc scanner
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, p := sc.scan(line); p != "" {
			b.Fatal(p)
		}
	}
}
