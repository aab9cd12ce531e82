package engine

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/wirescan/wirescan/engine/decode"
)

// TestIdleFlowCostsUnderOneKiB: an embryonic flow (a lone SYN: a flood, a
// scan, a handshake in progress) holds at most 1 KiB of heap, table entry,
// map slot and connection included, and that is what the flow memcap
// charges for it.
func TestIdleFlowCostsUnderOneKiB(t *testing.T) {
	const n = 20000
	cfg := DefaultConfig()
	w, _ := newTestWorker(t, cfg, nil)
	pkts := make([]pkt, n)
	for i := range pkts {
		pkts[i] = pkt{src: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), dst: srv, sport: 40000, dport: 80, flags: "S", seq: uint32(i)}
	}
	in := make([]*pktDecoded, n) // decoded before the measurement
	for i := range pkts {
		in[i] = &pktDecoded{pkts[i].decoded(uint64(i + 1))}
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, p := range in {
		w.handle(p.p)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perFlow := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("%d embryonic flows: %d bytes of heap each; the memcap charges %d", w.flows.Len(), perFlow, embryonicCost)
	if w.flows.Len() != n {
		t.Fatalf("%d flows, want %d", w.flows.Len(), n)
	}
	if perFlow > 1024 || embryonicCost > 1024 {
		t.Fatalf("an idle flow costs %d bytes of heap (charged %d), want at most 1 KiB", perFlow, embryonicCost)
	}
	if perFlow > embryonicCost*5/4 {
		t.Errorf("the memcap charges %d bytes per embryonic flow but one holds %d", embryonicCost, perFlow)
	}
	runtime.KeepAlive(in)
}

type pktDecoded struct{ p *decode.Packet }
