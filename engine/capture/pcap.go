package capture

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Sizes of classic pcap structures.
const (
	pcapFileHeaderLen     = 24
	pcapRecordHeaderLen   = 16
	pcapModifiedExtraLen  = 8 // ifindex, protocol, pkt_type, padding
	pcapSupportedMajorVer = 2
)

// pcapState is what a classic pcap header tells the record parser.
type pcapState struct {
	nano     bool
	modified bool
	link     LinkType
}

// readPcapHeader reads the 24-byte pcap file header.
func (r *reader) readPcapHeader() error {
	h := r.scratch[:pcapFileHeaderLen]
	if n, err := r.fill(h); err != nil {
		return fmt.Errorf("capture: %s: %w", r.name, notCaptureErr("%v", readErr(err, "pcap file header", n, len(h))))
	}
	switch binary.LittleEndian.Uint32(h[0:4]) {
	case magicMicroLE:
		r.order = binary.LittleEndian
	case magicMicroBE:
		r.order = binary.BigEndian
	case magicNanoLE:
		r.order, r.pcap.nano = binary.LittleEndian, true
	case magicNanoBE:
		r.order, r.pcap.nano = binary.BigEndian, true
	case magicModifiedLE:
		r.order, r.pcap.modified = binary.LittleEndian, true
	case magicModifiedBE:
		r.order, r.pcap.modified = binary.BigEndian, true
	}
	if major := r.order.Uint16(h[4:6]); major != pcapSupportedMajorVer {
		return fmt.Errorf("capture: %s: %w", r.name, notCaptureErr("unsupported pcap version %d", major))
	}
	// The upper bits of the link type field carry FCS information.
	r.pcap.link = LinkType(r.order.Uint32(h[20:24]) & 0xffff)
	return nil
}

// nextPcap reads one pcap record.
func (r *reader) nextPcap() (Packet, error) {
	start := r.off
	hdr := r.scratch[:pcapRecordHeaderLen]
	if r.pcap.modified {
		hdr = r.scratch[:pcapRecordHeaderLen+pcapModifiedExtraLen]
	}
	n, err := r.fill(hdr)
	if err != nil {
		if n == 0 && err == io.EOF {
			return Packet{}, io.EOF
		}
		return Packet{}, r.damage(start, readErr(err, "record header", n, len(hdr)))
	}
	sec := r.order.Uint32(hdr[0:4])
	frac := r.order.Uint32(hdr[4:8])
	incl := r.order.Uint32(hdr[8:12])
	orig := r.order.Uint32(hdr[12:16])
	if uint64(incl) > uint64(r.opts.MaxRecordBytes) {
		return Packet{}, r.damage(start, corruptErr("record length %d exceeds limit %d", incl, r.opts.MaxRecordBytes))
	}
	data, n, err := r.take(int(incl))
	if err != nil {
		return Packet{}, r.damage(start, readErr(err, "record", n, int(incl)))
	}
	nsec := int64(frac)
	if !r.pcap.nano {
		nsec *= 1000
	}
	return Packet{
		Data:      data,
		Timestamp: unixTime(int64(sec), nsec),
		LinkType:  r.pcap.link,
		Length:    int(orig),
	}, nil
}
