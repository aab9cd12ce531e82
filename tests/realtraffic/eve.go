//go:build realtraffic

package realtraffic

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
)

// eicar is the anti-virus test file (harmless) that the built-in signature
// set detects.
const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// eveFile is the part of a fileinfo object (or of an alert's files[] entry)
// that the tests check.
type eveFile struct {
	Filename string `json:"filename"`
	State    string `json:"state"`
	Gaps     bool   `json:"gaps"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	Start    *int64 `json:"start"`
	End      *int64 `json:"end"`
}

// eveEvent is one EVE line, reduced to what the tests look at; Raw keeps
// the line for messages.
type eveEvent struct {
	EventType string   `json:"event_type"`
	AppProto  string   `json:"app_proto"`
	Direction string   `json:"direction"`
	SrcIP     string   `json:"src_ip"`
	DestIP    string   `json:"dest_ip"`
	FileInfo  *eveFile `json:"fileinfo"`
	Files     []eveFile
	Alert     *struct {
		SignatureID int    `json:"signature_id"`
		Signature   string `json:"signature"`
	} `json:"alert"`
	Anomaly *struct {
		Type  string `json:"type"`
		Event string `json:"event"`
	} `json:"anomaly"`
	SMB json.RawMessage `json:"smb"`
	Raw string          `json:"-"`
}

// replay runs `wirescan replay -r pcap -l outdir` and returns the events of
// outdir/eve.json.
func replay(t *testing.T, ctx context.Context, bin, pcap string) []eveEvent {
	t.Helper()
	outdir := filepath.Join(filepath.Dir(pcap), strings.TrimSuffix(filepath.Base(pcap), ".pcap")+"-eve")
	if err := os.MkdirAll(outdir, 0o700); err != nil {
		t.Fatalf("replay: %v", err)
	}
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	start := time.Now()
	out, err := run(rctx, "", bin, "replay", "-r", pcap, "-l", outdir)
	if err != nil {
		t.Fatalf("replay %s: %v", filepath.Base(pcap), err)
	}
	t.Logf("replay %s: %v", filepath.Base(pcap), time.Since(start).Round(time.Millisecond))
	if s := strings.TrimSpace(out); s != "" {
		t.Logf("replay output:\n%s", tail(s, 2000))
	}
	events, err := readEVE(filepath.Join(outdir, "eve.json"))
	if err != nil {
		t.Fatalf("replay %s: %v", filepath.Base(pcap), err)
	}
	return events
}

// readEVE parses an EVE JSON lines file.
func readEVE(path string) ([]eveEvent, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read eve: %w", err)
	}
	var events []eveEvent
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var ev eveEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		ev.Raw = line
		events = append(events, ev)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read eve %s: %w", path, err)
	}
	return events, nil
}

// expectedFile is a file a scenario transferred: what the engine should
// report for it.
type expectedFile struct {
	Name      string // the filename the engine should log
	Proto     string // "http" or "smb"
	Direction string // "to_client" (download) or "to_server" (upload)
	Size      int64
	SHA256    string
	EICAR     bool // the built-in EICAR signature must alert on it
}

// expectations is the list of files one capture carries.
type expectations struct{ files []expectedFile }

// add records a file with its content.
func (e *expectations) add(name, proto, direction string, content []byte) {
	e.files = append(e.files, expectedFile{
		Name: name, Proto: proto, Direction: direction, Size: int64(len(content)),
		SHA256: sha256Hex(content), EICAR: bytes.Contains(content, []byte(eicar)),
	})
}

// hasEICAR reports whether an EICAR file of protocol proto was moved.
func (e *expectations) hasEICAR(proto string) bool {
	for _, f := range e.files {
		if f.EICAR && f.Proto == proto {
			return true
		}
	}
	return false
}

// sha256Hex is the lowercase hex SHA-256 of b.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkMode says how strict the comparison is.
type checkMode int

const (
	// complete: every byte is in the capture, so every file must be CLOSED
	// with the right hash and every EICAR transfer must alert.
	complete checkMode = iota
	// lossy: the capture misses bytes, so a file may be TRUNCATED with gaps
	// or missing, but never CLOSED with a wrong hash.
	lossy
)

// nameMatch reports whether the engine's name seen stands for the expected
// name want: equal, or (SMB) equal after the leading backslash SMB1 CREATE
// names carry.
func nameMatch(proto, want, seen string) bool {
	if seen == want {
		return true
	}
	return proto == "smb" && strings.TrimPrefix(seen, `\`) == strings.TrimPrefix(want, `\`)
}

// isRangePart reports whether f is one part of an HTTP range transfer
// (logged with start/end), whose hash is that of the part only.
func isRangePart(f *eveFile) bool { return f.Start != nil || f.End != nil }

// checkFiles compares the events of one capture with what it carried: one
// fileinfo per file with the right SHA-256, an EICAR alert naming each EICAR
// file, and no other alert. It logs a table of expected against seen and
// fails t for each broken check.
func checkFiles(t *testing.T, events []eveEvent, exp *expectations, mode checkMode) {
	t.Helper()
	var infos []*eveEvent
	var alerts []*eveEvent
	for i := range events {
		switch ev := &events[i]; {
		case ev.EventType == "fileinfo" && ev.FileInfo != nil:
			infos = append(infos, ev)
		case ev.EventType == "alert":
			alerts = append(alerts, ev)
		}
	}
	usedInfo := make(map[*eveEvent]bool)
	usedAlert := make(map[*eveEvent]bool)
	var failures []string
	var tb strings.Builder
	tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tPROTO/DIR\tSIZE\tSHA256\tSEEN\tALERT\tVERDICT")
	for _, f := range exp.files {
		var candidates []*eveEvent
		var good *eveEvent
		for _, ev := range infos {
			fi := ev.FileInfo
			if !nameMatch(f.Proto, f.Name, fi.Filename) || (ev.Direction != "" && ev.Direction != f.Direction) {
				continue
			}
			candidates = append(candidates, ev)
			if good == nil && fi.SHA256 == f.SHA256 && fi.State == "CLOSED" {
				good = ev
			}
		}
		seen := "no fileinfo"
		verdict := "ok"
		if good != nil {
			usedInfo[good] = true
			seen = describeFile(good.FileInfo)
			if good.FileInfo.Gaps {
				verdict = "FAIL"
				failures = append(failures, fmt.Sprintf("%s: CLOSED with the right sha256 but gaps=true", f.Name))
			}
			if good.FileInfo.Filename != f.Name {
				verdict += fmt.Sprintf(" (named %q)", good.FileInfo.Filename)
			}
		} else {
			seen, verdict = judgeMissing(f, candidates, mode, usedInfo, &failures)
		}
		alertCol := "-"
		if f.EICAR {
			n := 0
			for _, a := range alerts {
				if len(a.Files) > 0 && nameMatch(f.Proto, f.Name, a.Files[0].Filename) {
					usedAlert[a] = true
					n++
				}
			}
			alertCol = fmt.Sprintf("want 1, got %d", n)
			switch {
			case n == 0 && (mode == complete || good != nil):
				verdict = "FAIL"
				failures = append(failures, fmt.Sprintf("%s: no EICAR alert with files[0].filename naming it", f.Name))
			case n > 1 && mode == complete:
				verdict = "FAIL"
				failures = append(failures, fmt.Sprintf("%s: %d EICAR alerts for one transfer", f.Name, n))
			}
		}
		fmt.Fprintf(tw, "%s\t%s/%s\t%d\t%.12s\t%s\t%s\t%s\n", f.Name, f.Proto, f.Direction, f.Size, f.SHA256, seen, alertCol, verdict)
	}
	for _, ev := range infos {
		if !usedInfo[ev] {
			verdict := judgeExtra(ev.FileInfo, exp, mode, &failures)
			fmt.Fprintf(tw, "(extra) %q\t%s/%s\t\t\t%s\t\t%s\n", ev.FileInfo.Filename, ev.AppProto, ev.Direction, describeFile(ev.FileInfo), verdict)
		}
	}
	for _, a := range alerts {
		if usedAlert[a] {
			continue
		}
		name := "(no files)"
		if len(a.Files) > 0 {
			name = a.Files[0].Filename
		}
		sig := ""
		if a.Alert != nil {
			sig = fmt.Sprintf("%d %s", a.Alert.SignatureID, a.Alert.Signature)
		}
		if mode == lossy && len(a.Files) > 0 && name == "" && exp.hasEICAR(a.AppProto) {
			// The capture lost the message that named the file (an SMB
			// CREATE, an HTTP request): the alert is right, the name unknown.
			fmt.Fprintf(tw, "(alert) %q\t%s/%s\t\t\t%s\t\tok (name lost with the capture loss)\n", name, a.AppProto, a.Direction, sig)
			continue
		}
		fmt.Fprintf(tw, "(alert) %q\t%s/%s\t\t\t%s\t\tFAIL\n", name, a.AppProto, a.Direction, sig)
		failures = append(failures, fmt.Sprintf("unexpected alert [%s] on %q: %s", sig, name, tail(a.Raw, 400)))
	}
	tw.Flush()
	t.Logf("files (%d events):\n%s", len(events), tb.String())
	for _, f := range failures {
		t.Error(f)
	}
}

// judgeMissing judges an expected file for which no CLOSED fileinfo with
// the right hash exists, given the fileinfos that bear its name; it returns
// the table's "seen" and "verdict" columns and appends failures.
func judgeMissing(f expectedFile, candidates []*eveEvent, mode checkMode, used map[*eveEvent]bool, failures *[]string) (seen, verdict string) {
	var seens []string
	truncated, wrong := false, false
	for _, ev := range candidates {
		fi := ev.FileInfo
		if isRangePart(fi) {
			continue
		}
		used[ev] = true
		seens = append(seens, describeFile(fi))
		switch {
		case fi.State == "CLOSED":
			wrong = true
			*failures = append(*failures, fmt.Sprintf("%s (%s): CLOSED with a wrong sha256 %s (size %d, want %d %s)", f.Name, f.Direction, fi.SHA256, fi.Size, f.Size, f.SHA256))
		case fi.State == "TRUNCATED" && fi.Gaps:
			truncated = true
		case fi.State == "TRUNCATED" && mode == lossy:
			wrong = true
			*failures = append(*failures, fmt.Sprintf("%s (%s): TRUNCATED (size %d of %d) but gaps=false, though the capture lost bytes of it", f.Name, f.Direction, fi.Size, f.Size))
		}
	}
	seen = "no fileinfo"
	if len(seens) > 0 {
		seen = strings.Join(seens, "; ")
	}
	switch {
	case wrong:
		return seen, "FAIL"
	case mode == lossy && truncated:
		return seen, "ok (truncated: capture loss)"
	case mode == lossy && len(seens) == 0:
		return seen, "ok (missing: capture loss)"
	}
	*failures = append(*failures, fmt.Sprintf("%s (%s, %s): no CLOSED fileinfo with sha256 %s; seen: %s", f.Name, f.Proto, f.Direction, f.SHA256, seen))
	return seen, "FAIL"
}

// judgeExtra judges a fileinfo that stands for no expected file under its
// name (a range part, or a file whose name went with the capture loss).
// Every transfer of a scenario completes, so such a file must still be a
// range part, CLOSED with the hash of some transferred file, or (only when
// the capture lost bytes) TRUNCATED with gaps.
func judgeExtra(fi *eveFile, exp *expectations, mode checkMode, failures *[]string) string {
	if isRangePart(fi) {
		return ""
	}
	if fi.State == "CLOSED" {
		for _, f := range exp.files {
			if f.SHA256 == fi.SHA256 {
				return "ok (content of " + f.Name + ")"
			}
		}
		*failures = append(*failures, fmt.Sprintf("fileinfo %q: CLOSED with sha256 %s (size %d), the hash of no transferred file", fi.Filename, fi.SHA256, fi.Size))
		return "FAIL"
	}
	switch {
	case mode == complete:
		*failures = append(*failures, fmt.Sprintf("fileinfo %q: %s in a complete capture", fi.Filename, describeFile(fi)))
	case !fi.Gaps:
		*failures = append(*failures, fmt.Sprintf("fileinfo %q: %s (size %d) but gaps=false, though only capture loss can truncate a file here", fi.Filename, fi.State, fi.Size))
	default:
		return "ok (truncated: capture loss)"
	}
	return "FAIL"
}

// describeFile is a short form of a fileinfo for the table.
func describeFile(fi *eveFile) string {
	s := fmt.Sprintf("%s size=%d %.12s", fi.State, fi.Size, fi.SHA256)
	if fi.Gaps {
		s += " gaps"
	}
	if isRangePart(fi) {
		s += " range"
	}
	return s
}

// eventSummary counts events by type (and anomalies by name) for logs.
func eventSummary(events []eveEvent) string {
	counts := make(map[string]int)
	for _, ev := range events {
		key := ev.EventType
		if ev.Anomaly != nil {
			key += ":" + ev.Anomaly.Event
		}
		counts[key]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	return strings.Join(parts, " ")
}

// checkCapture replays the capture with bin and checks the files in it
// against exp. A capture in which tcpdump itself lost packets is checked as
// lossy. Without a binary it skips t after the capture was made.
func checkCapture(t *testing.T, ctx context.Context, bin string, c *capture, exp *expectations, mode checkMode) []eveEvent {
	t.Helper()
	if bin == "" {
		t.Skipf("no wirescan binary: capture %s made but not replayed", c)
	}
	switch {
	case mode == complete && (c.KernelDrops > 0 || c.Holes > 0):
		t.Logf("capture %s is incomplete (the capture, not the engine, lost packets): checked as lossy", c)
		mode = lossy
	case mode == lossy && c.Holes == 0:
		t.Logf("capture %s lost no TCP bytes: the lossy checks are weaker than meant", c)
	}
	events := replay(t, ctx, bin, c.Path)
	t.Logf("events: %s", eventSummary(events))
	checkFiles(t, events, exp, mode)
	return events
}

// keepCapture copies the pcap into $WIRESCAN_RT_KEEP when that is set, so
// that a failing capture can be inspected (with tshark) after the test
// removed its temp dir.
func keepCapture(t *testing.T, path string) {
	t.Helper()
	dir := os.Getenv("WIRESCAN_RT_KEEP")
	if dir == "" {
		return
	}
	b, err := os.ReadFile(path)
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o644)
	}
	if err != nil {
		t.Logf("keep capture: %v", err)
	}
}
