package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

// Hostile captures (internal/pcapgen.Hostiles) replayed through the command:
// attacks on the sensor itself. Each test checks four things: the heap
// stays under a stated bound while the attack is replayed, the attack is
// named (an anomaly event) or its file marked TRUNCATED, the loss is counted
// (the summary line or the stats event), and the two EICAR downloads that
// follow the attack in the same capture still alert. The captures are the
// attacks at a small scale; bench/cmd/hostile writes them at full size
// (see the README's Reliability section).

// hostileEvent is the part of an EVE line these tests look at.
type hostileEvent struct {
	EventType string `json:"event_type"`
	Alert     *struct {
		SignatureID int `json:"signature_id"`
	} `json:"alert"`
	FileInfo *struct {
		Filename string `json:"filename"`
		Size     int64  `json:"size"`
		State    string `json:"state"`
		Gaps     bool   `json:"gaps"`
	} `json:"fileinfo"`
	Files []struct {
		Filename string `json:"filename"`
	} `json:"files"`
	Anomaly *struct {
		Event string `json:"event"`
	} `json:"anomaly"`
	Stats *struct {
		Defrag struct {
			MaxTrackersReached uint64 `json:"max_trackers_reached"`
			Memuse             uint64 `json:"memuse"`
		} `json:"defrag"`
		TCP struct {
			ReassemblyGap uint64 `json:"reassembly_gap"`
		} `json:"tcp"`
	} `json:"stats"`
	Wirescan *struct {
		Missing  int64 `json:"file_missing"`
		Overflow int64 `json:"file_overflow"`
	} `json:"wirescan"`
}

// summary is the replay's last line on standard error.
type summary struct {
	packets, flows, files, truncated, alerts, anomalies int
}

// hostileResult is what one hostile replay produced.
type hostileResult struct {
	events    []hostileEvent
	anomalies map[string]int // anomaly events by name
	sum       summary
	heapPeak  uint64 // peak growth of the heap during the replay, bytes
}

