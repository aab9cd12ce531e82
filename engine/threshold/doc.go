// Package threshold applies Suricata's threshold.config and the rules' own
// threshold: and detection_filter: keywords to alerts, so that an admin
// can silence a false positive precisely, or thin out a flood, with the
// file their Suricata or Snort sensor already uses, and without going
// blind: everything held back is counted.
//
// # Place in the pipeline
//
// threshold sits between the matcher and the sinks, next to engine/policy.
// The engine asks Decide about every alert (gen_id, sig_id, source and
// destination, flow id, packet time and the rule's own keyword) before
// writing it and logs it only when Decision.Emit is true. The package reads
// signatures.Rule.Threshold (a thresholdspec.Spec) and signatures'
// address grammar; it imports no other engine package.
//
// # File format
//
// One entry per line; '#' starts a comment (to the end of the line), a line
// ending in '\' continues on the next, blank lines are skipped. Fields are
// "name value" separated by commas, in any order, each given once:
//
//	suppress gen_id G, sig_id S
//	suppress gen_id G, sig_id S, track by_src|by_dst|by_either, ip ADDRESSES
//	threshold gen_id G, sig_id S, type limit|threshold|both, track T, count N, seconds T
//	event_filter (the same fields as threshold: Snort's name)
//	rate_filter gen_id G, sig_id S, track T, count N, seconds T, new_action A, timeout T
//
// T (track) is by_src, by_dst, by_rule, by_both (the address pair, both
// directions alike) or by_flow. ADDRESSES is the address grammar of rule
// headers: an address, a CIDR, "any", "!" negation, "[a,b,!c]" lists,
// nested, and $VARIABLES from the map given to Parse (an undefined one is
// an error, never "any"). A is alert, drop, pass, reject, sdrop or log.
// gen_id is 1 for wirescan rules unless a rule sets gid. sig_id 0 selects
// every signature of gen_id G, and gen_id 0 with sig_id 0 every signature;
// gen_id 0 with another sig_id is an error, as in Suricata. Numbers are
// unsigned 32-bit; count, seconds and timeout are at least 1.
//
// Parse checks every entry and returns all problems of a file together
// (Errors, at most MaxErrors), each as "threshold: FILE:LINE: what is
// wrong": an unknown keyword, field, type, track or action is named, as is
// a missing or repeated field or a bad number. Config.Check lists what
// loads but is probably a mistake (for `wirescan policy check`).
//
// # Which entries apply
//
// As in Suricata, for an alert of signature G:S:
//
//  1. Suppressions come first. Any suppress entry for G:S, G:0 or 0:0
//     whose ip list holds the alert's source (by_src), destination
//     (by_dst) or either (by_either) silences it; one without track
//     silences the signature entirely. A suppressed alert touches no
//     threshold counter.
//  2. The threshold is, in this order of precedence: the last threshold or
//     event_filter entry for exactly G:S (it overrides the rule's own
//     keyword); else the rule's threshold: or detection_filter: keyword;
//     else the first wildcard entry (sig_id 0, gen_id 0 or G, of any
//     counting kind) in file order, which applies only to signatures with
//     no keyword of their own and no exact entry.
//  3. The rate filters are the rate_filter entries for exactly G:S (or the
//     wildcard of step 2), all counted, in file order. As in Suricata they
//     don't apply to a rule that has its own threshold keyword.
//
// An alert the threshold holds back is not counted by the rate filters.
//
// # Semantics (packet time)
//
// Windows start at a counter's first hit and are measured in packet time
// (Alert.Time), never the wall clock, so a replay decides the same way on
// every run. Per counter (one per signature and tracked address, pair,
// flow, or the whole rule):
//
//   - limit: the first count hits of each seconds window alert.
//   - threshold: every count-th hit within the window alerts (count 1:
//     every hit); the window is not restarted by an alert.
//   - both: the count-th hit of a window alerts, no other.
//   - detection_filter (rule keyword): every hit after the first count of a
//     window alerts, as Suricata does (count 15 → from the 16th hit).
//   - backoff (rule keyword, track by_flow): hits count, count×multiplier,
//     count×multiplier², … alert.
//   - rate_filter: the hit after count hits within seconds puts new_action
//     in effect for timeout seconds; the first hit after the timeout ends
//     it. wirescan is a passive sensor and blocks nothing: with pass the
//     alert is not emitted (counted in RatePassed); with alert or log it is
//     emitted; with drop, sdrop or reject it is emitted and
//     Decision.Action carries the action, so the event can show it.
//
// # Limits: capacity and eviction
//
// Counters live in one table of at most Options.MaxTracked entries
// (default 65,536). A counter costs at most about 260 bytes (a 112-byte
// node and its index entry; measured by BenchmarkTableMemory at 40k–140k
// counters), so the default table stays under 17 MiB. When the table is
// full, the counter hit least recently is dropped and counted
// (Stats.Evictions); its next hit starts afresh, so under pressure the
// filter may let more alerts through, never fewer counts. A threshold.config
// is read with bounded memory: an entry over MaxLineBytes is an error, and
// a file over MaxEntries entries is refused.
//
// # Concurrency and determinism
//
// A Filter is safe for concurrent use: matching reads immutable indexes
// without locking, and one mutex guards the counters. Decide allocates
// nothing once the table has grown. With one caller feeding alerts in
// packet order, decisions are deterministic.
//
// # Metrics
//
// Stats holds plain counters for the engine to mirror: alerts suppressed,
// thresholded, rate-filtered and rate-passed (in total and per sig_id),
// alerts decided per entry, evictions, and the table's use and limit.
// Carry keeps the counters (and the threshold windows) across a reload.
//
// # Not handled yet
//
// Snort's ip lists separated by spaces, suricata-update's "re:" selectors,
// detection_filter's unique_on (such rules are skipped as unsupported), and
// per-entry memcaps (Suricata's detect.thresholds.memcap is one table
// limit here too).
//
// # Example
//
//	cfg, err := threshold.Load("/etc/wirescan/threshold.config", vars)
//	if err != nil { return err } // threshold: /etc/…/threshold.config:7: suppress: unknown track "by_host" (want by_src, by_dst, by_either)
//	f, err := threshold.New(cfg, threshold.Options{})
//	d := f.Decide(threshold.Alert{GID: r.GID, SID: r.SID, Src: src, Dst: dst, Flow: flowID, Time: pktTime, Rule: r.Threshold})
//	if d.Emit { log(alert, d.Action) }
package threshold
