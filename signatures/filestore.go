package signatures

import (
	"fmt"
	"strings"
)

// StoreSpec is what a filestore keyword asks to keep (Suricata's
// filestore[:direction[,scope]]). The zero value is a bare `filestore`:
// the file the rule matched.
type StoreSpec struct {
	// ToServer and ToClient name the directions whose files are kept; both
	// false means the direction of the matched file.
	ToServer, ToClient bool
	// Scope says how far from the matched file the keeping reaches.
	Scope StoreScope
}

// StoreScope is the reach of a filestore keyword.
type StoreScope uint8

const (
	// StoreFile keeps the matched file (in the named directions; a named
	// direction other than the file's keeps the transaction's files that
	// way, as Suricata does).
	StoreFile StoreScope = iota
	// StoreTx keeps every file of the matched transaction, those already
	// seen and those still to come.
	StoreTx
	// StoreFlow keeps every file of the connection from the match on.
	StoreFlow
)

// Dirs returns the directions whose files the spec keeps for a match on a
// file going toServer (or to the client): the named ones, else the file's.
func (s StoreSpec) Dirs(toServer bool) (server, client bool) {
	if !s.ToServer && !s.ToClient {
		return toServer, !toServer
	}
	return s.ToServer, s.ToClient
}

// filestore parses `filestore[:direction[,scope]]`. A filestore rule
// inspects files (as in Suricata, where the keyword is a file match): it
// matches, and stores, per file.
func (p *ruleParser) filestore(val string) error {
	r := p.r
	r.Filestore = true
	p.fileKw = true
	if strings.TrimSpace(val) == "" {
		return nil
	}
	parts := strings.Split(val, ",")
	if len(parts) > 2 {
		return fmt.Errorf("filestore %q: want filestore[:direction[,scope]]", val)
	}
	switch d := strings.TrimSpace(parts[0]); d {
	case "request", "to_server":
		r.Store.ToServer = true
	case "response", "to_client":
		r.Store.ToClient = true
	case "both":
		r.Store.ToServer, r.Store.ToClient = true, true
	default:
		return fmt.Errorf("filestore direction %q: want request, to_server, response, to_client or both", d)
	}
	if len(parts) == 2 {
		switch sc := strings.TrimSpace(parts[1]); sc {
		case "file":
			r.Store.Scope = StoreFile
		case "tx":
			r.Store.Scope = StoreTx
		case "ssn", "flow":
			r.Store.Scope = StoreFlow
		default:
			return fmt.Errorf("filestore scope %q: want file, tx, ssn or flow", sc)
		}
	}
	return nil
}
