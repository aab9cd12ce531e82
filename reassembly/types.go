package reassembly

// Direction names one half of a TCP connection. The numbering matches
// engine/app.Direction, so the engine can convert with a plain type conversion.
type Direction uint8

const (
	// ClientToServer is the direction of the side that opened the connection.
	ClientToServer Direction = 0
	// ServerToClient is the direction of the side that accepted the connection.
	ServerToClient Direction = 1
)

// String returns "to_server" or "to_client", the EVE spelling.
func (d Direction) String() string {
	if d&1 == ServerToClient {
		return "to_client"
	}
	return "to_server"
}

// Opposite returns the other direction; it is where the ACKs for d come from.
func (d Direction) Opposite() Direction { return (d & 1) ^ 1 }

// Segment is the part of one TCP segment that reassembly needs. The engine
// fills it from the decoded TCP header for every packet of the flow.
type Segment struct {
	// Seq and Ack are the raw header fields (Ack only meaningful when ACK is set).
	Seq, Ack uint32
	// SYN, FIN, RST and ACK are the header flags of the same name.
	SYN, FIN, RST, ACK bool
	// HasTS is set when the segment carries a TCP timestamp option; TSVal
	// and TSEcr are its fields (RFC 7323). Without ValidateTimestamps in
	// Config they are ignored.
	HasTS        bool
	TSVal, TSEcr uint32
	// Payload is the TCP payload. It is owned by the caller and only valid
	// during Add: the Stream copies what it buffers and accounts for the copy.
	Payload []byte
}

// Handler receives what reassembly produces for one connection. The Stream
// calls it synchronously from Add, Flush and Close; a Handler must not call
// back into the same Stream.
type Handler interface {
	// Data delivers the next in-order bytes of dir. data is only valid during
	// the call; the handler copies what it keeps.
	Data(dir Direction, data []byte)
	// Gap reports that the next n bytes of dir are missing. Nothing is
	// zero-filled: the next Data continues n bytes later in the stream.
	Gap(dir Direction, n int64)
	// Anomaly reports a named stream event (see events.go), e.g.
	// "stream.overlap_different_data". The engine counts and rate-limits them.
	Anomaly(dir Direction, name string)
	// End reports that dir is finished (FIN reached in order, RST, or Close):
	// no more Data or Gap follow for dir. It is called exactly once per direction.
	End(dir Direction)
}

// discard is the Handler used when NewStream is given nil.
type discard struct{}

func (discard) Data(Direction, []byte)    {}
func (discard) Gap(Direction, int64)      {}
func (discard) Anomaly(Direction, string) {}
func (discard) End(Direction)             {}
