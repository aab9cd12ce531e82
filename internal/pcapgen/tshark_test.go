package pcapgen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTsharkDecodes has Wireshark's dissectors check the captures: HTTP and
// SMB2 are recognised, no expert error (malformed packet, bad checksum), and every downloaded or SMB-written
// file exported by tshark has the expected SHA-256 (HTTP uploads export as
// the whole multipart body, so they are left out).
func TestTsharkDecodes(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not on PATH")
	}
	dir := t.TempDir()
	for _, s := range Testdata() {
		t.Run(s.Name, func(t *testing.T) {
			var buf bytes.Buffer
			expected, err := s.Write(&buf)
			if err != nil {
				t.Fatal(err)
			}
			pcap := filepath.Join(dir, s.Name)
			if err := os.WriteFile(pcap, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			objects := filepath.Join(dir, s.Name+".objects")
			if err := os.Mkdir(objects, 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(tshark, "-n", "-q", "-r", pcap, "-z", "expert,error", "-z", "io,phs",
				"-o", "tcp.check_checksum:TRUE", "-o", "tcp.reassemble_out_of_order:TRUE",
				"--export-objects", "http,"+objects, "--export-objects", "smb,"+objects)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("tshark: %v\n%s", err, out)
			}
			// Malformed packets and bad checksums are expert errors.
			if strings.Contains(string(out), "Errors (") {
				t.Errorf("tshark reports expert errors:\n%s", out)
			}
			for _, f := range expected {
				if proto := map[string]string{"http": " http ", "smb": " smb"}[f.AppProto]; !strings.Contains(string(out), proto) {
					t.Errorf("tshark protocol hierarchy lacks%s:\n%s", proto, out)
				}
			}
			hashes := exportedHashes(t, objects)
			for _, f := range expected {
				if f.AppProto == "http" && f.Direction == "to_server" {
					continue
				}
				if f.WriteAndClose {
					continue // tshark does not export WRITE_AND_CLOSE data
				}
				if f.Joined {
					continue // tshark exports each connection's pieces apart
				}
				if f.Encoding != "" && f.Encoding != "gzip" {
					continue // tshark decodes gzip only (brotli depends on its build, lzma never)
				}
				if !hashes[f.SHA256] {
					t.Errorf("tshark exported no object with the sha256 of %s", f.Filename)
				}
			}
		})
	}
}

func exportedHashes(t *testing.T, dir string) map[string]bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	hashes := make(map[string]bool)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		hashes[hex.EncodeToString(sum[:])] = true
	}
	return hashes
}
