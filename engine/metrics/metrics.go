// Package metrics exposes the engine's counters to Prometheus.
//
// Hot packages keep plain integer counters in their Stats structs; workers
// publish copies a few times a second (engine.Engine.Snapshot returns a stats.Snapshot), and this package turns
// a snapshot into metrics at scrape time. Nothing on the packet path touches a
// Prometheus object.
//
// Names follow Prometheus conventions: wirescan_<subsystem>_<name>_<unit>,
// counters end in _total, base units (_bytes, _seconds). Labels come from
// small fixed sets (protocol, state, worker, signature id); addresses, file
// names and hashes never become labels.
package metrics

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wirescan/wirescan/engine/stats"
)

// Source gives the collector a snapshot to export.
type Source interface {
	Snapshot() stats.Snapshot
}

// Collector turns engine snapshots into Prometheus metrics.
type Collector struct {
	src Source
}

// NewCollector returns a collector reading from src.
func NewCollector(src Source) *Collector { return &Collector{src: src} }

// NewRegistry returns a registry with the engine collector and the Go runtime
// and process collectors, the registry the metrics endpoint serves.
func NewRegistry(src Source) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(src))
	reg.MustRegister(collectors.NewGoCollector())
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Handler serves the registry in the Prometheus exposition format.
func Handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// Describe sends no descriptors: the collector is "unchecked" because the
// set of metrics follows the Stats structs (and the signature ids that fired).
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// Collect exports one snapshot.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.src.Snapshot()
	counter := func(name, help string, v float64, labels ...string) {
		emit(ch, prometheus.CounterValue, name, help, v, labels...)
	}
	gauge := func(name, help string, v float64, labels ...string) {
		emit(ch, prometheus.GaugeValue, name, help, v, labels...)
	}
	counter("wirescan_capture_packets_total", "Packets read from the capture sources.", float64(s.Packets))
	counter("wirescan_capture_bytes_total", "Bytes read from the capture sources.", float64(s.Bytes))
	counter("wirescan_capture_kernel_packets_total", "Packets the kernel delivered to the capture sockets (live capture).", float64(s.KernelPackets))
	counter("wirescan_capture_kernel_drops_total", "Packets the kernel dropped because the capture rings were full (live capture).", float64(s.KernelDrops))
	counter("wirescan_capture_damaged_total", "Damaged capture files or records skipped.", float64(s.CaptureDamaged))
	gauge("wirescan_uptime_seconds", "Seconds since the engine started.", s.Uptime.Seconds())
	gauge("wirescan_app_layer_memory_bytes", "Bytes application parsers hold (bounded by app-layer-memcap).", float64(s.AppLayerMemory))
	counter("wirescan_app_layer_memcap_denied_total", "Parser buffers refused because app-layer-memcap was reached.", float64(s.AppLayerDenied))
	gauge("wirescan_reassembly_memory_bytes", "Bytes of out-of-order TCP data held by reassembly (bounded by stream-memcap).", float64(s.StreamMemory))

	structMetrics(ch, "decode", s.Decode, nil)
	sum := s.Totals()
	for i, w := range s.Workers {
		worker := strconv.Itoa(i)
		counter("wirescan_worker_busy_seconds_total", "Time each worker spent on packets: processing them (live), processing each batch (parallel replay), reading and processing them (one-worker replay).", float64(w.BusyNanos)/1e9, "worker", worker)
		counter("wirescan_worker_packets_total", "Packets processed by each worker.", float64(w.Packets), "worker", worker)
	}
	structMetrics(ch, "flow", sum.Flows, map[string]bool{"Active": true, "Emergency": true})
	structMetrics(ch, "reassembly", sum.Stream, nil)
	structMetrics(ch, "http", sum.HTTP, nil)
	structMetrics(ch, "smb", sum.SMB, nil)
	structMetrics(ch, "dcerpc", sum.DCERPC, nil)
	structMetrics(ch, "files", sum.Files, map[string]bool{"BufferedBytes": true})
	counter("wirescan_alerts_total", "Alerts raised.", float64(sum.Alerts))
	counter("wirescan_anomalies_total", "Protocol and stream anomalies seen.", float64(sum.Anomalies))
	counter("wirescan_anomalies_suppressed_total", "Anomaly events not logged because of the per-flow limit.", float64(sum.AnomaliesSuppressed))
	counter("wirescan_file_scanned_bytes_total", "File bytes passed through the signature scanner.", float64(sum.FileBytesScanned))
	counter("wirescan_flow_vlan_joins_total", "Connections joined across different VLAN tags per direction.", float64(sum.VLANJoins))
	for proto, n := range sum.FilesByProto {
		counter("wirescan_files_total", "Files ended, by application protocol.", float64(n), "proto", proto)
	}
	for sid, n := range s.AlertsBySID {
		counter("wirescan_alerts_by_signature_total", "Alerts raised, by signature id.", float64(n), "sid", strconv.Itoa(sid))
	}
	for t, n := range s.EventsByType {
		counter("wirescan_eve_events_total", "EVE events written, by event type.", float64(n), "event_type", t)
	}
	counter("wirescan_filestore_files_total", "Files kept in the file store.", float64(s.FileStore.Stored))
	counter("wirescan_filestore_bytes_total", "Bytes of files kept in the file store.", float64(s.FileStore.Bytes))
	counter("wirescan_filestore_errors_total", "File store write errors (the file was not kept).", float64(s.FileStore.Errors))
	counter("wirescan_evidence_files_total", "Evidence pcaps of alerting flows written.", float64(s.Evidence.Files))
	counter("wirescan_evidence_bytes_total", "Bytes written to evidence pcaps.", float64(s.Evidence.Bytes))
	counter("wirescan_evidence_errors_total", "Evidence pcaps that could not be created or written.", float64(s.Evidence.Errors))
	gauge("wirescan_evidence_memory_bytes", "Bytes of recent frames flows keep for evidence (bounded by evidence.memcap).", float64(s.Evidence.Memory))
	counter("wirescan_evidence_ring_denied_total", "Frames evidence rings could not add because evidence.memcap was reached (older frames were dropped).", float64(s.Evidence.Denied))
	counter("wirescan_evidence_link_skipped_total", "Frames left out of an evidence pcap because their link type differs from the file's.", float64(s.Evidence.Skipped))
	if p := s.Policy; p != nil {
		counter("wirescan_policy_suppressed_total", "Alerts dropped by policy suppress entries (counted, not logged).", float64(p.Suppressed))
		counter("wirescan_policy_aggregated_total", "Alerts folded into an open incident instead of logged.", float64(p.Aggregated))
		counter("wirescan_policy_incidents_total", "Incidents opened by policy aggregation.", float64(p.Incidents))
		counter("wirescan_policy_incident_evictions_total", "Incidents closed early because the incident table was full.", float64(p.Evictions))
		counter("wirescan_policy_summary_drops_total", "Incident summaries lost because they were not flushed in time.", float64(p.SummaryDrops))
		gauge("wirescan_policy_incidents_open", "Incidents open now.", float64(p.Open))
		gauge("wirescan_policy_incidents_limit", "Most incidents held at once.", float64(p.MaxIncidents))
		for sid, n := range p.BySID {
			counter("wirescan_policy_suppressed_by_signature_total", "Alerts suppressed by policy, by signature id.", float64(n), "sid", strconv.Itoa(sid))
		}
		for i, n := range p.ByRule {
			counter("wirescan_policy_rule_hits_total", "Alerts each policy entry matched, by entry index.", float64(n), "rule", strconv.Itoa(i))
		}
	}
	if th := s.Threshold; th != nil {
		counter("wirescan_threshold_suppressed_total", "Alerts silenced by threshold.config suppress entries.", float64(th.Suppressed))
		counter("wirescan_threshold_thresholded_total", "Alerts held back by thresholds (threshold.config and rule keywords).", float64(th.Thresholded))
		counter("wirescan_threshold_rate_filtered_total", "Alerts decided while a rate_filter's new action was in effect.", float64(th.RateFiltered))
		counter("wirescan_threshold_rate_passed_total", "Alerts not logged because a rate_filter's new action was pass.", float64(th.RatePassed))
		counter("wirescan_threshold_evictions_total", "Threshold counters dropped because the table was full.", float64(th.Evictions))
		gauge("wirescan_threshold_tracked", "Threshold counters held now.", float64(th.Tracked))
		gauge("wirescan_threshold_tracked_limit", "Most threshold counters held at once (threshold-max-tracked).", float64(th.MaxTracked))
		for sid, c := range th.BySID {
			id := strconv.Itoa(sid)
			counter("wirescan_threshold_by_signature_total", "Alerts threshold.config or rule thresholds held back, by signature id and reason.", float64(c.Suppressed), "sid", id, "reason", "suppressed")
			counter("wirescan_threshold_by_signature_total", "Alerts threshold.config or rule thresholds held back, by signature id and reason.", float64(c.Thresholded), "sid", id, "reason", "thresholded")
			counter("wirescan_threshold_by_signature_total", "Alerts threshold.config or rule thresholds held back, by signature id and reason.", float64(c.RateFiltered), "sid", id, "reason", "rate_filtered")
		}
	}
	if al := s.Allowlist; al != nil {
		counter("wirescan_allowlist_hits_total", "Alerts not logged because the file's hash is on the allowlist.", float64(al.Hits))
		gauge("wirescan_allowlist_entries", "Hashes on the allowlist, by kind.", float64(al.SHA256), "kind", "sha256")
		gauge("wirescan_allowlist_entries", "Hashes on the allowlist, by kind.", float64(al.MD5), "kind", "md5")
	}
	for sid, n := range s.AllowlistedBySID {
		counter("wirescan_allowlist_by_signature_total", "Alerts the allowlist held back, by signature id.", float64(n), "sid", strconv.Itoa(sid))
	}
	gauge("wirescan_xbits_entries", "Xbits (bits shared by the connections of a host or address pair) held now.", float64(s.XBits.Entries))
	gauge("wirescan_xbits_entries_limit", "Most xbits held at once (detect.xbits-max).", float64(s.XBits.Limit))
	counter("wirescan_xbits_evictions_total", "Unexpired xbits dropped because the table was full.", float64(s.XBits.Evicted))
	counter("wirescan_xbits_expired_total", "Xbits removed once their lifetime had passed.", float64(s.XBits.Expired))
	gauge("wirescan_ruleset_rules", "Rules in the active set.", float64(s.Ruleset.Rules))
	gauge("wirescan_ruleset_compile_seconds", "Time the active set took to compile.", s.Ruleset.CompileSeconds)
	if !s.Ruleset.LoadedAt.IsZero() {
		gauge("wirescan_ruleset_loaded_timestamp_seconds", "When the active set was loaded (Unix time).", float64(s.Ruleset.LoadedAt.UnixNano())/1e9)
	}
	gauge("wirescan_ruleset_info", "The active rule set's version (always 1).", 1, "version", s.Ruleset.Version)
	counter("wirescan_ruleset_reloads_total", "Rule reloads that took effect.", float64(s.ReloadsOK))
	counter("wirescan_ruleset_reload_failures_total", "Rule reloads that failed (the old set stayed).", float64(s.ReloadsFailed))
}

