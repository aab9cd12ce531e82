package engine

import (
	"encoding/hex"
	"strconv"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/signatures"
)

// explainContext is how many bytes before and after an occurrence an
// explanation shows.
const explainContext = 16

// explain builds the explanation of an alert on rule r: file alerts are
// explained on the file bytes the tracker still holds up to the match (its
// history: files.history-bytes), transaction alerts on the transaction's
// buffers; stream and packet alerts list the rule's elements only (the
// stream is not kept).
func (w *worker) explain(c *conn, m signatures.Match, tx app.Metadata, f *trackedFile) *eve.Explanation {
	r := m.Rule
	ex := &eve.Explanation{Rev: r.Rev, Ruleset: c.det.Set().Version(), Located: true, Facts: r.Facts()}
	ex.Rule = r.File
	if r.Line > 0 {
		ex.Rule += ":" + strconv.Itoa(r.Line)
	}
	for _, buf := range r.Buffers() {
		var data []byte
		base, end := int64(0), int64(-1)
		switch {
		case buf == signatures.FileDataBuffer && f != nil && m.Offset >= 0:
			// The bytes up to the match, and a few after it when they
			// have arrived already (the piece being scanned).
			upTo := min(m.Offset+explainContext, f.Next())
			data = f.BytesBefore(upTo, w.e.cfg.Files.HistoryBytes+explainContext)
			base, end = upTo-int64(len(data)), m.Offset
		case buf != signatures.FileDataBuffer && tx != nil:
			data, _ = tx.Buffer(buf)
		}
		parts, located := r.Explain(buf, data, base, end)
		if !located {
			ex.Located = false
		}
		for _, p := range parts {
			ex.Parts = append(ex.Parts, explainPart(p, data, base))
		}
	}
	switch {
	case !ex.Located && f != nil:
		ex.Note = "some contents matched before the " + strconv.Itoa(w.e.cfg.Files.HistoryBytes) + " file bytes kept at the match (files.history-bytes)"
	case !ex.Located && f == nil && tx == nil:
		ex.Note = "a raw-stream rule: the stream is not kept, only the match offset is known"
	}
	return ex
}

// explainPart renders one located element with the bytes around it.
func explainPart(p signatures.Part, data []byte, base int64) eve.ExplainPart {
	out := eve.ExplainPart{Buffer: p.Buffer, Kind: p.Kind, Pattern: p.Pattern, Options: p.Options, Negated: p.Negated}
	if p.Start < 0 {
		return out
	}
	start, end := p.Start, p.End
	out.Start, out.End = &start, &end
	from := max(p.Start-explainContext, base)
	to := min(p.End+explainContext, base+int64(len(data)))
	if from < to {
		out.ContextStart = &from
		out.Context = hex.EncodeToString(data[from-base : to-base])
	}
	return out
}
