// Package stats holds the engine's counters as plain structs: what each
// worker counted (Worker), and a consistent copy of everything for readers
// (Snapshot). Workers write their own Worker values without locks and
// publish copies a few times a second; the metrics collector and the EVE
// stats event read Snapshots. The package imports only the stage packages
// whose Stats it aggregates, so any reader (metrics, outputs, tests) can use
// it without importing the engine.
package stats

import (
	"maps"
	"reflect"
	"time"

	"github.com/wirescan/wirescan/engine/allowlist"
	"github.com/wirescan/wirescan/engine/dcerpc"
	"github.com/wirescan/wirescan/engine/decode"
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/engine/flow"
	"github.com/wirescan/wirescan/engine/http"
	"github.com/wirescan/wirescan/engine/output"
	"github.com/wirescan/wirescan/engine/output/evidence"
	"github.com/wirescan/wirescan/engine/output/filestore"
	"github.com/wirescan/wirescan/engine/policy"
	"github.com/wirescan/wirescan/engine/smb"
	"github.com/wirescan/wirescan/engine/threshold"
	"github.com/wirescan/wirescan/engine/xbits"
	"github.com/wirescan/wirescan/reassembly"
)

// Worker holds the counters of one worker. They are plain integers written
// only by the worker; readers take a published copy.
type Worker struct {
	Packets, Bytes      uint64
	TCPPackets          uint64
	Flows               flow.Stats
	Stream              reassembly.Stats
	HTTP                http.Stats
	SMB                 smb.Stats
	DCERPC              dcerpc.TCPStats
	Files               files.Stats
	Alerts              uint64
	Anomalies           uint64
	AnomaliesSuppressed uint64
	FileBytesScanned    uint64
	FilesByProto        map[string]uint64
	// ProtoFlows and ProtoTx count connections and transactions by
	// application protocol ("failed" for undetected connections).
	ProtoFlows, ProtoTx map[string]uint64
	FilesTruncated      uint64
	VLANJoins           uint64
	BusyNanos           int64
	// Decode counts this worker's own decoding (live capture, where each
	// worker decodes its socket's packets).
	Decode decode.Stats
	// KernelPackets and KernelDrops are the worker's capture socket's
	// cumulative kernel counters (live capture).
	KernelPackets, KernelDrops uint64
}

// NewWorker returns a Worker with its maps allocated.
func NewWorker() Worker {
	return Worker{FilesByProto: map[string]uint64{}, ProtoFlows: map[string]uint64{}, ProtoTx: map[string]uint64{}}
}

// Clone returns a copy of w that shares no map with it.
func (w Worker) Clone() Worker {
	c := w
	c.FilesByProto = maps.Clone(w.FilesByProto)
	c.ProtoFlows = maps.Clone(w.ProtoFlows)
	c.ProtoTx = maps.Clone(w.ProtoTx)
	return c
}

// Ruleset describes the rule set new flows start with.
type Ruleset struct {
	Version        string
	Rules          int
	LoadedAt       time.Time
	CompileSeconds float64
}

// Snapshot is a consistent copy of the engine's counters for metrics and
// stats events. Workers publish their counters at most a few times a second,
// so a snapshot lags the traffic by up to that interval.
type Snapshot struct {
	Uptime         time.Duration
	Packets, Bytes uint64 // read from the sources
	KernelPackets  uint64 // live capture: packets the kernel saw
	KernelDrops    uint64 // live capture: packets the kernel dropped
	Decode         decode.Stats
	Workers        []Worker
	StreamMemory   int64 // bytes held by reassembly now
	AppLayerMemory int64 // bytes application parsers hold under app-layer-memcap
	AppLayerDenied uint64
	Ruleset        Ruleset
	AlertsBySID    map[int]uint64
	EventsByType   map[string]uint64
	ReloadsOK      uint64
	ReloadsFailed  uint64
	CaptureDamaged uint64
	Policy         *policy.Stats // nil without a policy
	// Threshold is the threshold filter's counters (nil when none).
	Threshold *threshold.Stats
	// Allowlist is the hash allowlist's (nil when none); AllowlistedBySID
	// counts the alerts it held back per signature.
	Allowlist        *allowlist.Stats
	AllowlistedBySID map[int]uint64
	FileStoreOn      bool // the file store is enabled
	FileStore        filestore.Stats
	// Outputs are the event outputs' counters (when the engine writes to an
	// output.Mux).
	Outputs []output.Stats
	// Evidence pcaps (all zero when disabled).
	Evidence evidence.Stats
	// XBits is the engine's xbits table.
	XBits xbits.Stats
}

// Totals adds up the workers' counters (maps merged key by key).
func (s Snapshot) Totals() Worker {
	t := NewWorker()
	for i := range s.Workers {
		w := &s.Workers[i]
		Add(&t, w)
		for _, m := range [][2]map[string]uint64{{t.FilesByProto, w.FilesByProto}, {t.ProtoFlows, w.ProtoFlows}, {t.ProtoTx, w.ProtoTx}} {
			for k, n := range m[1] {
				m[0][k] += n
			}
		}
	}
	return t
}

// Add adds every integer field of src to dst (both pointers to the same
// struct type), recursing into nested structs; maps are left alone.
func Add[T any](dst, src *T) {
	addValue(reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem())
}

func addValue(dst, src reflect.Value) {
	for i := range dst.NumField() {
		d, s := dst.Field(i), src.Field(i)
		if !d.CanSet() {
			continue
		}
		switch d.Kind() {
		case reflect.Uint64:
			d.SetUint(d.Uint() + s.Uint())
		case reflect.Int64, reflect.Int:
			d.SetInt(d.Int() + s.Int())
		case reflect.Struct:
			addValue(d, s)
		}
	}
}
