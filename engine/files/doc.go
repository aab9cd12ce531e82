// Package files turns the (offset, bytes) pieces a protocol parser reports into
// an in-order stream per file and hands that stream to analyzers: hashes, type
// sniffing and the signature scanner. It also joins the files whose pieces
// travel over several connections, handled by any worker, into one file.
//
// # Pipeline
//
// protocol parser → app.Sink (engine) → Tracker.Open / File.Write / Gap /
// Close → Consumer (engine: scanner, fileinfo). Each worker owns a Tracker;
// the workers' trackers share one Joiner.
//
// It knows nothing about HTTP or SMB beyond the identities in app.FileMeta.
// A file's bytes may arrive out of order and overlapping (SMB reads and
// writes at offsets); the tracker keeps a bounded window of out-of-order
// pieces, streams the in-order prefix as soon as it exists, and turns what
// it can't place into holes: a file is never dropped because a piece is
// missing, it is reported with gaps and state TRUNCATED. Overlapping pieces
// follow "first copy wins"; when an overlap carries different bytes the
// file records an overlap anomaly (like Suricata's smb.file_overlap), an
// evasion signal.
//
// # Joined files
//
// Two kinds of files arrive over several TCP connections, which the engine
// dispatches to workers by connection:
//
//   - HTTP ranges: a 206 response that is not the whole resource is a part
//     of the resource's joined file (key: resource and total length). The
//     part streams and hashes its range; the joined file gets the bytes at
//     the range's offset and is the one scanned.
//   - SMB 3 opens: a file whose app.SMBOpen says another connection may
//     carry the same open (a multichannel session, a durable or resilient
//     handle) is registered under its identities (server and session and
//     persistent FileId; the durable handle's CreateGuid or persistent
//     FileId). While no other connection shows up it is an ordinary file,
//     at no cost per byte. When a file of the same open arrives on another
//     connection, the first file's stream (in-order point, window, hashes,
//     scan state) becomes the joined file, and every connection's file
//     becomes a part that only counts and forwards its bytes. A durable
//     open whose connections all ended is kept for a reconnect up to
//     Config.JoinTimeout.
//
// A joined file is owned by one worker (the one whose connection opened it):
// only that worker writes, scans and closes it, so scanning needs no lock
// and its events use that worker's connection. Parts on other workers send
// copies of their pieces to the owner's inbox, which the owner drains
// between packets (Tracker.Poll). With one worker nothing is sent or waited
// for, and the output is deterministic. With several, a joined SMB file (or
// an open's first file) ends once every worker has processed the packet
// that ended it (Tracker.Progress), so a part still queued on a slower
// worker is never cut off. DESIGN.md has the details.
//
// Parts are logged as their own fileinfo (File.Part: not scanned, marked
// wirescan.file_part; an SMB part carries no hashes since its bytes are not
// one file), the joined file once more with every byte (File.Joined,
// wirescan.file_parts).
//
// # Limits
//
// Memory per file is bounded by Config.MaxWindowBytes and per tracker by
// Config.MaxBufferedBytes; nothing is ever sized by a value read from the
// wire. Joining is bounded engine-wide: MaxJoinedFiles joined files (the
// joining worker closes its oldest, JoinEvicted, or leaves the new file
// unjoined and scanned on its own, JoinRefused), MaxJoinCandidates
// registered SMB opens (the oldest is forgotten, JoinCandidatesEvicted),
// MaxJoinWaitingBytes of pieces in flight between workers (beyond, a piece
// is dropped, JoinDroppedBytes, and the joined file gets a hole and ends
// TRUNCATED), JoinTimeout of packet time for a joined file without open
// parts (JoinExpired). Every counter is in Stats, mirrored as
// wirescan_files_* metrics and in the stats event's wirescan.file_join.
//
// # Not handled
//
// SMB opens seen without their connection's NEGOTIATE (no ServerGuid), SMB1,
// a handle made resilient after its first data. Joined files are logged
// with the connection of their first file: an alert on a joined file names
// that flow, even when the matching bytes came over another.
//
// # Example
//
//	t := files.NewTracker[*conn, *scan](&cfg, &stats, consumer)
//	t.Join(joiner, workerIndex) // shared by the workers
//	f := t.Open(meta, c)        // per parser FileOpen
//	f.Write(off, b)             // per FileData
//	f.Close(false)              // per FileClose
//	t.Poll()                    // between packets
package files
