package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// WriteJSON writes the report as one JSON object whose "incidents" array
// holds one incident per line (readable, and still compact for a million
// incidents), followed by the summary keys.
func (r *Report) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("{\"incidents\": [")
	for i := range r.Incidents {
		line, err := json.Marshal(&r.Incidents[i])
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n  ")
		bw.Write(line)
	}
	tail, err := json.MarshalIndent(&r.Summary, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	bw.WriteString("\n],")
	bw.Write(tail[1:]) // the summary's keys follow the incidents in one object
	bw.WriteByte('\n')
	return bw.Flush()
}

// Text column widths: long values are cut with "…".
const (
	sigWidth  = 44
	fileWidth = 32
	hostWidth = 39 // a full IPv6 address
)

// WriteText writes the top incidents (all when top <= 0) as a table, then a
// total line. Attacker-controlled text (file names, signatures) is printed
// with control characters escaped, so it can't drive the terminal.
func (r *Report) WriteText(w io.Writer, top int) error {
	shown := r.Incidents
	if top > 0 && len(shown) > top {
		shown = shown[:top]
	}
	rows := [][]string{{"HITS", "COUNT", "FANOUT", "SIGNATURE", "FILE", "SHA256", "CLIENT", "SERVER", "FIRST SEEN", "LAST SEEN"}}
	for i := range shown {
		rows = append(rows, textRow(&shown[i]))
	}
	if err := writeTable(w, rows, 3); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, r.totalLine(len(shown)))
	return err
}

// writeTable writes rows as columns two spaces apart; the first numeric
// columns are right-aligned.
func writeTable(w io.Writer, rows [][]string, numeric int) error {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		b.Reset()
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < numeric {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return err
		}
	}
	return nil
}

// textRow formats the cells of one incident.
func textRow(inc *Incident) []string {
	sig := "[" + strconv.Itoa(inc.GID) + ":" + strconv.Itoa(inc.SignatureID) + "] " + inc.Signature
	if inc.Overflow {
		sig = "(overflow) " + sig
	}
	file := "-"
	if len(inc.Filenames) > 0 {
		file = inc.Filenames[0]
		if more := len(inc.Filenames) - 1 + inc.FilenamesMore; more > 0 {
			file = cut(file, fileWidth-8) + " (+" + strconv.Itoa(more) + ")"
		}
	}
	sha := "-"
	switch {
	case inc.SHA256 != "":
		sha = inc.SHA256[:min(12, len(inc.SHA256))]
	case len(inc.SHA256s) > 0:
		sha = strconv.Itoa(len(inc.SHA256s)+inc.SHA256sMore) + " files"
	}
	return []string{
		strconv.FormatUint(inc.Hits, 10), strconv.FormatUint(inc.Count, 10), strconv.Itoa(inc.Fanout),
		cut(sig, sigWidth), cut(file, fileWidth), printable(sha),
		hostsCell(inc.Clients, inc.ClientsMore), hostsCell(inc.Servers, inc.ServersMore),
		shortTime(inc.FirstSeen), shortTime(inc.LastSeen),
	}
}

// hostsCell shows one host, or how many there are.
func hostsCell(hosts []string, more int) string {
	switch n := len(hosts) + more; n {
	case 0:
		return "-"
	case 1:
		return cut(hosts[0], hostWidth)
	default:
		return strconv.Itoa(n) + " hosts"
	}
}

// shortTime shows a report time to the second.
func shortTime(s string) string {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// totalLine is "N alerts in M incidents (K signatures, H files); showing top N".
func (r *Report) totalLine(shown int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %s (%s, %s)", plural(r.Alerts, "alert", "alerts"), plural(len(r.Incidents), "incident", "incidents"),
		plural(r.Signatures, "signature", "signatures"), plural(r.Files, "file", "files"))
	if r.Hits != r.Alerts {
		fmt.Fprintf(&b, ", %s counting the %s of the alert policy", plural(r.Hits, "hit", "hits"),
			plural(r.Summaries, "incident summary", "incident summaries"))
	}
	if shown < len(r.Incidents) {
		fmt.Fprintf(&b, "; showing top %d", shown)
	}
	if r.OverflowIncidents > 0 {
		fmt.Fprintf(&b, "; %s folded into %s (incident table full)", plural(r.Folded, "alert", "alerts"),
			plural(r.OverflowIncidents, "overflow incident", "overflow incidents"))
	}
	if r.Damaged > 0 {
		fmt.Fprintf(&b, "; %s skipped", plural(r.Damaged, "damaged line", "damaged lines"))
	}
	if r.OutOfWindow > 0 {
		fmt.Fprintf(&b, "; %s outside the time window", plural(r.OutOfWindow, "event", "events"))
	}
	return b.String()
}

// plural writes "1 alert", "2 alerts".
func plural[N int | uint64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// cut shortens s to n runes (after escaping), ending in "…".
func cut(s string, n int) string {
	s = printable(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// printable escapes control and invalid characters (and tabs, which would
// break the table) as Go escapes, leaving other text alone.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unicode.IsPrint(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
