//go:build realtraffic

package realtraffic

import (
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
)

// captureHoles reads a pcap file (Ethernet, IPv4/IPv6, TCP) and returns
// how many byte ranges of the TCP streams in it are missing for good (never
// captured, not even in a retransmission) and how many bytes they hold. It
// checks the harness: a capture meant to be complete must have none, one
// meant to lose data must have some.
func captureHoles(path string) (holes int, missing int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("capture holes: %w", err)
	}
	defer f.Close()
	var hdr [24]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return 0, 0, fmt.Errorf("capture holes: pcap header: %w", err)
	}
	var order binary.ByteOrder
	switch binary.LittleEndian.Uint32(hdr[:4]) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		order = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		order = binary.BigEndian
	default:
		return 0, 0, fmt.Errorf("capture holes: %s is not a pcap file", path)
	}
	if lt := order.Uint32(hdr[20:24]); lt != 1 {
		return 0, 0, fmt.Errorf("capture holes: link type %d, want Ethernet", lt)
	}
	streams := make(map[string]*seqCover)
	var rec [16]byte
	buf := make([]byte, 0, 65536)
	for {
		if _, err := io.ReadFull(f, rec[:]); err == io.EOF {
			break
		} else if err != nil {
			return 0, 0, fmt.Errorf("capture holes: record header: %w", err)
		}
		n := int(order.Uint32(rec[8:12]))
		if n > 1<<20 {
			return 0, 0, fmt.Errorf("capture holes: record of %d bytes", n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(f, buf); err != nil {
			return 0, 0, fmt.Errorf("capture holes: record: %w", err)
		}
		key, seg, ok := tcpSegment(buf)
		if !ok {
			continue
		}
		sc := streams[key]
		if sc == nil {
			sc = &seqCover{}
			streams[key] = sc
		}
		sc.add(seg)
	}
	for _, sc := range streams {
		h, m := sc.holes()
		holes += h
		missing += m
	}
	return holes, missing, nil
}

// tcpInfo is what captureHoles needs of one TCP segment.
type tcpInfo struct {
	seq uint32
	syn bool
	len int
}

// tcpSegment decodes an Ethernet frame down to TCP; key names the
// direction of the stream.
func tcpSegment(b []byte) (key string, seg tcpInfo, ok bool) {
	if len(b) < 14 {
		return "", seg, false
	}
	et, b := binary.BigEndian.Uint16(b[12:14]), b[14:]
	var src, dst netip.Addr
	var payload []byte
	switch et {
	case 0x0800:
		if len(b) < 20 || b[9] != 6 {
			return "", seg, false
		}
		ihl, total := int(b[0]&0xf)*4, int(binary.BigEndian.Uint16(b[2:4]))
		if total > len(b) || ihl > total {
			return "", seg, false
		}
		src, dst = netip.AddrFrom4([4]byte(b[12:16])), netip.AddrFrom4([4]byte(b[16:20]))
		payload = b[ihl:total]
	case 0x86dd:
		if len(b) < 40 || b[6] != 6 {
			return "", seg, false
		}
		plen := int(binary.BigEndian.Uint16(b[4:6]))
		if 40+plen > len(b) {
			return "", seg, false
		}
		src, dst = netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[24:40]))
		payload = b[40 : 40+plen]
	default:
		return "", seg, false
	}
	if len(payload) < 20 {
		return "", seg, false
	}
	off := int(payload[12]>>4) * 4
	if off > len(payload) {
		return "", seg, false
	}
	sport, dport := binary.BigEndian.Uint16(payload[0:2]), binary.BigEndian.Uint16(payload[2:4])
	key = netip.AddrPortFrom(src, sport).String() + ">" + netip.AddrPortFrom(dst, dport).String()
	return key, tcpInfo{seq: binary.BigEndian.Uint32(payload[4:8]), syn: payload[13]&0x02 != 0, len: len(payload) - off}, true
}

// seqCover collects the byte ranges of one stream direction, relative to
// its first sequence number.
type seqCover struct {
	base    uint32
	started bool
	synSeen bool
	ranges  [][2]int64
}

func (c *seqCover) add(s tcpInfo) {
	if !c.started {
		c.base, c.started = s.seq, true
		if s.syn {
			c.base++
		}
	}
	if s.syn {
		c.synSeen = true
		return
	}
	if s.len == 0 {
		return
	}
	start := int64(int32(s.seq - c.base))
	c.ranges = append(c.ranges, [2]int64{start, start + int64(s.len)})
}

// holes counts the gaps between the stream's first byte and its last
// captured byte.
func (c *seqCover) holes() (n int, missing int64) {
	if len(c.ranges) == 0 {
		return 0, 0
	}
	sort.Slice(c.ranges, func(i, j int) bool { return c.ranges[i][0] < c.ranges[j][0] })
	end := c.ranges[0][0]
	if c.synSeen {
		end = 0
	}
	for _, r := range c.ranges {
		if r[0] > end {
			n++
			missing += r[0] - end
		}
		end = max(end, r[1])
	}
	return n, missing
}
