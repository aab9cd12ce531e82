package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigSet(t *testing.T) {
	c := DefaultConfig()
	for _, kv := range []string{
		"stream.max-buffered-bytes=4096",
		"flow.established-timeout=30s",
		"event-types=[alert, fileinfo]",
		"workers=3",
		"vlan-tracking=false",
	} {
		if err := c.Set(kv); err != nil {
			t.Fatalf("Set(%q): %v", kv, err)
		}
	}
	if c.Stream.MaxBufferedBytes != 4096 || c.Flow.EstablishedTimeout != 30*time.Second ||
		len(c.EventTypes) != 2 || c.Workers != 3 || c.VLANTracking {
		t.Fatalf("overrides not applied: %+v", c)
	}
	// Keys not named keep their defaults.
	if c.Stream.MaxBufferedSegments != DefaultConfig().Stream.MaxBufferedSegments {
		t.Fatal("a sibling key was reset")
	}
	// A list in the shell-friendly form a,b,c.
	if err := c.Set("event-types=alert,fileinfo,frame"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.EventTypes, " ") != "alert fileinfo frame" {
		t.Fatalf("event-types=alert,fileinfo,frame gave %q", c.EventTypes)
	}
}

func TestConfigSetErrors(t *testing.T) {
	for _, kv := range []string{"nokey", "=1", "stream.nosuch=1", "workers=lots", "workers=1,2", "a..b=1"} {
		c := DefaultConfig()
		if err := c.Set(kv); err == nil {
			t.Errorf("Set(%q) succeeded", kv)
		}
	}
}

func TestConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.yaml")
	os.WriteFile(path, []byte("workers: 2\nstream:\n  midstream: false\n"), 0o644)
	c := DefaultConfig()
	if err := c.LoadConfigFile(path); err != nil {
		t.Fatal(err)
	}
	if c.Workers != 2 || c.Stream.Midstream {
		t.Fatalf("file not applied: %+v", c)
	}
	os.WriteFile(path, []byte("wrokers: 2\n"), 0o644)
	err := c.LoadConfigFile(path)
	if err == nil || !strings.Contains(err.Error(), "wrokers") {
		t.Fatalf("unknown key not named: %v", err)
	}
}

// TestSampleConfigLoads keeps the documented sample in step with the code.
func TestSampleConfigLoads(t *testing.T) {
	c := DefaultConfig()
	if err := c.LoadConfigFile("../configs/wirescan.yaml"); err != nil {
		t.Fatal(err)
	}
}

// TestValidateNamesEveryBadKey: Validate reports each out-of-range key, the
// engine's own and the stages', and New refuses such a configuration.
func TestValidateNamesEveryBadKey(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	for _, kv := range []string{"stream.max-buffered-bytes=0", "flow.max-flows=0", "probe-bytes=0", "http.max-headers=0", "decode.max-fragment-bytes=0", "smb.max-outstanding=0"} {
		if err := cfg.Set(kv); err != nil {
			t.Fatalf("Set(%s): %v", kv, err)
		}
	}
	// Set refuses negative sizes itself; the stage checks them too.
	cfg.Files.MaxWindowBytes = -1
	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate accepted bad values")
	}
	for _, want := range []string{"max buffered bytes", "max-flows", "max-window-bytes", "probe-bytes", "MaxHeaders", "MaxFragmentBytes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %q: %v", want, err)
		}
	}
	if _, nerr := New(cfg, nil, nil); nerr == nil {
		t.Error("New accepted an invalid configuration")
	}
}
