package report

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteHTML writes the report as one self-contained page: inline CSS and
// inline SVG, no script, no font and nothing else fetched. It shows hits
// over time per busiest signature (stacked columns), the top incidents
// (all when top <= 0) and a bar chart of the hosts each reached. Every
// value from the input is escaped by html/template: file names, signatures
// and sensor names are attacker-controlled.
func (r *Report) WriteHTML(w io.Writer, top int, generated time.Time) error {
	shown := r.Incidents
	if top > 0 && len(shown) > top {
		shown = shown[:top]
	}
	page := htmlPage{
		Total:     r.totalLine(len(shown)),
		Generated: generated.UTC().Format(time.RFC3339),
		R:         r,
		Timeline:  timelineChart(&r.Timeline),
		Hosts:     hostsChart(shown),
	}
	for i := range shown {
		inc := displayable(shown[i])
		page.Rows = append(page.Rows, htmlRow{N: i + 1, I: &inc})
	}
	tmpl, err := template.New("report").Funcs(template.FuncMap{
		"join": joinMore, "short": shortTime, "hash": shortHash,
		"f": func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
	}).Parse(pageHTML)
	if err != nil {
		return fmt.Errorf("report: html template: %w", err)
	}
	return tmpl.Execute(w, page)
}

type htmlPage struct {
	Total, Generated string
	R                *Report
	Timeline         chart
	Hosts            chart
	Rows             []htmlRow
}

type htmlRow struct {
	N int
	I *Incident
}

// chart is an SVG drawing laid out in Go; the template only prints it.
type chart struct {
	Width, Height int
	Rects         []svgRect
	Texts         []svgText
	Lines         []svgLine
	Legend        []legendItem
	Empty         string
}

type svgRect struct {
	X, Y, W, H float64
	Fill       string
	Title      string
}

type svgText struct {
	X, Y   float64
	Anchor string
	Class  string
	Text   string
}

type svgLine struct{ X1, Y1, X2, Y2 float64 }

type legendItem struct{ Fill, Label string }

// otherColour draws "other signatures"; barColour the hosts chart.
const (
	otherColour = "#9e9e9e"
	barColour   = "#1f77b4"
)

// seriesColour colours the timeline's i-th series.
func seriesColour(s *Series, i int) string {
	if s.SignatureID == 0 && s.GID == 0 {
		return otherColour
	}
	palette := [...]string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"}
	return palette[i%len(palette)]
}

// timelineChart draws hits per bucket as stacked columns, one colour per
// signature.
func timelineChart(tl *Timeline) chart {
	c := chart{Width: 960, Height: 280}
	if tl.Buckets == 0 || len(tl.Series) == 0 {
		c.Empty = "no alerts"
		return c
	}
	const left, right, top, bottom = 60.0, 10.0, 10.0, 40.0
	plotW, plotH := float64(c.Width)-left-right, float64(c.Height)-top-bottom
	var peak uint64
	for b := 0; b < tl.Buckets; b++ {
		var sum uint64
		for _, s := range tl.Series {
			sum += s.Counts[b]
		}
		peak = max(peak, sum)
	}
	colW := plotW / float64(tl.Buckets)
	width := time.Duration(tl.WidthSeconds) * time.Second
	for b := 0; b < tl.Buckets; b++ {
		y := top + plotH
		at := tl.Start.Add(time.Duration(b) * width)
		for i := range tl.Series {
			s := &tl.Series[i]
			n := s.Counts[b]
			if n == 0 {
				continue
			}
			h := plotH * float64(n) / float64(peak)
			y -= h
			c.Rects = append(c.Rects, svgRect{X: left + float64(b)*colW, Y: y, W: max(colW-1, 1), H: h, Fill: seriesColour(s, i),
				Title: fmt.Sprintf("%s: %d hits, %s + %s", printable(s.Label), n, at.Format("2006-01-02 15:04:05Z"), width)})
		}
	}
	c.Lines = append(c.Lines, svgLine{left, top + plotH, left + plotW, top + plotH}, svgLine{left, top, left, top + plotH})
	c.Texts = append(c.Texts,
		svgText{X: left - 6, Y: top + 10, Anchor: "end", Text: strconv.FormatUint(peak, 10)},
		svgText{X: left - 6, Y: top + plotH, Anchor: "end", Text: "0"},
		svgText{X: left, Y: top + plotH + 18, Anchor: "start", Text: axisTime(tl.Start, width)},
		svgText{X: left + plotW, Y: top + plotH + 18, Anchor: "end", Text: axisTime(tl.Start.Add(time.Duration(tl.Buckets)*width), width)},
		svgText{X: left + plotW/2, Y: top + plotH + 34, Anchor: "middle", Class: "muted", Text: "buckets of " + width.String()})
	for i := range tl.Series {
		c.Legend = append(c.Legend, legendItem{Fill: seriesColour(&tl.Series[i], i), Label: printable(tl.Series[i].Label)})
	}
	return c
}

