//go:build !linux

package capture

import (
	"errors"
	"fmt"
)

// LiveSource is a live AF_PACKET capture. AF_PACKET exists only on Linux;
// elsewhere OpenLive fails and a LiveSource is never made.
type LiveSource struct{}

// errNoAFPacket is what the live-capture calls return off Linux.
var errNoAFPacket = fmt.Errorf("capture: live capture needs Linux (AF_PACKET): %w", errors.ErrUnsupported)

// OpenLive fails off Linux with an error wrapping errors.ErrUnsupported.
func OpenLive(iface string, opts LiveOptions) (*LiveSource, error) {
	return nil, errNoAFPacket
}

// Next fails off Linux.
func (s *LiveSource) Next() (Packet, error) { return Packet{}, errNoAFPacket }

// Close does nothing off Linux.
func (s *LiveSource) Close() error { return nil }

// Stats returns zero counters off Linux.
func (s *LiveSource) Stats() Stats { return Stats{} }

// KernelStats fails off Linux.
func (s *LiveSource) KernelStats() (packets, drops uint64, err error) {
	return 0, 0, errNoAFPacket
}
