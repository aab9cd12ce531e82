// Package app is the contract between TCP reassembly and the application-layer
// parsers (HTTP, SMB), and between those parsers and the rest of the engine.
//
// A parser sees one TCP connection as two ordered byte streams. It is a push-based
// state machine: the engine calls Feed with whatever bytes reassembly released, in
// slices of any size, and the parser must produce the same events whether a stream
// arrives whole or one byte at a time (between the Flush calls of a Flusher,
// which mark the ends of packets). Parsers never block, never start goroutines
// and never retain a slice passed to them after the call returns.
//
// Parsers know nothing about signatures, hashes or output formats: they report
// files (identity, offsets, bytes), protocol transactions and anomalies to a Sink.
package app

// Direction names one side of a connection by where its bytes go.
type Direction uint8

const (
	// ToServer is the client-to-server direction (requests, uploads, SMB writes).
	ToServer Direction = 0
	// ToClient is the server-to-client direction (responses, downloads, SMB reads).
	ToClient Direction = 1
)

// String returns the EVE spelling ("to_server"/"to_client").
func (d Direction) String() string {
	if d == ToClient {
		return "to_client"
	}
	return "to_server"
}

// Opposite returns the other direction.
func (d Direction) Opposite() Direction { return d ^ 1 }

// Parser is an incremental application-layer state machine for one TCP connection.
//
// Call order: any number of Feed/Gap/End calls in any interleaving of directions,
// then exactly one Close. After End(dir) no more Feed or Gap arrive for dir.
// Implementations must be safe against hostile input: no panics, no allocation
// sized by a length read from the wire, every buffer bounded by configuration.
type Parser interface {
	// Feed hands the parser the next in-order bytes of dir. data is owned by the
	// caller and is only valid during the call.
	Feed(dir Direction, data []byte)
	// Gap reports that n bytes of dir were lost (never captured, or dropped by a
	// reassembly limit). The parser must account for them (a file in progress gets
	// a hole) and resynchronise if it cannot skip them exactly.
	Gap(dir Direction, n int64)
	// End reports that dir is finished (FIN or RST seen and all data delivered).
	End(dir Direction)
	// Close ends the connection: every open file is closed (truncated when
	// incomplete) and pending transactions are reported.
	Close()
}

// Flusher is implemented by parsers that hold a decision only more bytes
// could change (HTTP: whether lines after a complete response body still
// belong to it). The engine calls Flush(dir) after each packet: the bytes
// of dir delivered so far are all the traffic has carried yet, and the
// parser takes the decision it would take if none followed, as libhtp does
// when its input runs out. Between Flush calls the parser's events are the
// same however the bytes are sliced.
type Flusher interface {
	Flush(dir Direction)
}

// FileHandle identifies a file within one connection. The parser chooses it;
// it must be unique among the files the parser has open on that connection.
type FileHandle uint64

// ContentRange is an HTTP Content-Range (bytes Start-End/Total). Total is -1 when
// the sender sent "*".
type ContentRange struct {
	Start, End, Total int64
}

// FileMeta describes a file when it is opened.
type FileMeta struct {
	// Direction the file's bytes travel: ToClient for downloads, ToServer for uploads.
	Direction Direction
	// Name is the file name exactly as the protocol carried it (decoded from
	// UTF-16 for SMB; URI path or Content-Disposition filename for HTTP).
	Name string
	// TxID is the protocol transaction the file belongs to (EVE tx_id).
	TxID uint64
	// Size is the expected size when the protocol announced it, else -1.
	Size int64
	// Range is set for an HTTP 206 partial response; the tracker places the
	// bytes at Range.Start and may join ranges of one resource into one file.
	Range *ContentRange
	// ResourceKey identifies the resource across transactions and connections
	// (for HTTP: host + URI), used to join ranges. Empty when not applicable.
	ResourceKey string
	// InOrder is set by protocols that deliver a file's bytes strictly in
	// order, never twice (HTTP: TCP reassembly already resolved
	// retransmissions). The tracker then keeps only a short history for
	// match context instead of the overlap history an SMB file needs.
	InOrder bool
	// Tx is the transaction metadata; it stays valid (and may be updated by the
	// parser, e.g. an HTTP status arriving later) until the file is closed.
	Tx Metadata
	// SMB identifies the SMB 2/3 open the file's bytes belong to, so that the
	// file tracker can join the pieces of one open carried by several
	// connections (multichannel, durable-handle reconnects). Nil for other
	// protocols and for SMB files without a usable identity (SMB1, a related
	// compound's all-ones FileId).
	SMB *SMBOpen
}

