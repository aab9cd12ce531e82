package http

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/wirescan/wirescan/engine/app"
)

const conformanceDir = "../../../shared/conformance/cases"

// pcapFlow tracks the first TCP connection of a pcap: which side is the
// client and each direction's initial sequence number.
type pcapFlow struct {
	client  string
	isn     [2]uint32
	haveISN [2]bool
}

// feedOp is one Feed or Gap call of a replay.
type feedOp struct {
	dir  app.Direction
	data []byte
	gap  int64
}

func readPcapFlow(t testing.TB, path string) ([]feedOp, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Logf("%s: %v", path, err)
		return nil, false
	}
	fl := &pcapFlow{}
	var ops []segmentOp
	for {
		data, _, err := r.ReadPacketData()
		if err != nil {
			break
		}
		pkt := gopacket.NewPacket(data, r.LinkType(), gopacket.Default)
		tl, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if !ok || pkt.NetworkLayer() == nil {
			continue
		}
		src := pkt.NetworkLayer().NetworkFlow().Src().String() + ":" + tl.SrcPort.String()
		if fl.client == "" {
			if tl.SYN && tl.ACK {
				fl.client = pkt.NetworkLayer().NetworkFlow().Dst().String() + ":" + tl.DstPort.String()
			} else {
				fl.client = src
			}
		}
		dir := app.ToServer
		if src != fl.client {
			dir = app.ToClient
		}
		if tl.SYN {
			fl.isn[dir], fl.haveISN[dir] = tl.Seq+1, true
			continue
		}
		if !fl.haveISN[dir] {
			fl.isn[dir], fl.haveISN[dir] = tl.Seq, true
		}
		if len(tl.Payload) > 0 {
			ops = append(ops, segmentOp{dir, tl.Seq, append([]byte(nil), tl.Payload...)})
		}
	}
	// Deliver in capture order per direction, holding out-of-order data.
	var out []feedOp
	next := fl.isn
	var held [2][]segmentOp
	emit := func(dir app.Direction) {
		for progress := true; progress; {
			progress = false
			for i, s := range held[dir] {
				off := int32(s.seq - next[dir])
				if off > 0 {
					continue
				}
				d := s.data
				if int(-off) < len(d) {
					d = d[-off:]
					out = append(out, feedOp{dir: dir, data: d})
					next[dir] += uint32(len(d))
				}
				held[dir] = append(held[dir][:i], held[dir][i+1:]...)
				progress = true
				break
			}
		}
	}
	for _, s := range ops {
		held[s.dir] = append(held[s.dir], s)
		emit(s.dir)
	}
	for dir := app.ToServer; dir <= app.ToClient; dir++ {
		sort.Slice(held[dir], func(i, j int) bool { return int32(held[dir][i].seq-held[dir][j].seq) < 0 })
		for len(held[dir]) > 0 {
			s := held[dir][0]
			if off := int32(s.seq - next[dir]); off > 0 {
				out = append(out, feedOp{dir: dir, gap: int64(off)})
				next[dir] = s.seq
			}
			emit(dir)
			if len(held[dir]) > 0 && held[dir][0].seq == s.seq {
				held[dir] = held[dir][1:]
			}
		}
	}
	return out, true
}

type segmentOp struct {
	dir  app.Direction
	seq  uint32
	data []byte
}

func replay(ops []feedOp, cfg *Config) (*recSink, *Stats) {
	sink := newRecSink()
	var st Stats
	p := NewParser(cfg, &st, sink)
	for _, op := range ops {
		if op.gap > 0 {
			p.Gap(op.dir, op.gap)
		} else {
			p.Feed(op.dir, op.data)
		}
	}
	p.End(app.ToServer)
	p.End(app.ToClient)
	p.Close()
	return sink, &st
}

func hasEICAR(s *recSink) bool {
	for _, f := range s.order {
		d := f.Data.Bytes()
		if bytes.Contains(d, []byte("X5O!P%@AP[4")) && bytes.Contains(d, []byte("EICAR-STANDARD-ANTIVIRUS-TEST-FILE")) {
			return true
		}
	}
	return false
}

// TestEvaderCorpus replays the HTTP Evader captures (when present) and
// reports how many yield a file containing EICAR.
func TestEvaderCorpus(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(conformanceDir, "http-evader-*"))
	if len(dirs) == 0 {
		t.Skip("conformance corpus not present")
	}
	pass, total := 0, 0
	var failed []string
	for _, d := range dirs {
		ops, ok := readPcapFlow(t, filepath.Join(d, "input.pcap"))
		if !ok {
			continue
		}
		total++
		sink, _ := replay(ops, nil)
		if hasEICAR(sink) && len(sink.order) >= 1 {
			pass++
		} else {
			failed = append(failed, filepath.Base(d))
		}
	}
	t.Logf("evader: %d/%d produce EICAR", pass, total)
	if len(failed) > 0 {
		t.Logf("failing: %s", strings.Join(failed, " "))
	}
	if total > 0 && pass*100 < total*90 {
		t.Errorf("evader pass rate %d/%d below 90%%", pass, total)
	}
}
