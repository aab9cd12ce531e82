package smb

// Stats are plain counters a Parser adds to. One Stats may be shared by all
// parsers of a worker; it is not safe for concurrent use, so give each worker
// goroutine its own and let engine/metrics sum them at scrape time.
type Stats struct {
	// Records counts NBSS message records framed.
	Records uint64
	// Messages counts SMB1/SMB2 messages parsed (each compound member counts).
	Messages uint64
	// Files counts files opened on the sink.
	Files uint64
	// ReadBytes and WriteBytes count file bytes delivered from READ responses
	// and WRITE requests.
	ReadBytes, WriteBytes uint64
	// Encrypted counts SMB3 transform (encrypted) messages skipped.
	Encrypted uint64
	// MemcapHits counts message buffers refused by the shared budget.
	MemcapHits uint64
	// Resyncs counts times framing was lost and searched for again.
	Resyncs uint64
	// Anomalies counts anomaly events raised.
	Anomalies uint64
	// Transactions counts transactions reported to the sink.
	Transactions uint64
	// GapBytes counts bytes reported lost by Gap.
	GapBytes uint64
	// SkippedBytes counts record bytes skipped without parsing (oversized
	// records, pipes, encrypted payloads, unknown commands' bodies).
	SkippedBytes uint64
	// Evictions counts table entries dropped because a limit was reached.
	Evictions uint64
	// DCERPCPDUs counts DCERPC PDUs parsed from named-pipe payloads.
	DCERPCPDUs uint64
	// SessionBinds counts connections bound to an existing session
	// (multichannel SESSION_SETUP with the binding flag, answered with
	// success).
	SessionBinds uint64
	// DurableOpens counts durable or resilient handles granted;
	// DurableReconnects the durable handles reopened on a new connection.
	DurableOpens, DurableReconnects uint64
}
