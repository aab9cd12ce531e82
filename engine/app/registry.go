package app

// Protocol detection: a connection's parser is chosen by content. Each
// protocol has a probe that judges the first bytes of a direction; ports
// only decide which probe is asked first, so HTTP on 8080 or SMB on an odd
// port still works and a port alone never decides.

// Verdict is a probe's answer about the first bytes of a direction.
type Verdict uint8

const (
	// NeedMore means the bytes seen so far are a valid prefix of the
	// protocol; call again with more.
	NeedMore Verdict = iota
	// Yes means the direction carries the protocol.
	Yes
	// No means it does not.
	No
)

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case NeedMore:
		return "need_more"
	case Yes:
		return "yes"
	}
	return "no"
}

// Proto is the application protocol of a connection as detection decided
// it. The zero value means detection has not decided yet.
type Proto uint8

const (
	// Undecided: detection is still looking at the first bytes.
	Undecided Proto = iota
	// Failed: no probe accepted the connection; only raw-stream rules see it.
	Failed
	// HTTP is HTTP/1.x.
	HTTP
	// SMB is SMB1/2/3 over NetBIOS session service (or direct TCP).
	SMB
	// DCERPC is DCERPC directly over TCP (the endpoint mapper, DCOM).
	DCERPC
)

// String returns the EVE app_proto spelling: "http", "smb", "failed", and ""
// while undecided.
func (p Proto) String() string {
	switch p {
	case HTTP:
		return "http"
	case SMB:
		return "smb"
	case DCERPC:
		return "dcerpc"
	case Failed:
		return "failed"
	}
	return ""
}

// Detected reports whether a parser took the connection.
func (p Proto) Detected() bool { return p > Failed }

// Protocol is one entry of a Registry.
type Protocol struct {
	Proto Proto
	// Ports are the server ports whose connections try this protocol's
	// probe first.
	Ports []uint16
	// Probe judges the first bytes of a direction (at most the engine's
	// probe-bytes). It must not retain data.
	Probe func(dir Direction, data []byte) Verdict
	// New returns a parser for a connection detected as Proto, reporting
	// to sink.
	New func(sink Sink) Parser
}

// Registry is the ordered list of protocols detection tries. It is built
// by the engine (not by package init), immutable afterwards and safe for
// concurrent use.
type Registry struct {
	all    []Protocol
	byPort map[uint16][]Protocol // the order for a port some entry lists
}

// NewRegistry returns a registry trying protos in the given order, except
// that for a server port listed by an entry, that entry goes first.
func NewRegistry(protos ...Protocol) *Registry {
	r := &Registry{all: protos, byPort: map[uint16][]Protocol{}}
	for i, p := range protos {
		for _, port := range p.Ports {
			if _, seen := r.byPort[port]; seen {
				continue
			}
			order := make([]Protocol, 0, len(protos))
			order = append(order, p)
			order = append(order, protos[:i]...)
			r.byPort[port] = append(order, protos[i+1:]...)
		}
	}
	return r
}

// ForPort returns the protocols in the order to probe a connection to the
// server port. The slice is shared: don't modify it.
func (r *Registry) ForPort(port uint16) []Protocol {
	if order, ok := r.byPort[port]; ok {
		return order
	}
	return r.all
}

// Lookup returns the entry of p, or nil.
func (r *Registry) Lookup(p Proto) *Protocol {
	for i := range r.all {
		if r.all[i].Proto == p {
			return &r.all[i]
		}
	}
	return nil
}
