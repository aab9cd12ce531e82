package report

import "time"

// widthAt returns the width, in seconds, of step i of the ladder of round
// bucket widths: 1s, 5s, 10s, 30s, 1m, 5m, 15m, 1h, 6h, 1d, 7d, 28d, 364d,
// then tenfold. Each is a whole multiple of the one before, so fine buckets
// merge exactly into wider ones; buckets are aligned to multiples of their
// width since the Unix epoch.
func widthAt(i int) int64 {
	bucketWidths := [...]int64{1, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 28 * 86400, 364 * 86400}
	if i < len(bucketWidths) {
		return bucketWidths[i]
	}
	w := bucketWidths[len(bucketWidths)-1]
	for j := len(bucketWidths) - 1; j < i && w < 1<<58; j++ {
		w *= 10
	}
	return w
}

// floorDiv divides rounding towards minus infinity (times before 1970 are
// negative).
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// timeline counts hits per series (signature) in time buckets. It does not
// know the time range up front: it starts with 1-second buckets, and when
// the range seen no longer fits in maxBuckets buckets it moves every series
// to the next round width, merging buckets. All series share one width and
// lie inside one global range, so each holds at most maxBuckets counters
// whatever the number of hits. Events may arrive in any time order.
type timeline struct {
	step       int   // index into the width ladder
	lo, hi     int64 // global bucket range at the current width
	any        bool
	maxBuckets int64
	series     []*series
}

// series is one signature's counts for buckets lo, lo+1, ...
type series struct {
	lo     int64
	counts []uint64
}

func newTimeline(maxBuckets int) *timeline {
	return &timeline{maxBuckets: int64(maxBuckets)}
}

// width is the current bucket width in seconds.
func (tl *timeline) width() int64 { return widthAt(tl.step) }

// addSeries adds an empty series and returns its index.
func (tl *timeline) addSeries() int {
	tl.series = append(tl.series, &series{})
	return len(tl.series) - 1
}

// add counts n hits of series s at time t.
func (tl *timeline) add(s int, t time.Time, n uint64) {
	tl.addSpread(s, t, t, n)
}

// addSpread counts n hits of series s spread evenly over the buckets from
// first to last (an incident summary knows only its first and last hit).
// The remainder goes to the earliest buckets, so the total is exact.
func (tl *timeline) addSpread(s int, first, last time.Time, n uint64) {
	if n == 0 {
		return
	}
	a, b := first.Unix(), last.Unix()
	tl.cover(a, b)
	w := tl.width()
	fb, lb := floorDiv(a, w), floorDiv(b, w)
	sr := tl.series[s]
	sr.extend(fb, lb)
	k := uint64(lb - fb + 1)
	each, rem := n/k, n%k
	for i := fb; i <= lb; i++ {
		c := each
		if uint64(i-fb) < rem {
			c++
		}
		sr.counts[i-sr.lo] += c
	}
}

// cover widens the global range to include seconds a..b, moving to wider
// buckets until it fits in maxBuckets.
func (tl *timeline) cover(a, b int64) {
	for {
		w := tl.width()
		lo, hi := floorDiv(a, w), floorDiv(b, w)
		if tl.any {
			lo, hi = min(lo, tl.lo), max(hi, tl.hi)
		}
		if hi-lo+1 <= tl.maxBuckets {
			tl.lo, tl.hi, tl.any = lo, hi, true
			return
		}
		tl.widen()
	}
}

// widen moves everything to the next width on the ladder.
func (tl *timeline) widen() {
	ratio := widthAt(tl.step+1) / widthAt(tl.step)
	tl.step++
	if tl.any {
		tl.lo, tl.hi = floorDiv(tl.lo, ratio), floorDiv(tl.hi, ratio)
	}
	for _, sr := range tl.series {
		sr.merge(ratio)
	}
}

// extend grows the series to cover buckets fb..lb.
func (sr *series) extend(fb, lb int64) {
	if len(sr.counts) == 0 {
		sr.lo = fb
		sr.counts = make([]uint64, lb-fb+1)
		return
	}
	if fb < sr.lo {
		grown := make([]uint64, int64(len(sr.counts))+sr.lo-fb)
		copy(grown[sr.lo-fb:], sr.counts)
		sr.counts, sr.lo = grown, fb
	}
	if hi := sr.lo + int64(len(sr.counts)) - 1; lb > hi {
		sr.counts = append(sr.counts, make([]uint64, lb-hi)...)
	}
}

// merge folds buckets by ratio (ratio fine buckets make one wide one).
func (sr *series) merge(ratio int64) {
	if len(sr.counts) == 0 {
		return
	}
	hi := sr.lo + int64(len(sr.counts)) - 1
	nlo, nhi := floorDiv(sr.lo, ratio), floorDiv(hi, ratio)
	merged := make([]uint64, nhi-nlo+1)
	for i, c := range sr.counts {
		merged[floorDiv(sr.lo+int64(i), ratio)-nlo] += c
	}
	sr.lo, sr.counts = nlo, merged
}

// Timeline is the report's hits over time: one row of counts per series,
// all with the same buckets.
type Timeline struct {
	// Start is the start of the first bucket.
	Start time.Time `json:"start"`
	// WidthSeconds is the width of each bucket.
	WidthSeconds int64 `json:"width_seconds"`
	// Buckets is the number of buckets.
	Buckets int `json:"buckets"`
	// Series are the hit counts per signature, busiest first.
	Series []Series `json:"series"`
}

// Series is one signature's hits per bucket.
type Series struct {
	// Label names the signature ("1:2001 ET ..."), or "other signatures".
	Label string `json:"label"`
	// GID and SignatureID identify the signature (0 for "other").
	GID         int `json:"gid"`
	SignatureID int `json:"signature_id"`
	// Counts has one entry per bucket.
	Counts []uint64 `json:"counts"`
}

// finalWidth picks the smallest round width (not finer than the one kept)
// that shows the whole range in at most target buckets.
func (tl *timeline) finalWidth(target int64) (step int) {
	step = tl.step
	for {
		lo, hi := tl.rangeAt(step)
		if hi-lo+1 <= target {
			return step
		}
		step++
	}
}

// render returns the counts of series s at width step, dense over the
// global range.
func (tl *timeline) render(s int, step int) []uint64 {
	w := widthAt(step)
	lo, hi := tl.rangeAt(step)
	out := make([]uint64, hi-lo+1)
	sr := tl.series[s]
	cw := tl.width()
	for i, c := range sr.counts {
		out[floorDiv((sr.lo+int64(i))*cw, w)-lo] += c
	}
	return out
}

// rangeAt is the global bucket range at width step.
func (tl *timeline) rangeAt(step int) (lo, hi int64) {
	w, cw := widthAt(step), tl.width()
	return floorDiv(tl.lo*cw, w), floorDiv(tl.hi*cw, w)
}
