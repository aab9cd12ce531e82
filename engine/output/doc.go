// Package output sends EVE events to any number of destinations: files,
// standard output, Redis, NATS JetStream, syslog and unix sockets, without
// ever losing an event silently and without letting a slow or dead
// destination stall packet processing.
//
// # Place in the pipeline
//
// engine → Mux (an engine.EventWriter) → one Sink per output. The Mux
// stamps each event with the sensor name ("host"), encodes it once
// (eve.LineEncoder) and hands the same bytes to every output whose
// ?types= filter accepts the event type. Local outputs (file/file.Sink,
// WriterSink) write synchronously; network outputs are Queued.
//
// # Queued outputs
//
// Write appends the line to a bounded memory queue (?queue= lines,
// ?queue-bytes=) and returns; one goroutine per output sends batches
// (?batch=) over a Conn. When the sink is down or the queue is full, lines
// go to the output's spool (package spool, ?spool=DIR, default
// LOGDIR/spool/NAME, capped by ?spool-max=, default 1GB); once the spool
// holds anything, every later line goes behind it, so the sink sees lines
// in write order. When the spool is full, lines are dropped and counted
// (Stats.Dropped). Close delivers until its deadline, then moves the memory
// queue in front of the spool; the next run with the same spool sends
// those lines before its own. Lines in the memory queue are lost only if
// the process dies without Close (SIGKILL, power loss): at most ?queue=
// lines.
//
// # URLs
//
// Registry maps schemes to factories (built by the command, not in init).
// Every URL takes ?types=a,b (unknown types are an error); unknown
// parameters, bad values, unreachable sinks and refused credentials are
// startup errors (ConfigError, DialError) reported before capture starts.
// Names are the scheme family and its index (file0, redis0, redis1, nats0,
// syslog0, unix0, stdout) and label the wirescan_output_* metrics.
//
// # Metrics
//
// Stats per output: events, bytes, delivered, errors, dropped, reconnects,
// spooled lines (total), queued lines, spool lines and bytes, the limits,
// corrupt spool tails, rotations, connected. engine/metrics exports them as
// wirescan_output_*{output="redis0"}.
//
// # Not handled
//
// Kafka (no broker can run in the test environment, and an untested sink
// is worse than none), TLS to Redis/NATS/syslog, Redis Cluster or Sentinel.
package output
