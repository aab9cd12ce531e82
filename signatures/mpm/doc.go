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
// Patterns of at least 4+stride-1 bytes ("long"; stride 1–16, chosen per
// Matcher by estimated cost) are found by a prefilter: each puts stride
// consecutive 4-byte windows, placed on its rarest bytes, into a blocked
// Bloom filter of 32–64 bits per window (at most 2 MiB); a Scan tests one
// case-blurred window every stride bytes, and only a filter hit looks up a
// bucket and compares whole patterns. An occurrence that straddles two Scans
// is found by scanning the stream's tail (the last longest-pattern-1 bytes,
// kept in the State) joined to the head of the next buffer. Shorter patterns
// run through an Aho–Corasick automaton whose state the State carries. So
// the cost of a Scan is one filter test per stride bytes, one automaton step
// per byte when short patterns exist, and about 2×MaxLen/stride tests at the
// boundary: on benign data roughly 0.3–2 ns per byte for 1k–100k patterns,
// growing with the set only as the filter outgrows the CPU caches. Data
// dense in pattern windows pays a bucket lookup per hit.
//
// Memory: the filter (≤ 2 MiB), ~12 bytes per window plus the pattern bytes,
// and for short patterns about 20 bytes per automaton state plus dense rows
// (4 bytes × byte classes each, Options.DenseBytes). There is no automaton
// over the long patterns: a 100k-pattern Matcher of 6–64-byte literals holds
// about 11 MiB. A State holds 4 bytes of automaton state and a 63-byte tail
// (a longer one, allocated on first use, when the longest pattern exceeds 64
// bytes: signatures splits longer literals). MemoryBytes counts all of it.
//
// # Limits
//
// Options.MaxStates bounds the automaton of short patterns (Compile fails
// with ErrLimit beyond it); the filter is capped at 2 MiB (beyond about 500k
// windows its false hits grow); pattern bytes at 4 GiB. Internals are in
// DESIGN.md.
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
