package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wirescan/wirescan/engine/output"
)

// OutputSource gives the output collector the outputs' counters
// (output.Mux).
type OutputSource interface {
	Stats() []output.Stats
}

// OutputCollector exports every output's counters as wirescan_output_*
// with the label output (file0, redis0, nats1, stdout: a small fixed set,
// never an address).
type OutputCollector struct {
	src OutputSource
}

// NewOutputCollector returns a collector reading from src.
func NewOutputCollector(src OutputSource) *OutputCollector { return &OutputCollector{src: src} }

// Describe sends no descriptors (an unchecked collector, like Collector).
func (c *OutputCollector) Describe(chan<- *prometheus.Desc) {}

// Collect exports one copy of the outputs' counters.
func (c *OutputCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.src.Stats() {
		counter := func(name, help string, v uint64) {
			emit(ch, prometheus.CounterValue, "wirescan_output_"+name, help, float64(v), "output", s.Name)
		}
		gauge := func(name, help string, v int64) {
			emit(ch, prometheus.GaugeValue, "wirescan_output_"+name, help, float64(v), "output", s.Name)
		}
		counter("events_total", "EVE lines handed to the output.", s.Events)
		counter("bytes_total", "Bytes of EVE lines handed to the output.", s.Bytes)
		counter("delivered_total", "Lines the sink took (written to the file, acknowledged by Redis or JetStream, written to the socket).", s.Delivered)
		counter("errors_total", "Failed writes, deliveries and connection attempts.", s.Errors)
		counter("dropped_total", "Lines lost because the spool was full or a line was too large for the transport.", s.Dropped)
		counter("reconnects_total", "Connections to the sink made again after a failure.", s.Reconnects)
		counter("spooled_total", "Lines written to the on-disk spool because the sink was down or slow.", s.SpooledTotal)
		counter("spool_corrupt_total", "Damaged spool segment tails skipped.", s.SpoolCorrupt)
		counter("rotations_total", "Log files rotated.", s.Rotations)
		gauge("queued_lines", "Lines in the memory queue.", s.Queued)
		gauge("queue_limit_lines", "Capacity of the memory queue.", s.QueueLimit)
		gauge("spool_lines", "Lines waiting in the spool.", s.Spooled)
		gauge("spool_bytes", "Size of the spool's files.", s.SpoolBytes)
		gauge("spool_limit_bytes", "Size cap of the spool (spool-max).", s.SpoolLimitBytes)
		gauge("connected", "1 while the output has a working connection to its sink.", s.Connected)
	}
}
