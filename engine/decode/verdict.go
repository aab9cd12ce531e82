package decode

// verdict is the outcome of decoding one packet; each maps to one counter.
type verdict uint8

const (
	vOK verdict = iota
	vNonIP
	vNonTCP
	vTruncated
	vBadChecksum
	vDecodeError
	vUnsupportedLink
	vTooDeep
	vFragHeld
	vFragDrop
)

// count adds the packet to the counter of its verdict.
func (s *Stats) count(v verdict) {
	switch v {
	case vOK:
		s.Decoded++
	case vNonIP:
		s.NonIP++
	case vNonTCP:
		s.NonTCP++
	case vTruncated:
		s.Truncated++
	case vBadChecksum:
		s.BadChecksum++
	case vDecodeError:
		s.DecodeErrors++
	case vUnsupportedLink:
		s.UnsupportedLink++
	case vTooDeep:
		s.TunnelTooDeep++
	case vFragHeld:
		s.FragmentsHeld++
	case vFragDrop:
		s.FragmentDrops++
	}
}
