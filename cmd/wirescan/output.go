package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/eve"
)

// openOutput opens DIR/eve.json (or standard output). reopen reopens the file
// for log rotation; it is nil for standard output.
func openOutput(logDir string, stdout io.Writer) (w engine.EventWriter, reopen func() error, closeFn func(), err error) {
	if logDir == "" {
		return eve.NewWriter(stdout), nil, func() {}, nil
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, nil, nil, fmt.Errorf("log directory: %w", err)
	}
	fw, err := eve.OpenFile(filepath.Join(logDir, "eve.json"))
	if err != nil {
		return nil, nil, nil, err
	}
	return fw, fw.Reopen, func() { fw.Close() }, nil
}
