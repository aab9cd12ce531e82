package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/decode"
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/engine/flow"
	"github.com/wirescan/wirescan/engine/http"
	"github.com/wirescan/wirescan/engine/output/evidence"
	"github.com/wirescan/wirescan/engine/output/filestore"
	"github.com/wirescan/wirescan/engine/smb"
	"github.com/wirescan/wirescan/engine/xbits"
	"github.com/wirescan/wirescan/reassembly"
)

// Config is everything that tunes the engine. Every limit is finite by
// default; `wirescan config` prints the defaults as YAML, and any key can be
// overridden from a file (-c) or the command line (--set key=value).
type Config struct {
	// Workers is the number of worker goroutines (1: deterministic order).
	Workers int `yaml:"workers"`
	// Dispatch is how replay with several workers spreads packets over
	// them: DispatchFlow (each connection to a worker, the default) or
	// DispatchIPPair (every connection of an address pair to one worker,
	// as Suricata's autofp-scheduler "ippair"), so that what connections of
	// a pair share (xbits tracked by ip_pair, files joined across
	// connections) is seen in capture order, at the cost of balance when
	// few address pairs carry the traffic. Live capture spreads flows by
	// the kernel's fanout hash whatever it says.
	Dispatch string `yaml:"dispatch"`
	// Capture bounds the capture reader.
	Capture capture.Options `yaml:"capture"`
	// Decode configures link/IP decoding and IP defragmentation.
	Decode decode.Config `yaml:"decode"`
	// Flow bounds each worker's flow table.
	Flow flow.Config `yaml:"flow"`
	// Stream configures TCP reassembly per connection.
	Stream reassembly.Config `yaml:"stream"`
	// StreamMemcap bounds the out-of-order bytes held by all connections.
	StreamMemcap int64 `yaml:"stream-memcap" unit:"bytes"`
	// AppLayerMemcap bounds the memory application parsers may hold for
	// all connections together (header buffers, decompression windows).
	// At the limit a header is cut or a body passed on undecoded, with an
	// http.memcap anomaly, instead of growing.
	AppLayerMemcap int64 `yaml:"app-layer-memcap" unit:"bytes"`
	// HTTP configures the HTTP/1.x parser.
	HTTP http.Config `yaml:"http"`
	// SMB configures the SMB parser.
	SMB smb.Config `yaml:"smb"`
	// Files bounds the file tracker (reorder window, budget).
	Files files.Config `yaml:"files"`
	// VLANTracking keys flows by their outer VLAN id as well as addresses
	// and ports, so overlapping address spaces in different VLANs stay
	// apart. A connection whose directions carry different tags (a common
	// SPAN artefact) is still joined into one flow.
	VLANTracking bool `yaml:"vlan-tracking"`
	// AnomaliesPerFlow is how many anomaly events of one name a flow may
	// log; further ones are only counted, so a hostile flow can't flood EVE.
	AnomaliesPerFlow int `yaml:"anomalies-per-flow"`
	// EventTypes lists the EVE event types written; empty means all.
	EventTypes []string `yaml:"event-types"`
	// Explain adds wirescan.explain to every alert: where each content of
	// the rule matched and the bytes around it (costs a re-evaluation of
	// the rule per alert; for triage, not for floods).
	Explain bool `yaml:"explain"`
	// AnomalyRate limits anomaly events per name and worker (beyond
	// AnomaliesPerFlow): an attacker's many flows can't each add a line.
	AnomalyRate AnomalyRateConfig `yaml:"anomaly-rate"`
	// FlowLog chooses the flows that get a "flow" event: FlowLogPayload
	// (default) logs flows that carried payload (or alerted), so a SYN
	// flood or a port scan can't turn every spoofed packet into a log
	// line; FlowLogAll logs every flow, as Suricata's flow log does.
	FlowLog string `yaml:"flow-log"`
	// SensorName is written as every event's "host" (default: the
	// machine's hostname), so events collected from many sensors say
	// where they were seen.
	SensorName string `yaml:"sensor-name"`
	// Outputs lists output URLs (file:, redis://, nats://, syslog://,
	// unix:), added to -l and --output (see the README's Outputs).
	Outputs []string `yaml:"outputs"`
	// FileStore keeps files that matched filestore rules, named by SHA-256.
	FileStore filestore.Config `yaml:"filestore"`
	// Evidence writes the packets of alerting flows to pcap files.
	Evidence evidence.Config `yaml:"evidence"`
	// Live configures `wirescan live`.
	Live LiveConfig `yaml:"live"`
	// ProbeBytes is how many bytes per direction protocol detection may look
	// at before it gives up on a connection.
	ProbeBytes int `yaml:"probe-bytes" unit:"bytes"`
	// Vars are the rule variables ($HOME_NET, $EXTERNAL_NET, $HTTP_PORTS,
	// ...) as Suricata's address-groups and port-groups: NAME: "[10.0.0.0/8,
	// !10.9.0.0/16]". Rules and threshold.config suppress lists use them; a
	// variable a rule names but nobody defines matches any address.
	Vars map[string]string `yaml:"vars"`
	// PolicyFile is the alert policy (suppressions, aggregation; --policy
	// overrides it); empty: none.
	PolicyFile string `yaml:"policy-file"`
	// ThresholdFile is a Suricata threshold.config (--threshold overrides
	// it); empty: only the rules' own threshold keywords apply.
	ThresholdFile string `yaml:"threshold-file"`
	// ThresholdMaxTracked bounds the threshold counters (one per limiter,
	// signature and tracked address); the least recently hit is dropped.
	ThresholdMaxTracked int `yaml:"threshold-max-tracked"`
	// ReloadAPI configures POST /-/reload on the metrics listener.
	ReloadAPI ReloadAPIConfig `yaml:"reload-api"`
	// HashAllowlist is a file of known-good MD5/SHA-256 hashes
	// (--allowlist overrides it): a file on it never alerts.
	HashAllowlist string `yaml:"hash-allowlist"`
	// Detect bounds the detection state connections share.
	Detect DetectConfig `yaml:"detect"`
}

