// Package report turns a flood of EVE alerts into incidents, so an analyst
// sees at once what is going on: 2,700 identical alerts on an inventory
// scanner's executable pulled over SMB become one line with a count, the
// file, the hosts and when it started.
//
// # Place in the pipeline
//
// report is an analysis package after the sensor: it reads EVE JSON that
// wirescan or Suricata wrote (files, gzip files, standard input, or any other
// Source such as a Redis stream or a NATS subject) and imports nothing from
// the engine. `wirescan report` is its command.
//
// # Input and output
//
// A Source yields lines; an Aggregator consumes them one at a time and never
// holds more than one line. Non-alert lines take a fast path: a structural
// scan (strings terminated, brackets balanced, one object per line) that picks
// out the top-level event_type and flow_id without decoding. Alert, incident,
// and fileinfo/flow lines that complete a waiting alert are decoded in full.
// A line that fails either check is damage: it is counted and reported as
// "NAME:LINE: what is wrong", and reading goes on.
//
// An incident is a signature (gid:sid) × file SHA-256 × client × server
// (Config.By can drop or add fields, e.g. sid,sha256 to collapse hosts).
// Client and server come from Suricata 7's "flow" object (src_ip is the
// client) when present, else from "direction" (to_client: the source is the
// server), else the source is taken as the client. Alerts without a file
// have sha256 "". An alert on a file that was still open carries no hash:
// it waits (bounded) for the fileinfo event of the same sensor, flow,
// transaction and file name, and is counted without a hash if its flow ends
// or the input does first.
//
// wirescan's alert policy writes "incident" summary lines for aggregated
// floods: their first hit was logged as an alert carrying the incident id,
// the others only counted. Count is the number of alert lines; Hits adds
// incident_count-1 per summary, attributed to the incident of the alert that
// opened it (by sensor and incident id), or to one keyed by the summary's
// signature and addresses when that alert was not read. Report.Alerts is the
// number of alert lines counted and the incidents' counts sum to it exactly.
//
// Since/Until keep events whose own timestamp lies in the window; a
// summary counts whole when its timestamp (its last hit) does. Timestamps are
// the events' (packet times for replayed captures).
//
// The Report has every incident in a deterministic order (hits, then count,
// then key), counters, and a timeline of hits per busiest signature. It is
// written as a text table (WriteText), JSON (WriteJSON) or a self-contained
// HTML page with inline SVG (WriteHTML). Input text is escaped in every form:
// file names, signatures and sensor names are attacker-controlled.
//
// # Limits: capacity and overflow
//
// Memory grows with the number of distinct incidents, never with the number
// of lines or alerts; every table is bounded by Config:
//
//   - MaxIncidents (1,000,000): a new key beyond it is folded into one
//     overflow incident per signature (Incident.Overflow), so counts stay
//     exact; Stats.Folded counts the alerts folded.
//   - MaxSignatures (10,000): signatures with a timeline series and an
//     overflow incident of their own; the rest share "other signatures" and
//     one catch-all overflow incident (signature 0).
//   - MaxListed (10) distinct values per list of an incident (file names,
//     hosts, sensors, evidence); the rest are counted in *_more through a
//     table of MaxDistinct (4,000,000) hashed values; when that is full the
//     counts are lower bounds (Incident.Capped).
//   - MaxPending (100,000) alerts waiting for their file's hash; past it the
//     oldest is counted without one (Stats.PendingEvicted).
//   - MaxLineBytes (16 MiB) per line; a longer line is damage.
//   - MaxBuckets (240) fine timeline buckets per signature: the timeline
//     starts at 1 s buckets and moves to the next round width (5 s, 10 s,
//     30 s, 1 m, 5 m, 15 m, 1 h, 6 h, 1 d, 7 d, ...) when the range seen
//     outgrows them; the report merges them to about TargetBuckets (60).
//
// # Metrics and events
//
// None: report is a batch tool. Stats counts lines, damaged lines, alerts,
// summaries, hits, events outside the window, folded alerts and alerts
// counted without a hash, and the JSON output carries them.
//
// # Not handled yet
//
// An alert whose "files" lists several files is grouped by the first one
// naming the alert's sid. Summary hits are spread evenly over the summary's
// first..last hit in the timeline (only their total is known). wirescan's
// policy incident ids restart with the engine; a summary joins the latest
// alert read with its sensor and id.
//
// # Example
//
//	agg, err := report.NewAggregator(report.DefaultConfig())
//	if err != nil { return err }
//	src, err := report.Open("eve.json.gz", os.Stdin, 0)
//	if err != nil { return err }
//	defer src.Close()
//	err = agg.Feed(src, func(d *report.DamageError) { fmt.Fprintln(os.Stderr, d) })
//	rep := agg.Report()
//	rep.WriteText(os.Stdout, 20)
package report
