package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wirescan/wirescan/engine/allowlist"
	"github.com/wirescan/wirescan/engine/stats"
	"github.com/wirescan/wirescan/engine/threshold"
	"github.com/wirescan/wirescan/engine/xbits"
)

type fixed stats.Snapshot

func (f fixed) Snapshot() stats.Snapshot { return stats.Snapshot(f) }

func testSnapshot() fixed {
	w := stats.Worker{Packets: 10, Alerts: 2, FilesByProto: map[string]uint64{"http": 3}}
	w.Stream.Gaps = 4
	w.Flows.Active = 5
	s := stats.Snapshot{
		Packets: 10, Bytes: 1000, KernelDrops: 1,
		Workers:      []stats.Worker{w, w},
		AlertsBySID:  map[int]uint64{2100498: 2},
		EventsByType: map[string]uint64{"alert": 2},
		Ruleset:      stats.Ruleset{Version: "abc", Rules: 7, LoadedAt: time.Unix(1, 0)},
		Threshold: &threshold.Stats{Suppressed: 3, Thresholded: 4, MaxTracked: 65536,
			BySID: map[int]threshold.SIDCounts{9100001: {Suppressed: 3, Thresholded: 4}}},
		Allowlist:        &allowlist.Stats{SHA256: 1, Hits: 48},
		AllowlistedBySID: map[int]uint64{9100001: 48},
		XBits:            xbits.Stats{Entries: 3, Limit: 65536, Evicted: 2, Expired: 9},
	}
	return fixed(s)
}

func TestMetricsLint(t *testing.T) {
	problems, err := testutil.CollectAndLint(NewCollector(testSnapshot()))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

func TestMetricsValues(t *testing.T) {
	c := NewCollector(testSnapshot())
	want := `
# HELP wirescan_reassembly_gaps_total reassembly Gaps (see the reassembly package's Stats).
# TYPE wirescan_reassembly_gaps_total counter
wirescan_reassembly_gaps_total 8
# HELP wirescan_flow_active flow Active (see the flow package's Stats).
# TYPE wirescan_flow_active gauge
wirescan_flow_active 10
# HELP wirescan_alerts_by_signature_total Alerts raised, by signature id.
# TYPE wirescan_alerts_by_signature_total counter
wirescan_alerts_by_signature_total{sid="2100498"} 2
# HELP wirescan_files_total Files ended, by application protocol.
# TYPE wirescan_files_total counter
wirescan_files_total{proto="http"} 6
# HELP wirescan_allowlist_by_signature_total Alerts the allowlist held back, by signature id.
# TYPE wirescan_allowlist_by_signature_total counter
wirescan_allowlist_by_signature_total{sid="9100001"} 48
# HELP wirescan_xbits_entries Xbits (bits shared by the connections of a host or address pair) held now.
# TYPE wirescan_xbits_entries gauge
wirescan_xbits_entries 3
# HELP wirescan_xbits_entries_limit Most xbits held at once (detect.xbits-max).
# TYPE wirescan_xbits_entries_limit gauge
wirescan_xbits_entries_limit 65536
# HELP wirescan_xbits_evictions_total Unexpired xbits dropped because the table was full.
# TYPE wirescan_xbits_evictions_total counter
wirescan_xbits_evictions_total 2
# HELP wirescan_xbits_expired_total Xbits removed once their lifetime had passed.
# TYPE wirescan_xbits_expired_total counter
wirescan_xbits_expired_total 9
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"wirescan_reassembly_gaps_total", "wirescan_flow_active", "wirescan_alerts_by_signature_total", "wirescan_files_total", "wirescan_allowlist_by_signature_total",
		"wirescan_xbits_entries", "wirescan_xbits_entries_limit", "wirescan_xbits_evictions_total", "wirescan_xbits_expired_total"); err != nil {
		t.Fatal(err)
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{"OverlapsDiffering": "overlaps_differing", "MemcapDrops": "memcap_drops", "NonTCP": "non_tcp", "BadChecksum": "bad_checksum", "Gaps": "gaps", "DCERPCPDUs": "dcerpcpdus", "MD5Bytes": "md5_bytes", "HTTPRequests": "http_requests"} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}
