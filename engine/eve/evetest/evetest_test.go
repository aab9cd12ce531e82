package evetest_test

import (
	"path/filepath"
	"testing"

	"github.com/wirescan/wirescan/engine/eve/evetest"
)

func TestRelaxationIsExact(t *testing.T) {
	path, ok := evetest.SchemaPath()
	if !ok {
		t.Skip("shared/eve-schema/schema.json not found above the working directory")
	}
	v, err := evetest.LoadSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	const head = `{"timestamp":"2026-01-01T00:00:00.000000+0000","event_type":"stats"`
	cases := []struct {
		name string
		line string
		ok   bool
	}{
		{"plain", head + `}`, true},
		{"wirescan_object", head + `,"wirescan":{"anything":[1,2]}}`, true},
		{"wirescan_not_object", head + `,"wirescan":"x"}`, false},
		{"other_key", head + `,"wirescan2":{}}`, false},
		{"no_event_type", `{"timestamp":"2026-01-01T00:00:00.000000+0000"}`, false},
		{"bad_timestamp", `{"timestamp":"2026-01-01T00:00:00Z","event_type":"stats"}`, false},
		{"not_json", `{"timestamp":`, false},
		{"empty", ``, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := v.ValidateLine([]byte(c.line + "\n"))
			if (err == nil) != c.ok {
				t.Fatalf("ValidateLine(%s) = %v, want ok=%v", c.line, err, c.ok)
			}
		})
	}
}

func TestLoadSchemaMissingFile(t *testing.T) {
	if _, err := evetest.LoadSchema(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Fatal("LoadSchema of a missing file succeeded")
	}
}
