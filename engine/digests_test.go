package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/allowlist"
	"github.com/wirescan/wirescan/signatures"
)

// TestDigestsOffButNeeded replays http-eicar.pcap with every digest turned
// off in the configuration: fileinfo events carry no hash unless something
// reads one, and then exactly the digests it reads, so a .hdb signature or
// an allowlist keeps working.
func TestDigestsOffButNeeded(t *testing.T) {
	data, _ := joinedCapture(t, "http-eicar.pcap")
	dir := t.TempDir()
	hdb := filepath.Join(dir, "eicar.hdb")
	if err := os.WriteFile(hdb, []byte("44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Hash\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hashRules, _, err := signatures.Load([]string{hdb}, signatures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	storing, err := signatures.ParseRule(`alert http any any -> any any (msg:"keep"; file_data; content:"EICAR"; filestore; sid:5;)`)
	if err != nil {
		t.Fatal(err)
	}
	storeRules, err := signatures.Compile([]*signatures.Rule{storing}, signatures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name              string
		rules             *signatures.Set
		allow, store      bool
		md5, sha1, sha256 bool
		hashAlert         bool
	}{
		{"built-in rules", signatures.Builtin(), false, false, false, false, false, false},
		{".hdb rule", hashRules, false, false, true, false, false, true},
		{"allowlist", signatures.Builtin(), true, false, false, false, true, false},
		{"file store, no filestore rule", signatures.Builtin(), false, true, false, false, false, false},
		{"file store and a filestore rule", storeRules, false, true, false, false, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Files.MD5, cfg.Files.SHA1, cfg.Files.SHA256 = false, false, false
			if tc.store {
				cfg.FileStore.Dir = t.TempDir()
			}
			rec, _ := replayRun(t, data, cfg, tc.rules, func(e *Engine) {
				if tc.allow {
					// A hash no transfer has: the list is consulted, never hit.
					l, err := allowlist.Parse(strings.NewReader(strings.Repeat("ab", 32)+"  other\n"), "known-good", allowlist.Options{})
					if err != nil {
						t.Fatal(err)
					}
					e.SetAllowlist(l)
				}
				// Every digest computed although turned off gets a note naming it.
				notes := e.DigestNotes()
				for _, d := range []struct {
					key  string
					want bool
				}{{"files.md5 ", tc.md5}, {"files.sha1 ", tc.sha1}, {"files.sha256 ", tc.sha256}} {
					got := false
					for _, n := range notes {
						got = got || strings.HasPrefix(n, d.key)
					}
					if got != d.want {
						t.Fatalf("notes %q: a note on %s: %v, want %v", notes, d.key, got, d.want)
					}
				}
			})
			infos := rec.of("fileinfo")
			if len(infos) == 0 {
				t.Fatal("no fileinfo")
			}
			closed := 0
			for _, ev := range infos {
				fi := ev.FileInfo
				if fi.State != "CLOSED" {
					continue
				}
				closed++
				if (fi.MD5 != "") != tc.md5 || (fi.SHA1 != "") != tc.sha1 || (fi.SHA256 != "") != tc.sha256 {
					t.Fatalf("%s: md5 %q sha1 %q sha256 %q, want md5 %v sha1 %v sha256 %v",
						fi.Filename, fi.MD5, fi.SHA1, fi.SHA256, tc.md5, tc.sha1, tc.sha256)
				}
			}
			if closed == 0 {
				t.Fatal("no CLOSED fileinfo")
			}
			hashAlerts := 0
			for _, ev := range rec.of("alert") {
				if strings.Contains(ev.Alert.Signature, "Eicar-Test-Hash") {
					hashAlerts++
				}
			}
			if (hashAlerts > 0) != tc.hashAlert {
				t.Fatalf("%d alerts of the .hdb signature, want some: %v", hashAlerts, tc.hashAlert)
			}
		})
	}
}
