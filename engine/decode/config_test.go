package decode

import (
	"errors"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*Config)
		ok     bool
	}{
		{"defaults", func(*Config) {}, true},
		{"smallest limits", func(c *Config) {
			c.MaxFragmentBytes, c.MaxFragmentQueues, c.MaxFragmentsPerDatagram, c.FragmentTimeout = 1, 1, 1, 1
		}, true},
		{"zero bytes", func(c *Config) { c.MaxFragmentBytes = 0 }, false},
		{"zero queues", func(c *Config) { c.MaxFragmentQueues = 0 }, false},
		{"zero pieces", func(c *Config) { c.MaxFragmentsPerDatagram = 0 }, false},
		{"negative timeout", func(c *Config) { c.FragmentTimeout = -1 }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.modify(&c)
			err := c.Validate()
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, errNotPositive)) {
				t.Errorf("Validate() = %v", err)
			}
			if got := c.withDefaults(); got.Validate() != nil {
				t.Errorf("withDefaults left %+v invalid", got)
			}
		})
	}
}
