package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFilestoreKeepsMatchedFilesBySHA256: a filestore rule keeps the matching
// file under DIR/filestore/xx/<sha256>, with the exact content, and marks its
// fileinfo stored; files no filestore rule matched are not kept.
func TestFilestoreKeepsMatchedFilesBySHA256(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "store.rules")
	os.WriteFile(rules, []byte(`alert http any any -> any any (msg:"store EICAR"; file_data; content:"EICAR-STANDARD"; filestore; sid:7;)`+"\n"), 0o644)
	logDir := filepath.Join(dir, "log")
	var out, errb bytes.Buffer
	if code := run([]string{"replay", "-r", filepath.Join(testdataDir, "http-eicar.pcap"), "-S", rules, "-l", logDir}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	data, _ := os.ReadFile(filepath.Join(logDir, "eve.json"))
	stored := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var ev struct {
			EventType string `json:"event_type"`
			FileInfo  struct {
				Filename string `json:"filename"`
				SHA256   string `json:"sha256"`
				Stored   bool   `json:"stored"`
				FileID   uint64 `json:"file_id"`
			} `json:"fileinfo"`
			Files []struct {
				Storing *bool `json:"storing"`
			} `json:"files"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.EventType == "alert" && (len(ev.Files) == 0 || ev.Files[0].Storing == nil || !*ev.Files[0].Storing) {
			t.Errorf("alert of a filestore rule without files[0].storing=true: %s", line)
		}
		if ev.EventType != "fileinfo" || !ev.FileInfo.Stored {
			continue
		}
		stored++
		path := filepath.Join(logDir, "filestore", ev.FileInfo.SHA256[:2], ev.FileInfo.SHA256)
		content, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("stored file missing: %v", err)
		}
		sum := sha256.Sum256(content)
		if hex.EncodeToString(sum[:]) != ev.FileInfo.SHA256 || ev.FileInfo.FileID == 0 {
			t.Fatalf("stored %s has the wrong content or no file_id", ev.FileInfo.Filename)
		}
	}
	if stored != 1 {
		t.Fatalf("%d files stored, want 1 (the EICAR download)", stored)
	}
	tmp, _ := os.ReadDir(filepath.Join(logDir, "filestore", "tmp"))
	if len(tmp) != 0 {
		t.Fatalf("%d temporary files left behind", len(tmp))
	}
}

// TestFilestoreScopes: filestore:direction,scope keeps the files Suricata
// keeps. http-eicar.pcap has one connection with three downloads (tx 0
// /index.html, tx 1 /downloads/tool.exe, tx 2 /downloads/eicar.com); the
// rules match tx 1.
func TestFilestoreScopes(t *testing.T) {
	for _, tt := range []struct {
		opt  string
		want string
	}{
		{"filestore", "/downloads/tool.exe"},
		{"filestore:to_client,file", "/downloads/tool.exe"},
		{"filestore:both,tx", "/downloads/tool.exe"},
		// The flow from the match on: not the earlier transaction's file.
		{"filestore:to_client,flow", "/downloads/tool.exe /downloads/eicar.com"},
		{"filestore:both,ssn", "/downloads/tool.exe /downloads/eicar.com"},
		// Uploads only: the connection has none.
		{"filestore:to_server,flow", ""},
		{"filestore:request", ""},
	} {
		t.Run(tt.opt, func(t *testing.T) {
			dir := t.TempDir()
			rules := filepath.Join(dir, "store.rules")
			os.WriteFile(rules, []byte(`alert http any any -> any any (msg:"store"; http.uri; content:"/downloads/tool"; `+tt.opt+`; sid:8;)`+"\n"), 0o644)
			logDir := filepath.Join(dir, "log")
			var out, errb bytes.Buffer
			if code := run([]string{"replay", "-r", filepath.Join(testdataDir, "http-eicar.pcap"), "-S", rules, "-l", logDir}, nil, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			data, _ := os.ReadFile(filepath.Join(logDir, "eve.json"))
			var stored []string
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				var ev struct {
					EventType string `json:"event_type"`
					FileInfo  struct {
						Filename string `json:"filename"`
						SHA256   string `json:"sha256"`
						Stored   bool   `json:"stored"`
					} `json:"fileinfo"`
				}
				if err := json.Unmarshal([]byte(line), &ev); err != nil {
					t.Fatal(err)
				}
				if ev.EventType == "fileinfo" && ev.FileInfo.Stored {
					stored = append(stored, ev.FileInfo.Filename)
					if _, err := os.Stat(filepath.Join(logDir, "filestore", ev.FileInfo.SHA256[:2], ev.FileInfo.SHA256)); err != nil {
						t.Errorf("%s marked stored but not in the store: %v", ev.FileInfo.Filename, err)
					}
				}
			}
			if got := strings.Join(stored, " "); got != tt.want {
				t.Fatalf("stored %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRawContentNextToFileKeywordMustMatch: raw content in a rule with a
// file keyword is required in the stream, not ignored.
func TestRawContentNextToFileKeywordMustMatch(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "mixed.rules")
	os.WriteFile(rules, []byte(`alert http any any -> any any (msg:"absent raw content"; content:"NOT-IN-THE-STREAM"; fileext:"exe"; sid:1;)`+"\n"+
		`alert http any any -> any any (msg:"present raw content"; content:"Content-Type: application/octet-stream"; fileext:"exe"; sid:2;)`+"\n"), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"replay", "-q", "-r", filepath.Join(testdataDir, "http-eicar.pcap"), "-S", rules}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if strings.Contains(out.String(), `"signature_id":1,`) {
		t.Fatalf("rule 1 matched without its raw content:\n%s", out.String())
	}
	if !strings.Contains(out.String(), `"signature_id":2,`) {
		t.Fatalf("rule 2 did not match:\n%s", out.String())
	}
}