// DetectConfig bounds the detection state shared by connections.
type DetectConfig struct {
	// XBitsMax bounds the engine's xbits table (bits shared by the
	// connections of a host or address pair, engine/xbits); at the limit
	// the bit that expires first is evicted.
	XBitsMax int `yaml:"xbits-max"`
}

// FlowLog values (Config.FlowLog).
const (
	FlowLogPayload = "payload"
	FlowLogAll     = "all"
)

// ReloadAPIConfig guards the HTTP reload endpoint: a reload recompiles the
// rules, so anyone who can reach the port and trigger one at will holds a
// denial-of-service lever. It is off unless enabled, and then needs a
// bearer token.
type ReloadAPIConfig struct {
	// Enabled turns POST /-/reload on (SIGHUP and `systemctl reload` work
	// regardless).
	Enabled bool `yaml:"enabled"`
	// TokenFile holds the token clients send as "Authorization: Bearer
	// TOKEN" (`wirescan reload --token-file`); required when Enabled.
	TokenFile string `yaml:"token-file"`
}

// LiveConfig holds the live-capture settings a config file can carry (the
// command-line flags override them).
type LiveConfig struct {
	// Interfaces to capture on.
	Interfaces []string `yaml:"interfaces"`
	// WorkersPerInterface is the number of capture sockets and workers per
	// interface (0: one per CPU).
	WorkersPerInterface int `yaml:"workers-per-interface"`
}

// The values of Config.Dispatch.
const (
	DispatchFlow   = "flow"
	DispatchIPPair = "ip-pair"
)

