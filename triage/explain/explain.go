// Package explain answers "why did this alert fire?" for `wirescan
// explain`: it finds one alert in an EVE log (by its number, its flow id or
// the SHA-256 of its file) and renders its explanation — the rule's origin
// and revision, each content of the rule, where it matched in the file or
// buffer, and the bytes around each match as a hex dump.
//
// The explanation itself is made by the engine (replay --explain puts it
// under wirescan.explain); this package finds the alert, decides whether it
// already carries one, and says how to get one when it does not (replaying
// the alert's evidence pcap or the original capture with its rules).
//
// It reads EVE streaming (through triage/report's sources: files, gzip,
// stdin), holding at most MaxPending alerts that wait for their file's
// hash.
package explain

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/triage/report"
)

// MaxPending bounds the alerts held while their file's hash is unknown
// (selecting by --sha256).
const MaxPending = 100000

// Selector names the alert to explain: the Nth alert of the log (1-based),
// or the first alert of a flow, or the first alert on a file.
type Selector struct {
	Index  int
	FlowID uint64
	SHA256 string
}

// String describes the selector for messages.
func (s Selector) String() string {
	switch {
	case s.Index > 0:
		return "alert " + strconv.Itoa(s.Index)
	case s.FlowID != 0:
		return "the first alert of flow " + strconv.FormatUint(s.FlowID, 10)
	}
	return "the first alert on file " + s.SHA256
}

// ErrNotFound is returned by Find when no alert matches the selector.
var ErrNotFound = errors.New("explain: no such alert")

// Alert is one alert as the EVE log has it.
type Alert struct {
	eve.Event
	// Pos is where the alert is ("eve.json:1204"); Number its number among
	// the log's alerts (1-based).
	Pos    string
	Number int
}

// File returns the alert's file, when it fired on one.
func (a *Alert) File() *eve.FileInfo {
	if len(a.Files) == 0 {
		return nil
	}
	return &a.Files[0]
}

// Lines is what Find reads: one EVE line at a time, io.EOF at the end, a
// *report.DamageError for a damaged line (skipped). triage/report's Source
// satisfies it.
type Lines interface {
	Next() ([]byte, error)
	Pos() string
}

// fileKey identifies a file within a log: sensor, flow, transaction, name.
type fileKey struct {
	host string
	flow uint64
	tx   int64
	name string
}

// Find reads lines until the alert sel names. A damaged line is skipped
// (the caller's Lines reports it); a read error ends the search.
func Find(lines Lines, sel Selector) (*Alert, error) {
	n := 0
	pending := map[fileKey][]*Alert{}
	held := 0
	for {
		line, err := lines.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var de *report.DamageError
		if errors.As(err, &de) {
			continue // the caller's source already says where
		}
		if err != nil {
			return nil, err
		}
		isAlert := bytes.Contains(line, []byte(`"event_type":"alert"`))
		isFile := sel.SHA256 != "" && bytes.Contains(line, []byte(`"event_type":"fileinfo"`))
		if !isAlert && !isFile {
			continue
		}
		var ev eve.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			continue
		}
		if isFile && ev.FileInfo != nil {
			k := fileKey{ev.Host, ev.FlowID, txOf(&ev), ev.FileInfo.Filename}
			if ev.FileInfo.SHA256 == sel.SHA256 && len(pending[k]) > 0 {
				a := pending[k][0]
				a.Files[0].SHA256 = ev.FileInfo.SHA256
				return a, nil
			}
			held -= len(pending[k])
			delete(pending, k)
			continue
		}
		if ev.EventType != "alert" || ev.Alert == nil {
			continue
		}
		n++
		a := &Alert{Event: ev, Pos: lines.Pos(), Number: n}
		switch {
		case sel.Index > 0 && n == sel.Index, sel.FlowID != 0 && ev.FlowID == sel.FlowID:
			completeHash(lines, a)
			return a, nil
		case sel.SHA256 != "":
			f := a.File()
			if f == nil {
				continue
			}
			if f.SHA256 == sel.SHA256 {
				return a, nil
			}
			if f.SHA256 == "" && held < MaxPending {
				k := fileKey{ev.Host, ev.FlowID, txOf(&ev), f.Filename}
				pending[k] = append(pending[k], a)
				held++
			}
		}
	}
	return nil, fmt.Errorf("%w: %s (%d alerts read)", ErrNotFound, sel, n)
}

// completeHash fills the SHA-256 of an alert that fired while its file was
// open from the file's fileinfo event further on, when there is one.
func completeHash(lines Lines, a *Alert) {
	f := a.File()
	if f == nil || f.SHA256 != "" {
		return
	}
	want := fileKey{a.Host, a.FlowID, txOf(&a.Event), f.Filename}
	for {
		line, err := lines.Next()
		var de *report.DamageError
		switch {
		case errors.As(err, &de):
			continue
		case err != nil:
			return
		}
		if !bytes.Contains(line, []byte(`"event_type":"fileinfo"`)) {
			continue
		}
		var ev eve.Event
		if json.Unmarshal(line, &ev) != nil || ev.FileInfo == nil {
			continue
		}
		if (fileKey{ev.Host, ev.FlowID, txOf(&ev), ev.FileInfo.Filename}) == want {
			f.SHA256, f.Size, f.State = ev.FileInfo.SHA256, ev.FileInfo.Size, ev.FileInfo.State
			return
		}
	}
}

