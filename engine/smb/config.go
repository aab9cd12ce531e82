package smb

import (
	"errors"
	"fmt"
)

// Config holds the per-connection limits of the SMB parser. Every limit is
// finite; DefaultConfig gives values that fit ordinary Windows traffic. When a
// limit is hit the parser raises an anomaly (see events.go), counts it in
// Stats.Anomalies and degrades (skips, evicts or resynchronises) instead of
// growing.
type Config struct {
	// MaxRecordBytes is the largest NBSS record accepted. A larger length is
	// treated as loss of framing: anomaly smb.record_too_large, then resync.
	MaxRecordBytes int `yaml:"max-record-bytes" unit:"bytes"`
	// MaxReadWriteBytes is the largest READ/WRITE payload delivered as file data.
	// Larger ones raise smb.read_write_too_large and their bytes are skipped.
	MaxReadWriteBytes int `yaml:"max-read-write-bytes" unit:"bytes"`
	// MaxOutstanding bounds the requests remembered per connection while their
	// responses are pending (keyed by message id); the oldest is evicted.
	MaxOutstanding int `yaml:"max-outstanding"`
	// MaxOpenFiles bounds open files, remembered file ids and trees per
	// connection; the oldest entry is evicted.
	MaxOpenFiles int `yaml:"max-open-files"`
	// MaxHeaderBuffer is how many bytes of a record are buffered before its
	// commands are parsed; the data of a larger READ/WRITE is streamed.
	MaxHeaderBuffer int `yaml:"max-header-buffer" unit:"bytes"`
	// MaxCompound bounds the SMB2 messages parsed in one compound chain and
	// the commands of one SMB1 AndX chain.
	MaxCompound int `yaml:"max-compound"`
	// MaxDCERPCStubBytes is how much of a DCERPC call's stub data (per
	// direction) a transaction keeps for the dcerpc.stub_data rule buffer.
	// The logged stub_data_size still counts every byte.
	MaxDCERPCStubBytes int `yaml:"max-dcerpc-stub-bytes" unit:"bytes"`
}

// DefaultConfig returns the default limits: 16 MiB records and reads/writes,
// 1024 outstanding requests and open files, a 64 KiB header buffer.
func DefaultConfig() Config {
	return Config{
		MaxRecordBytes:    16<<20 + 4096,
		MaxReadWriteBytes: 16 << 20,
		MaxOutstanding:    1024,
		MaxOpenFiles:      1024,
		MaxHeaderBuffer:   64 << 10,
		MaxCompound:       64,
		// One full DCERPC fragment.
		MaxDCERPCStubBytes: 64 << 10,
	}
}

// ErrConfig is wrapped by every error Validate returns.
var ErrConfig = errors.New("smb: invalid config")

// Validate reports a limit that is out of range. The header buffer must hold
// at least an SMB2 header plus the fixed part of any command (256 bytes).
func (c *Config) Validate() error {
	switch {
	case c.MaxRecordBytes < 256:
		return fmt.Errorf("%w: MaxRecordBytes %d < 256", ErrConfig, c.MaxRecordBytes)
	case c.MaxReadWriteBytes < 1:
		return fmt.Errorf("%w: MaxReadWriteBytes %d < 1", ErrConfig, c.MaxReadWriteBytes)
	case c.MaxOutstanding < 1:
		return fmt.Errorf("%w: MaxOutstanding %d < 1", ErrConfig, c.MaxOutstanding)
	case c.MaxOpenFiles < 1:
		return fmt.Errorf("%w: MaxOpenFiles %d < 1", ErrConfig, c.MaxOpenFiles)
	case c.MaxHeaderBuffer < 256:
		return fmt.Errorf("%w: MaxHeaderBuffer %d < 256", ErrConfig, c.MaxHeaderBuffer)
	case c.MaxCompound < 1:
		return fmt.Errorf("%w: MaxCompound %d < 1", ErrConfig, c.MaxCompound)
	case c.MaxDCERPCStubBytes < 1:
		return fmt.Errorf("%w: MaxDCERPCStubBytes %d < 1", ErrConfig, c.MaxDCERPCStubBytes)
	}
	return nil
}

// sanitized returns a copy with every out-of-range limit replaced by its
// default, so NewParser never runs with an unbounded or unusable limit.
func (c Config) sanitized() Config {
	d := DefaultConfig()
	if c.MaxRecordBytes < 256 {
		c.MaxRecordBytes = d.MaxRecordBytes
	}
	if c.MaxReadWriteBytes < 1 {
		c.MaxReadWriteBytes = d.MaxReadWriteBytes
	}
	if c.MaxOutstanding < 1 {
		c.MaxOutstanding = d.MaxOutstanding
	}
	if c.MaxOpenFiles < 1 {
		c.MaxOpenFiles = d.MaxOpenFiles
	}
	if c.MaxHeaderBuffer < 256 {
		c.MaxHeaderBuffer = d.MaxHeaderBuffer
	}
	if c.MaxCompound < 1 {
		c.MaxCompound = d.MaxCompound
	}
	if c.MaxDCERPCStubBytes < 1 {
		c.MaxDCERPCStubBytes = d.MaxDCERPCStubBytes
	}
	return c
}
