package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/decode"
	"github.com/wirescan/wirescan/engine/output/evidence"
	"github.com/wirescan/wirescan/engine/stats"
	"github.com/wirescan/wirescan/signatures"
)

const eicarPcap = "../testdata/http-eicar.pcap"

// evidenceRun replays http-eicar.pcap with evidence into a temporary
// directory and returns the events, the directory and the snapshot.
func evidenceRun(t *testing.T, workers int, tune func(*evidence.Config)) (*recorder, string, stats.Snapshot) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Workers = workers
	cfg.Evidence.Dir = t.TempDir()
	if tune != nil {
		tune(&cfg.Evidence)
	}
	rec := &recorder{}
	e, err := New(cfg, signatures.Builtin(), rec)
	if err != nil {
		t.Fatal(err)
	}
	src, err := capture.Open(eicarPcap, cfg.Capture)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := e.Run(context.Background(), src, func(err error) { t.Error(err) }); err != nil {
		t.Fatal(err)
	}
	return rec, cfg.Evidence.Dir, e.Snapshot()
}

type frame struct {
	ts   time.Time
	data []byte
}

func readPcap(t *testing.T, path string) (capture.LinkType, []frame) {
	t.Helper()
	src, err := capture.Open(path, capture.Options{MaxRecordBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []frame
	var link capture.LinkType
	for {
		p, err := src.Next()
		if errors.Is(err, io.EOF) {
			return link, out
		}
		if err != nil {
			t.Fatal(err)
		}
		link = p.LinkType
		out = append(out, frame{p.Timestamp, append([]byte(nil), p.Data...)})
	}
}

// TestEvidencePcapOfAlertingFlow: the alerting flow's pcap holds the whole
// flow (handshake and EICAR transfer before the alert, the rest after), the
// alert names it, the other flow writes nothing, and the rings' memory is
// back at the end. With two workers the frames cross goroutines (batches).
func TestEvidencePcapOfAlertingFlow(t *testing.T) {
	for _, workers := range []int{1, 2} {
		t.Run("workers="+strconv.Itoa(workers), func(t *testing.T) {
			rec, dir, snap := evidenceRun(t, workers, nil)
			alerts := rec.of("alert")
			if len(alerts) != 1 {
				t.Fatalf("%d alerts, want 1", len(alerts))
			}
			a := alerts[0]
			want := strconv.FormatUint(a.FlowID, 10) + ".pcap"
			if a.Wirescan == nil || a.Wirescan.EvidencePcap != want {
				t.Fatalf("alert evidence_pcap = %+v, want %s", a.Wirescan, want)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 || entries[0].Name() != want {
				t.Fatalf("evidence dir holds %v, want only %s", entries, want)
			}
			link, frames := readPcap(t, filepath.Join(dir, want))
			if link != capture.LinkTypeEthernet {
				t.Fatalf("link type %v", link)
			}
			var flowPkts uint64
			for _, ev := range rec.of("flow") {
				if ev.FlowID == a.FlowID {
					flowPkts = ev.Flow.PktsToServer + ev.Flow.PktsToClient
				}
			}
			if uint64(len(frames)) != flowPkts {
				t.Fatalf("%d frames, the flow had %d packets", len(frames), flowPkts)
			}
			var stats decode.Stats
			dcfg := decode.DefaultConfig()
			dec := decode.NewDecoder(&dcfg, &stats)
			sawEICAR, beforeAlert := false, 0
			for i, fr := range frames {
				p, ok := dec.Decode(link, fr.data, fr.ts, uint64(i+1), len(fr.data))
				if !ok {
					t.Fatalf("frame %d does not decode", i+1)
				}
				if i == 0 && (!p.SYN || p.ACK) {
					t.Fatalf("first frame is not the client's SYN")
				}
				if !fr.ts.After(a.Timestamp) {
					beforeAlert++
				}
				if bytes.Contains(p.Payload, []byte("EICAR-STANDARD-ANTIVIRUS-TEST-FILE")) {
					sawEICAR = true
				}
			}
			if !sawEICAR || beforeAlert < 3 || beforeAlert == len(frames) {
				t.Fatalf("EICAR payload %v, %d of %d frames before the alert", sawEICAR, beforeAlert, len(frames))
			}
			if snap.Evidence.Files != 1 || snap.Evidence.Memory != 0 || snap.Evidence.Denied != 0 || snap.Evidence.Errors != 0 {
				t.Fatalf("snapshot %+v", snap)
			}
			if info, _ := entries[0].Info(); snap.Evidence.Bytes != uint64(info.Size()) {
				t.Fatalf("evidence bytes %d, file %d", snap.Evidence.Bytes, info.Size())
			}
		})
	}
}

// TestEvidenceLimits: a short ring keeps only the newest frames before the
// alert, a tiny memcap keeps working (fewer frames, denials counted), and
// max-bytes-per-flow cuts the file.
func TestEvidenceLimits(t *testing.T) {
	_, fullDir, _ := evidenceRun(t, 1, nil)
	full, _ := filepath.Glob(filepath.Join(fullDir, "*.pcap"))
	_, all := readPcap(t, full[0])
	isSuffix := func(t *testing.T, got []frame) {
		t.Helper()
		if len(got) == 0 || len(got) >= len(all) {
			t.Fatalf("%d frames, want fewer than %d", len(got), len(all))
		}
		for i, fr := range got {
			if !bytes.Equal(fr.data, all[len(all)-len(got)+i].data) {
				t.Fatalf("frame %d is not the flow's frame %d", i, len(all)-len(got)+i)
			}
		}
	}
	t.Run("ring", func(t *testing.T) {
		rec, dir, snap := evidenceRun(t, 1, func(c *evidence.Config) { c.MaxPacketsPerFlow = 3 })
		_, got := readPcap(t, filepath.Join(dir, rec.of("alert")[0].Wirescan.EvidencePcap))
		isSuffix(t, got)
		if snap.Evidence.Denied != 0 {
			t.Fatalf("denied %d", snap.Evidence.Denied)
		}
	})
	t.Run("memcap", func(t *testing.T) {
		rec, dir, snap := evidenceRun(t, 1, func(c *evidence.Config) { c.Memcap = 2000 })
		if len(rec.of("alert")) != 1 || rec.of("alert")[0].Wirescan.EvidencePcap == "" {
			t.Fatal("the alert lost its evidence under a tiny memcap")
		}
		_, got := readPcap(t, filepath.Join(dir, rec.of("alert")[0].Wirescan.EvidencePcap))
		isSuffix(t, got)
		if snap.Evidence.Denied == 0 || snap.Evidence.Memory != 0 {
			t.Fatalf("denied %d, memory %d", snap.Evidence.Denied, snap.Evidence.Memory)
		}
	})
	t.Run("max-bytes", func(t *testing.T) {
		const limit = 1000
		rec, dir, _ := evidenceRun(t, 1, func(c *evidence.Config) { c.MaxBytesPerFlow = limit })
		path := filepath.Join(dir, rec.of("alert")[0].Wirescan.EvidencePcap)
		info, err := os.Stat(path)
		if err != nil || info.Size() > limit {
			t.Fatalf("file %v, err %v, want at most %d bytes", info, err, limit)
		}
		_, got := readPcap(t, path)
		if len(got) == 0 || !bytes.Equal(got[0].data, all[0].data) {
			t.Fatalf("%d frames, want the first ones", len(got))
		}
	})
}

// TestCopyFrame: a payload inside the frame is re-pointed into the copy; a
// payload elsewhere (defragmented) is copied after it.
func TestCopyFrame(t *testing.T) {
	raw := []byte("hdr-payload")
	p := decode.Packet{Raw: raw, Payload: raw[4:]}
	buf := copyFrame(nil, &p)
	if string(p.Raw) != "hdr-payload" || string(p.Payload) != "payload" || len(buf) != len(raw) || &p.Payload[0] != &buf[4] {
		t.Fatalf("inside: raw %q payload %q buf %d", p.Raw, p.Payload, len(buf))
	}
	p = decode.Packet{Raw: raw, Payload: []byte("joined")}
	buf = copyFrame(buf[:0], &p)
	if string(p.Raw) != "hdr-payload" || string(p.Payload) != "joined" || len(buf) != len(raw)+6 {
		t.Fatalf("outside: raw %q payload %q buf %d", p.Raw, p.Payload, len(buf))
	}
}
