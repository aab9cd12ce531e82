package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/engine/flow"
	"github.com/wirescan/wirescan/internal/pcapgen"
	"github.com/wirescan/wirescan/signatures"
)

// These tests replay the captures whose files travel over several
// connections (internal/pcapgen joined.go) with one worker and with the
// connections pinned to different workers, so that every joined file's
// pieces cross workers: the joined file must be the original, scanned
// once, whatever the assignment.

// joinedCapture renders one of pcapgen's joined-file scenarios.
func joinedCapture(t *testing.T, name string) ([]byte, []pcapgen.ExpectedFile) {
	t.Helper()
	for _, s := range pcapgen.Testdata() {
		if s.Name == name {
			var buf bytes.Buffer
			exp, err := s.Write(&buf)
			if err != nil {
				t.Fatal(err)
			}
			return buf.Bytes(), exp
		}
	}
	t.Fatalf("no scenario %s", name)
	return nil, nil
}

// byClientPort pins each connection to the worker its client port maps to.
func byClientPort(m map[uint16]int) func(flow.Key) int {
	return func(k flow.Key) int { return m[max(k.LoPort, k.HiPort)] }
}

func replayWith(t *testing.T, data []byte, cfg Config, pick func(flow.Key) int) *recorder {
	t.Helper()
	rec, _ := replayRun(t, data, cfg, signatures.Builtin(), func(e *Engine) { e.pickWorker = pick })
	return rec
}

// replayRun replays data with cfg and rules; setup, when not nil, sees the
// engine between New and Run.
func replayRun(t *testing.T, data []byte, cfg Config, rules *signatures.Set, setup func(*Engine)) (*recorder, Summary) {
	t.Helper()
	src, err := capture.NewReader(bytes.NewReader(data), "test", cfg.Capture)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	e, err := New(cfg, rules, rec)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(e)
	}
	sum, err := e.Run(context.Background(), src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rec, sum
}

// joinedOutcome checks a replay against the expected files: each joined
// file logged once, complete, with the original's SHA-256 and not as a
// part; every EICAR alerting exactly once, on the joined file; at least two
// part fileinfos per joined file. It returns the stats event's file_join.
func joinedOutcome(t *testing.T, rec *recorder, exp []pcapgen.ExpectedFile) *eve.FileJoin {
	t.Helper()
	whole := map[string][]string{} // name -> "state sha256"
	parts := map[string]int{}
	for _, ev := range rec.of("fileinfo") {
		fi := ev.FileInfo
		if ev.Wirescan != nil && ev.Wirescan.FilePart {
			parts[fi.Filename]++
			if ev.AppProto == "smb" && fi.SHA256 != "" {
				t.Errorf("SMB part of %s has a hash: its bytes are not one file", fi.Filename)
			}
			continue
		}
		whole[fi.Filename] = append(whole[fi.Filename], fi.State+" "+fi.SHA256)
		if ev.Wirescan == nil || ev.Wirescan.FileParts < 2 {
			t.Errorf("joined %s: file_parts %v, want at least 2", fi.Filename, ev.Wirescan)
		}
	}
	alerts := map[string]int{}
	for _, ev := range rec.of("alert") {
		if len(ev.Files) != 1 {
			t.Fatalf("alert without its file: %+v", ev)
		}
		alerts[ev.Files[0].Filename]++
	}
	for _, f := range exp {
		if want := []string{"CLOSED " + f.SHA256}; !slices.Equal(whole[f.Filename], want) {
			t.Errorf("%s: logged whole as %v, want %v", f.Filename, whole[f.Filename], want)
		}
		if parts[f.Filename] < 2 {
			t.Errorf("%s: %d part fileinfos, want one per connection that carried it", f.Filename, parts[f.Filename])
		}
		want := 0
		if f.Alert {
			want = 1
		}
		if alerts[f.Filename] != want {
			t.Errorf("%s: %d alerts, want %d", f.Filename, alerts[f.Filename], want)
		}
		delete(whole, f.Filename)
	}
	if len(whole) > 0 {
		t.Errorf("unexpected whole files: %v", whole)
	}
	st := rec.of("stats")
	if len(st) == 0 || st[len(st)-1].Wirescan == nil || st[len(st)-1].Wirescan.FileJoin == nil {
		t.Fatal("the stats event has no file_join account")
	}
	return st[len(st)-1].Wirescan.FileJoin
}

func TestJoinedFilesAcrossWorkers(t *testing.T) {
	cases := []struct {
		capture string
		assign  []map[uint16]int
	}{
		{"smb3-multichannel.pcap", []map[uint16]int{{49900: 0, 49901: 1}, {49900: 1, 49901: 0}}},
		{"smb3-durable.pcap", []map[uint16]int{{50100: 0, 50101: 1}, {50100: 1, 50101: 0}}},
		{"http-range-pieces.pcap", []map[uint16]int{{51000: 0, 51001: 1, 51002: 0}, {51000: 1, 51001: 0, 51002: 1}, {51000: 0, 51001: 1, 51002: 2}}},
	}
	for _, tc := range cases {
		data, exp := joinedCapture(t, tc.capture)
		t.Run(tc.capture+"/workers=1", func(t *testing.T) {
			fj := joinedOutcome(t, replayWith(t, data, DefaultConfig(), nil), exp)
			if fj.ForwardedBytes != 0 || fj.DroppedBytes != 0 || fj.Joined != uint64(len(exp)) {
				t.Errorf("file_join %+v: want %d joined files, nothing forwarded", fj, len(exp))
			}
		})
		for _, a := range tc.assign {
			workers := 0
			for _, w := range a {
				workers = max(workers, w+1)
			}
			t.Run(fmt.Sprintf("%s/%v", tc.capture, a), func(t *testing.T) {
				cfg := DefaultConfig()
				cfg.Workers = max(workers, 2)
				fj := joinedOutcome(t, replayWith(t, data, cfg, byClientPort(a)), exp)
				if fj.ForwardedBytes == 0 || fj.DroppedBytes != 0 || fj.Refused != 0 {
					t.Errorf("file_join %+v: pieces should have crossed workers, none dropped", fj)
				}
			})
		}
	}
}

