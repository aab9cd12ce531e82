package threshold

import (
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	ts "github.com/wirescan/wirescan/signatures/thresholdspec"
)

var t0 = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

func newFilter(t testing.TB, config string, opts Options) *Filter {
	t.Helper()
	cfg, err := Parse(strings.NewReader(config), "t.config", testVars)
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var (
	hostA = netip.MustParseAddr("10.0.0.1")
	hostB = netip.MustParseAddr("10.0.0.2")
	hostC = netip.MustParseAddr("192.0.2.9")
)

// alertAt is an alert of sid from src to dst at t0 plus secs seconds.
func alertAt(sid int, src, dst netip.Addr, secs float64) Alert {
	return Alert{GID: 1, SID: sid, Src: src, Dst: dst, Flow: 1, Time: t0.Add(time.Duration(secs * float64(time.Second)))}
}

// pattern decides alerts and writes one letter per alert: A emitted, . not
// (silenced), D emitted with a rate filter's drop, P passed (silenced).
func pattern(f *Filter, alerts ...Alert) string {
	var b strings.Builder
	for _, a := range alerts {
		d := f.Decide(a)
		switch {
		case d.Action == ActionDrop && d.Emit:
			b.WriteByte('D')
		case d.Action == ActionPass && !d.Emit:
			b.WriteByte('P')
		case d.Emit:
			b.WriteByte('A')
		default:
			b.WriteByte('.')
		}
	}
	return b.String()
}

// hitsAt is one alert of sid 5 from hostA to hostB at each time.
func hitsAt(secs ...float64) []Alert {
	out := make([]Alert, len(secs))
	for i, s := range secs {
		out[i] = alertAt(5, hostA, hostB, s)
	}
	return out
}

// TestTypesOverPacketTime checks each threshold type against Suricata's
// rules, both as a threshold.config entry and as the rule's own keyword
// (the same state machine: the results must agree).
func TestTypesOverPacketTime(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec ts.Spec
		at   []float64
		want string
	}{
		{"limit 2 per 10s", ts.Spec{Type: ts.Limit, Track: ts.BySrc, Count: 2, Seconds: 10}, []float64{0, 1, 2, 9.9, 10, 11, 12}, "AA..AA."},
		{"limit 1 per 60s", ts.Spec{Type: ts.Limit, Track: ts.BySrc, Count: 1, Seconds: 60}, []float64{0, 30, 59.999, 60, 61}, "A..A."},
		{"threshold every 3rd in 10s", ts.Spec{Type: ts.Threshold, Track: ts.BySrc, Count: 3, Seconds: 10}, []float64{0, 1, 2, 3, 4, 5, 10, 11, 12}, "..A..A..A"},
		{"threshold window restarts after it ends", ts.Spec{Type: ts.Threshold, Track: ts.BySrc, Count: 2, Seconds: 10}, []float64{0, 11, 12}, "..A"},
		{"threshold count 1 alerts always", ts.Spec{Type: ts.Threshold, Track: ts.BySrc, Count: 1, Seconds: 10}, []float64{0, 1, 20}, "AAA"},
		{"both once per window after 2", ts.Spec{Type: ts.Both, Track: ts.BySrc, Count: 2, Seconds: 10}, []float64{0, 1, 2, 3, 10, 11, 12}, ".A...A."},
		{"both count 1", ts.Spec{Type: ts.Both, Track: ts.BySrc, Count: 1, Seconds: 10}, []float64{0, 1, 10}, "A.A"},
		{"detection_filter after 2 in 10s", ts.Spec{Type: ts.DetectionFilter, Track: ts.BySrc, Count: 2, Seconds: 10}, []float64{0, 1, 2, 3, 10, 11, 12}, "..AA..A"},
		{"backoff 1x2", ts.Spec{Type: ts.Backoff, Track: ts.ByFlow, Count: 1, Multiplier: 2}, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8}, "AA.A...A."},
		{"backoff 5x5", ts.Spec{Type: ts.Backoff, Track: ts.ByFlow, Count: 5, Multiplier: 5}, []float64{0, 1, 2, 3, 4, 5}, "....A."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := New(nil, Options{})
			alerts := hitsAt(tc.at...)
			for i := range alerts {
				alerts[i].Rule = &tc.spec
			}
			if got := pattern(f, alerts...); got != tc.want {
				t.Errorf("rule keyword: %s, want %s", got, tc.want)
			}
			if tc.spec.Type == ts.DetectionFilter || tc.spec.Type == ts.Backoff {
				return // not threshold.config types
			}
			f = newFilter(t, "threshold gen_id 1, sig_id 5, "+tc.spec.String()+"\n", Options{})
			if got := pattern(f, hitsAt(tc.at...)...); got != tc.want {
				t.Errorf("threshold.config: %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRateFilterOverPacketTime(t *testing.T) {
	// count 2 in 10s: the 3rd hit switches to drop for 5s; the first hit
	// after the timeout ends it; a hit after the window starts a new count.
	f := newFilter(t, "rate_filter gen_id 1, sig_id 5, track by_src, count 2, seconds 10, new_action drop, timeout 5\n", Options{})
	if got := pattern(f, hitsAt(0, 1, 2, 3, 7, 8, 12, 13, 14)...); got != "AADDDAAAD" {
		t.Errorf("drop: %s", got)
	}
	st := f.Stats()
	if st.RateFiltered != 4 || st.RatePassed != 0 || st.BySID[5].RateFiltered != 4 || st.ByEntry[0] != 4 {
		t.Errorf("stats %+v", st)
	}
	// pass silences, and is counted.
	f = newFilter(t, "rate_filter gen_id 1, sig_id 5, track by_rule, count 1, seconds 10, new_action pass, timeout 60\n", Options{})
	if got := pattern(f, hitsAt(0, 1, 2)...); got != "APP" {
		t.Errorf("pass: %s", got)
	}
	if st := f.Stats(); st.RatePassed != 2 || st.RateFiltered != 2 {
		t.Errorf("pass stats %+v", st)
	}
	d := f.Decide(alertAt(5, hostA, hostB, 3))
	if d.Reason != RateFiltered || d.Entry != "t.config:1" || d.Action != "pass" {
		t.Errorf("decision %+v", d)
	}
}

func TestTrackers(t *testing.T) {
	limit := func(track ts.Track) *Filter {
		return newFilter(t, "threshold gen_id 1, sig_id 5, type limit, track "+track.String()+", count 1, seconds 60\n", Options{})
	}
	ab, ba, cb, ac := alertAt(5, hostA, hostB, 0), alertAt(5, hostB, hostA, 1), alertAt(5, hostC, hostB, 2), alertAt(5, hostA, hostC, 3)
	otherFlow := alertAt(5, hostA, hostB, 4)
	otherFlow.Flow = 2
	for _, tc := range []struct {
		track ts.Track
		want  string
	}{
		{ts.BySrc, "AAA.."},  // per source: A, B, C, then A again
		{ts.ByDst, "AA.A."},  // per destination: B, A, B again, C, B again
		{ts.ByBoth, "A.AA."}, // per pair: A-B, B-A is A-B, C-B, A-C, A-B
		{ts.ByRule, "A...."}, // one counter
		{ts.ByFlow, "A...A"}, // flow 1 four times, then flow 2
	} {
		if got := pattern(limit(tc.track), ab, ba, cb, ac, otherFlow); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.track, got, tc.want)
		}
	}
}

func TestSuppress(t *testing.T) {
	for _, tc := range []struct {
		config string
		want   string // for A→B, B→A, C→B, and sid 6 A→B
	}{
		{"suppress gen_id 1, sig_id 5, track by_src, ip 10.0.0.1", ".AAA"},
		{"suppress gen_id 1, sig_id 5, track by_dst, ip 10.0.0.1", "A.AA"},
		{"suppress gen_id 1, sig_id 5, track by_either, ip 10.0.0.1", "..AA"},
		{"suppress gen_id 1, sig_id 5, track by_src, ip $HOME_NET", "..AA"},
		{"suppress gen_id 1, sig_id 5, track by_src, ip [10.0.0.0/8,!10.0.0.2]", ".AAA"},
		{"suppress gen_id 1, sig_id 5", "...A"},
		{"suppress gen_id 1, sig_id 0, track by_src, ip 10.0.0.1", ".AA."},
		{"suppress gen_id 0, sig_id 0, track by_src, ip 10.0.0.1", ".AA."},
		{"suppress gen_id 2, sig_id 0", "AAAA"}, // other generator
		{"suppress gen_id 1, sig_id 6", "AAA."},
	} {
		f := newFilter(t, tc.config+"\n", Options{})
		got := pattern(f, alertAt(5, hostA, hostB, 0), alertAt(5, hostB, hostA, 1), alertAt(5, hostC, hostB, 2), alertAt(6, hostA, hostB, 3))
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.config, got, tc.want)
		}
	}
	// IPv4-mapped alert addresses match IPv4 lists.
	f := newFilter(t, "suppress gen_id 1, sig_id 5, track by_src, ip 10.0.0.1\n", Options{})
	if d := f.Decide(alertAt(5, netip.MustParseAddr("::ffff:10.0.0.1"), hostB, 0)); d.Emit || d.Reason != Suppressed || d.Entry != "t.config:1" {
		t.Errorf("mapped source: %+v", d)
	}
}

