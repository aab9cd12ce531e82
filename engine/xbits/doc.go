// Package xbits is the engine's table of Suricata xbits: named bits shared
// by every connection of a host (track ip_src, track ip_dst) or of an
// address pair (track ip_pair), expiring in packet time. A rule on one
// connection sets a bit ("this pair sent a blacklisted file"), and rules on
// later connections between the same hosts test it.
//
// # Place in the pipeline
//
// The signatures package parses xbits keywords and evaluates them where it
// evaluates flowbits; it resolves them through the signatures.XBits
// interface, which *Table implements. The engine creates one Table (never
// one per worker, never package state) and every connection's detection
// state (engine/detect) hands it to the rules with the packet time. The
// table keys bits by name, not by an index of one rule set, so bits set
// before a rule reload hold after it.
//
// # Semantics
//
// As in Suricata (detect-xbits.c, ippair-bit.c, host-bit.c), a bit set at
// packet time t with lifetime E seconds expires at second t.Unix()+E and
// is set while the packet time's second is at most that: time is counted
// in whole seconds. Setting a set bit renews its expiry. An expired bit is
// unset for isset, isnotset and toggle. Host bits of ip_src and ip_dst
// share one bit per (name, address).
//
// Expired bits are removed by Expire(t), which says no caller will ask
// about a time before t any more. With several workers at different packet
// times (parallel replay), the engine passes the earliest time any worker
// may still process, so the worker behind never loses a bit the worker
// ahead already sees expired; a lookup never removes anything.
//
// # Capacity and eviction
//
// Config.MaxEntries (detect.xbits-max, default 65536) bounds the bits held.
// Setting a new bit in a full table first drops the bits Expire allows,
// then the bit with the earliest expiry (ties: the least recently set),
// counted in Stats.Evicted unless it had expired at the setter's time. Each bit costs about 250 bytes (its map entry, heap slot
// and name header, measured by TestMemoryPerEntry; the name's bytes belong
// to the rule), so the default limit holds about 16 MiB. Stats.Entries and
// Stats.Limit are the gauges, Stats.Evicted and Stats.Expired the
// counters; engine/metrics exports them as wirescan_xbits_entries,
// wirescan_xbits_entries_limit, wirescan_xbits_evictions_total and
// wirescan_xbits_expired_total, and the EVE stats event as wirescan.xbits.
//
// # Concurrency
//
// A Table is safe for concurrent use: one mutex guards it, taken only when
// a rule with an xbits keyword is evaluated. With several workers, two
// connections of one pair may run on different workers, so whether a test
// sees a set depends on their interleaving, as in Suricata ("the order of
// sets and checks can be slightly unpredictable"); with one worker the
// results are deterministic.
//
// # Not handled
//
// Suricata's "track tx" (bits per transaction), the hostbits keyword, and
// the unix-socket commands that list or change host bits.
package xbits
