package flow

import (
	"math/rand/v2"
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

func testKey(p uint16) Key {
	k, _ := NewKey(netip.MustParseAddr("1.1.1.1"), netip.MustParseAddr("2.2.2.2"), p, 80, 6, 0)
	return k
}

func TestTableEvictsLeastRecentlySeen(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFlows = 2
	var st Stats
	tb := NewTable[int](&cfg, nil, &st)
	t0 := time.Unix(0, 0)
	var evicted []int
	ev := func(e *Entry[int]) { evicted = append(evicted, e.Value) }
	tb.Insert(testKey(1), 1, t0, 100, ev)
	tb.Insert(testKey(2), 2, t0.Add(time.Second), 100, ev)
	tb.Lookup(testKey(1), t0.Add(2*time.Second)) // 2 is now the oldest
	tb.Insert(testKey(3), 3, t0.Add(3*time.Second), 100, ev)
	if len(evicted) != 1 || evicted[0] != 2 {
		t.Fatalf("evicted %v, want [2]", evicted)
	}
	if tb.Len() != 2 || st.Evicted != 1 || st.Active != 2 || st.MemoryBytes != 200 {
		t.Fatalf("len %d stats %+v", tb.Len(), st)
	}
}

// TestTableEvictsEmbryonicFirst: at the limit an embryonic flow goes before
// any established one, however old the established one is; an established
// flow goes only when no embryonic flow is left.
func TestTableEvictsEmbryonicFirst(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFlows = 3
	var st Stats
	tb := NewTable[int](&cfg, nil, &st)
	t0 := time.Unix(0, 0)
	var evicted []int
	ev := func(e *Entry[int]) { evicted = append(evicted, e.Value) }
	old := tb.Insert(testKey(1), 1, t0, 100, ev)
	tb.SetState(old, StateEstablished) // the oldest flow, but established
	for p := uint16(2); p <= 10; p++ {
		tb.Insert(testKey(p), int(p), t0.Add(time.Duration(p)*time.Second), 100, ev)
	}
	if tb.Lookup(testKey(1), t0.Add(time.Minute)) == nil || st.EvictedEmbryonic != 7 || len(evicted) != 7 {
		t.Fatalf("established flow evicted by a flood of new ones: evicted %v, stats %+v", evicted, st)
	}
	for p := uint16(9); p <= 10; p++ {
		tb.SetState(tb.Lookup(testKey(p), t0.Add(time.Minute)), StateEstablished)
	}
	tb.Insert(testKey(11), 11, t0.Add(2*time.Minute), 100, ev)
	if evicted[len(evicted)-1] != 1 {
		t.Fatalf("with no embryonic flow left the least recently seen goes: evicted %v", evicted)
	}
}

// TestTableMemcaps: the embryonic memcap recycles embryonic flows among
// themselves; the engine-wide memcap is shared by tables, and a table with
// nothing to evict refuses a flow instead of exceeding it.
func TestTableMemcaps(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Memcap, cfg.EmbryonicMemcap = 1000, 300
	mem := NewMemory(&cfg)
	var st1, st2 Stats
	a, b := NewTable[int](&cfg, mem, &st1), NewTable[int](&cfg, mem, &st2)
	t0 := time.Unix(0, 0)
	nop := func(*Entry[int]) {}
	for p := uint16(1); p <= 10; p++ {
		a.Insert(testKey(p), int(p), t0, 100, nop)
	}
	if a.Len() != 3 || mem.Embryonic.InUse() != 300 || st1.EvictedEmbryonic != 7 {
		t.Fatalf("embryonic flows %d, embryonic memory %d, stats %+v", a.Len(), mem.Embryonic.InUse(), st1)
	}
	var all []*Entry[int]
	a.Each(func(e *Entry[int]) { all = append(all, e) })
	for _, e := range all {
		a.SetState(e, StateEstablished)
	}
	a.Charge(a.Lookup(testKey(10), t0), 500) // a connection's state grew
	if mem.All.InUse() != 800 || mem.Embryonic.InUse() != 0 || st1.MemoryBytes != 800 {
		t.Fatalf("all %d embryonic %d table %d", mem.All.InUse(), mem.Embryonic.InUse(), st1.MemoryBytes)
	}
	if e := b.Insert(testKey(1), 1, t0, 100, nop); e == nil {
		t.Fatal("refused with room left")
	}
	if e := b.Insert(testKey(2), 2, t0, 150, nop); e == nil || b.Len() != 1 || st2.Evicted != 1 {
		t.Fatalf("want room made by evicting the table's own flow: %v, %+v", e, st2)
	}
	if e := b.Insert(testKey(3), 3, t0, 300, nop); e != nil || st2.Refused != 1 || b.Len() != 0 {
		t.Fatalf("the other table's flows hold the memcap and this one has nothing left to evict: want a refusal, got %v, %+v", e, st2)
	}
	a.Drain(nop)
	b.Drain(nop)
	if mem.All.InUse() != 0 || mem.Embryonic.InUse() != 0 {
		t.Fatalf("memory left after drain: %d, %d", mem.All.InUse(), mem.Embryonic.InUse())
	}
}

// TestTableEmergency: past 90 % of the limit the table switches to the
// emergency timeouts, and back under 70 %.
func TestTableEmergency(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFlows = 10
	var st Stats
	tb := NewTable[int](&cfg, nil, &st)
	t0 := time.Unix(1000, 0)
	for p := uint16(1); p <= 9; p++ {
		tb.Insert(testKey(p), int(p), t0, 10, nil)
	}
	if !tb.Emergency() || st.Emergencies != 1 || st.Emergency != 1 {
		t.Fatalf("not in emergency at 90%%: %+v", st)
	}
	var expired int
	tb.Expire(t0.Add(cfg.EmergencyNewTimeout+time.Second), func(*Entry[int]) { expired++ })
	if expired != 9 || tb.Emergency() || st.Emergency != 0 {
		t.Fatalf("emergency timeout: %d expired, emergency %v", expired, tb.Emergency())
	}
}

// TestTableAgainstSlowTwin: under seeded random inserts, lookups, state
// changes and expiry the table holds exactly the flows a map-based twin
// holds and never exceeds its limits.
func TestTableAgainstSlowTwin(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, seed))
	cfg := DefaultConfig()
	cfg.MaxFlows, cfg.Memcap, cfg.EmbryonicMemcap = 50, 4000, 1000
	var st Stats
	tb := NewTable[uint16](&cfg, nil, &st)
	twin := map[uint16]State{}
	now := time.Unix(0, 0)
	gone := func(e *Entry[uint16]) {
		if _, ok := twin[e.Value]; !ok {
			t.Fatalf("table handed back flow %d it did not hold", e.Value)
		}
		delete(twin, e.Value)
	}
	for range 20000 {
		now = now.Add(time.Duration(r.IntN(300)) * time.Millisecond)
		p := uint16(r.IntN(200))
		switch op := r.IntN(10); {
		case op < 5:
			if e := tb.Lookup(testKey(p), now); e == nil {
				if tb.Insert(testKey(p), p, now, int64(10+r.IntN(90)), gone) != nil {
					twin[p] = StateNew
				}
			}
		case op < 8:
			if e := tb.Lookup(testKey(p), now); e != nil {
				s := State(1 + r.IntN(2))
				tb.SetState(e, s)
				twin[p] = s
			}
		default:
			tb.Expire(now, gone)
		}
		if tb.Len() != len(twin) || tb.Len() > cfg.MaxFlows || tb.mem.All.InUse() > cfg.Memcap || tb.mem.Embryonic.InUse() > cfg.EmbryonicMemcap {
			t.Fatalf("table %d flows, twin %d; memory %d/%d", tb.Len(), len(twin), tb.mem.All.InUse(), tb.mem.Embryonic.InUse())
		}
	}
	tb.Drain(gone)
	if len(twin) != 0 || tb.mem.All.InUse() != 0 {
		t.Fatalf("after drain: twin %d, memory %d", len(twin), tb.mem.All.InUse())
	}
}

