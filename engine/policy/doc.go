// Package policy decides, for each alert, whether to log it: it silences
// precise false positives and folds floods of identical alerts into
// incidents, without losing count of anything.
//
// # Place in the pipeline
//
// policy sits between the matcher and the sinks. The engine asks Decide
// about every alert (signature id, file SHA-256 when known, source and
// destination address, packet time) before writing it, logs it only when
// Decision.Emit is true, and puts Decision.IncidentID/IncidentCount in the
// event's "wirescan" object. Flush returns the incidents that ended, and the
// engine logs one summary line for each. policy imports no other wirescan
// package.
//
// # Entries and matching
//
// A policy file (see configs/policy.yaml and Load) lists entries. Each entry
// names signature ids, file hashes and hosts; a field left out matches
// anything, and the fields given must all match:
//
//   - sids: the alert's signature id is in the list.
//   - sha256: the hash of the file the alert fired on is in the list. Only
//     alerts on complete files carry a hash, so an alert on a stream, or on a
//     file still open or truncated, never matches an entry with hashes.
//   - hosts: either endpoint is inside one of the prefixes (IPv4 or IPv6; a
//     bare address is a single host). src-hosts and dst-hosts match the
//     source and the destination of the alert (the source sent the bytes
//     that fired). IPv4-mapped IPv6 alert addresses are matched as IPv4.
//   - expires: the entry applies only to alerts whose packet time is before
//     this instant (a date means 00:00 UTC of that day). Replays of old
//     captures therefore see the entry as the traffic did.
//
// Entries are tried in file order and the first that matches decides; later
// entries are not consulted. An expired entry is skipped as if absent.
//
// # Actions
//
// suppress: the alert is not logged (Emit false, Suppressed true), but it is
// counted per signature (Stats.BySID) and per entry (Stats.ByRule), so the
// metrics show what was silenced. A suppress entry must name a sid, a hash or
// a host other than /0; one that names none would silence everything and is
// rejected by Load.
//
// aggregate: identical alerts — the same entry, sid, sha256 (or none),
// source and destination address; ports are ignored because a flood spans
// connections — form an incident. The first hit opens it and is logged
// (Emit true, IncidentID set, IncidentCount 1). A later identical hit at most
// Window after the incident's last hit (packet time) is not logged; it
// raises the count (Decision.IncidentCount is the count so far). A hit more
// than Window after the last one closes the incident and opens a new one,
// which is logged again. Alerts that match no entry are grouped the same way
// when Config.DefaultAggregate is positive, and are all logged otherwise.
//
// Flush(now) returns the incidents closed since the last call: those whose
// last hit is more than Window before now, those superseded by a new
// incident, and those evicted, each with its final count and first and last
// packet times, ordered by ID. Flush(time.Time{}) closes everything, for
// shutdown and before a reload. Incidents with Count 1 are returned too; their
// one alert was already logged, so the engine may skip their summary.
//
// # Limits: capacity and eviction
//
// At most Config.MaxIncidents (default 100000, roughly 400 bytes each)
// incidents are open. Opening one more closes the open incident hit least
// recently; it is returned by the next Flush with Evicted set, and counted
// in Stats.Evictions. A later identical alert then opens a new incident and
// is logged: under pressure the policy logs more lines, never fewer counts.
// Closed incidents wait for Flush in a queue of the same bound; past it the
// oldest is dropped and counted in Stats.SummaryDrops (call Flush at least
// as often as the shortest window to avoid that).
//
// # Concurrency and determinism
//
// A Policy is safe for concurrent use. Matching reads immutable entries
// without locking; one mutex, held for a map lookup and a list move, guards
// the incident table and the counters. With one caller feeding alerts in
// packet order, decisions, incident IDs and Flush output are deterministic.
// With several workers, each incident's hits are still all counted, but
// which hit opens it (and which ID it gets) depends on scheduling.
//
// # Metrics
//
// Stats holds plain counters for the engine to mirror: suppressed alerts
// (total and per sid), alerts folded into incidents, incidents opened,
// evictions, dropped summaries, open incidents and the table limit, and hits
// per entry.
//
// # Not handled yet
//
// Suppression by port or by rule metadata. Rate thresholds in Suricata's
// sense (threshold.config, the threshold: and detection_filter: keywords)
// are engine/threshold's job. Open incidents do not survive a reload: Flush the old policy
// first, then Carry its ID sequence and counters into the new one.
//
// # Example
//
// See Example in example_test.go: it runs with the tests, so it stays true.
package policy
