package decode

import (
	"errors"
	"fmt"
	"time"
)

// Config holds the Decoder's limits and options. DefaultConfig gives finite
// defaults; zero or negative fields passed to NewDecoder take the default.
type Config struct {
	// ValidateChecksums drops packets with a bad IPv4 header or TCP checksum
	// (counted in Stats.BadChecksum). Off by default because captures taken
	// on the sending host carry offloaded, not-yet-computed checksums.
	ValidateChecksums bool `yaml:"validate-checksums"`
	// MaxFragmentBytes bounds the total bytes held in fragment queues.
	MaxFragmentBytes int64 `yaml:"max-fragment-bytes" unit:"bytes"`
	// MaxFragmentQueues bounds the number of datagrams being reassembled.
	MaxFragmentQueues int `yaml:"max-fragment-queues"`
	// MaxFragmentsPerDatagram bounds the distinct pieces of one datagram, so
	// a flood of tiny fragments cannot make insertion quadratic.
	MaxFragmentsPerDatagram int `yaml:"max-fragments-per-datagram"`
	// FragmentTimeout drops a datagram still incomplete this long (in packet
	// time) after its first fragment.
	FragmentTimeout time.Duration `yaml:"fragment-timeout"`
}

// Defaults used by DefaultConfig.
const (
	DefaultMaxFragmentBytes        = 16 << 20
	DefaultMaxFragmentQueues       = 4096
	DefaultMaxFragmentsPerDatagram = 8192 // a 64 KiB datagram in 8-byte fragments
	DefaultFragmentTimeout         = 60 * time.Second
)

// DefaultConfig returns the default configuration.
func DefaultConfig() Config {
	return Config{
		MaxFragmentBytes:        DefaultMaxFragmentBytes,
		MaxFragmentQueues:       DefaultMaxFragmentQueues,
		MaxFragmentsPerDatagram: DefaultMaxFragmentsPerDatagram,
		FragmentTimeout:         DefaultFragmentTimeout,
	}
}

// Validate reports the first field that is not positive.
func (c *Config) Validate() error {
	switch {
	case c.MaxFragmentBytes <= 0:
		return fmt.Errorf("decode: %w: MaxFragmentBytes %d", errNotPositive, c.MaxFragmentBytes)
	case c.MaxFragmentQueues <= 0:
		return fmt.Errorf("decode: %w: MaxFragmentQueues %d", errNotPositive, c.MaxFragmentQueues)
	case c.MaxFragmentsPerDatagram <= 0:
		return fmt.Errorf("decode: %w: MaxFragmentsPerDatagram %d", errNotPositive, c.MaxFragmentsPerDatagram)
	case c.FragmentTimeout <= 0:
		return fmt.Errorf("decode: %w: FragmentTimeout %v", errNotPositive, c.FragmentTimeout)
	}
	return nil
}

// errNotPositive is wrapped by Validate errors.
var errNotPositive = errors.New("limit must be positive")

// withDefaults returns c with every non-positive limit set to its default.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.MaxFragmentBytes <= 0 {
		c.MaxFragmentBytes = d.MaxFragmentBytes
	}
	if c.MaxFragmentQueues <= 0 {
		c.MaxFragmentQueues = d.MaxFragmentQueues
	}
	if c.MaxFragmentsPerDatagram <= 0 {
		c.MaxFragmentsPerDatagram = d.MaxFragmentsPerDatagram
	}
	if c.FragmentTimeout <= 0 {
		c.FragmentTimeout = d.FragmentTimeout
	}
	return c
}
