package engine

import (
	"errors"
	"fmt"
	"slices"

	"github.com/wirescan/wirescan/engine/xbits"
)

// EventTypes lists every EVE event type the engine can write; the
// event-types key may name only these.
var eventTypeNames = []string{"alert", "incident", "fileinfo", "anomaly", "http", "smb", "dcerpc", "flow", "stats", "frame"}

// Validate checks every key of the configuration, the engine's own and each
// stage's, and returns all problems found (joined), each naming its key. New
// runs it; the command line runs it first so that a bad --set is a usage
// error.
func (c *Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	bad := func(key string, format string, a ...any) {
		errs = append(errs, fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, a...)))
	}
	if c.Workers < 1 || c.Workers > 1024 {
		bad("workers", "%d not in [1, 1024]", c.Workers)
	}
	if c.Dispatch != DispatchFlow && c.Dispatch != DispatchIPPair {
		bad("dispatch", "%q: want %s or %s", c.Dispatch, DispatchFlow, DispatchIPPair)
	}
	if c.StreamMemcap < 1 {
		bad("stream-memcap", "%d: must be positive", c.StreamMemcap)
	}
	if c.AppLayerMemcap < 1 {
		bad("app-layer-memcap", "%d: must be positive", c.AppLayerMemcap)
	}
	if c.AnomaliesPerFlow < 0 {
		bad("anomalies-per-flow", "%d: must not be negative", c.AnomaliesPerFlow)
	}
	if c.ProbeBytes < 1 || c.ProbeBytes > 64<<10 {
		bad("probe-bytes", "%d not in [1, %d]", c.ProbeBytes, 64<<10)
	}
	for _, t := range c.EventTypes {
		if !slices.Contains(eventTypeNames, t) {
			bad("event-types", "unknown event type %q (known: %v)", t, eventTypeNames)
		}
	}
	if c.FileStore.MaxFileBytes < 0 {
		bad("filestore.max-file-bytes", "%d: must not be negative", c.FileStore.MaxFileBytes)
	}
	if c.Evidence.MaxPacketsPerFlow < 0 {
		bad("evidence.max-packets-per-flow", "%d: must not be negative", c.Evidence.MaxPacketsPerFlow)
	}
	if c.Evidence.MaxBytesPerFlow < 0 {
		bad("evidence.max-bytes-per-flow", "%d: must not be negative", c.Evidence.MaxBytesPerFlow)
	}
	if c.Evidence.Memcap < 0 {
		bad("evidence.memcap", "%d: must not be negative", c.Evidence.Memcap)
	}
	if c.AnomalyRate.Burst < 0 || c.AnomalyRate.Interval <= 0 {
		bad("anomaly-rate", "burst %d must not be negative and interval %v must be positive", c.AnomalyRate.Burst, c.AnomalyRate.Interval)
	}
	if c.FlowLog != FlowLogPayload && c.FlowLog != FlowLogAll {
		bad("flow-log", "%q: want %q or %q", c.FlowLog, FlowLogPayload, FlowLogAll)
	}
	if c.ThresholdMaxTracked < 1 || c.ThresholdMaxTracked > 1<<26 {
		bad("threshold-max-tracked", "%d not in [1, %d]", c.ThresholdMaxTracked, 1<<26)
	}
	if err := (xbits.Config{MaxEntries: c.Detect.XBitsMax}).Validate(); err != nil {
		bad("detect.xbits-max", "%d not in [1, %d]", c.Detect.XBitsMax, xbits.MaxMaxEntries)
	}
	if c.ReloadAPI.Enabled && c.ReloadAPI.TokenFile == "" {
		bad("reload-api.token-file", "required when reload-api.enabled is true")
	}
	if c.Live.WorkersPerInterface < 0 {
		bad("live.workers-per-interface", "%d: must not be negative", c.Live.WorkersPerInterface)
	}
	add(c.Capture.Validate())
	add(c.Decode.Validate())
	add(c.Flow.Validate())
	if err := c.Stream.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("config: stream: %w", err))
	}
	add(c.HTTP.Validate())
	add(c.SMB.Validate())
	add(c.Files.Validate())
	return errors.Join(errs...)
}