// SMBOpen is the identity of one SMB 2/3 open (MS-SMB2 3.3.1.10) as far as a
// sensor on one connection can know it. The parser fills it when it opens a
// file; it is read-only for everyone else.
type SMBOpen struct {
	// ServerGUID is the ServerGuid of the connection's NEGOTIATE response.
	// It scopes every other id to one server; it is zero when the
	// NEGOTIATE was not seen (a connection picked up midstream), and then
	// the open is never joined across connections.
	ServerGUID [16]byte
	// SessionID is the SMB2 SessionId the bytes travelled under; every
	// channel of a multichannel session carries the same one.
	SessionID uint64
	// PersistentFileID is the persistent half of the SMB2 FileId, which the
	// server keeps across channels and across a durable reconnect.
	PersistentFileID uint64
	// CreateGUID is the CreateGuid of a durable v2 open (DH2Q) or of its
	// reconnect (DH2C); zero for other opens.
	CreateGUID [16]byte
	// Durable is set when the server granted a durable (DHnQ/DH2Q) or
	// resilient handle, or this open reconnected one: the open may be
	// continued on a later connection after this one fails.
	Durable bool
	// Reconnect is set when this open reconnected a durable handle
	// (DHnC/DH2C) on a new connection.
	Reconnect bool
	// MultiChannel is set when the connection negotiated SMB 3 with the
	// multichannel capability: the session may also use other connections.
	MultiChannel bool
	// Bound is set when this connection is a channel bound to an existing
	// session (SESSION_SETUP with SMB2_SESSION_FLAG_BINDING).
	Bound bool
}

// Metadata is what a protocol transaction exposes to the rest of the engine:
// output code reads EVE(), rules read Buffer(). Implementations are owned by the
// parser; the engine only calls these methods from inside Sink callbacks or while
// the file they are attached to is open.
type Metadata interface {
	// AppProto is the EVE app_proto and the key of the EVE object ("http", "smb").
	AppProto() string
	// EVE returns the protocol object logged under the AppProto() key, ready for
	// encoding/json. The returned value must not alias state the parser mutates.
	EVE() any
	// Buffer returns a rule buffer ("http.uri", "http.host", "smb.share", ...).
	// ok is false when the transaction has no such buffer.
	Buffer(name string) (b []byte, ok bool)
}

// Sink receives what parsers find. All slices are only valid during the call.
type Sink interface {
	// FileOpen starts a file.
	FileOpen(h FileHandle, meta FileMeta)
	// FileData delivers file bytes at a file offset. Offsets may arrive out of
	// order and overlap (SMB); HTTP delivers sequentially.
	FileData(h FileHandle, offset int64, data []byte)
	// FileGap reports n missing bytes at offset (a hole in the file).
	FileGap(h FileHandle, offset int64, n int64)
	// FileClose ends a file. truncated is true when the protocol knows the file
	// is incomplete (connection ended mid-body, gap in framing, aborted).
	FileClose(h FileHandle, truncated bool)
	// Transaction reports a finished protocol transaction for logging and for
	// rules on protocol buffers.
	Transaction(dir Direction, tx Metadata)
	// Anomaly reports a protocol anomaly by name ("http.multiple_content_length",
	// "smb.file_overlap", ...). The engine rate-limits and counts them.
	Anomaly(dir Direction, name string)
	// Frame reports a protocol data unit (see Frame) as soon as the parser
	// knows where it starts and, when it can, how long it is.
	Frame(f Frame)
	// FrameLength sets the length of the open frame id of dir that was
	// reported with Length -1, once the parser knows where it ends.
	FrameLength(dir Direction, id FrameID, length int64)
}

// FrameID identifies a frame reported with an unknown length, so its length
// can be set later. The parser chooses it; it must be unique among the open
// frames of one direction. Zero means "no id" (the length is known).
type FrameID uint64

// Frame is a protocol data unit located in one direction's byte stream
// (Suricata's app-layer frames: "nbss.pdu", "smb2.hdr", "http1.request", ...).
// Frames may nest and overlap: an SMB2 header frame lies inside its PDU frame,
// which lies inside the NBSS record frame.
//
// Stream offsets count every byte the parser was handed for Dir (Feed bytes
// plus Gap bytes), from 0. A parser reports a frame once, with the bytes of it
// that it has already consumed, Prefix followed by Data, starting at
// StreamOffset. When those bytes are not the whole frame (Length is -1 or
// larger than len(Prefix)+len(Data)), StreamOffset+len(Prefix)+len(Data) must
// equal the parser's current stream position for Dir, so the caller can take
// the frame's remaining bytes from the stream as they arrive. Prefix and Data
// are only valid during the call.
type Frame struct {
	// Dir is the direction of the stream the frame is in.
	Dir Direction
	// Type is the frame type in rule-keyword spelling ("smb2.pdu",
	// "http1.request").
	Type string
	// ID is set (non-zero) when Length is -1 and FrameLength will follow.
	ID FrameID
	// StreamOffset is the stream offset of the frame's first byte.
	StreamOffset int64
	// Length is the frame's length in bytes, -1 while unknown.
	Length int64
	// Prefix and Data are the frame's first bytes, see Frame.
	Prefix, Data []byte
	// TxID is the transaction the frame belongs to, when HasTx.
	TxID  uint64
	HasTx bool
}

// RequestSink is implemented by a Sink that wants to know as soon as the
// request side of a transaction is complete (request line, headers and body),
// before its response: the engine evaluates request-side rules then, so their
// alerts and flowbits come at the request, as in Suricata. The same tx is
// reported later, complete, through Sink.Transaction. Parsers with a
// request/response model (HTTP) check for it once per Reset; it is a separate
// interface so that sinks without request-side work need not implement it.
type RequestSink interface {
	RequestComplete(tx Metadata)
}