// DefaultConfig returns the defaults used when nothing is configured.
func DefaultConfig() Config {
	return Config{
		Workers:             1,
		Dispatch:            DispatchFlow,
		Capture:             capture.Options{MaxRecordBytes: 256 << 10},
		Decode:              decode.DefaultConfig(),
		Flow:                flow.DefaultConfig(),
		Stream:              reassembly.DefaultConfig(),
		StreamMemcap:        512 << 20,
		AppLayerMemcap:      256 << 20,
		HTTP:                http.DefaultConfig(),
		SMB:                 smb.DefaultConfig(),
		Files:               files.DefaultConfig(),
		VLANTracking:        true,
		FileStore:           filestore.Config{MaxFileBytes: 256 << 20},
		Evidence:            evidence.Config{MaxPacketsPerFlow: 64, MaxBytesPerFlow: 16 << 20, Memcap: 128 << 20},
		AnomaliesPerFlow:    10,
		EventTypes:          []string{"alert", "incident", "fileinfo", "anomaly", "http", "smb", "dcerpc", "flow", "stats"},
		ProbeBytes:          512,
		FlowLog:             FlowLogPayload,
		AnomalyRate:         AnomalyRateConfig{Burst: 100, Interval: time.Minute},
		ThresholdMaxTracked: 65536,
		Detect:              DetectConfig{XBitsMax: xbits.DefaultMaxEntries},
	}
}

// LoadConfigFile overlays the YAML file at path on c. Unknown keys are
// errors; byte-valued keys take sizes with units ("64MiB"), and a bad one is
// reported as "config: FILE:LINE: key: ..." (a *SizeError).
func (c *Config) LoadConfigFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	data, serrs := resolveSizes(data, reflect.TypeFor[Config]())
	if len(serrs) > 0 {
		errs := make([]error, len(serrs))
		for i, se := range serrs {
			errs[i] = fmt.Errorf("config: %s:%d: %w", path, se.Line, se)
		}
		return errors.Join(errs...)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) { // EOF: no document, only comments
		return fmt.Errorf("config: %s: %w", path, err)
	}
	return nil
}

// Set overrides one key given as "a.b.c=value" (the YAML path of the key).
// The value is parsed as YAML, so numbers, booleans, durations ("30s") and
// lists ("[alert, fileinfo]") work, and byte-valued keys take sizes with
// units ("64MiB").
func (c *Config) Set(kv string) error {
	key, val, ok := strings.Cut(kv, "=")
	if !ok || key == "" {
		return fmt.Errorf("config: --set %q: want key=value", kv)
	}
	path := strings.Split(key, ".")
	var sb strings.Builder
	for i, p := range path {
		if p == "" {
			return fmt.Errorf("config: --set %q: empty key component", kv)
		}
		sb.WriteString(strings.Repeat("  ", i))
		sb.WriteString(p)
		sb.WriteString(":")
		if i < len(path)-1 {
			sb.WriteString("\n")
		}
	}
	var probe any
	if err := yaml.Unmarshal([]byte(val), &probe); err != nil {
		return fmt.Errorf("config: --set %s: bad value: %w", key, err)
	}
	err := c.decodeSet(sb.String(), val)
	var te *yaml.TypeError
	if err != nil && errors.As(err, &te) && strings.Contains(val, ",") && !strings.HasPrefix(strings.TrimSpace(val), "[") {
		// A list key given as a,b,c (the shell-friendly form): retry as
		// the YAML list [a,b,c].
		if c.decodeSet(sb.String(), "["+val+"]") == nil {
			return nil
		}
	}
	if se := (*SizeError)(nil); errors.As(err, &se) {
		return fmt.Errorf("config: --set %s: %w", key, se.Err)
	}
	if err != nil {
		return fmt.Errorf("config: --set %s: %w", key, err)
	}
	return nil
}

// decodeSet decodes one `key: value` document (key already indented into
// its YAML path) into c, refusing unknown keys.
func (c *Config) decodeSet(path, val string) error {
	data, serrs := resolveSizes([]byte(path+" "+val+"\n"), reflect.TypeFor[Config]())
	if len(serrs) > 0 {
		return serrs[0]
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(c)
}

// YAML renders the configuration, for `wirescan config`. Byte-valued keys
// are written in bytes, with the readable size as a comment
// ("memcap: 268435456 # 256 MiB"), so the output stays plain numbers for
// tools and loads back with -c.
func (c *Config) YAML() ([]byte, error) {
	var n yaml.Node
	if err := n.Encode(c); err != nil {
		return nil, err
	}
	annotateSizes(&n, reflect.TypeFor[Config]())
	return yaml.Marshal(&n)
}
