package smb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/wirescan/wirescan/engine/app"
)

// conformanceDir holds the shared conformance cases; tests that read them
// skip when it is absent. Nothing from it is copied into the repository.
const conformanceDir = "../../../shared/conformance/cases"

// tcpDir is one direction of a replayed TCP connection: a minimal in-order
// reassembler that feeds the parser, reporting holes as gaps.
type tcpDir struct {
	started bool
	next    uint32
	ooo     map[uint32][]byte
}

type flowKey struct {
	a, b string
}

type replayFlow struct {
	p      *Parser
	sink   *recSink
	client string
	dirs   [2]tcpDir
	name   string
}

// segment delivers one TCP segment of dir to the flow's parser.
func (f *replayFlow) segment(dir app.Direction, seq uint32, syn bool, payload []byte) {
	d := &f.dirs[dir]
	if syn {
		d.started, d.next = true, seq+1
		return
	}
	if len(payload) == 0 {
		return
	}
	if !d.started {
		d.started, d.next = true, seq
	}
	if d.ooo == nil {
		d.ooo = map[uint32][]byte{}
	}
	diff := int32(seq - d.next)
	switch {
	case diff < 0:
		if int(-diff) >= len(payload) {
			return
		}
		payload = payload[-diff:]
		seq = d.next
	case diff > 0:
		d.ooo[seq] = append([]byte(nil), payload...)
		return
	}
	f.p.Feed(dir, payload)
	d.next = seq + uint32(len(payload))
	f.drain(dir)
}

func (f *replayFlow) drain(dir app.Direction) {
	d := &f.dirs[dir]
	for progress := true; progress; {
		progress = false
		for seq, b := range d.ooo {
			diff := int32(seq - d.next)
			if diff > 0 {
				continue
			}
			delete(d.ooo, seq)
			if int(-diff) < len(b) {
				f.p.Feed(dir, b[-diff:])
				d.next = seq + uint32(len(b))
			}
			progress = true
		}
	}
}

// finish flushes out-of-order data behind holes as gaps, in sequence order.
func (f *replayFlow) finish() {
	for dir := range f.dirs {
		d := &f.dirs[dir]
		for len(d.ooo) > 0 {
			seqs := make([]uint32, 0, len(d.ooo))
			for s := range d.ooo {
				seqs = append(seqs, s)
			}
			sort.Slice(seqs, func(i, j int) bool { return int32(seqs[i]-d.next) < int32(seqs[j]-d.next) })
			s := seqs[0]
			f.p.Gap(app.Direction(dir), int64(int32(s-d.next)))
			d.next = s
			f.drain(app.Direction(dir))
		}
	}
	f.p.Close()
}

// replayPcap runs every TCP connection of a capture through its own parser.
func replayPcap(t *testing.T, path string) []*replayFlow {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Skipf("no capture: %v", err)
	}
	defer fh.Close()
	var src interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	var lt layers.LinkType
	if r, err := pcapgo.NewReader(fh); err == nil {
		src, lt = r, r.LinkType()
	} else {
		if _, err := fh.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		r, err := pcapgo.NewNgReader(fh, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			t.Fatalf("smb: open %s: %v", path, err)
		}
		src, lt = r, r.LinkType()
	}
	flows := map[flowKey]*replayFlow{}
	var order []*replayFlow
	for {
		data, _, err := src.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Logf("read %s: %v", path, err)
			break
		}
		pkt := gopacket.NewPacket(data, lt, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
		var src, dst string
		if ip4, ok := pkt.NetworkLayer().(*layers.IPv4); ok {
			src, dst = ip4.SrcIP.String(), ip4.DstIP.String()
		} else if ip6, ok := pkt.NetworkLayer().(*layers.IPv6); ok {
			src, dst = ip6.SrcIP.String(), ip6.DstIP.String()
		} else {
			continue
		}
		tcp, ok := pkt.TransportLayer().(*layers.TCP)
		if !ok {
			continue
		}
		s := fmt.Sprintf("%s:%d", src, tcp.SrcPort)
		d := fmt.Sprintf("%s:%d", dst, tcp.DstPort)
		k := flowKey{s, d}
		if s > d {
			k = flowKey{d, s}
		}
		fl := flows[k]
		if fl == nil {
			sink := newRecSink()
			fl = &replayFlow{p: NewParser(nil, nil, sink), sink: sink, client: s, name: s + "->" + d}
			if tcp.SYN && tcp.ACK || tcp.SrcPort == 445 || tcp.SrcPort == 139 {
				fl.client, fl.name = d, d+"->"+s
			}
			flows[k] = fl
			order = append(order, fl)
		}
		dir := app.ToServer
		if s != fl.client {
			dir = app.ToClient
		}
		fl.segment(dir, tcp.Seq, tcp.SYN, tcp.Payload)
	}
	for _, fl := range order {
		fl.finish()
	}
	return order
}

// TestConformancePcaps replays the shared SMB conformance captures (when
// present) and logs the files and transactions found, for comparison with
// each case's checks.json. It fails only on parser misbehaviour (the
// recording sink panics on protocol violations such as data after close).
func TestConformancePcaps(t *testing.T) {
	pcaps, _ := filepath.Glob(filepath.Join(conformanceDir, "*smb*", "input.pcap"))
	if len(pcaps) == 0 {
		t.Skip("conformance cases not present")
	}
	for _, pc := range pcaps {
		name := filepath.Base(filepath.Dir(pc))
		t.Run(name, func(t *testing.T) {
			var nfiles, ntx int
			for _, fl := range replayPcap(t, pc) {
				for _, h := range fl.sink.order {
					f := fl.sink.files[h]
					nfiles++
					t.Logf("file %s dir=%v name=%q size=%d gaps=%d closed=%v", fl.name, f.meta.Direction, f.meta.Name, f.size(), f.gaps, f.closed)
				}
				ntx += len(fl.sink.txs)
				if testing.Verbose() && os.Getenv("SMB_TX_LOG") != "" {
					for _, m := range fl.sink.txs {
						t.Logf("tx %v", m)
					}
				}
				if len(fl.sink.anomalies) > 0 {
					t.Logf("anomalies %s: %v", fl.name, fl.sink.anomalies)
				}
			}
			t.Logf("%d files, %d transactions", nfiles, ntx)
		})
	}
}

var _ = binary.LittleEndian