func TestTableExpiresByStateTimeout(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFlows, cfg.NewTimeout, cfg.EstablishedTimeout, cfg.ClosedTimeout = 100, 10*time.Second, 100*time.Second, 5*time.Second
	var st Stats
	tb := NewTable[string](&cfg, nil, &st)
	t0 := time.Unix(1000, 0)
	tb.Insert(testKey(1), "new", t0, 10, nil)
	tb.SetState(tb.Insert(testKey(2), "est", t0, 10, nil), StateEstablished)
	tb.SetState(tb.Insert(testKey(3), "closed", t0.Add(2*time.Second), 10, nil), StateClosed)
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

// TestTableKeysHashingAlike: keys that differ only in the form of an
// address (IPv4 and IPv4-mapped IPv6) hash alike in the table's index and
// share a chain; each stays its own flow through lookups, state changes,
// charges, removal and drain.
func TestTableKeysHashingAlike(t *testing.T) {
	cfg := DefaultConfig()
	var st Stats
	tb := NewTable[int](&cfg, nil, &st)
	now := time.Unix(0, 0)
	v4, v6 := netip.MustParseAddr("1.1.1.1"), netip.MustParseAddr("::ffff:1.1.1.1")
	srv := netip.MustParseAddr("2.2.2.2")
	key := func(a netip.Addr, p uint16) Key { return Key{LoAddr: a, HiAddr: srv, LoPort: p, HiPort: 80, Proto: 6} }
	never := func(e *Entry[int]) { t.Fatalf("flow %d evicted", e.Value) }
	const n = 50
	for p := range uint16(n) {
		a, b := key(v4, p), key(v6, p)
		if a == b || a.sum(tb.seed) != b.sum(tb.seed) {
			t.Fatalf("port %d: keys equal (%v) or hashes differ", p, a == b)
		}
		tb.Insert(a, int(p), now, 100, never)
		tb.Insert(b, 1000+int(p), now, 100, never)
	}
	if tb.Len() != 2*n {
		t.Fatalf("%d flows, want %d", tb.Len(), 2*n)
	}
	for p := range uint16(n) {
		if e := tb.Lookup(key(v4, p), now); e == nil || e.Value != int(p) {
			t.Fatalf("port %d: v4 lookup %v", p, e)
		}
		e := tb.Lookup(key(v6, p), now)
		if e == nil || e.Value != 1000+int(p) {
			t.Fatalf("port %d: mapped lookup %v", p, e)
		}
		tb.SetState(e, StateEstablished)
	}
	for p := range uint16(n) {
		e := tb.Lookup(key(v4, p), now)
		tb.Remove(e)
		tb.Charge(e, 50)         // no longer held: ignored
		tb.SetState(e, StateNew) // likewise
		if tb.Lookup(key(v4, p), now) != nil || tb.Lookup(key(v6, p), now) == nil {
			t.Fatalf("port %d: after removing the v4 flow", p)
		}
	}
	if tb.Len() != n || tb.mem.All.InUse() != n*100 || tb.mem.Embryonic.InUse() != 0 {
		t.Fatalf("%d flows, memory %d, embryonic %d", tb.Len(), tb.mem.All.InUse(), tb.mem.Embryonic.InUse())
	}
	left := 0
	tb.Drain(func(e *Entry[int]) {
		if e.Value < 1000 {
			t.Fatalf("drained removed flow %d", e.Value)
		}
		left++
	})
	if left != n || tb.Len() != 0 || len(tb.m) != 0 || tb.mem.All.InUse() != 0 {
		t.Fatalf("drained %d, %d flows left, index %d, memory %d", left, tb.Len(), len(tb.m), tb.mem.All.InUse())
	}
}
