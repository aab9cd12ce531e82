package engine

import (
	"testing"
	"time"
)

// shifted moves a connection's packets to client port port, dt later.
func shifted(ps []pkt, port uint16, dt time.Duration) []pkt {
	out := make([]pkt, len(ps))
	for i, p := range ps {
		if p.sport == 40000 {
			p.sport = port
		}
		if p.dport == 40000 {
			p.dport = port
		}
		p.at += dt
		out[i] = p
	}
	return out
}

// TestXbitsSurviveReload: a bit set under one rule set is seen by the rules
// of the set loaded after it (bits are kept by name in the engine's table,
// not by an index of the set that set them), on a later connection of the
// same pair, until it expires in packet time.
func TestXbitsSurviveReload(t *testing.T) {
	v1 := ruleSet(t, `alert http any any -> any any (msg:"mark"; http.uri; content:"/f.bin"; xbits:set,seen,track ip_pair,expire 60; sid:1;)`)
	v2 := ruleSet(t,
		`alert http any any -> any any (msg:"other"; http.uri; content:"/zzz"; xbits:set,unrelated,track ip_src; flowbits:set,x; sid:5;)`,
		`alert http any any -> any any (msg:"tested"; flow:to_server; xbits:isset,seen,track ip_pair; http.uri; content:"/f.bin"; sid:2;)`)
	w, rec := newTestWorker(t, DefaultConfig(), v1)
	var pkts []pkt
	pkts = append(pkts, httpExchange("abc", 0, 0, true)...)
	n := len(pkts)
	pkts = append(pkts, shifted(httpExchange("abc", 0, 0, true), 40001, 10*time.Second)...)
	pkts = append(pkts, shifted(httpExchange("abc", 0, 0, true), 40002, 70*time.Second)...)
	for i, p := range pkts {
		if i == n {
			if err := w.e.SetRules(v2, 0); err != nil {
				t.Fatal(err)
			}
		}
		w.handle(p.decoded(uint64(i + 1)))
	}
	w.drain("shutdown")
	if got, want := alertLog(rec), "1@4/to_server 2@10/to_server"; got != want {
		t.Fatalf("alerts %q, want %q", got, want)
	}
}
