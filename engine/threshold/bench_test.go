package threshold

import (
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// BenchmarkDecide: one alert decision against a config of a few hundred
// suppressions and thresholds, with a threshold that tracks by source over
// many sources (the table stays full and evicts).
func BenchmarkDecide(b *testing.B) {
	var conf []byte
	for i := 0; i < 200; i++ {
		conf = append(conf, []byte("suppress gen_id 1, sig_id "+itoa(1000+i)+", track by_src, ip 10.9.0.0/16\n")...)
		conf = append(conf, []byte("threshold gen_id 1, sig_id "+itoa(2000+i)+", type limit, track by_src, count 1, seconds 60\n")...)
	}
	f := newFilter(b, string(conf), Options{MaxTracked: 4096})
	alerts := make([]Alert, 8192)
	for i := range alerts {
		src := netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)})
		alerts[i] = Alert{GID: 1, SID: 2000 + i%200, Src: src, Dst: hostB, Time: t0.Add(time.Duration(i) * time.Millisecond)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Decide(alerts[i%len(alerts)])
	}
}

// BenchmarkTableMemory reports the heap bytes one tracked counter costs
// (table index and node), the figure doc.go states.
func BenchmarkTableMemory(b *testing.B) {
	const n = 100_000
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		tb := newTable(n)
		a := Alert{GID: 1, SID: 5, Dst: hostB}
		for j := 0; j < n; j++ {
			a.Src = netip.AddrFrom4([4]byte{10, byte(j >> 16), byte(j >> 8), byte(j)})
			tb.get(makeKey(0, 1, &a))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/counter")
		runtime.KeepAlive(&tb)
	}
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			return string(buf[i:])
		}
	}
}
