package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

// silenced is the stats event's account of alerts not logged.
type silenced struct {
	Suppressed, Thresholded, Allowlisted, Policy uint64
	BySID                                        map[string]map[string]uint64 `json:"by_sid"`
}

// floodRun replays the walkthrough's flood with the v1 set and extra
// flags; it returns alerts per sid and the last stats event's silenced
// counts.
func floodRun(t *testing.T, extra ...string) (bySID map[int]int, sl silenced) {
	t.Helper()
	args := append([]string{"-r", filepath.Join(testdataDir, "inventory-flood.pcap"),
		"-S", filepath.Join(testdataDir, "rules", "walkthrough-v1.rules")}, extra...)
	lines, stderr, code := replay(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	bySID = map[int]int{}
	for _, l := range lines {
		var ev struct {
			EventType string `json:"event_type"`
			Alert     struct {
				SID int `json:"signature_id"`
			}
			Wirescan struct {
				Silenced *silenced
			}
		}
		if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatal(err)
		}
		switch ev.EventType {
		case "alert":
			bySID[ev.Alert.SID]++
		case "stats":
			if ev.Wirescan.Silenced == nil {
				t.Fatal("stats event without wirescan.silenced")
			}
			sl = *ev.Wirescan.Silenced
		}
	}
	return bySID, sl
}

// TestSilencers: each silencer removes exactly what it names and the stats
// event counts it, per signature; the EICAR true positive stays.
func TestSilencers(t *testing.T) {
	const flood, eicar = 9100001, 9100002
	agent := pcapgen.InventoryAgent()
	agentSum := sha256hex(agent)

	base, _ := floodRun(t)
	if base[flood] != 48 || base[eicar] != 1 {
		t.Fatalf("without silencers: %v, want 48 flood alerts and 1 EICAR", base)
	}
	t.Run("threshold.config suppress by sid", func(t *testing.T) {
		got, sl := floodRun(t, "--threshold", writeFile(t, "threshold.config", "# the inventory agent\nsuppress gen_id 1, sig_id 9100001\n"))
		if got[flood] != 0 || got[eicar] != 1 || sl.Suppressed != 48 || sl.BySID["9100001"]["suppressed"] != 48 {
			t.Fatalf("alerts %v, silenced %+v", got, sl)
		}
	})
	t.Run("threshold.config suppress by host", func(t *testing.T) {
		got, sl := floodRun(t, "--threshold", writeFile(t, "threshold.config", "suppress gen_id 1, sig_id 9100001, track by_src, ip 10.1.0.5\n"))
		if got[flood] != 12 || sl.Suppressed != 36 {
			t.Fatalf("alerts %v, silenced %+v: want the 12 HTTP alerts left, the 36 from the SMB server suppressed", got, sl)
		}
	})
	t.Run("threshold limit by_dst", func(t *testing.T) {
		got, sl := floodRun(t, "--threshold", writeFile(t, "threshold.config", "threshold gen_id 1, sig_id 9100001, type limit, track by_dst, count 1, seconds 3600\n"))
		if got[flood] != 18 || sl.Thresholded != 30 || got[eicar] != 1 {
			t.Fatalf("alerts %v, silenced %+v: want one alert per client", got, sl)
		}
	})
	t.Run("hash allowlist", func(t *testing.T) {
		got, sl := floodRun(t, "--allowlist", writeFile(t, "known-good.txt", "# reviewed 2026-12-07\n"+agentSum+"  invagent.exe\n"))
		if got[flood] != 0 || got[eicar] != 1 || sl.Allowlisted != 48 || sl.BySID["9100001"]["allowlisted"] != 48 {
			t.Fatalf("alerts %v, silenced %+v", got, sl)
		}
	})
	t.Run("allowlist from the configuration", func(t *testing.T) {
		cfg := writeFile(t, "wirescan.yaml", "hash-allowlist: "+writeFile(t, "known-good.txt", agentSum+"\n")+"\n")
		if got, _ := floodRun(t, "-c", cfg); got[flood] != 0 {
			t.Fatalf("alerts %v", got)
		}
	})
}

// TestSilencerErrors: a bad threshold.config or allowlist stops the run at
// start with FILE:LINE and exit 1.
func TestSilencerErrors(t *testing.T) {
	for _, tc := range []struct{ flag, body, want string }{
		{"--threshold", "suppress gen_id 1, sig_id 9100001\nsupress gen_id 1, sig_id 2\n", `threshold.config:2: unknown keyword "supress"`},
		{"--threshold", "threshold gen_id 1, sig_id 5, type limit, track by_host, count 1, seconds 60\n", `threshold.config:1:`},
		{"--allowlist", "# known good\nabc\n", "known-good.txt:2:"},
	} {
		name := "threshold.config"
		if tc.flag == "--allowlist" {
			name = "known-good.txt"
		}
		path := writeFile(t, name, tc.body)
		var out, errb bytes.Buffer
		code := run([]string{"replay", "-r", filepath.Join(testdataDir, "http-eicar.pcap"), tc.flag, path}, strings.NewReader(""), &out, &errb)
		if code != exitError || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%s %q: exit %d, stderr %q (want %q)", tc.flag, tc.body, code, errb.String(), tc.want)
		}
	}
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
