package report

import (
	"math/rand"
	"testing"
	"time"
)

func TestWidthLadderDivides(t *testing.T) {
	for i := 0; i < 20; i++ {
		if a, b := widthAt(i), widthAt(i+1); b <= a || b%a != 0 {
			t.Fatalf("width %d (%ds) does not divide the next (%ds)", i, a, b)
		}
	}
}

// TestFinalWidth: the final width is the smallest round width showing the
// range in at most the target buckets, whatever order the hits came in.
func TestFinalWidth(t *testing.T) {
	cases := []struct {
		span  time.Duration
		width int64 // seconds
	}{
		{0, 1},
		{30 * time.Second, 1},
		{59 * time.Second, 1},
		{2 * time.Minute, 5},
		{9 * time.Minute, 10},
		{25 * time.Minute, 30},
		{50 * time.Minute, 60},
		{4 * time.Hour, 300},
		{12 * time.Hour, 900},
		{2 * 24 * time.Hour, 3600},
		{10 * 24 * time.Hour, 6 * 3600},
		{30 * 24 * time.Hour, 86400},
		{365 * 24 * time.Hour, 7 * 86400},
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range cases {
		for _, order := range []string{"forward", "backward"} {
			tl := newTimeline(DefaultMaxBuckets)
			s := tl.addSeries()
			a, b := start, start.Add(tc.span)
			if order == "backward" {
				a, b = b, a
			}
			tl.add(s, a, 1)
			tl.add(s, b, 1)
			step := tl.finalWidth(DefaultTargetBuckets)
			lo, hi := tl.rangeAt(step)
			if got := widthAt(step); got != tc.width || hi-lo+1 > DefaultTargetBuckets {
				t.Errorf("span %s %s: width %ds with %d buckets, want %ds", tc.span, order, got, hi-lo+1, tc.width)
			}
		}
	}
}

// naiveCounts buckets hits directly at a known width: the slow twin.
func naiveCounts(hits []time.Time, width int64, lo int64, n int) []uint64 {
	out := make([]uint64, n)
	for _, h := range hits {
		out[floorDiv(h.Unix(), width)-lo]++
	}
	return out
}

// TestTimelineMatchesNaive: streaming hits in random order, with merges,
// gives exactly the counts of bucketing them all at the final width, and no
// series ever holds more than maxBuckets counters.
func TestTimelineMatchesNaive(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	for round := 0; round < 50; round++ {
		span := time.Duration(rng.Int63n(int64(90 * 24 * time.Hour)))
		start := time.Unix(rng.Int63n(2e9)-1e9, 0) // before and after 1970
		tl := newTimeline(DefaultMaxBuckets)
		series := []int{tl.addSeries(), tl.addSeries()}
		hits := make([][]time.Time, 2)
		for i := 0; i < 500; i++ {
			s := rng.Intn(2)
			at := start.Add(time.Duration(rng.Int63n(int64(span) + 1)))
			hits[s] = append(hits[s], at)
			tl.add(series[s], at, 1)
			for _, sr := range tl.series {
				if int64(len(sr.counts)) > tl.maxBuckets {
					t.Fatalf("series holds %d buckets", len(sr.counts))
				}
			}
		}
		step := tl.finalWidth(DefaultTargetBuckets)
		lo, hi := tl.rangeAt(step)
		for s := range series {
			got := tl.render(series[s], step)
			want := naiveCounts(hits[s], widthAt(step), lo, int(hi-lo+1))
			if len(got) != len(want) {
				t.Fatalf("round %d: %d buckets, want %d", round, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("round %d series %d bucket %d: %d, want %d", round, s, i, got[i], want[i])
				}
			}
		}
	}
}

// TestTimelineSpread: a summary's hits spread over its range keep their
// total exactly, and hostile ranges (year 1 to 9999) stay bounded.
func TestTimelineSpread(t *testing.T) {
	tl := newTimeline(DefaultMaxBuckets)
	s := tl.addSeries()
	a := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tl.addSpread(s, a, a.Add(10*time.Second), 7)
	if c := tl.series[s].counts; len(c) != 11 || c[0] != 1 || c[6] != 1 || c[7] != 0 {
		t.Fatalf("spread over 11 buckets: %v", c)
	}
	tl.addSpread(s, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), 1_000_000)
	var sum uint64
	for _, c := range tl.series[s].counts {
		sum += c
	}
	if sum != 1_000_007 || int64(len(tl.series[s].counts)) > tl.maxBuckets {
		t.Fatalf("sum %d over %d buckets", sum, len(tl.series[s].counts))
	}
}
