package signatures

import (
	"net/netip"
	"time"
)

// Kind says what a Scanner inspects.
type Kind uint8

const (
	// FileData is the contents of one file (file_data, file.data,
	// http.request_body, http.response_body, http_client_body, http_server_body).
	FileData Kind = iota
	// Stream is one direction of a reassembled TCP stream (content without a
	// buffer on an alert tcp/http rule).
	Stream
)

// String names the kind.
func (k Kind) String() string {
	if k == Stream {
		return "stream"
	}
	return "file_data"
}

// Context describes the file or stream being scanned: what header, flow and
// protocol-buffer conditions are checked against.
type Context struct {
	// Proto is the application protocol ("http", "smb"), "" if unknown.
	Proto string
	// ToServer is the direction the scanned bytes travel.
	ToServer bool
	// SrcIP, DstIP, SrcPort and DstPort are those of the direction the bytes
	// travel. An invalid address only matches "any".
	SrcIP, DstIP     netip.Addr
	SrcPort, DstPort uint16
	// Established is true when the TCP handshake was seen.
	Established bool
	// Filename is the file name (file.name, filename, fileext).
	Filename string
	// Buffers gives the protocol buffers of the transaction; may be nil.
	Buffers Buffers
	// Flow is the connection's flowbit state (flowbits keywords); nil means
	// every flowbit is unset and set/unset/toggle have no effect. The engine
	// keeps one per connection (NewFlowState). A Scanner keeps the pointer.
	Flow *FlowState
	// XBits is the engine's table of xbits (bits shared by the connections
	// of a host or address pair); nil means every xbit is unset and
	// set/unset/toggle have no effect. A Scanner keeps it.
	XBits XBits
	// Now returns the packet time xbits are tested and set at (expiry is
	// in capture time, not wall time); nil is the zero time. It is a
	// function because a Scanner outlives the packet that started it: a
	// match completing on a later packet happens at that packet's time. A
	// Scanner keeps it and calls it from its own goroutine.
	Now func() time.Time
	// FileData says whether the transaction carried file data in this
	// direction (transaction rules with "file.data; absent" only).
	FileData FileDataPresence
	// Tx, when set, carries what MatchTransaction already matched in this
	// transaction, so evaluating it again (request side first, then both
	// sides) reports each rule once; see MatchTransaction. Other calls
	// ignore it.
	Tx *TxState
	// Profile, when set, receives the matching cost of every rule evaluated
	// for this context (see Profile). A Scanner keeps the pointer.
	Profile *Profile
}

// Buffers exposes a transaction's protocol buffers by Suricata sticky-buffer name
// ("http.uri", "http.host", "smb.share", ...). engine/app.Metadata satisfies it.
// Returned bytes are only read during the call that received them.
type Buffers interface {
	Buffer(name string) ([]byte, bool)
}

// FileFacts are the end-of-file facts supplied to Scanner.End.
type FileFacts struct {
	// Size is the file size (filesize).
	Size int64
	// MD5, SHA1 and SHA256 are the file hashes; nil when not computed.
	MD5, SHA1, SHA256 []byte
	// Magic is the libmagic-style description (filemagic, file.magic).
	Magic string
	// Complete is true when the whole file was seen (no gap, not truncated).
	Complete bool
}

// Match is one rule that matched.
type Match struct {
	// Rule is the matching rule (shared, read-only).
	Rule *Rule
	// Offset is the end offset (exclusive: one past the last byte) in the scanned
	// stream of the last content that matched, counting gaps; -1 when the rule
	// matched on facts alone (hash, size, name, protocol buffers).
	Offset int64
	// NoAlert is set for rules with noalert: the match has its side effects
	// (flowbits are already applied; filestore is the caller's) but the
	// caller writes no alert for it.
	NoAlert bool
}
