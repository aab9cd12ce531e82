package flow

import (
	"net/netip"
	"testing"
	"time"
)

func TestKeyIsDirectionIndependent(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	k1, lo1 := NewKey(a, b, 40000, 80, 6, 0)
	k2, lo2 := NewKey(b, a, 80, 40000, 6, 0)
	if k1 != k2 || lo1 == lo2 {
		t.Fatalf("keys differ or same side: %v %v %v %v", k1, k2, lo1, lo2)
	}
	// Same address both sides: ports decide.
	k3, lo3 := NewKey(a, a, 5, 6, 6, 0)
	k4, lo4 := NewKey(a, a, 6, 5, 6, 0)
	if k3 != k4 || lo3 == lo4 {
		t.Fatalf("loopback keys differ: %v %v", k3, k4)
	}
}

func TestTableEvictsLeastRecentlySeen(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFlows = 2
	var st Stats
	tb := NewTable[int](&cfg, &st)
	t0 := time.Unix(0, 0)
	key := func(p uint16) Key {
		k, _ := NewKey(netip.MustParseAddr("1.1.1.1"), netip.MustParseAddr("2.2.2.2"), p, 80, 6, 0)
		return k
	}
	var evicted []int
	ev := func(e *Entry[int]) { evicted = append(evicted, e.Value) }
	tb.Insert(key(1), 1, t0, ev)
	tb.Insert(key(2), 2, t0.Add(time.Second), ev)
	tb.Lookup(key(1), t0.Add(2*time.Second)) // 2 is now the oldest
	tb.Insert(key(3), 3, t0.Add(3*time.Second), ev)
	if len(evicted) != 1 || evicted[0] != 2 {
		t.Fatalf("evicted %v, want [2]", evicted)
	}
	if tb.Len() != 2 || st.Evicted != 1 || st.Active != 2 {
		t.Fatalf("len %d stats %+v", tb.Len(), st)
	}
}

func TestTableExpiresByStateTimeout(t *testing.T) {
	cfg := Config{MaxFlows: 10, NewTimeout: 10 * time.Second, EstablishedTimeout: 100 * time.Second, ClosedTimeout: 5 * time.Second}
	var st Stats
	tb := NewTable[string](&cfg, &st)
	t0 := time.Unix(1000, 0)
	key := func(p uint16) Key {
		k, _ := NewKey(netip.MustParseAddr("1.1.1.1"), netip.MustParseAddr("2.2.2.2"), p, 80, 6, 0)
		return k
	}
	tb.Insert(key(1), "new", t0, nil).State = StateNew
	tb.Insert(key(2), "est", t0, nil).State = StateEstablished
	tb.Insert(key(3), "closed", t0.Add(2*time.Second), nil).State = StateClosed
	var got []string
	tb.Expire(t0.Add(8*time.Second), func(e *Entry[string]) { got = append(got, e.Value) })
	if len(got) != 1 || got[0] != "closed" {
		t.Fatalf("at +8s expired %v, want [closed]", got)
	}
	got = nil
	tb.Expire(t0.Add(11*time.Second), func(e *Entry[string]) { got = append(got, e.Value) })
	if len(got) != 1 || got[0] != "new" {
		t.Fatalf("at +11s expired %v, want [new]", got)
	}
	got = nil
	tb.Drain(func(e *Entry[string]) { got = append(got, e.Value) })
	if len(got) != 1 || got[0] != "est" || tb.Len() != 0 {
		t.Fatalf("drain %v", got)
	}
}
