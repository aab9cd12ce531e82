// Package statsevent builds the object of an EVE "stats" event from a
// stats.Snapshot, in Suricata's layout for the counters both tools share
// (capture, decoder, flow, tcp, app_layer, detect, file_store), so
// dashboards built for Suricata's stats keep working.
package statsevent

import (
	"strconv"
	"time"

	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/engine/stats"
)

// Stats is the EVE "stats" object.
type Stats struct {
	Uptime   int64         `json:"uptime"`
	Capture  statsCapture  `json:"capture"`
	Decoder  statsDecoder  `json:"decoder"`
	Defrag   statsDefrag   `json:"defrag"`
	Flow     statsFlow     `json:"flow"`
	TCP      statsTCP      `json:"tcp"`
	AppLayer statsAppLayer `json:"app_layer"`
	Detect   statsDetect   `json:"detect"`
	// FileStore is present when the file store is enabled.
	FileStore *statsFileStore `json:"file_store,omitempty"`
}

type statsFileStore struct {
	OpenFiles uint64 `json:"open_files"`
	FSErrors  uint64 `json:"fs_errors"`
}

type statsCapture struct {
	KernelPackets uint64 `json:"kernel_packets"`
	KernelDrops   uint64 `json:"kernel_drops"`
}

type statsDecoder struct {
	Pkts    uint64 `json:"pkts"`
	Bytes   uint64 `json:"bytes"`
	Invalid uint64 `json:"invalid"`
	IPv4    uint64 `json:"ipv4,omitempty"`
	TCP     uint64 `json:"tcp"`
}

// statsDefrag is Suricata's defrag object, for the counters wirescan keeps
// (not split by IP version).
type statsDefrag struct {
	// MaxTrackersReached counts incomplete datagrams dropped to stay within
	// decode.max-fragment-queues or max-fragment-bytes.
	MaxTrackersReached uint64 `json:"max_trackers_reached"`
	// Memuse is the bytes held in fragment queues now.
	Memuse uint64 `json:"memuse"`
	// Mgr counts incomplete datagrams dropped at decode.fragment-timeout.
	Mgr struct {
		TrackerTimeout uint64 `json:"tracker_timeout"`
	} `json:"mgr"`
}

type statsFlow struct {
	Memcap uint64 `json:"memcap"`
	TCP    uint64 `json:"tcp"`
	Active uint64 `json:"active"`
}

type statsTCP struct {
	Sessions         uint64 `json:"sessions"`
	ReassemblyGap    uint64 `json:"reassembly_gap"`
	Overlap          uint64 `json:"overlap"`
	OverlapDiffData  uint64 `json:"overlap_diff_data"`
	ReassemblyMemuse int64  `json:"reassembly_memuse"`
}

type statsAppLayer struct {
	Flow map[string]uint64 `json:"flow"`
	Tx   map[string]uint64 `json:"tx"`
}

type statsDetect struct {
	Alert            uint64 `json:"alert"`
	AlertsSuppressed uint64 `json:"alerts_suppressed"`
}

// Build returns the stats object of snapshot s.
func Build(s stats.Snapshot) *Stats {
	var ev Stats
	ev.Uptime = int64(s.Uptime / time.Second)
	ev.Capture = statsCapture{KernelPackets: s.KernelPackets, KernelDrops: s.KernelDrops}
	ev.Decoder = statsDecoder{Pkts: s.Packets, Bytes: s.Bytes, Invalid: s.Decode.DecodeErrors + s.Decode.Truncated}
	ev.Defrag.MaxTrackersReached = s.Decode.FragmentEvictions
	ev.Defrag.Memuse = s.Decode.FragmentBytes
	ev.Defrag.Mgr.TrackerTimeout = s.Decode.FragmentTimeouts
	ev.AppLayer = statsAppLayer{Flow: map[string]uint64{}, Tx: map[string]uint64{}}
	for _, w := range s.Workers {
		ev.Decoder.TCP += w.TCPPackets
		ev.Flow.TCP += w.Flows.Created
		ev.Flow.Active += w.Flows.Active
		ev.Flow.Memcap += w.Flows.Evicted
		ev.TCP.Sessions += w.Flows.Created
		ev.TCP.ReassemblyGap += w.Stream.Gaps
		ev.TCP.Overlap += w.Stream.Overlaps
		ev.TCP.OverlapDiffData += w.Stream.OverlapsDiffering
		ev.Detect.Alert += w.Alerts
		for proto, n := range w.ProtoFlows {
			ev.AppLayer.Flow[proto] += n
		}
		for proto, n := range w.ProtoTx {
			ev.AppLayer.Tx[proto] += n
		}
	}
	ev.TCP.ReassemblyMemuse = s.StreamMemory
	ev.Detect.AlertsSuppressed = AlertsSuppressed(Silenced(&s))
	if s.FileStoreOn {
		ev.FileStore = &statsFileStore{FSErrors: s.FileStore.Errors}
	}
	return &ev
}

// Silenced sums up every alert that matched but was not logged (policy,
// threshold.config and rule thresholds, hash allowlist), per signature, for
// the stats event's "wirescan" object.
func Silenced(s *stats.Snapshot) *eve.Silenced {
	out := &eve.Silenced{BySID: map[string]eve.SilencedSID{}}
	by := func(sid int, inc func(*eve.SilencedSID)) {
		k := strconv.Itoa(sid)
		v := out.BySID[k]
		inc(&v)
		out.BySID[k] = v
	}
	if p := s.Policy; p != nil {
		out.Policy, out.Aggregated = p.Suppressed, p.Aggregated
		for sid, n := range p.BySID {
			by(sid, func(v *eve.SilencedSID) { v.Policy += n })
		}
	}
	if t := s.Threshold; t != nil {
		out.Suppressed, out.Thresholded, out.RatePassed = t.Suppressed, t.Thresholded, t.RatePassed
		for sid, c := range t.BySID {
			by(sid, func(v *eve.SilencedSID) { v.Suppressed += c.Suppressed; v.Thresholded += c.Thresholded })
		}
	}
	for sid, n := range s.AllowlistedBySID {
		out.Allowlisted += n
		by(sid, func(v *eve.SilencedSID) { v.Allowlisted += n })
	}
	if len(out.BySID) == 0 {
		out.BySID = nil
	}
	return out
}

// AlertsSuppressed is Suricata's detect.alerts_suppressed: alerts that
// matched and were not logged, whatever held them back.
func AlertsSuppressed(sl *eve.Silenced) uint64 {
	return sl.Policy + sl.Aggregated + sl.Suppressed + sl.Thresholded + sl.RatePassed + sl.Allowlisted
}

// Outputs lists each event output's delivery counters for the stats
// event's "wirescan" object; nil without outputs.
func Outputs(s *stats.Snapshot) []eve.OutputCounters {
	var out []eve.OutputCounters
	for _, o := range s.Outputs {
		out = append(out, eve.OutputCounters{Name: o.Name, Events: o.Events, Delivered: o.Delivered,
			Dropped: o.Dropped, Errors: o.Errors, Spooled: o.Spooled, Queued: o.Queued})
	}
	return out
}