// TestJoinWaitingLimit: with files.max-join-waiting-bytes too small for any
// piece, the pieces another worker carried are dropped and counted, and the
// joined file says so (TRUNCATED, gaps) instead of hashing a wrong file.
func TestJoinWaitingLimit(t *testing.T) {
	data, exp := joinedCapture(t, "smb3-multichannel.pcap")
	cfg := DefaultConfig()
	cfg.Workers = 2
	cfg.Files.MaxJoinWaitingBytes = 80 // a message's overhead (64) plus less than any piece
	rec := replayWith(t, data, cfg, byClientPort(map[uint16]int{49900: 0, 49901: 1}))
	truncated := 0
	for _, ev := range rec.of("fileinfo") {
		if ev.Wirescan.FilePart {
			continue
		}
		if ev.FileInfo.State == "TRUNCATED" && ev.FileInfo.Gaps {
			truncated++
		}
		for _, f := range exp {
			if ev.FileInfo.SHA256 == f.SHA256 && ev.FileInfo.State == "CLOSED" {
				t.Errorf("%s logged CLOSED with the original's hash although pieces were dropped", f.Filename)
			}
		}
	}
	if truncated != len(exp) {
		t.Errorf("%d joined files TRUNCATED with gaps, want %d", truncated, len(exp))
	}
	st := rec.of("stats")
	fj := st[len(st)-1].Wirescan.FileJoin
	if fj == nil || fj.DroppedBytes == 0 {
		t.Fatalf("dropped pieces not counted: %+v", fj)
	}
}

// TestSingleConnectionSMB3FilesAreNotJoined: an SMB 3 session on a
// multichannel-capable server that uses one connection logs each file once,
// as before, and the joiner counts nothing.
func TestSingleConnectionSMB3FilesAreNotJoined(t *testing.T) {
	var buf bytes.Buffer
	c, err := pcapgen.NewCapture(&buf, t0)
	if err != nil {
		t.Fatal(err)
	}
	srv := pcapgen.NewSMB3Server("files", "data", true, 1)
	cv, err := c.Open(pcapgen.EP("10.0.0.1", 50000), pcapgen.EP("10.0.0.2", pcapgen.SMBPort), pcapgen.ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ch := pcapgen.NewSMB3Channel(cv, srv, 1)
	content := []byte(strings.Repeat("single connection ", 5000))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(ch.Negotiate())
	_, err = ch.Logon(pcapgen.SMB2Session{Domain: "D", User: "u", Workstation: "W"}, 0)
	must(err)
	_, err = ch.TreeConnect()
	must(err)
	h, err := ch.Create(`a.txt`, false, int64(len(content)), pcapgen.DurableV2)
	must(err)
	for off := 0; off < len(content); off += pcapgen.DefaultSMBChunk {
		must(ch.Read(h, int64(off), content[off:min(off+pcapgen.DefaultSMBChunk, len(content))]))
	}
	must(ch.Close(h))
	must(cv.Close())
	for _, workers := range []int{1, 2} {
		cfg := DefaultConfig()
		cfg.Workers = workers
		rec := replayWith(t, buf.Bytes(), cfg, nil)
		fis := rec.of("fileinfo")
		if len(fis) != 1 || fis[0].Wirescan.FilePart || fis[0].Wirescan.FileParts != 0 {
			t.Fatalf("workers=%d: %d fileinfos (%+v), want the file once, not joined", workers, len(fis), fis)
		}
		if sum := sha256Hex(content); fis[0].FileInfo.SHA256 != sum || fis[0].FileInfo.State != "CLOSED" {
			t.Errorf("workers=%d: %s %s, want CLOSED %s", workers, fis[0].FileInfo.State, fis[0].FileInfo.SHA256, sum)
		}
		st := rec.of("stats")
		if fj := st[len(st)-1].Wirescan.FileJoin; fj != nil {
			t.Errorf("workers=%d: file_join %+v for a single connection", workers, fj)
		}
	}
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestWorkerBusyAccounted checks that every worker's busy time is counted in
// both replay modes (per tick with one worker, per batch with several), so
// wirescan_worker_busy_seconds_total is never stuck at zero.
func TestWorkerBusyAccounted(t *testing.T) {
	data, _ := joinedCapture(t, "http-range-pieces.pcap")
	for _, workers := range []int{1, 2} {
		cfg := DefaultConfig()
		cfg.Workers = workers
		src, err := capture.NewReader(bytes.NewReader(data), "busy", cfg.Capture)
		if err != nil {
			t.Fatal(err)
		}
		e, err := New(cfg, signatures.Builtin(), &recorder{})
		if err != nil {
			t.Fatal(err)
		}
		e.pickWorker = func(k flow.Key) int { return int(max(k.LoPort, k.HiPort)) % workers }
		sum, err := e.Run(context.Background(), src, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Workers) != workers {
			t.Fatalf("%d workers: summary has %d", workers, len(sum.Workers))
		}
		for i, w := range sum.Workers {
			if w.BusyNanos <= 0 {
				t.Errorf("%d workers: worker %d busy %d ns", workers, i, w.BusyNanos)
			}
		}
	}
}
