package policy

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"
)

func aggregate(window time.Duration, r Rule) Rule {
	r.Action, r.Window = ActionAggregate, window
	return r
}

func TestAggregateWindow(t *testing.T) {
	p := mustNew(t, Config{Rules: []Rule{aggregate(10*time.Minute, Rule{SIDs: []int{5}})}})
	hit := func(at time.Duration) Decision { return p.Decide(alert(5, hashA, "10.0.0.1", "10.0.0.2", t0.Add(at))) }
	steps := []struct {
		at        time.Duration
		emit      bool
		id, count uint64
		first     time.Duration
	}{
		{0, true, 1, 1, 0},
		{5 * time.Minute, false, 1, 2, 0},
		{15 * time.Minute, false, 1, 3, 0},               // exactly one window after the last hit: still open
		{26 * time.Minute, true, 2, 1, 26 * time.Minute}, // 11m after the last hit: a new incident
		{27 * time.Minute, false, 2, 2, 26 * time.Minute},
	}
	for i, s := range steps {
		d := hit(s.at)
		if d.Emit != s.emit || d.IncidentID != s.id || d.IncidentCount != s.count || !d.FirstSeen.Equal(t0.Add(s.first)) || d.RuleIndex != 0 {
			t.Fatalf("step %d (+%s): %+v, want emit=%v id=%d count=%d", i, s.at, d, s.emit, s.id, s.count)
		}
	}
	// Incident 1 closed when incident 2 opened; incident 2 is still open at +37m.
	got := p.Flush(t0.Add(37 * time.Minute))
	if len(got) != 1 || got[0].ID != 1 || got[0].Count != 3 || !got[0].FirstSeen.Equal(t0) || !got[0].LastSeen.Equal(t0.Add(15*time.Minute)) || got[0].Evicted {
		t.Fatalf("Flush(+37m) = %+v", got)
	}
	got = p.Flush(t0.Add(37*time.Minute + 1))
	if len(got) != 1 || got[0].ID != 2 || got[0].Count != 2 || got[0].SHA256 != hashA || got[0].SID != 5 || got[0].Window != 10*time.Minute {
		t.Fatalf("Flush(+37m+1ns) = %+v", got)
	}
	if got := p.Flush(time.Time{}); len(got) != 0 {
		t.Fatalf("nothing left, got %+v", got)
	}
	s := p.Stats()
	if s.Incidents != 2 || s.Aggregated != 3 || s.ByRule[0] != 5 || s.Open != 0 || s.Suppressed != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestAggregateKeys(t *testing.T) {
	p := mustNew(t, Config{DefaultAggregate: time.Minute})
	cases := []struct {
		a    Alert
		emit bool
	}{
		{alert(1, "", "10.0.0.1", "10.0.0.2", t0), true},
		{alert(1, "", "10.0.0.1", "10.0.0.2", t0), false},
		{alert(2, "", "10.0.0.1", "10.0.0.2", t0), true},         // other sid
		{alert(1, hashA, "10.0.0.1", "10.0.0.2", t0), true},      // other hash
		{alert(1, "", "10.0.0.2", "10.0.0.1", t0), true},         // reversed direction
		{alert(1, "", "::ffff:10.0.0.1", "10.0.0.2", t0), false}, // mapped = unmapped
	}
	for i, c := range cases {
		if d := p.Decide(c.a); d.Emit != c.emit || d.RuleIndex != -1 || d.IncidentID == 0 {
			t.Errorf("alert %d: %+v, want emit=%v", i, d, c.emit)
		}
	}
	if got := p.Flush(time.Time{}); len(got) != 4 || got[0].Count != 3 || got[0].RuleIndex != -1 {
		t.Errorf("Flush = %+v", got)
	}
}

func TestNoAggregationByDefault(t *testing.T) {
	p := mustNew(t, Config{})
	for range 3 {
		if d := p.Decide(alert(1, "", "10.0.0.1", "10.0.0.2", t0)); !d.Emit || d.IncidentID != 0 || d.RuleIndex != -1 {
			t.Fatalf("%+v", d)
		}
	}
	if s := p.Stats(); s.Incidents != 0 || s.Open != 0 || s.MaxIncidents != DefaultMaxIncidents {
		t.Errorf("%+v", s)
	}
}

// Exhaustion: a table of two incidents evicts the least recently hit one.
func TestIncidentLRU(t *testing.T) {
	p := mustNew(t, Config{MaxIncidents: 2, Rules: []Rule{
		aggregate(time.Hour, Rule{SIDs: []int{1}}),
		aggregate(time.Minute, Rule{SIDs: []int{2}}),
	}})
	a := alert(1, "", "10.0.0.1", "10.0.0.2", t0)
	b := alert(2, "", "10.0.0.1", "10.0.0.2", t0.Add(time.Second))
	c := alert(1, "", "10.0.0.3", "10.0.0.2", t0.Add(3*time.Second))
	p.Decide(a) // incident 1
	p.Decide(b) // incident 2
	a.Time = t0.Add(2 * time.Second)
	if d := p.Decide(a); d.Emit || d.IncidentID != 1 { // a is now the most recent
		t.Fatalf("%+v", d)
	}
	if d := p.Decide(c); !d.Emit || d.IncidentID != 3 { // full: evicts b (other window list)
		t.Fatalf("%+v", d)
	}
	s := p.Stats()
	if s.Evictions != 1 || s.Open != 2 || s.MaxIncidents != 2 {
		t.Fatalf("stats %+v", s)
	}
	b.Time = t0.Add(4 * time.Second)
	if d := p.Decide(b); !d.Emit || d.IncidentID != 4 { // b comes back: new incident, evicts a
		t.Fatalf("%+v", d)
	}
	got := p.Flush(time.Time{})
	want := []struct {
		id, count uint64
		evicted   bool
	}{{1, 2, true}, {2, 1, true}, {3, 1, false}, {4, 1, false}}
	if len(got) != len(want) {
		t.Fatalf("Flush = %+v", got)
	}
	for i, w := range want {
		if got[i].ID != w.id || got[i].Count != w.count || got[i].Evicted != w.evicted {
			t.Errorf("incident %d = %+v, want %+v", i, got[i], w)
		}
	}
	if s := p.Stats(); s.Evictions != 2 || s.SummaryDrops != 0 {
		t.Errorf("stats %+v", s)
	}
}

// Exhaustion: closed incidents wait for Flush in a queue bounded like the table.
func TestClosedQueueBound(t *testing.T) {
	p := mustNew(t, Config{MaxIncidents: 1, DefaultAggregate: time.Minute})
	for i := range 4 { // each evicts the previous: queue holds 1, drops 2
		p.Decide(alert(1, "", fmt.Sprintf("10.0.0.%d", i+1), "10.0.1.1", t0))
	}
	if s := p.Stats(); s.Evictions != 3 || s.SummaryDrops != 2 || s.Open != 1 {
		t.Fatalf("stats %+v", s)
	}
	got := p.Flush(time.Time{})
	if len(got) != 2 || got[0].ID != 3 || got[1].ID != 4 {
		t.Fatalf("Flush = %+v", got)
	}
}

// Flush walks each window list from its oldest end.
func TestFlushMixedWindows(t *testing.T) {
	p := mustNew(t, Config{DefaultAggregate: time.Hour, Rules: []Rule{aggregate(time.Minute, Rule{SIDs: []int{9}})}})
	p.Decide(alert(1, "", "10.0.0.1", "10.0.0.2", t0))                     // id 1, 1h
	p.Decide(alert(9, "", "10.0.0.1", "10.0.0.2", t0))                     // id 2, 1m
	p.Decide(alert(9, "", "10.0.0.3", "10.0.0.2", t0.Add(30*time.Second))) // id 3, 1m
	ids := func(in []Incident) (out []uint64) {
		for _, x := range in {
			out = append(out, x.ID)
		}
		return out
	}
	for _, s := range []struct {
		at   time.Duration
		want []uint64
	}{
		{time.Minute, nil},
		{time.Minute + 1, []uint64{2}},
		{2 * time.Minute, []uint64{3}},
		{time.Hour, nil},
		{time.Hour + time.Second, []uint64{1}},
	} {
		if got := ids(p.Flush(t0.Add(s.at))); !reflect.DeepEqual(got, s.want) {
			t.Errorf("Flush(+%s) = %v, want %v", s.at, got, s.want)
		}
	}
}

// randomAlerts draws n alerts over a few keys with increasing packet times.
func randomAlerts(seed uint64, n int) []Alert {
	rng := rand.New(rand.NewPCG(seed, 0))
	out := make([]Alert, n)
	at := t0
	for i := range out {
		at = at.Add(time.Duration(rng.IntN(10)) * time.Second)
		sha := ""
		if rng.IntN(2) == 0 {
			sha = hashA
		}
		out[i] = alert(1+rng.IntN(4), sha, fmt.Sprintf("10.0.0.%d", 1+rng.IntN(5)), "10.0.1.1", at)
	}
	return out
}

func determinismConfig() Config {
	return Config{MaxIncidents: 16, DefaultAggregate: 3 * time.Minute, Rules: []Rule{
		suppress(Rule{SIDs: []int{4}, Hosts: pfx("10.0.0.1")}),
		aggregate(10*time.Minute, Rule{SHA256: []string{hashA}}),
	}}
}

// One caller in packet order gives the same decisions and incidents every run.
func TestDeterminism(t *testing.T) {
	const seed = 20260301
	t.Logf("seed %d", seed)
	run := func() ([]Decision, []Incident, Stats) {
		p := mustNew(t, determinismConfig())
		var ds []Decision
		var incs []Incident
		for i, a := range randomAlerts(seed, 2000) {
			ds = append(ds, p.Decide(a))
			if i%10 == 0 {
				incs = append(incs, p.Flush(a.Time)...)
			}
		}
		incs = append(incs, p.Flush(time.Time{})...)
		return ds, incs, p.Stats()
	}
	d1, i1, s1 := run()
	d2, i2, s2 := run()
	if !reflect.DeepEqual(d1, d2) || !reflect.DeepEqual(i1, i2) || !reflect.DeepEqual(s1, s2) {
		t.Fatal("two runs differ")
	}
	// Nothing is lost: every alert is suppressed or counted in exactly one incident.
	var sum uint64
	for _, in := range i1 {
		sum += in.Count
	}
	if s1.SummaryDrops != 0 || sum+s1.Suppressed != 2000 || s1.Incidents != uint64(len(i1)) || s1.Evictions == 0 {
		t.Fatalf("sum %d + suppressed %d, stats %+v", sum, s1.Suppressed, s1)
	}
}

// Run with -race: workers deciding concurrently, a flusher and a scraper.
func TestConcurrent(t *testing.T) {
	p := mustNew(t, determinismConfig())
	const workers, per = 4, 500
	var wg sync.WaitGroup
	var mu sync.Mutex
	var flushed []Incident
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				in := p.Flush(t0.Add(time.Hour))
				_ = p.Stats()
				mu.Lock()
				flushed = append(flushed, in...)
				mu.Unlock()
			}
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, a := range randomAlerts(uint64(w), per) {
				p.Decide(a)
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-done
	mu.Lock()
	defer mu.Unlock()
	flushed = append(flushed, p.Flush(time.Time{})...)
	s := p.Stats()
	var sum uint64
	ids := map[uint64]bool{}
	for _, in := range flushed {
		sum += in.Count
		if ids[in.ID] {
			t.Fatalf("incident %d flushed twice", in.ID)
		}
		ids[in.ID] = true
	}
	if s.SummaryDrops == 0 && sum+s.Suppressed != workers*per {
		t.Errorf("sum %d + suppressed %d != %d (stats %+v)", sum, s.Suppressed, workers*per, s)
	}
	if s.Incidents != uint64(len(flushed))+s.SummaryDrops || s.Open != 0 {
		t.Errorf("incidents %d, flushed %d, stats %+v", s.Incidents, len(flushed), s)
	}
}

func TestCarry(t *testing.T) {
	old := mustNew(t, Config{DefaultAggregate: time.Minute, Rules: []Rule{suppress(Rule{SIDs: []int{3}})}})
	old.Decide(alert(1, "", "10.0.0.1", "10.0.0.2", t0))
	old.Decide(alert(2, "", "10.0.0.1", "10.0.0.2", t0))
	old.Decide(alert(3, "", "10.0.0.1", "10.0.0.2", t0))
	if got := old.Flush(time.Time{}); len(got) != 2 {
		t.Fatalf("%+v", got)
	}
	p := mustNew(t, Config{DefaultAggregate: time.Minute})
	p.Carry(old)
	if d := p.Decide(alert(1, "", "10.0.0.1", "10.0.0.2", t0)); d.IncidentID != 3 {
		t.Errorf("IncidentID = %d, want 3", d.IncidentID)
	}
	if s := p.Stats(); s.Incidents != 3 || s.Suppressed != 1 || s.BySID[3] != 1 || len(s.ByRule) != 0 {
		t.Errorf("%+v", s)
	}
}

// The steady state (suppressing, or counting into an open incident) allocates nothing.
func TestDecideAllocs(t *testing.T) {
	p := mustNew(t, Config{DefaultAggregate: time.Hour, Rules: []Rule{suppress(Rule{SHA256: []string{hashA}})}})
	sup, agg := alert(1, hashA, "10.0.0.1", "10.0.0.2", t0), alert(1, hashB, "10.0.0.1", "10.0.0.2", t0)
	p.Decide(sup)
	p.Decide(agg)
	if n := testing.AllocsPerRun(100, func() { p.Decide(sup); p.Decide(agg) }); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

func BenchmarkDecide(b *testing.B) {
	p, err := New(determinismConfig())
	if err != nil {
		b.Fatal(err)
	}
	alerts := randomAlerts(1, 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		a := alerts[i%len(alerts)]
		p.Decide(a)
		if i%len(alerts) == len(alerts)-1 {
			p.Flush(time.Time{})
		}
	}
}
