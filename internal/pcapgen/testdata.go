package pcapgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// ExpectedName is the machine-readable list of files per capture that
// WriteTestdata writes beside the captures.
const ExpectedName = "expected.json"

// Render writes every testdata scenario into memory and returns the file
// contents by name: the captures, expected.json and README.md. Output is
// byte-for-byte deterministic.
func Render() (map[string][]byte, error) {
	out := make(map[string][]byte)
	expected := make(map[string][]ExpectedFile)
	scenarios := Testdata()
	for _, s := range scenarios {
		var buf bytes.Buffer
		files, err := s.Write(&buf)
		if err != nil {
			return nil, fmt.Errorf("pcapgen: %s: %w", s.Name, err)
		}
		out[s.Name] = buf.Bytes()
		expected[s.Name] = files
	}
	js, err := json.MarshalIndent(expected, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("pcapgen: encode %s: %w", ExpectedName, err)
	}
	out[ExpectedName] = append(js, '\n')
	out["README.md"] = readme(scenarios, expected)
	return out, nil
}

// WriteTestdata renders the testdata and writes it into dir.
func WriteTestdata(dir string) error {
	files, err := Render()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pcapgen: %w", err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("pcapgen: %w", err)
		}
	}
	return nil
}

func readme(scenarios []Scenario, expected map[string][]ExpectedFile) []byte {
	var b bytes.Buffer
	b.WriteString(`# testdata

Captures made by the project itself with ` + "`internal/pcapgen`" + `. Do not edit them by hand:
regenerate everything in this directory (captures, ` + "`expected.json`" + `, this README) with

    make testdata        # = go run ./internal/pcapgen/cmd/gen -o testdata

The output is deterministic (fixed seeds, clock starting at 2026-01-01T00:00:00Z), so a
regeneration without generator changes produces no diff. A test in internal/pcapgen fails
when these files are stale. (Gzip bodies come from Go's compress/gzip, so a new Go release may
change the compressed bytes of a capture, never the decoded files below.)

The EICAR file is the 68-byte anti-virus test file; it is harmless. ` + "`expected.json`" + ` holds the
tables below, per capture, for the engine's end-to-end test. "filename" is what the engine
reports: the URI path for HTTP downloads (as Suricata does), the multipart filename for HTTP
uploads, the CREATE name for SMB. Sizes and SHA-256 are of the decoded file (after chunked and
gzip decoding). "alert" marks the EICAR files that an EICAR rule must alert on.
`)
	for _, s := range scenarios {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n", s.Name, s.Description)
		b.WriteString("| filename | proto | direction | size | sha256 | alert |\n| --- | --- | --- | ---: | --- | --- |\n")
		for _, f := range expected[s.Name] {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %d | `%s` | %v |\n", f.Filename, f.AppProto, f.Direction, f.Size, f.SHA256, f.Alert)
		}
	}
	return b.Bytes()
}
