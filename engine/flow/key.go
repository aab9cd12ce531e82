// Package flow keeps the bounded table of live connections of one worker:
// lookup by a direction-independent key, idle timeouts driven by packet time,
// and eviction of the least recently seen flow when the table is full.
//
// A Table is owned by one worker goroutine and takes no locks.
package flow

import (
	"hash/maphash"
	"net/netip"
)

// Key identifies a connection independently of the direction of a packet:
// the endpoints are stored in a canonical order (lower address/port first).
type Key struct {
	LoAddr, HiAddr netip.Addr
	LoPort, HiPort uint16
	Proto          uint8
	VLAN           uint16 // outermost VLAN id, 0 when untagged
}

// NewKey builds the canonical key of a packet and reports whether the packet's
// source is the key's Lo endpoint.
func NewKey(src, dst netip.Addr, sport, dport uint16, proto uint8, vlan uint16) (k Key, srcIsLo bool) {
	k.Proto, k.VLAN = proto, vlan
	c := src.Compare(dst)
	if c < 0 || (c == 0 && sport <= dport) {
		k.LoAddr, k.HiAddr, k.LoPort, k.HiPort = src, dst, sport, dport
		return k, true
	}
	k.LoAddr, k.HiAddr, k.LoPort, k.HiPort = dst, src, dport, sport
	return k, false
}

// Hash returns a hash of the key that is the same for both directions of a
// connection, for dispatching packets to workers. The seed makes it unguessable
// by an attacker steering flows onto one worker.
func (k Key) Hash(seed maphash.Seed) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	lo, hi := k.LoAddr.As16(), k.HiAddr.As16()
	h.Write(lo[:])
	h.Write(hi[:])
	h.Write([]byte{byte(k.LoPort >> 8), byte(k.LoPort), byte(k.HiPort >> 8), byte(k.HiPort), k.Proto, byte(k.VLAN >> 8), byte(k.VLAN)})
	return h.Sum64()
}

// sum is the key's hash in a Table (seeded per table): the addresses'
// 16-byte forms, ports, protocol and VLAN. Keys that differ only in an
// IPv6 zone, or an IPv4 address and its IPv4-mapped form, hash alike and
// are told apart by the chain.
func (k Key) sum(seed maphash.Seed) uint64 {
	var b [39]byte
	lo, hi := k.LoAddr.As16(), k.HiAddr.As16()
	copy(b[:16], lo[:])
	copy(b[16:32], hi[:])
	b[32], b[33], b[34], b[35] = byte(k.LoPort>>8), byte(k.LoPort), byte(k.HiPort>>8), byte(k.HiPort)
	b[36], b[37], b[38] = k.Proto, byte(k.VLAN>>8), byte(k.VLAN)
	return maphash.Bytes(seed, b[:])
}
