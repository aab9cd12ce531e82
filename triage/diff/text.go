package diff

import (
	"fmt"
	"io"
	"strings"
)

// textFlows is how many flows per entry the text form lists (JSON lists
// up to MaxListed).
const textFlows = 5

// WriteText prints r for a terminal: one block per signature under
// "removed", "added" and "changed", then a total line.
func WriteText(w io.Writer, r *Result) error {
	var b strings.Builder
	section := func(name string, es []Entry) {
		if len(es) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s:\n", name)
		for _, e := range es {
			fmt.Fprintf(&b, "  %d:%d %q: %d alert%s\n", e.GID, e.SignatureID, e.Signature, e.Count, plural(e.Count))
			for _, c := range e.Changes {
				fmt.Fprintf(&b, "      change  %s\n", c)
			}
			for i, h := range e.SHA256 {
				name := ""
				if i < len(e.Files) {
					name = "  " + e.Files[i]
				}
				fmt.Fprintf(&b, "      file    %s%s\n", h, name)
			}
			if len(e.SHA256) == 0 {
				for _, f := range e.Files {
					fmt.Fprintf(&b, "      file    %s\n", f)
				}
			}
			if e.FilesMore > 0 {
				fmt.Fprintf(&b, "      file    ... and %d more\n", e.FilesMore)
			}
			for _, f := range e.Flows[:min(len(e.Flows), textFlows)] {
				fmt.Fprintf(&b, "      flow    %s -> %s (flow_id %d)\n", f.Src, f.Dst, f.FlowID)
			}
			if more := e.FlowsMore + len(e.Flows) - min(len(e.Flows), textFlows); more > 0 {
				fmt.Fprintf(&b, "      flow    ... and %d more\n", more)
			}
		}
	}
	section("removed", r.Removed)
	section("added", r.Added)
	section("changed", r.Changed)
	count := func(es []Entry) (n int) {
		for _, e := range es {
			n += e.Count
		}
		return n
	}
	sigs := map[[2]int]bool{}
	for _, es := range [][]Entry{r.Removed, r.Added, r.Changed} {
		for _, e := range es {
			sigs[[2]int{e.GID, e.SignatureID}] = true
		}
	}
	if r.Equal() {
		fmt.Fprintf(&b, "identical: %d alerts on both sides\n", r.OldAlerts)
	} else {
		fmt.Fprintf(&b, "old %d alerts, new %d: %d removed, %d added, %d changed (%d signatures differ)\n",
			r.OldAlerts, r.NewAlerts, count(r.Removed), count(r.Added), count(r.Changed), len(sigs))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
