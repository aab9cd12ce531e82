// Package statsevent builds the object of an EVE "stats" event from a
// stats.Snapshot, in Suricata's layout for the counters both tools share
// (capture, decoder, flow, tcp, app_layer, detect, file_store), so
// dashboards built for Suricata's stats keep working.
package statsevent

import (
	"time"

	"github.com/wirescan/wirescan/engine/stats"
)

// Stats is the EVE "stats" object.
type Stats struct {
	Uptime   int64         `json:"uptime"`
	Capture  statsCapture  `json:"capture"`
	Decoder  statsDecoder  `json:"decoder"`
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
	Alert uint64 `json:"alert"`
}

// Build returns the stats object of snapshot s.
func Build(s stats.Snapshot) *Stats {
	var ev Stats
	ev.Uptime = int64(s.Uptime / time.Second)
	ev.Capture = statsCapture{KernelPackets: s.KernelPackets, KernelDrops: s.KernelDrops}
	ev.Decoder = statsDecoder{Pkts: s.Packets, Bytes: s.Bytes, Invalid: s.Decode.DecodeErrors + s.Decode.Truncated}
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
	if s.FileStoreOn {
		ev.FileStore = &statsFileStore{FSErrors: s.FileStore.Errors}
	}
	return &ev
}
