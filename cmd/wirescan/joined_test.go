package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/eve/evetest"
)

// TestReplayJoinsFilesAcrossConnections replays the captures whose files no
// single connection carries whole (SMB 3 multichannel, a durable-handle
// reconnect, HTTP ranges over three connections) with one and with two
// workers: each file is logged once whole, with the original's SHA-256;
// the EICAR file split over the connections alerts exactly once; every
// connection's share is still logged, as a part.
func TestReplayJoinsFilesAcrossConnections(t *testing.T) {
	exp := loadExpected(t)
	var validator *evetest.Validator
	if path, ok := evetest.SchemaPath(); ok {
		v, err := evetest.LoadSchema(path)
		if err != nil {
			t.Fatal(err)
		}
		validator = v
	}
	type fileEvent struct {
		EventType string `json:"event_type"`
		AppProto  string `json:"app_proto"`
		FileInfo  *struct {
			Filename string `json:"filename"`
			State    string `json:"state"`
			SHA256   string `json:"sha256"`
		} `json:"fileinfo"`
		Files []struct {
			Filename string `json:"filename"`
		} `json:"files"`
		Wirescan *struct {
			FilePart  bool `json:"file_part"`
			FileParts int  `json:"file_parts"`
			FileJoin  *struct {
				Joined uint64 `json:"joined"`
			} `json:"file_join"`
		} `json:"wirescan"`
	}
	for _, name := range []string{"smb3-multichannel.pcap", "smb3-durable.pcap", "http-range-pieces.pcap"} {
		for _, workers := range []int{1, 2} {
			t.Run(name+"/workers="+strconv.Itoa(workers), func(t *testing.T) {
				lines, stderr, code := replay(t, "-r", filepath.Join(testdataDir, name), "--workers", strconv.Itoa(workers))
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				whole := map[string][]string{}
				parts := map[string]int{}
				alerts := map[string]int{}
				joined := uint64(0)
				for i, l := range lines {
					if validator != nil {
						if err := validator.ValidateLine(l); err != nil {
							t.Errorf("line %d fails the EVE schema: %v", i+1, err)
						}
					}
					var ev fileEvent
					if err := json.Unmarshal(l, &ev); err != nil {
						t.Fatal(err)
					}
					switch {
					case ev.EventType == "fileinfo" && ev.Wirescan != nil && ev.Wirescan.FilePart:
						parts[ev.FileInfo.Filename]++
						if ev.AppProto == "smb" && ev.FileInfo.SHA256 != "" {
							t.Errorf("SMB part of %s logged with a hash", ev.FileInfo.Filename)
						}
					case ev.EventType == "fileinfo":
						whole[ev.FileInfo.Filename] = append(whole[ev.FileInfo.Filename], ev.FileInfo.State+" "+ev.FileInfo.SHA256)
					case ev.EventType == "alert":
						alerts[ev.Files[0].Filename]++
					case ev.EventType == "stats" && ev.Wirescan != nil && ev.Wirescan.FileJoin != nil:
						joined = ev.Wirescan.FileJoin.Joined
					}
				}
				for _, f := range exp[name] {
					if got := whole[f.Filename]; len(got) != 1 || got[0] != "CLOSED "+f.SHA256 {
						t.Errorf("%s logged whole as %v, want once CLOSED with sha256 %s", f.Filename, got, f.SHA256)
					}
					if parts[f.Filename] < 2 {
						t.Errorf("%s: %d parts logged, want one per connection", f.Filename, parts[f.Filename])
					}
					want := 0
					if f.Alert {
						want = 1
					}
					if alerts[f.Filename] != want {
						t.Errorf("%s: %d alerts, want %d", f.Filename, alerts[f.Filename], want)
					}
				}
				if joined != uint64(len(exp[name])) {
					t.Errorf("stats file_join.joined %d, want %d", joined, len(exp[name]))
				}
			})
		}
	}
}

// TestJoinedReplayIsDeterministic: with one worker, the joined captures give
// the same events, in the same order, on every replay.
func TestJoinedReplayIsDeterministic(t *testing.T) {
	for _, name := range []string{"smb3-multichannel.pcap", "smb3-durable.pcap", "http-range-pieces.pcap"} {
		a, _, _ := replay(t, "-r", filepath.Join(testdataDir, name))
		b, _, _ := replay(t, "-r", filepath.Join(testdataDir, name))
		if len(a) == 0 || len(a) != len(b) {
			t.Fatalf("%s: %d and %d events", name, len(a), len(b))
		}
		for i := range a {
			if string(a[i]) != string(b[i]) && !strings.Contains(string(a[i]), `"event_type":"stats"`) {
				t.Fatalf("%s: line %d differs:\n%s\n%s", name, i+1, a[i], b[i])
			}
		}
	}
}
