package reassembly

// Stats counts what reassembly saw and did. Fields are plain counters that
// only grow; the engine mirrors them into Prometheus at scrape time. A Stats
// value is not safe for concurrent use: give each worker its own and share it
// between the Streams that worker owns.
type Stats struct {
	// Segments is every segment passed to Add.
	Segments uint64
	// PayloadBytes is the sum of payload lengths passed to Add.
	PayloadBytes uint64
	// InOrderBytes were delivered straight from the arriving segment, without a copy.
	InOrderBytes uint64
	// ReassembledBytes were delivered from the out-of-order buffer.
	ReassembledBytes uint64
	// OutOfOrderSegments had at least one byte ahead of a hole (buffered or,
	// at the memcap, dropped).
	OutOfOrderSegments uint64
	// Retransmissions brought no new byte: everything was delivered or buffered already.
	Retransmissions uint64
	// Overlaps brought new bytes but also overlapped bytes already seen.
	Overlaps uint64
	// OverlapsDiffering overlapped bytes already seen with different content.
	OverlapsDiffering uint64
	// Gaps is the number of Handler.Gap calls; GapBytes their total length.
	Gaps, GapBytes uint64
	// MemcapDrops counts segment pieces not buffered because the memcap was full.
	MemcapDrops uint64
	// WindowDrops counts skips forward because a direction's buffer limits were exceeded.
	WindowDrops uint64
	// SegmentsAfterClose carried data after their direction ended or beyond its FIN.
	SegmentsAfterClose uint64
	// OutOfWindowDrops had a sequence number further than a maximal TCP window away.
	OutOfWindowDrops uint64
	// NoSynDrops carried data or FIN in a direction never started, with Midstream off.
	NoSynDrops uint64
	// InvalidResets were RSTs ignored because their sequence number was out of window.
	InvalidResets uint64
	// InvalidTimestamps counts segments discarded by timestamp validation
	// (Config.ValidateTimestamps): stale TSval, missing timestamp once
	// negotiated, or a handshake reply echoing a timestamp never sent.
	InvalidTimestamps uint64
	// LateGapData counts segments carrying bytes of a range already reported as a Gap.
	LateGapData uint64
	// HistoryMemcapHits counts history buffers not grown because the memcap was full.
	HistoryMemcapHits uint64
	// HistoryReleases counts histories freed because the receiver had
	// acknowledged everything delivered (or the direction ended).
	HistoryReleases uint64
	// UnackedDiscardedBytes counts buffered bytes dropped at a RST because the
	// receiver never acknowledged them.
	UnackedDiscardedBytes uint64
}
