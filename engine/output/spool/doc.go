// Package spool is the on-disk queue behind every network output: when a
// sink (Redis, NATS, syslog, a unix socket) is down or slower than the
// sensor, lines go to the spool instead of being lost, and are delivered
// from it, oldest first, once the sink is back, in this run or the next.
//
// # Place in the pipeline
//
// engine → output.Mux → a queued output → spool (this package) → sink.
// The spool stores opaque records; it knows nothing about EVE or sinks.
//
// # Format
//
// A spool is a directory of segment files named by a 64-bit hex sequence
// number (0000000100000000.seg, ...), read in that order. Each segment
// starts with the 8-byte magic "WSSPOOL1" followed by records framed as
// length (uint32, big endian), CRC-32C of the payload (uint32) and payload.
// A record cut short by a crash is ErrTruncated, a bad checksum or an
// impossible length is ErrCorrupt: the reader stops at the last intact record
// of that segment and counts the damage (Corrupt), so garbage is never
// delivered. Appends are buffered and synced at Close; a crash can lose the
// last unflushed appends but never corrupts what was synced.
//
// Delivered records are committed: a fully committed segment is deleted; the
// position inside partly delivered segments is written to the file "cursor"
// (at Close and at most once a second), so a restart after a clean exit
// redelivers nothing and a restart after a crash redelivers at most the
// records of the last second (at-least-once). The file "owner" names the
// output the spool belongs to; opening it for another output is an error, and
// the file "lock" is held (flock) while the spool is open, so two outputs or
// two processes never share one.
//
// # Limits
//
// Config.MaxBytes caps the segment files together (Append returns ErrFull:
// the caller counts a drop); whole segment files count, including the
// delivered part of the head segment until it is deleted.
// Config.MaxRecordBytes bounds one record, Config.SegmentBytes the size at
// which a new segment starts. Memory use is one 64 KiB write buffer, one
// read buffer and one batch.
//
// # Example
//
//	s, _ := spool.Open(spool.Config{Dir: "/var/log/wirescan/spool/redis0", MaxBytes: 1 << 30})
//	_ = s.Append(line)
//	b, _ := s.Peek(256, 1<<20)
//	if deliver(b.Records) == nil {
//		_ = s.Commit(b)
//	}
//	_ = s.Close()
package spool