// TestPrecedence: Suricata's documented interplay of suppressions,
// threshold.config entries, wildcards and the rules' own keywords.
func TestPrecedence(t *testing.T) {
	ruleLimit := &ts.Spec{Type: ts.Limit, Track: ts.BySrc, Count: 1, Seconds: 60}
	withRule := func(as []Alert) []Alert {
		for i := range as {
			as[i].Rule = ruleLimit
		}
		return as
	}
	for _, tc := range []struct {
		name, config string
		rule         bool
		want         string
		entry        string // Decision.Entry of the last alert
	}{
		{"rule keyword alone", "", true, "A...", RuleEntry},
		{"exact threshold overrides the rule's", "threshold gen_id 1, sig_id 5, type limit, track by_src, count 3, seconds 60", true, "AAA.", "t.config:1"},
		{"wildcard does not override the rule's", "threshold gen_id 0, sig_id 0, type limit, track by_src, count 3, seconds 60", true, "A...", RuleEntry},
		{"wildcard applies to rules without one", "threshold gen_id 0, sig_id 0, type limit, track by_src, count 3, seconds 60", false, "AAA.", "t.config:1"},
		{"gen wildcard", "threshold gen_id 1, sig_id 0, type limit, track by_src, count 2, seconds 60", false, "AA..", "t.config:1"},
		{"other gen wildcard", "threshold gen_id 3, sig_id 0, type limit, track by_src, count 2, seconds 60", false, "AAAA", ""},
		{"first wildcard wins", "threshold gen_id 0, sig_id 0, type limit, track by_src, count 2, seconds 60\nthreshold gen_id 1, sig_id 0, type limit, track by_src, count 1, seconds 60", false, "AA..", "t.config:1"},
		{"exact wins over an earlier wildcard", "threshold gen_id 0, sig_id 0, type limit, track by_src, count 2, seconds 60\nthreshold gen_id 1, sig_id 5, type limit, track by_src, count 3, seconds 60", false, "AAA.", "t.config:2"},
		{"exact wins over a later wildcard", "threshold gen_id 1, sig_id 5, type limit, track by_src, count 3, seconds 60\nthreshold gen_id 0, sig_id 0, type limit, track by_src, count 1, seconds 60", false, "AAA.", "t.config:1"},
		{"exact rate filter blocks wildcards", "rate_filter gen_id 1, sig_id 5, track by_src, count 10, seconds 60, new_action drop, timeout 5\nthreshold gen_id 0, sig_id 0, type limit, track by_src, count 1, seconds 60", false, "AAAA", ""},
		{"last exact threshold wins", "threshold gen_id 1, sig_id 5, type limit, track by_src, count 1, seconds 60\nevent_filter gen_id 1, sig_id 5, type limit, track by_src, count 2, seconds 60", false, "AA..", "t.config:2"},
		{"rate filter ignored on a rule with its own threshold", "rate_filter gen_id 1, sig_id 5, track by_src, count 1, seconds 60, new_action drop, timeout 60", true, "A...", RuleEntry},
		{"wildcard rate filter", "rate_filter gen_id 0, sig_id 0, track by_src, count 2, seconds 60, new_action drop, timeout 60", false, "AADD", "t.config:1"},
		{"suppress before threshold", "threshold gen_id 1, sig_id 5, type limit, track by_src, count 3, seconds 60\nsuppress gen_id 1, sig_id 5", true, "....", "t.config:2"},
		{"suppress for other hosts leaves the rule's threshold", "suppress gen_id 1, sig_id 5, track by_src, ip 192.0.2.0/24", true, "A...", RuleEntry},
		{"threshold and rate filter: held back hits don't count", "threshold gen_id 1, sig_id 5, type threshold, track by_src, count 2, seconds 60\nrate_filter gen_id 1, sig_id 5, track by_src, count 1, seconds 60, new_action drop, timeout 60", false, ".A.D", "t.config:2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFilter(t, tc.config+"\n", Options{})
			as := hitsAt(0, 1, 2, 3)
			if tc.rule {
				as = withRule(as)
			}
			got := pattern(f, as[:3]...)
			last := f.Decide(as[3])
			switch {
			case last.Action == ActionDrop:
				got += "D"
			case last.Emit:
				got += "A"
			default:
				got += "."
			}
			if got != tc.want || last.Entry != tc.entry {
				t.Errorf("got %s (entry %q), want %s (entry %q)", got, last.Entry, tc.want, tc.entry)
			}
		})
	}
}

