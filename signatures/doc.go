// Package signatures loads Suricata rules and ClamAV signatures, compiles them
// into one immutable Set, and matches files and streams against it incrementally.
//
// It sits between the file tracker (which hands it in-order file bytes, gaps and
// end-of-file facts) and policy (which receives Matches). It knows nothing about
// packets, protocols or output formats: protocol facts arrive in a Context.
//
// # Match semantics
//
// A rule matches a file (or one direction of a stream) when every condition holds
// for some choice of content occurrences: contents of one buffer linked by
// distance/within form a chain and must occur in order with those gaps; contents
// without distance/within are independent. A rule is reported at most once per
// Scanner, at the end offset (exclusive) of the content occurrence that completed
// it. Streaming does not change results: bytes fed whole, one at a time or in any
// split give the same matches and offsets, and no byte is scanned twice. Across a
// Gap no pattern matches, and offsets keep counting the missing bytes. Rules that
// need end-of-file facts (negated contents, endswith, isdataat, bsize, filesize,
// hashes, file magic, ClamAV EOF offsets and hash signatures) are reported by End;
// until then a verdict involving them is tentative. Header, flow, file-name and
// protocol-buffer conditions are decided once, when the Scanner starts.
//
// ClamAV logical signatures (.ldb, ldb.go) are matched the same way, one
// chain per subsignature: a subsignature's count is the number of distinct
// end offsets at which it matched (ClamAV counts distinct start offsets;
// the two agree for fixed-length subsignatures), the logical expression is
// evaluated on the counts as libclamav does (no operator precedence; block
// modifiers =X, >X, <X with ",Y" distinct subsignatures), and the target
// description is checked: Target 0 and 7 (matched raw, as .ndb), 1 (a PE
// file whose headers parse), 2, 5, 6, 9, 10, 11, 12 (by magic bytes at
// offset 0), FileSize, EntryPoint (the entry point's file offset),
// NumberOfSections, Container:CL_TYPE_ANY (every file wirescan scans is a
// root object); Engine is accepted and not checked. An expression without
// '=' and '<' and without FileSize is reported as soon as it holds, at the
// end offset of the occurrence that made it hold; the others at End.
// Subsignature offsets EP+n, EP-n, Sx+n, SEx and SL+n (each with ",shift")
// are resolved from the PE headers, which the Scanner parses from the
// bytes it is given (pe.go); candidates of signatures that need the headers
// wait, in order, until the headers are parsed or known absent, so nothing
// is missed and results do not depend on chunking (DESIGN.md). .ndb
// signatures with another target or a PE offset load as one-subsignature
// logical signatures. A PCRE subsignature ("Trigger/PCRE/Flags") is a
// streamed pcre whose count (its first match; every match with g) counts
// only when its trigger holds at End; such signatures are decided at End.
//
// A rule with an app-layer-event or stream-event besides content matches
// its content only on a connection where the anomaly was raised
// (MatchEvent records it in Context.Flow); a rule mixing raw stream content
// and file_data matches a file when its stream part matched in the file's
// direction of the connection (mixed.go). Both are decided again at End
// when the condition came after the content.
//
// Exactness has one documented bound: per rule and per chain element a Scanner
// remembers at most 64 recent candidate positions (and spends at most 1024 steps
// per candidate). Inputs that produce more live candidates than that for one rule
// (say content:"a"; content:"b"; distance:1000; within:10 over a megabyte of "a")
// may miss that rule; Scanner.Overflow counts every such drop.
//
// # Time per byte and memory per pattern
//
// Every literal of every rule is one pattern of one matcher (signatures/mpm):
// literals of at least 4+stride-1 bytes are found by a hashed-window
// prefilter tested every stride bytes, shorter ones by a small Aho–Corasick
// automaton; only a pattern hit becomes a candidate, and only candidates'
// rules are verified. On benign data a Write costs roughly 0.3–2 ns per byte
// for 1k–100k patterns (the filter outgrowing the CPU caches is what grows
// with the set) plus a fixed ~40 filter tests for occurrences straddling
// Writes; data dense in pattern windows costs a bucket lookup per hit.
// Literals are at most 64 bytes (longer contents are split into adjacent
// pieces), so a Scanner holds the matcher's 4-byte state and 63-byte tail,
// an 8-byte offset, a 63-byte tail for case-sensitive verification (only when
// some pattern is case-sensitive), a reusable list of the current Write's
// hits and, lazily, a small progress record per rule that had a candidate.
//
// Per file, NewScanner costs one lookup of the rule groups of its context
// class (kind, protocol, direction) plus one scan of the context's protocol
// buffers for the literals that groups with buffer or file-name conditions
// need, evaluating only the groups whose literal occurs: never a pass over all
// rules. Per transaction, MatchTransaction does the same over the transaction
// rules. Set.Stats().MemoryBytes
// counts the matchers and the per-rule tables: about 20 MiB for 100k 6–64-byte
// literal rules (bench/README.md has the process RSS).
//
// # Compiled-set cache
//
// With Options.Cache, Load reads a Set compiled earlier from the same rule
// files (bytes, not times), options and wirescan build from a directory
// instead of parsing and compiling: rules are then parsed only when first
// needed (a candidate, a hash lookup) except those needed at load (flowbits,
// transforms, hash lists, transaction rules, ...). Entries are checksummed
// and checked on read; a damaged one is compiled again and rewritten
// (CacheStats.Rebuilt), never used. Matches are the same with and without
// the cache. See Cache.
//
// # Limits
//
// Every input-driven size is bounded (Options): line length, rules per set,
// automaton states (short literals), warnings, hash-list lines; and per
// rule: 256 content items, 16 KiB per content, 1024 ClamAV elements with at most 256 literal alternatives
// each; 64 subsignatures and 512 expression nodes per logical signature.
// A rule over a per-rule limit is skipped with a Warning; a set over a set
// limit fails to load with an error wrapping ErrLimit. Per Scanner, the PE
// header parser reads only the headers it needs, gives up on headers ending
// past 1 MiB or with more than 96 sections (the file is then not a PE file
// for logical signatures) and holds at most 3840 bytes; at most 1024
// candidates wait for the headers (more are dropped and counted in
// Scanner.Overflow).
//
// # Not handled yet
//
// pcre on file data or streams whose match is unbounded (.*, +, {n,}) or
// that is neither anchored (^, /A) nor begins with a literal of at least 3
// bytes (see below), hash transforms (to_md5, ...) on file data, stateful
// keywords beyond flowbits, xbits, absent and frame (and xbits' "track tx");
// in ClamAV logical signatures: Target 3
// (HTML) and 4 (mail), which ClamAV matches normalized, Container types
// other than CL_TYPE_ANY, Intermediates, IconGroup1/2, HandlerType,
// EntryPoint and NumberOfSections on ELF and Mach-O, the VI offset, macro
// and byte compare subsignatures, PCRE subsignatures the streamed pcre
// support can't take (see below; also with an offset, the x flag, or in a
// signature that needs the file's headers), the fullword modifier (::f),
// and the hex constructs !(...), [x-y], (B), (L), (W). Each is skipped with
// a Warning naming it.
//
// xbits (xbits.go) are evaluated where flowbits are, against the store and
// the packet clock the caller passes in Context.XBits and Context.Now (the
// engine's table is engine/xbits; see DESIGN.md).
//
// pcre on file data and streams (pcre_stream.go) is checked on a window of
// its maximum match width W (+1 byte when \b, \B or $ may look past it,
// at most 4 KiB): a relative anchored pcre (/^…/R) at the previous
// content's end, an anchored one (/^…/) at offset 0, an unanchored one at
// each occurrence of its literal prefix (\b(eval|alert)…), which joins the
// automaton. A trailing (and, unanchored, leading) part that can match the
// empty string (\s*, .*) is dropped when nothing after the pcre uses its
// end; the reported offset then ends at the shorter match. A pcre match is
// known up to W bytes after its start, so the rule reports then (or at
// End). Case folding of such literals is ASCII only (Go's (?i) also folds
// k and s to U+212A and U+017F). Each chain keeps at most 64 pending
// checks (the rest counted in Scanner.Overflow) and the Scanner keeps the
// last 2W+64 bytes or so; no window spans a Gap. Results equal Go regexp on
// the whole buffer for any chunking.
//
// tcp-pkt rules are whole-buffer rules on one TCP segment's payload:
// Set.MatchPacket, never a Scanner.
//
// Raw stream rules (content without a buffer on alert tcp/http/...) with an
// absolute anchor (a chain-starting content with offset, depth or
// startswith, a first content with distance or within, an absolute isdataat
// or bsize) have Suricata's chunk semantics: Suricata inspects the raw
// stream in chunks (the data newly reassembled since the last inspection)
// and counts absolute positions from the chunk's start, so
// content:"|fe|SMB"; depth:8 means "a chunk starting with an SMB message".
// Such a rule is decided by Set.MatchChunk on each chunk the caller
// delivers, as a whole buffer (pcre, endswith and negation included), at
// most once per chunk, never by a Scanner; results therefore depend on how
// the stream is chunked. Unanchored stream rules keep whole-stream
// semantics on the Stream Scanner: matches span chunks, once per Scanner.
//
// Transforms (transform.go) run whole on protocol buffers and incrementally on
// file data (offsets then count transformed bytes). Flowbits (flowbits.go) live
// in a per-connection FlowState passed in Context.Flow; noalert rules match
// with Match.NoAlert set. Context.Profile attributes matching cost to rules.
// The threshold: and detection_filter: keywords only fill Rule.Threshold
// (package thresholdspec): matching ignores them, and engine/threshold
// applies them to the alerts.
//
// # Example
//
// See Example in example_test.go: it runs with the tests, so it stays true.
package signatures
