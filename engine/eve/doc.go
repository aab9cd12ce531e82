// Package eve writes wirescan's events as Suricata-compatible EVE JSON, one
// event per line.
//
// # Place in the pipeline
//
// eve is a sink at the end of the pipeline: the engine turns alerts, file
// records, protocol transactions, anomalies, flow ends and statistics into
// plain Event values and hands them to a Writer (any io.Writer) or a
// FileWriter (an append-only log file that can be reopened for logrotate).
// eve imports no other wirescan package. LineEncoder encodes one event into
// bytes exactly as Writer writes it, for outputs that send each line to
// several destinations (engine/output encodes once and fans out).
//
// # Compatibility
//
// Every key outside the top-level "wirescan" object uses Suricata's name and
// JSON type, so an EVE consumer (Elastic, Splunk, jq scripts, Suricata's own
// schema) reads wirescan's output unchanged. Lines for the event types wirescan
// shares with Suricata validate against Suricata's etc/schema.json; package
// evetest does that check in tests. wirescan's additions (match offsets, rule
// file and line, file byte accounting, incident grouping) live only under
// "wirescan" (type Extra), so the Suricata keys stay exactly Suricata's.
//
// Timestamps are packet timestamps rendered in UTC in Suricata's layout,
// 2006-01-02T15:04:05.000000+0000.
//
// # Limits
//
// A Writer buffers output (DefaultBufferSize) and holds nothing else; an
// event's size is bounded by what the engine puts in it. Write errors are
// sticky: after the first failed write to the underlying io.Writer every
// later call returns an error.
//
// # Example
//
// See ExampleWriter in example_test.go: it runs with the tests, so it stays true.
package eve
