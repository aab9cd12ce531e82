// Package engine wires wirescan's stages together: capture source → decode →
// flow table → TCP reassembly → application parser (HTTP, SMB) → file tracker →
// signature scanner → EVE events.
//
// Each worker owns its flows completely (flow table, reassembly buffers, parser
// state, open files), so the hot path takes no locks. With one worker, replay
// is deterministic: the same capture and rules give the same events in the same
// order. With N workers, packets are dispatched by a symmetric hash of the
// connection, so both directions of a connection reach the same worker; the set
// of events is the same, their order may differ.
//
// Every event's timestamp is a packet timestamp, never the wall clock.
package engine