func emit(ch chan<- prometheus.Metric, kind prometheus.ValueType, name, help string, v float64, labels ...string) {
	var names, values []string
	for i := 0; i+1 < len(labels); i += 2 {
		names = append(names, labels[i])
		values = append(values, labels[i+1])
	}
	desc := prometheus.NewDesc(name, help, names, nil)
	ch <- prometheus.MustNewConstMetric(desc, kind, v, values...)
}

// structMetrics exports every integer field of a Stats struct: uint64 fields
// as counters wirescan_<sub>_<field>_total, int64 fields and the names in
// gauges as gauges wirescan_<sub>_<field>.
func structMetrics(ch chan<- prometheus.Metric, sub string, stats any, gauges map[string]bool) {
	v := reflect.ValueOf(stats)
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := "wirescan_" + sub + "_" + snake(f.Name)
		help := sub + " " + f.Name + " (see the " + sub + " package's Stats)."
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.Uint64:
			if gauges[f.Name] {
				emit(ch, prometheus.GaugeValue, name, help, float64(fv.Uint()))
			} else {
				emit(ch, prometheus.CounterValue, name+"_total", help, float64(fv.Uint()))
			}
		case reflect.Int64, reflect.Int:
			emit(ch, prometheus.GaugeValue, name, help, float64(fv.Int()))
		}
	}
}

// snake turns a Go field name into a metric name component:
// "OverlapsDiffering" → "overlaps_differing", "NonTCP" → "non_tcp",
// "PDUs" → "pdus" (a plural acronym keeps its "s").
func snake(s string) string {
	r := []rune(s)
	var words []string
	for i := 0; i < len(r); {
		j := i
		for j < len(r) && unicode.IsUpper(r[j]) {
			j++
		}
		switch {
		case j-i > 1 && j < len(r) && unicode.IsLower(r[j]) && !(r[j] == 's' && (j+1 == len(r) || unicode.IsUpper(r[j+1]))):
			// "NONTcp": the acronym ends before the capital that starts
			// the next word.
			words = append(words, string(r[i:j-1]))
			i = j - 1
			continue
		case j-i > 1 && j < len(r) && r[j] == 's':
			j++ // plural acronym: "PDUs"
		default:
			for j < len(r) && !unicode.IsUpper(r[j]) {
				j++
			}
		}
		words = append(words, string(r[i:j]))
		i = j
	}
	return strings.ToLower(strings.Join(words, "_"))
}
