package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wirescan/wirescan/engine/output"
)

type fixedOutputs []output.Stats

func (f fixedOutputs) Stats() []output.Stats { return f }

func TestOutputMetrics(t *testing.T) {
	c := NewOutputCollector(fixedOutputs{
		{Name: "file0", Events: 10, Delivered: 10},
		{Name: "redis0", Events: 10, Delivered: 4, SpooledTotal: 6, Spooled: 6, SpoolBytes: 4096, SpoolLimitBytes: 1 << 30, Dropped: 0, Reconnects: 1, Connected: 1},
	})
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
	want := `
# HELP wirescan_output_delivered_total Lines the sink took (written to the file, acknowledged by Redis or JetStream, written to the socket).
# TYPE wirescan_output_delivered_total counter
wirescan_output_delivered_total{output="file0"} 10
wirescan_output_delivered_total{output="redis0"} 4
# HELP wirescan_output_spool_lines Lines waiting in the spool.
# TYPE wirescan_output_spool_lines gauge
wirescan_output_spool_lines{output="file0"} 0
wirescan_output_spool_lines{output="redis0"} 6
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "wirescan_output_delivered_total", "wirescan_output_spool_lines"); err != nil {
		t.Fatal(err)
	}
}