// TestSuppressedHitsDoNotCount: a suppressed alert leaves the threshold's
// counter alone, as in Suricata (suppressions are checked first).
func TestSuppressedHitsDoNotCount(t *testing.T) {
	f := newFilter(t, "suppress gen_id 1, sig_id 5, track by_dst, ip 192.0.2.9\nthreshold gen_id 1, sig_id 5, type limit, track by_src, count 1, seconds 60\n", Options{})
	if got := pattern(f, alertAt(5, hostA, hostC, 0), alertAt(5, hostA, hostC, 1), alertAt(5, hostA, hostB, 2), alertAt(5, hostA, hostB, 3)); got != "..A." {
		t.Fatalf("%s", got)
	}
	st := f.Stats()
	if st.Suppressed != 2 || st.Thresholded != 1 || st.BySID[5] != (SIDCounts{Suppressed: 2, Thresholded: 1}) || st.ByEntry[0] != 2 || st.ByEntry[1] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestNoConfigNoRuleEmits(t *testing.T) {
	f, err := New(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := f.Decide(alertAt(5, hostA, hostB, 0)); d != (Decision{Emit: true}) {
		t.Fatalf("%+v", d)
	}
	if _, err := New(nil, Options{MaxTracked: -1}); err == nil {
		t.Fatal("negative MaxTracked accepted")
	}
}

// TestTableEviction: with room for two counters, a third source evicts the
// least recently hit one, which then starts afresh; evictions are counted.
func TestTableEviction(t *testing.T) {
	f := newFilter(t, "threshold gen_id 1, sig_id 5, type limit, track by_src, count 1, seconds 60\n", Options{MaxTracked: 2})
	got := pattern(f,
		alertAt(5, hostA, hostB, 0), alertAt(5, hostB, hostA, 1), // two counters
		alertAt(5, hostA, hostB, 2), // A is now most recent
		alertAt(5, hostC, hostA, 3), // evicts B
		alertAt(5, hostA, hostB, 4), // A still held
		alertAt(5, hostB, hostA, 5), // B fresh again (evicts C)
	)
	if got != "AA.A.A" {
		t.Fatalf("%s", got)
	}
	if st := f.Stats(); st.Evictions != 2 || st.Tracked != 2 || st.MaxTracked != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// TestConcurrentDecide: concurrent callers share one counter exactly.
func TestConcurrentDecide(t *testing.T) {
	f := newFilter(t, "threshold gen_id 1, sig_id 5, type limit, track by_rule, count 10, seconds 1000\n", Options{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	emitted := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for i := 0; i < 100; i++ {
				if f.Decide(alertAt(5, hostA, hostB, float64(i))).Emit {
					n++
				}
			}
			mu.Lock()
			emitted += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if st := f.Stats(); emitted != 10 || st.Thresholded != 790 {
		t.Fatalf("emitted %d, thresholded %d", emitted, st.Thresholded)
	}
}

func TestDecideAllocatesNothing(t *testing.T) {
	f := newFilter(t, "suppress gen_id 1, sig_id 9, track by_src, ip 10.9.0.0/16\n"+
		"threshold gen_id 1, sig_id 5, type limit, track by_both, count 1, seconds 60\n"+
		"rate_filter gen_id 0, sig_id 0, track by_src, count 1, seconds 60, new_action drop, timeout 5\n", Options{})
	alerts := []Alert{alertAt(5, hostA, hostB, 0), alertAt(6, hostA, hostB, 1), alertAt(9, netip.MustParseAddr("10.9.1.1"), hostB, 2), alertAt(7, hostC, hostB, 3)}
	for _, a := range alerts {
		f.Decide(a)
	}
	i := 0
	if n := testing.AllocsPerRun(1000, func() {
		a := alerts[i%len(alerts)]
		a.Time = a.Time.Add(time.Duration(i) * time.Millisecond)
		f.Decide(a)
		i++
	}); n != 0 {
		t.Fatalf("%v allocations per Decide", n)
	}
}

// TestCarry: a reloaded filter keeps the cumulative counters and the
// threshold counters, so a limit does not restart with the reload.
func TestCarry(t *testing.T) {
	conf := "threshold gen_id 1, sig_id 5, type limit, track by_src, count 1, seconds 60\nsuppress gen_id 1, sig_id 6\n"
	old := newFilter(t, conf, Options{})
	pattern(old, alertAt(5, hostA, hostB, 0), alertAt(5, hostA, hostB, 1), alertAt(6, hostA, hostB, 2))
	next := newFilter(t, conf, Options{})
	next.Carry(old)
	if got := pattern(next, alertAt(5, hostA, hostB, 3), alertAt(5, hostA, hostB, 61)); got != ".A" {
		t.Fatalf("after carry: %s", got)
	}
	st := next.Stats()
	if st.Thresholded != 2 || st.Suppressed != 1 || st.BySID[5].Thresholded != 2 || st.BySID[6].Suppressed != 1 || st.ByEntry[0] != 1 {
		t.Fatalf("stats %+v", st)
	}
}