// replayHostile writes the hostile capture kind at scale n (0: its test
// scale), replays it with args and measures the heap.
func replayHostile(t *testing.T, kind string, n int, args ...string) hostileResult {
	t.Helper()
	path := filepath.Join(t.TempDir(), kind+".pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := pcapgen.WriteHostile(f, kind, n); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	var lines [][]byte
	var stderr string
	var code int
	peak := heapGrowth(func() {
		lines, stderr, code = replay(t, append([]string{"-r", path}, args...)...)
	})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	res := hostileResult{anomalies: map[string]int{}, heapPeak: peak}
	for i, l := range lines {
		var ev hostileEvent
		if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
		if ev.Anomaly != nil {
			res.anomalies[ev.Anomaly.Event]++
		}
		res.events = append(res.events, ev)
	}
	res.sum = parseSummary(t, stderr)
	t.Logf("%s: capture %d KB; heap peak +%.1f MiB; %d files (%d truncated), %d alerts, %d anomalies %v",
		kind, fi.Size()>>10, float64(peak)/(1<<20), res.sum.files, res.sum.truncated, res.sum.alerts, res.sum.anomalies, res.anomalies)
	return res
}

// parseSummary reads the counts of the summary line.
func parseSummary(t *testing.T, stderr string) summary {
	t.Helper()
	for _, l := range strings.Split(stderr, "\n") {
		var s summary
		if _, err := fmt.Sscanf(l, "wirescan: %d packets, %d flows, %d files (%d truncated), %d alerts, %d anomalies",
			&s.packets, &s.flows, &s.files, &s.truncated, &s.alerts, &s.anomalies); err == nil {
			return s
		}
	}
	t.Fatalf("no summary line in %q", stderr)
	return summary{}
}

// heapGrowth runs f while sampling the heap (live and not yet swept
// objects) every millisecond, and returns the largest growth over the heap
// before f. It includes garbage the collector had not reclaimed yet, so it
// bounds what the process needs from above.
func heapGrowth(f func()) uint64 {
	runtime.GC()
	base := heapObjects()
	done := make(chan uint64)
	stop := make(chan struct{})
	go func() {
		peak := base
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, heapObjects())
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	peak := <-done
	return peak - min(base, peak)
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// checkAftermath asserts that the two EICAR downloads after the attack
// alerted, that alerts numbers all alerts (those two and any EICAR the
// attack itself carried), and that the heap stayed under bound.
func (r hostileResult) checkAftermath(t *testing.T, alerts int, bound uint64) {
	t.Helper()
	seen := map[string]bool{}
	for _, ev := range r.events {
		if ev.Alert != nil {
			for _, f := range ev.Files {
				seen[f.Filename] = true
			}
		}
	}
	for _, name := range []string{"/dl/eicar.com", `tools\eicar.com`} {
		if !seen[name] {
			t.Errorf("no alert on %s, the EICAR download after the attack", name)
		}
	}
	if r.sum.alerts != alerts {
		t.Errorf("%d alerts, want %d", r.sum.alerts, alerts)
	}
	if r.heapPeak > bound {
		t.Errorf("heap grew by %d MiB during the replay, bound %d MiB", r.heapPeak>>20, bound>>20)
	}
}

// file returns the fileinfo of the file named name.
func (r hostileResult) file(t *testing.T, name string) *hostileEvent {
	t.Helper()
	for i, ev := range r.events {
		if ev.FileInfo != nil && ev.FileInfo.Filename == name {
			return &r.events[i]
		}
	}
	t.Fatalf("no fileinfo for %q", name)
	return nil
}

// wantAnomalies asserts each name was logged at least once.
func (r hostileResult) wantAnomalies(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if r.anomalies[n] == 0 {
			t.Errorf("no %s anomaly (anomalies: %v)", n, r.anomalies)
		}
	}
}

// wantCounted asserts the summary line counts at least n anomalies: the
// events the anomaly-rate and per-flow limits held back included.
func (r hostileResult) wantCounted(t *testing.T, n int) {
	t.Helper()
	if r.sum.anomalies < n {
		t.Errorf("summary counts %d anomalies, want at least %d", r.sum.anomalies, n)
	}
}

const mib = 1 << 20

// TestHostileBombs: 32 MiB of zeros in 33 KB of gzip or deflate, 5 KB of
// lzma or 100 bytes of brotli, with the decoded size capped at 8 MiB (the
// default is 1 GiB; a single DEFLATE layer stays under the default 2000:1
// ratio guard, see TestHostileNestedBomb; lzma and brotli do not): the file
// is cut at the cap or by the ratio guard, TRUNCATED, with
// http.compression_bomb.
func TestHostileBombs(t *testing.T) {
	for _, kind := range []string{"gzip-bomb", "deflate-bomb", "br-bomb", "lzma-bomb"} {
		t.Run(kind, func(t *testing.T) {
			r := replayHostile(t, kind, 0, "--set", "http.max-decompressed-bytes=8388608")
			r.checkAftermath(t, 2, 16*mib)
			r.wantAnomalies(t, "http.compression_bomb")
			name := map[string]string{"gzip-bomb": "/bomb/zeros.gz", "deflate-bomb": "/bomb/zeros.z", "br-bomb": "/bomb/zeros.br", "lzma-bomb": "/bomb/zeros.lzma"}[kind]
			f := r.file(t, name).FileInfo
			if f.State != "TRUNCATED" || f.Size > 8*mib {
				t.Errorf("bomb file: state %s size %d, want TRUNCATED within 8 MiB", f.State, f.Size)
			}
			if r.sum.truncated < 1 {
				t.Errorf("summary counts %d truncated files, want the bomb", r.sum.truncated)
			}
		})
	}
}

// TestHostileNestedBomb: a bomb under gzip, gzip and deflate weighs a few
// hundred bytes for 32 MiB, and so does the gzip bomb under br or lzma; the
// ratio guard stops each with the default limits. Six stacked encodings
// exceed the layer limit.
func TestHostileNestedBomb(t *testing.T) {
	r := replayHostile(t, "nested-bomb", 0)
	r.checkAftermath(t, 2, 16*mib)
	r.wantAnomalies(t, "http.too_many_encoding_layers")
	if got := r.anomalies["http.compression_bomb"]; got != 3 {
		t.Errorf("%d http.compression_bomb anomalies, want 3 (gzip/gzip/deflate, gzip/br, gzip/lzma)", got)
	}
	for _, name := range []string{"/bomb/nested.bin", "/bomb/nested-br.bin", "/bomb/nested-lzma.bin"} {
		if f := r.file(t, name).FileInfo; f.State != "TRUNCATED" || f.Size > 2*mib {
			t.Errorf("%s: state %s size %d, want TRUNCATED within the ratio guard", name, f.State, f.Size)
		}
	}
	if r.sum.truncated < 3 {
		t.Errorf("summary counts %d truncated files, want the 3 bombs", r.sum.truncated)
	}
}

// TestHostileChunkSizes: chunk sizes near 2^64, at 2^63 and longer than 16
// hex digits never become a length: each is a framing error
// (http.invalid_chunk). As the first chunk of a body, the body falls back to
// identity until the connection closes (what a lenient client shows); after
// a valid chunk, the file ends TRUNCATED.
func TestHostileChunkSizes(t *testing.T) {
	r := replayHostile(t, "chunk-overflow", 0)
	r.checkAftermath(t, 2, 16*mib)
	if got := r.anomalies["http.invalid_chunk"]; got != 14 {
		t.Errorf("%d http.invalid_chunk anomalies, want one per hostile chunk size (14)", got)
	}
	for _, ev := range r.events {
		f := ev.FileInfo
		if f == nil || !strings.HasPrefix(f.Filename, "/chunk/") {
			continue
		}
		var k int
		fmt.Sscanf(f.Filename, "/chunk/%d.bin", &k)
		if f.Size > 17<<10 {
			t.Errorf("%s: size %d, more than the body sent", f.Filename, f.Size)
		}
		if k >= 7 && f.State != "TRUNCATED" {
			t.Errorf("%s: state %s after a valid chunk, want TRUNCATED", f.Filename, f.State)
		}
	}
	if r.sum.truncated < 7 {
		t.Errorf("summary counts %d truncated files, want at least the 7 cut after a valid chunk", r.sum.truncated)
	}
}

// TestHostileContentLength: Content-Length that overflows, is negative or
// conflicts, with and without Transfer-Encoding, in responses and uploads.
func TestHostileContentLength(t *testing.T) {
	r := replayHostile(t, "content-length", 0)
	r.checkAftermath(t, 2, 16*mib)
	r.wantAnomalies(t, "http.invalid_content_length", "http.multiple_content_length", "http.te_and_cl")
	r.wantCounted(t, 14) // at least one per hostile message
}

// TestHostileMultipart: an upload of 2,000 parts (100,000 with bench/cmd/
// hostile) stops being split at http.max-multipart-parts.
func TestHostileMultipart(t *testing.T) {
	r := replayHostile(t, "multipart", 0)
	r.checkAftermath(t, 2, 16*mib)
	r.wantAnomalies(t, "http.too_many_multipart_parts")
	r.wantCounted(t, 1)
	parts := 0
	for _, ev := range r.events {
		if ev.FileInfo != nil && strings.HasPrefix(ev.FileInfo.Filename, "part") {
			parts++
		}
	}
	if parts > 64 {
		t.Errorf("%d parts logged as files, want at most the 64 of the limit", parts)
	}
}

// TestHostileSMBOffsets: WRITEs at offsets near 2^64, at 2^63 and past
// 2^40 are refused with smb.file_offset_too_large.
func TestHostileSMBOffsets(t *testing.T) {
	r := replayHostile(t, "smb-offset", 0)
	r.checkAftermath(t, 2, 16*mib)
	r.wantAnomalies(t, "smb.file_offset_too_large")
	if got := r.anomalies["smb.file_offset_too_large"]; got != 5 {
		t.Errorf("%d smb.file_offset_too_large anomalies, want one per WRITE (5)", got)
	}
	r.wantCounted(t, 5)
}

// TestHostileSMBHole: a 1 TB hole between two WRITEs of one file: the
// file ends at 1 TiB with gaps, its missing bytes counted, and nothing of
// the hole is held.
func TestHostileSMBHole(t *testing.T) {
	r := replayHostile(t, "smb-hole", 0)
	r.checkAftermath(t, 2, 16*mib)
	ev := r.file(t, `share\sparse.vhd`)
	if f := ev.FileInfo; f.Size != 1<<40 || !f.Gaps {
		t.Errorf("sparse file: size %d gaps %v, want 1 TiB with gaps", f.Size, f.Gaps)
	}
	if ev.Wirescan == nil || ev.Wirescan.Missing < 1<<40-64<<10 {
		t.Errorf("sparse file: missing bytes not counted: %+v", ev.Wirescan)
	}
	if f := ev.FileInfo; f.State != "TRUNCATED" || r.sum.truncated != 1 {
		t.Errorf("sparse file: state %s, summary counts %d truncated files; want it TRUNCATED and counted", f.State, r.sum.truncated)
	}
}

// TestHostileSMBFileIDs: 3,000 files opened and never closed (100,000 with
// bench/cmd/hostile): the connection's file table stays at
// smb.max-open-files (1024); each file beyond it evicts the oldest open one,
// which ends TRUNCATED, with an smb.too_many_open_files anomaly (logged up
// to anomalies-per-flow times, counted always). The EICAR upload that
// follows on the same session is still scanned: a session that leaves
// files open cannot blind the sensor to the files after them.
func TestHostileSMBFileIDs(t *testing.T) {
	r := replayHostile(t, "smb-fids", 0)
	// About 10 KB per open file (parser, tracker, three digests, scanner):
	// 1024 of them, not 3,000.
	r.checkAftermath(t, 3, 24*mib)
	r.wantAnomalies(t, "smb.too_many_open_files")
	if r.sum.truncated != 3000 {
		t.Errorf("summary counts %d truncated files, want all 3,000 left open (evicted or open at the end)", r.sum.truncated)
	}
	if r.sum.anomalies < 3000-1024 {
		t.Errorf("summary counts %d anomalies, want one per eviction (%d)", r.sum.anomalies, 3000-1024)
	}
}

// TestHostileSMBHugeNBSS: NBSS records announcing 0xFFFFFF bytes are
// streamed, never buffered: the WRITE cut by the end of its connection is
// TRUNCATED; junk under such a header is named and the session resyncs.
func TestHostileSMBHugeNBSS(t *testing.T) {
	r := replayHostile(t, "smb-nbss", 0)
	r.checkAftermath(t, 3, 16*mib)
	if f := r.file(t, `share\huge.bin`).FileInfo; f.State != "TRUNCATED" {
		t.Errorf("huge WRITE: state %s, want TRUNCATED", f.State)
	}
	r.wantAnomalies(t, "smb.bad_protocol_id")
	if r.sum.truncated < 1 {
		t.Errorf("summary counts %d truncated files, want the cut WRITE", r.sum.truncated)
	}
}

// TestHostileSMBShortHugeNBSS: a WRITE whose NBSS record announces
// 0xFFFFFF bytes and whose connection ends after 16 KiB (less than
// smb.max-header-buffer, so its header was still being buffered) is parsed
// as a truncated message at the end of its direction: the file is logged
// TRUNCATED, not lost without a trace.
func TestHostileSMBShortHugeNBSS(t *testing.T) {
	r := replayHostile(t, "smb-nbss", 16)
	if f := r.file(t, `share\huge.bin`).FileInfo; f.State != "TRUNCATED" {
		t.Errorf("huge WRITE: state %s, want TRUNCATED", f.State)
	}
}

// TestHostileSMBCompound: compound chains whose NextCommand points back
// (in 32-bit arithmetic) or past the record, and a chain of 2,000 ECHOs:
// named, bounded, and the session's next READ is still seen.
func TestHostileSMBCompound(t *testing.T) {
	r := replayHostile(t, "smb-compound", 0)
	r.checkAftermath(t, 3, 16*mib)
	r.wantAnomalies(t, "smb.bad_next_command", "smb.compound_too_long")
	r.wantCounted(t, 5) // one per hostile chain
	if f := r.file(t, `share\eicar.com`).FileInfo; f.State != "CLOSED" {
		t.Errorf("EICAR read after the chains: state %s", f.State)
	}
}

// TestHostileFragments: 8,192 incomplete, overlapping IPv4 datagrams (65,536
// with bench/cmd/hostile) are held within decode.max-fragment-queues; the
// datagrams dropped for room are counted in the stats event
// (defrag.max_trackers_reached).
func TestHostileFragments(t *testing.T) {
	// 512 queues: holding all 8,192 datagrams would take 12 MiB, 512 of
	// them less than one.
	r := replayHostile(t, "ip-frags", 0, "--set", "decode.max-fragment-queues=512")
	r.checkAftermath(t, 2, 8*mib)
	i := slices.IndexFunc(r.events, func(ev hostileEvent) bool { return ev.Stats != nil })
	if i < 0 {
		t.Fatal("no stats event")
	}
	d := r.events[i].Stats.Defrag
	if d.MaxTrackersReached != 8192-512 {
		t.Errorf("stats defrag.max_trackers_reached %d, want the %d datagrams beyond the 512 queues", d.MaxTrackersReached, 8192-512)
	}
	if d.Memuse > 512*2048 { // 1.5 KiB of fragments and their bookkeeping each
		t.Errorf("fragment memory %d, more than 512 datagrams hold", d.Memuse)
	}
}

// TestHostileSMBDCERPC: two DCERPC PDUs of 16 bytes (frag_length covering
// the header only) in one WRITE to a named pipe. Before engine/dcerpc, the
// SMB parser's pipe reassembly looped on them forever and the worker hung
// (SIGTERM did not end the replay either: shutdown waits for the worker).
func TestHostileSMBDCERPC(t *testing.T) {
	r := replayHostile(t, "smb-dcerpc", 0)
	r.checkAftermath(t, 2, 16*mib)
}
