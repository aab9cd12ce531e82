// Package mpm is wirescan's multi-pattern matcher: it finds every occurrence
// of a fixed set of byte strings in a stream, comparing ASCII letters
// case-insensitively, and knows nothing about rules. signatures compiles every
// literal of a rule set into one Matcher and turns its hits into rule
// candidates (case-sensitive spellings are verified there).
//
// # Semantics
//
// Compile takes patterns by id (the index). Scan continues one stream, held
// in a State, with the next buffer and reports each occurrence once, in the
// Scan whose buffer holds its last byte, with its end offset relative to that
// buffer; occurrences may begin in earlier buffers. Hits of one Scan are
// ordered by end and, at the same end, longest first (then by id), which is the order an
// Aho–Corasick walk reports them. Splitting a stream differently never changes
// the hits (only which Scan reports them). State.Reset starts over: nothing
// matches across it (a gap in the stream).
//
// # Time per byte and memory per pattern
//
// Scans of at least max(256, 4×MaxLen) bytes use a prefilter: patterns of at
// least 4+stride-1 bytes (stride 1–16, chosen per Matcher by estimated cost)
// put stride consecutive 4-byte windows, placed on their rarest bytes, into a
// blocked Bloom filter of about 32 bits per window (at most 2 MiB); the scan
// tests one case-folded window every stride bytes, and only a filter hit
// looks up a bucket and compares whole patterns. Shorter patterns run through
// a small automaton of their own. The full Aho–Corasick automaton walks only
// the first bytes of a Scan while a match begun earlier is alive, and the last
// MaxLen-1 bytes to leave its state for the next Scan; smaller Scans walk it
// over every byte. On benign data this is roughly 0.5–1.5 ns per byte for
// 1k–100k patterns; data dense in pattern windows costs a bucket lookup per
// hit.
//
// The automaton holds about one state per distinct pattern byte at roughly 20
// bytes per state, plus dense rows (4 bytes × byte classes each, 4 MiB by
// default: Options.DenseBytes trades memory for speed on small Scans). The
// prefilter holds ~12 bytes per window plus the filter. A State is 4 bytes.
// MemoryBytes counts all of it.
//
// # Limits
//
// Options.MaxStates bounds the automaton (Compile fails with ErrLimit beyond
// it); the filter is capped at 2 MiB and its windows at 512 Ki; pattern bytes
// at 4 GiB.
//
// # Serialised form
//
// AppendBinary writes a Matcher as flat little-endian arrays and Decode reads
// them back without rebuilding anything (signatures caches compiled sets this
// way). Decode checks every size and index it relies on, so a damaged buffer
// gives an error, never a Matcher that panics; it does not detect a changed
// value that stays in range: the caller checksums the bytes.
//
// # Example
//
//	m, err := mpm.Compile([][]byte{[]byte("evil"), []byte("EICAR")}, mpm.Options{})
//	var st mpm.State
//	var hits []mpm.Hit
//	for chunk := range chunks {
//		hits = m.Scan(&st, chunk, hits[:0])
//		for _, h := range hits { report(h.ID, h.End) }
//	}
//
// A Matcher is safe for concurrent use; a State belongs to one stream.
package mpm
