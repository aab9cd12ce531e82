// Package evetest checks EVE lines against Suricata's JSON schema in tests.
//
// The schema (shared/eve-schema/schema.json beside the repository) forbids
// unknown keys at the top level and inside alert and fileinfo. LoadSchema
// relaxes it in exactly one place: the top level may carry a "wirescan"
// object, wirescan's own additions. Everything else must be Suricata's.
package evetest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ExtraKey is the one top-level key the relaxed schema allows beyond
// Suricata's.
const ExtraKey = "wirescan"

// schemaRel is where the schema lives relative to a directory above the
// working directory (the clone's parent holds shared/), slash-separated.
const schemaRel = "shared/eve-schema/schema.json"

// ErrNotOneLine is returned by ValidateLine for input that is not exactly one
// JSON line.
var ErrNotOneLine = errors.New("evetest: not a single line")

// Validator validates EVE lines against the relaxed schema. It is safe for
// concurrent use.
type Validator struct {
	schema *jsonschema.Schema
}

// LoadSchema reads Suricata's EVE schema from path, adds the "wirescan"
// relaxation and compiles it.
func LoadSchema(path string) (*Validator, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("evetest: %w", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("evetest: parse %s: %w", path, err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("evetest: %s: schema is not an object", path)
	}
	props, ok := root["properties"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("evetest: %s: schema has no top-level properties", path)
	}
	if _, dup := props[ExtraKey]; dup {
		return nil, fmt.Errorf("evetest: %s: schema already defines %q", path, ExtraKey)
	}
	props[ExtraKey] = map[string]any{"type": "object"}

	c := jsonschema.NewCompiler()
	const url = "file:///eve-schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("evetest: add %s: %w", path, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("evetest: compile %s: %w", path, err)
	}
	return &Validator{schema: sch}, nil
}

// ValidateLine checks one EVE line (a trailing newline is allowed). The error
// names the offending key path.
func (v *Validator) ValidateLine(line []byte) error {
	line = bytes.TrimSuffix(line, []byte("\n"))
	if len(line) == 0 || bytes.IndexByte(line, '\n') >= 0 {
		return ErrNotOneLine
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
	if err != nil {
		return fmt.Errorf("evetest: parse line: %w", err)
	}
	if err := v.schema.Validate(inst); err != nil {
		return fmt.Errorf("evetest: %w", err)
	}
	return nil
}

// SchemaPath finds shared/eve-schema/schema.json by walking up from the
// working directory (the repository clone has shared/ beside it). ok is
// false when no such file exists, so tests can skip with a clear message.
func SchemaPath() (path string, ok bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		p := filepath.Join(dir, filepath.FromSlash(schemaRel))
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
