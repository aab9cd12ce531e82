package engine

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/decode"
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/engine/flow"
	"github.com/wirescan/wirescan/engine/http"
	"github.com/wirescan/wirescan/engine/smb"
	"github.com/wirescan/wirescan/reassembly"
)

// Config is everything that tunes the engine. Every limit is finite by
// default; `wirescan config` prints the defaults as YAML, and any key can be
// overridden from a file (-c) or the command line (--set key=value).
type Config struct {
	// Workers is the number of worker goroutines (1: deterministic order).
	Workers int `yaml:"workers"`
	// Capture bounds the capture reader.
	Capture capture.Options `yaml:"capture"`
	// Decode configures link/IP decoding and IP defragmentation.
	Decode decode.Config `yaml:"decode"`
	// Flow bounds each worker's flow table.
	Flow flow.Config `yaml:"flow"`
	// Stream configures TCP reassembly per connection.
	Stream reassembly.Config `yaml:"stream"`
	// StreamMemcap bounds the out-of-order bytes held by all connections.
	StreamMemcap int64 `yaml:"stream-memcap"`
	// AppLayerMemcap bounds the memory application parsers may hold for
	// all connections together (header buffers, decompression windows).
	// At the limit a header is cut or a body passed on undecoded, with an
	// http.memcap anomaly, instead of growing.
	AppLayerMemcap int64 `yaml:"app-layer-memcap"`
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
	// SensorName is written as every event's "host" (default: the
	// machine's hostname), so events collected from many sensors say
	// where they were seen.
	SensorName string `yaml:"sensor-name"`
	// Outputs lists output URLs (file:, redis://, nats://, syslog://,
	// unix:), added to -l and --output (see the README's Outputs).
	Outputs []string `yaml:"outputs"`
	// FileStore keeps files that matched filestore rules, named by SHA-256.
	FileStore FileStoreConfig `yaml:"filestore"`
	// Evidence writes the packets of alerting flows to pcap files.
	Evidence EvidenceConfig `yaml:"evidence"`
	// Live configures `wirescan live`.
	Live LiveConfig `yaml:"live"`
	// ProbeBytes is how many bytes per direction protocol detection may look
	// at before it gives up on a connection.
	ProbeBytes int `yaml:"probe-bytes"`
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

// DefaultConfig returns the defaults used when nothing is configured.
func DefaultConfig() Config {
	return Config{
		Workers:          1,
		Capture:          capture.Options{MaxRecordBytes: 256 << 10},
		Decode:           decode.DefaultConfig(),
		Flow:             flow.DefaultConfig(),
		Stream:           reassembly.DefaultConfig(),
		StreamMemcap:     512 << 20,
		AppLayerMemcap:   256 << 20,
		HTTP:             http.DefaultConfig(),
		SMB:              smb.DefaultConfig(),
		Files:            files.DefaultConfig(),
		VLANTracking:     true,
		FileStore:        FileStoreConfig{MaxFileBytes: 256 << 20},
		Evidence:         EvidenceConfig{MaxPacketsPerFlow: 64, MaxBytesPerFlow: 16 << 20, Memcap: 128 << 20},
		AnomaliesPerFlow: 10,
		EventTypes:       []string{"alert", "incident", "fileinfo", "anomaly", "http", "smb", "flow", "stats"},
		ProbeBytes:       512,
	}
}

// LoadConfigFile overlays the YAML file at path on c. Unknown keys are errors.
func (c *Config) LoadConfigFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	return nil
}

// Set overrides one key given as "a.b.c=value" (the YAML path of the key).
// The value is parsed as YAML, so numbers, booleans, durations ("30s") and
// lists ("[alert, fileinfo]") work.
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
	text := sb.String() + " " + val + "\n"
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("config: --set %s: %w", key, err)
	}
	return nil
}

// YAML renders the configuration, for `wirescan config`.
func (c *Config) YAML() ([]byte, error) {
	return yaml.Marshal(c)
}
