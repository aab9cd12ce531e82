package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

// TestHostileNamesStayInTheLogDirectory: file names from the traffic
// (path traversal, absolute paths, NUL, very long names) never reach the
// file system: the file store names files by SHA-256 and evidence pcaps by
// flow id, and nothing is written outside the log directory.
func TestHostileNamesStayInTheLogDirectory(t *testing.T) {
	hostile := []string{
		`/../../../../../../tmp/wirescan-escape`, "/etc/passwd", "/a\x00b.exe",
		"/" + strings.Repeat("A", 4000) + ".exe", `/..%2f..%2fescape`,
	}
	root := t.TempDir()
	capture := filepath.Join(root, "hostile.pcap")
	var buf bytes.Buffer
	c, err := pcapgen.NewCapture(&buf, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var xs []pcapgen.HTTPExchange
	for _, name := range hostile {
		xs = append(xs, pcapgen.HTTPExchange{URI: name, Host: "evil.example", RespBody: []byte(pcapgen.EICAR)})
	}
	cv, err := c.Open(pcapgen.EP("10.9.0.1", 40000), pcapgen.EP("10.9.0.2", 80), pcapgen.ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := pcapgen.WriteHTTP(cv, xs); err != nil {
		t.Fatal(err)
	}
	cv.Close()
	s := pcapgen.SMB2Session{Server: "srv", Share: "c$", Domain: "D", User: "u", Workstation: "W", Seed: 9,
		Files: []pcapgen.SMBFile{{Name: `..\..\..\Windows\System32\evil.dll`, Data: []byte(pcapgen.EICAR)},
			{Name: `C:\absolute\evil.exe`, Data: []byte(pcapgen.EICAR), Write: true}}}
	smb, err := c.Open(pcapgen.EP("10.9.0.1", 40001), pcapgen.EP("10.9.0.3", pcapgen.SMBPort), pcapgen.ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := pcapgen.WriteSMB2(smb, s); err != nil {
		t.Fatal(err)
	}
	smb.Close()
	if err := os.WriteFile(capture, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	logDir := filepath.Join(root, "logs", "run")
	var out, errb bytes.Buffer
	code := run([]string{"replay", "-q", "-r", capture, "-l", logDir, "--evidence", "--set", "filestore.force=true"}, nil, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	allowed := regexp.MustCompile(`^(hostile\.pcap|logs|logs/run|logs/run/eve\.json|logs/run/filestore|logs/run/filestore/tmp|logs/run/filestore/[0-9a-f]{2}|logs/run/filestore/[0-9a-f]{2}/[0-9a-f]{64}|logs/run/evidence|logs/run/evidence/[0-9]+(-[0-9]+)?\.pcap)$`)
	var stored int
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, path)
		if rel == "." {
			return nil
		}
		if !allowed.MatchString(filepath.ToSlash(rel)) {
			t.Errorf("unexpected path %q", rel)
		}
		if strings.HasPrefix(rel, filepath.Join("logs", "run", "filestore")) && !d.IsDir() {
			stored++
		}
		return nil
	})
	if stored != 1 { // every transfer carried the same EICAR bytes
		t.Errorf("%d stored files, want 1", stored)
	}
	if _, err := os.Stat("/tmp/wirescan-escape"); err == nil {
		t.Fatal("a file escaped to /tmp")
	}
}
