//go:build realtraffic

package realtraffic

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The reload test's rule sets. liveMarker is in every marker file; set 0
// does not match it, sets 1 and 2 do under different sids, and the broken
// set does not parse (with --strict, a failed load).
const (
	liveMarker      = "WIRESCAN-LIVE-RELOAD-MARKER"
	sidNoMatch      = 1990100
	sidReload1      = 1990101
	sidReload2      = 1990102
	rulesNoMatch    = `alert file any any -> any any (msg:"live test: no match"; file_data; content:"NO-SUCH-CONTENT-7f3a"; sid:1990100; rev:1;)` + "\n"
	rulesReload1    = `alert file any any -> any any (msg:"live test: marker, set 1"; file_data; content:"` + liveMarker + `"; sid:1990101; rev:1;)` + "\n"
	rulesReload2    = `alert file any any -> any any (msg:"live test: marker, set 2"; file_data; content:"` + liveMarker + `"; sid:1990102; rev:1;)` + "\n"
	rulesBroken     = `alert file any any -> any any (msg:"live test: broken"; file_data; content:"` + liveMarker + `"; sid:1990103; rev:1;` + "\nthis is not a rule\n"
	reloadMarkerLen = 48 * 1024
)

// sensorLag bounds how long after crossing the veth a packet reaches
// wirescan's workers: TPACKET_V3 hands a ring block over when it is full or
// after its block timeout (64ms), and then the worker has to get to it.
const sensorLag = 300 * time.Millisecond

// liveDownload is one download of the reload test.
type liveDownload struct {
	name       string // URL path, the fileinfo's filename
	content    []byte
	start, end time.Time
	err        error
}

// markerFile is the content of marker file i: random bytes with liveMarker
// in the middle, so the match spans whatever packets carry it.
func markerFile(i int, n int) []byte {
	b := randomBytes(uint64(1000+i), n)
	copy(b[n/2:], liveMarker)
	return b
}

// download writes content into nginx's docroot as name and fetches it with
// curl (one new connection), with the extra curl options opts.
func (h *httpEnv) download(ctx context.Context, name string, content []byte, opts ...string) liveDownload {
	d := liveDownload{name: name, content: content}
	if _, d.err = writeFile(h.docroot, name, content); d.err != nil {
		return d
	}
	out := filepath.Join(h.work, fmt.Sprintf("live-%d", h.seq.Add(1)))
	argv := append([]string{"curl", "-sS", "--fail", "--max-time", "30", "-o", out}, opts...)
	d.start = time.Now()
	_, d.err = run(ctx, h.pair.Client, append(argv, h.base+name)...)
	d.end = time.Now()
	if d.err == nil {
		if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, content) {
			d.err = fmt.Errorf("harness: curl got %d bytes (%v) for %s, nginx serves %d", len(got), err, name, len(content))
		}
	}
	return d
}

// slowUpload PUTs content as name with curl, sending at most rate bytes a
// second. (curl's --limit-rate on a download only paces its reads, while
// the kernel's receive buffer fills at the link's speed; on an upload it
// paces what goes on the wire.)
func (h *httpEnv) slowUpload(ctx context.Context, name string, content []byte, rate string) liveDownload {
	d := liveDownload{name: name, content: content}
	local := filepath.Join(h.work, fmt.Sprintf("slow-up-%d", h.seq.Add(1)))
	if d.err = os.WriteFile(local, content, 0o644); d.err != nil {
		return d
	}
	d.start = time.Now()
	_, d.err = run(ctx, h.pair.Client, "curl", "-sS", "--fail", "--max-time", "30", "--limit-rate", rate, "-o", "/dev/null", "-T", local, h.base+name)
	d.end = time.Now()
	if d.err == nil {
		if stored, err := os.ReadFile(filepath.Join(h.docroot, filepath.FromSlash(name))); err != nil || !bytes.Equal(stored, content) {
			d.err = fmt.Errorf("harness: nginx stored %d bytes (%v) for %s, curl sent %d", len(stored), err, name, len(content))
		}
	}
	return d
}

// checkReloadDownloads checks each download: no harness error, exactly one
// CLOSED fileinfo with its SHA-256, and at most one alert, of a sid allowed
// for it (0: no alert); and that no alert names anything else.
func checkReloadDownloads(t *testing.T, events []eveEvent, downloads []liveDownload, allowed func(liveDownload) []int) {
	t.Helper()
	infos := map[string][]*eveFile{}
	for _, ev := range events {
		if ev.EventType == "fileinfo" && ev.FileInfo != nil {
			infos[ev.FileInfo.Filename] = append(infos[ev.FileInfo.Filename], ev.FileInfo)
		}
	}
	names := map[string]bool{}
	fileinfos := 0
	for _, d := range downloads {
		names[d.name] = true
		if d.err != nil {
			t.Errorf("%s: %v", d.name, d.err)
			continue
		}
		got := infos[d.name]
		fileinfos += len(got)
		if len(got) != 1 || got[0].State != "CLOSED" || got[0].SHA256 != sha256Hex(d.content) {
			var seen []string
			for _, fi := range got {
				seen = append(seen, describeFile(fi))
			}
			t.Errorf("%s: want one CLOSED fileinfo with sha256 %.12s, got %d: %v", d.name, sha256Hex(d.content), len(got), seen)
		}
		sids := alertSIDs(events, d.name)
		ok := len(sids) <= 1
		if ok {
			sid := 0
			if len(sids) == 1 {
				sid = sids[0]
			}
			ok = false
			for _, a := range allowed(d) {
				ok = ok || a == sid
			}
		}
		if !ok {
			t.Errorf("%s (download %v..%v): alerts %v, want one of %v (0: none)", d.name, d.start.Format("15:04:05.000"), d.end.Format("15:04:05.000"), sids, allowed(d))
		}
	}
	t.Logf("%d downloads, %d fileinfos for them", len(downloads), fileinfos)
	for _, ev := range events {
		if ev.EventType != "alert" {
			continue
		}
		if len(ev.Files) == 0 || !names[ev.Files[0].Filename] {
			t.Errorf("unexpected alert: %s", tail(ev.Raw, 400))
		} else if ev.Alert != nil && ev.Alert.SignatureID == sidNoMatch {
			t.Errorf("the rule that can't match fired: %s", tail(ev.Raw, 400))
		}
	}
}

// alertSIDs lists the signature ids of the alerts whose file is name.
func alertSIDs(events []eveEvent, name string) []int {
	var sids []int
	for _, ev := range events {
		if ev.EventType == "alert" && ev.Alert != nil && len(ev.Files) > 0 && ev.Files[0].Filename == name {
			sids = append(sids, ev.Alert.SignatureID)
		}
	}
	return sids
}
