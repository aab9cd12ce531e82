// Package files turns the (offset, bytes) pieces a protocol parser reports into
// an in-order stream per file and hands that stream to analyzers: hashes, type
// sniffing and the signature scanner.
//
// It knows nothing about HTTP or SMB. A file's bytes may arrive out of order and
// overlapping (SMB reads and writes at offsets); the tracker keeps a bounded
// window of out-of-order pieces, streams the in-order prefix as soon as it
// exists, and turns what it can't place into holes: a file is never dropped
// because a piece is missing, it is reported with gaps and state TRUNCATED.
// Overlapping pieces follow "first copy wins"; when an overlap carries
// different bytes the file records an overlap anomaly (like Suricata's
// smb.file_overlap), an evasion signal.
//
// Memory per file is bounded by Config.MaxWindowBytes and per tracker by
// Config.MaxBufferedBytes; nothing is ever sized by a value read from the wire.
package files