// axisTime formats an axis label as precisely as the bucket width needs.
func axisTime(t time.Time, width time.Duration) string {
	if width >= 24*time.Hour {
		return t.UTC().Format("2006-01-02")
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// hostsChart draws, per shown incident, a bar of the distinct clients that
// got the same signature on the same file (the fanout), labelled with the
// incident's clients and servers.
func hostsChart(shown []Incident) chart {
	const rowH, left, right = 22.0, 330.0, 150.0
	c := chart{Width: 960, Height: int(rowH*float64(len(shown))) + 10}
	if len(shown) == 0 {
		c.Empty = "no incidents"
		return c
	}
	peak := 1
	for i := range shown {
		peak = max(peak, shown[i].Fanout)
	}
	plotW := float64(c.Width) - left - right
	for i := range shown {
		inc := &shown[i]
		y := 5 + float64(i)*rowH
		w := max(plotW*float64(inc.Fanout)/float64(peak), 1)
		clients, servers := len(inc.Clients)+inc.ClientsMore, len(inc.Servers)+inc.ServersMore
		label := "#" + strconv.Itoa(i+1) + " " + cut(inc.Signature, 28)
		if len(inc.Filenames) > 0 {
			label += " · " + cut(inc.Filenames[0], 18)
		}
		c.Rects = append(c.Rects, svgRect{X: left, Y: y + 3, W: w, H: rowH - 6, Fill: barColour,
			Title: fmt.Sprintf("fanout %d: clients that got this signature on this file; this incident: %d clients, %d servers", inc.Fanout, clients, servers)})
		c.Texts = append(c.Texts,
			svgText{X: left - 8, Y: y + rowH/2 + 4, Anchor: "end", Text: label},
			svgText{X: left + w + 6, Y: y + rowH/2 + 4, Anchor: "start",
				Text: fmt.Sprintf("%d (%d→%d)", inc.Fanout, clients, servers)})
	}
	return c
}

// displayable returns inc with control characters in its text escaped
// (html/template escapes markup, not control characters, which an analyst
// should see anyway).
func displayable(inc Incident) Incident {
	inc.Signature = printable(inc.Signature)
	inc.Rule = printable(inc.Rule)
	for _, list := range []*[]string{&inc.Filenames, &inc.Clients, &inc.Servers, &inc.Sensors, &inc.Evidence, &inc.Protocols} {
		out := make([]string, len(*list)) // the report's own lists stay untouched
		for i, v := range *list {
			out[i] = printable(v)
		}
		*list = out
	}
	return inc
}

// joinMore lists values and says how many more there are.
func joinMore(vals []string, more int) string {
	s := strings.Join(vals, ", ")
	if more > 0 {
		s += fmt.Sprintf(" (+%d more)", more)
	}
	if s == "" {
		return "-"
	}
	return s
}

func shortHash(s string) string { return s[:min(12, len(s))] }

const pageHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wirescan report</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
p.total { font-size: 15px; margin: 4px 0; }
.muted { color: #666; fill: #666; font-size: 12px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-size: 11px; fill: #333; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 12px; margin: 6px 0 0 60px; }
.legend span.sw { display: inline-block; width: 11px; height: 11px; margin-right: 5px; vertical-align: -1px; }
table { border-collapse: collapse; font-size: 12px; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.h { white-space: nowrap; }
td.sig { min-width: 240px; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 11px; word-break: break-all; }
.tag { background: #fde2e2; color: #a40000; border-radius: 3px; padding: 0 4px; font-size: 11px; }
</style>
</head>
<body>
<h1>wirescan report</h1>
<p class="total">{{.Total}}</p>
<p class="muted">Hits {{if .R.FirstSeen}}from {{.R.FirstSeen}} to {{.R.LastSeen}}{{end}}{{if .R.Since}}; window from {{.R.Since}}{{end}}{{if .R.Until}} until {{.R.Until}}{{end}}; incidents keyed by {{range $i, $k := .R.By}}{{if $i}}, {{end}}{{$k}}{{end}}; {{.R.Lines}} lines read, {{.R.Damaged}} damaged; generated {{.Generated}}. Times are the events' own (packet times for replayed captures).</p>

<h2>Hits over time</h2>
{{with .Timeline}}{{if .Empty}}<p class="muted">{{.Empty}}</p>{{else}}<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="hits over time per signature">
{{range .Lines}}<line x1="{{f .X1}}" y1="{{f .Y1}}" x2="{{f .X2}}" y2="{{f .Y2}}" stroke="#888"/>
{{end}}{{range .Rects}}<rect x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}" fill="{{.Fill}}"><title>{{.Title}}</title></rect>
{{end}}{{range .Texts}}<text x="{{f .X}}" y="{{f .Y}}" text-anchor="{{.Anchor}}"{{if .Class}} class="{{.Class}}"{{end}}>{{.Text}}</text>
{{end}}</svg>
<div class="legend">{{range .Legend}}<span><span class="sw" style="background: {{.Fill}}"></span>{{.Label}}</span>{{end}}</div>{{end}}{{end}}

<h2>Top incidents</h2>
{{if .Rows}}<table>
<tr><th>#</th><th>hits</th><th>count</th><th>fanout</th><th>signature</th><th>file</th><th>sha256</th><th>clients</th><th>servers</th><th>first seen</th><th>last seen</th><th>protocols</th><th>sensors</th><th>evidence</th></tr>
{{range $r := .Rows}}{{with $r.I}}<tr>
<td class="n">{{$r.N}}</td><td class="n">{{.Hits}}</td><td class="n">{{.Count}}</td><td class="n">{{.Fanout}}</td>
<td class="sig">{{if .Overflow}}<span class="tag">overflow</span> {{end}}{{.Signature}}<br><span class="muted">[{{.GID}}:{{.SignatureID}}{{if .Rev}} rev {{.Rev}}{{end}}]{{if .Rule}} {{.Rule}}{{end}}</span></td>
<td>{{join .Filenames .FilenamesMore}}{{if .Size}} <span class="muted">({{.Size}} bytes)</span>{{end}}</td>
<td class="h">{{if .SHA256}}<code title="{{.SHA256}}">{{hash .SHA256}}…</code>{{else if .SHA256s}}<code>{{join .SHA256s .SHA256sMore}}</code>{{else}}-{{end}}</td>
<td>{{join .Clients .ClientsMore}}</td><td>{{join .Servers .ServersMore}}</td>
<td class="t">{{short .FirstSeen}}</td><td class="t">{{short .LastSeen}}</td>
<td>{{join .Protocols 0}}</td><td>{{join .Sensors .SensorsMore}}</td><td>{{join .Evidence .EvidenceMore}}</td>
</tr>
{{end}}{{end}}</table>{{else}}<p class="muted">no incidents</p>{{end}}

<h2>Hosts per incident</h2>
<p class="muted">Bar: distinct clients that got the same signature on the same file (fanout); in brackets the incident's own clients→servers.</p>
{{with .Hosts}}{{if .Empty}}<p class="muted">{{.Empty}}</p>{{else}}<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="hosts per incident">
{{range .Rects}}<rect x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}" fill="{{.Fill}}"><title>{{.Title}}</title></rect>
{{end}}{{range .Texts}}<text x="{{f .X}}" y="{{f .Y}}" text-anchor="{{.Anchor}}">{{.Text}}</text>
{{end}}</svg>{{end}}{{end}}
</body>
</html>
`