func txOf(ev *eve.Event) int64 {
	if ev.TxID == nil {
		return -1
	}
	return int64(*ev.TxID)
}

// Same reports whether b is the same alert as a, found again in a replay
// of its evidence pcap or capture: same signature, endpoints and file, and,
// when both know it, the same match offset. Flow ids are not compared: a
// replay of an evidence pcap numbers flows anew.
func Same(a, b *eve.Event) bool {
	if a.Alert == nil || b.Alert == nil || a.Alert.SignatureID != b.Alert.SignatureID || a.Alert.GID != b.Alert.GID {
		return false
	}
	if a.SrcIP != b.SrcIP || a.DestIP != b.DestIP || a.SrcPort != b.SrcPort || a.DestPort != b.DestPort {
		return false
	}
	if (len(a.Files) > 0) != (len(b.Files) > 0) || len(a.Files) > 0 && a.Files[0].Filename != b.Files[0].Filename {
		return false
	}
	ao, bo := offsets(a), offsets(b)
	return len(ao) == 0 || len(bo) == 0 || ao[0] == bo[0]
}

func offsets(ev *eve.Event) []int64 {
	if ev.Wirescan == nil {
		return nil
	}
	return ev.Wirescan.MatchOffsets
}

// WriteText renders the alert and its explanation ex (nil: the alert
// carries none and how replayed says why) for a terminal.
func WriteText(w io.Writer, a *Alert, ex *eve.Explanation, how string) error {
	var b strings.Builder
	al := a.Alert
	fmt.Fprintf(&b, "alert %d (%s): [%d:%d] %s  rev %d\n", a.Number, a.Pos, al.GID, al.SignatureID, al.Signature, al.Rev)
	if ex != nil {
		fmt.Fprintf(&b, "  rule      %s   ruleset %s\n", ex.Rule, ex.Ruleset)
	} else if x := a.Wirescan; x != nil && x.RuleFile != "" {
		fmt.Fprintf(&b, "  rule      %s:%d   ruleset %s\n", x.RuleFile, x.RuleLine, x.RulesetVersion)
	}
	fmt.Fprintf(&b, "  flow      %s:%d -> %s:%d  %s  %s  flow_id %d  %s\n", a.SrcIP, a.SrcPort, a.DestIP, a.DestPort,
		a.AppProto, a.Direction, a.FlowID, a.Timestamp.UTC().Format("2006-01-02 15:04:05.000000"))
	if f := a.File(); f != nil {
		sum := f.SHA256
		if sum == "" {
			sum = "(file still open at the alert)"
		}
		fmt.Fprintf(&b, "  file      %s  %d bytes  sha256 %s\n", f.Filename, f.Size, sum)
	}
	if x := a.Wirescan; x != nil && x.EvidencePcap != "" {
		fmt.Fprintf(&b, "  evidence  %s\n", x.EvidencePcap)
	}
	if ex == nil {
		fmt.Fprintf(&b, "  no explanation: %s\n", how)
		_, err := io.WriteString(w, b.String())
		return err
	}
	if how != "" {
		fmt.Fprintf(&b, "  explained by %s\n", how)
	}
	switch {
	case ex.Located:
		b.WriteString("  matched   every content located\n")
	case ex.Note != "":
		fmt.Fprintf(&b, "  matched   %s\n", ex.Note)
	}
	for i, p := range ex.Parts {
		neg := ""
		if p.Negated {
			neg = "!"
		}
		opts := ""
		if p.Options != "" {
			opts = "  " + p.Options
		}
		where := "not located"
		switch {
		case p.Negated:
			where = "absent, as required"
		case p.Start != nil:
			where = fmt.Sprintf("at %d..%d", *p.Start, *p.End)
		}
		fmt.Fprintf(&b, "  %2d  %s %s %s%q%s  %s\n", i+1, p.Buffer, p.Kind, neg, p.Pattern, opts, where)
		if p.ContextStart != nil {
			data, err := hex.DecodeString(p.Context)
			if err == nil {
				hexdump(&b, data, *p.ContextStart, *p.Start, *p.End)
			}
		}
	}
	for _, f := range ex.Facts {
		fmt.Fprintf(&b, "      %s\n", f)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// hexdump writes data (starting at offset base) 16 bytes a row, marking
// the bytes of [start, end) under the row.
func hexdump(b *strings.Builder, data []byte, base, start, end int64) {
	for row := int64(0); row < int64(len(data)); row += 16 {
		line := data[row:min(row+16, int64(len(data)))]
		var hx, asc, mark strings.Builder
		for i := range 16 {
			if i < len(line) {
				fmt.Fprintf(&hx, "%02x ", line[i])
				c := line[i]
				if c < 0x20 || c >= 0x7f {
					c = '.'
				}
				asc.WriteByte(c)
			} else {
				hx.WriteString("   ")
			}
			pos := base + row + int64(i)
			if i < len(line) && pos >= start && pos < end {
				mark.WriteString("^^ ")
			} else {
				mark.WriteString("   ")
			}
		}
		fmt.Fprintf(b, "        %08x  %s |%s|\n", base+row, hx.String(), asc.String())
		if m := strings.TrimRight(mark.String(), " "); m != "" {
			fmt.Fprintf(b, "                  %s\n", m)
		}
	}
}
