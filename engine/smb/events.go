package smb

// Anomaly names reported to app.Sink.Anomaly. They are stable identifiers;
// rules and dashboards refer to them.
const (
	// AnomalyMemcap: the engine-wide parser memory budget refused a message buffer.
	AnomalyMemcap = "smb.memcap"
	// AnomalyEncrypted: an SMB3 transform header; content is invisible.
	// Raised once per connection.
	AnomalyEncrypted = "smb.encrypted"
	// AnomalyRecordTooLarge: an NBSS length above Config.MaxRecordBytes.
	AnomalyRecordTooLarge = "smb.record_too_large"
	// AnomalyBadNBSS: an unknown NBSS record type while in sync.
	AnomalyBadNBSS = "smb.nbss_bad_type"
	// AnomalyBadMagic: a record that does not start with an SMB protocol id.
	AnomalyBadMagic = "smb.bad_protocol_id"
	// AnomalyMalformed: a message too short for its command or with fields
	// pointing outside the message.
	AnomalyMalformed = "smb.malformed_data"
	// AnomalyBadNextCommand: an SMB2 NextCommand outside the record.
	AnomalyBadNextCommand = "smb.bad_next_command"
	// AnomalyCompoundTooLong: more chained messages than Config.MaxCompound.
	AnomalyCompoundTooLong = "smb.compound_too_long"
	// AnomalyReadWriteTooLarge: a READ/WRITE above Config.MaxReadWriteBytes.
	AnomalyReadWriteTooLarge = "smb.read_write_too_large"
	// AnomalyOffsetTooLarge: a file offset beyond 2^40; data ignored.
	AnomalyOffsetTooLarge = "smb.file_offset_too_large"
	// AnomalyTooManyOutstanding: more pending requests than Config.MaxOutstanding.
	AnomalyTooManyOutstanding = "smb.too_many_outstanding"
	// AnomalyTooManyFiles: more open files or file ids than Config.MaxOpenFiles.
	AnomalyTooManyFiles = "smb.too_many_open_files"
	// AnomalyMessageIDReuse: a request reused the message id of a pending one.
	AnomalyMessageIDReuse = "smb.message_id_reuse"
	// AnomalyDataDirection: a request sent to the client or a response to the server.
	AnomalyDataDirection = "smb.wrong_direction"
)
