package reassembly

// maxSeqAhead is the largest TCP window (65535 << 14, RFC 7323 §2.3) rounded
// up to 1 GiB. A sequence number further than this from a direction's
// position cannot belong to the connection; such segments are dropped, which
// also keeps 32-bit sequence arithmetic unambiguous (|distance| < 2^31).
const maxSeqAhead = 1 << 30

// seqDiff returns a - b as a signed distance in 32-bit sequence space.
func seqDiff(a, b uint32) int64 { return int64(int32(a - b)) }

// pawsWindow is how far (in timestamp ticks) a TSval may lag TS.Recent and
// still pass PAWS. RFC 7323 §5.3 allows none; Linux (TCP_PAWS_WINDOW) and
// Suricata's Linux policy accept TS.Recent-1, and so do we.
const pawsWindow = 1

// maxSynTimestamps is how many TSvals of retransmitted SYNs a direction
// remembers: a SYN/ACK may echo any of them.
const maxSynTimestamps = 4
