package xbits

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/wirescan/wirescan/signatures"
)

var _ signatures.XBits = (*Table)(nil)

var (
	a1 = netip.MustParseAddr("10.0.0.1")
	a2 = netip.MustParseAddr("10.0.0.2")
	a3 = netip.MustParseAddr("2001:db8::3")
)

func host(name string, a netip.Addr) signatures.XBitKey {
	return signatures.XBitKey{Name: name, A: a}
}

func pair(name string, a, b netip.Addr) signatures.XBitKey {
	return signatures.XBitKey{Name: name, Pair: true, A: a, B: b}
}

func newTable(t testing.TB, max int) *Table {
	t.Helper()
	tab, err := New(Config{MaxEntries: max})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// at is second sec plus a fraction, so whole-second rounding shows.
func at(sec int64) time.Time { return time.Unix(sec, 700e6) }

func TestConfigValidate(t *testing.T) {
	for _, n := range []int{-1, 0, MaxMaxEntries + 1} {
		if _, err := New(Config{MaxEntries: n}); err == nil {
			t.Errorf("max %d accepted", n)
		}
	}
	for _, n := range []int{1, DefaultMaxEntries, MaxMaxEntries} {
		if err := (Config{MaxEntries: n}).Validate(); err != nil {
			t.Errorf("max %d: %v", n, err)
		}
	}
}

// TestOps: set, isset, unset and toggle, host and pair keys apart, names
// apart, expiry in whole seconds of packet time.
func TestOps(t *testing.T) {
	for _, k := range []signatures.XBitKey{host("b", a1), host("b", a3), pair("b", a1, a2)} {
		t.Run(fmt.Sprintf("%+v", k), func(t *testing.T) {
			tab := newTable(t, 16)
			other := []signatures.XBitKey{host("c", k.A), host("b", a2), pair("b", a1, a3)}
			if k.Pair {
				other = append(other, host("b", k.A))
			} else {
				other = append(other, pair("b", k.A, a2))
			}
			if tab.IsSet(k, at(100)) {
				t.Fatal("set in an empty table")
			}
			tab.Set(k, at(100), 10*time.Second)
			for _, sec := range []int64{100, 105, 110} {
				if !tab.IsSet(k, at(sec)) {
					t.Fatalf("not set at %d", sec)
				}
			}
			for _, o := range other {
				if tab.IsSet(o, at(100)) {
					t.Fatalf("%+v set by %+v", o, k)
				}
			}
			if tab.IsSet(k, time.Unix(111, 0)) {
				t.Fatal("set after its expiry second")
			}
			if st := tab.Stats(); st.Entries != 1 || st.Expired != 0 {
				t.Fatalf("a lookup removed the expired bit: %+v", st)
			}
			tab.Expire(at(111))
			if st := tab.Stats(); st.Entries != 0 || st.Expired != 1 {
				t.Fatalf("expired bit kept: %+v", st)
			}
			tab.Set(k, at(200), 10*time.Second)
			tab.Set(k, at(205), 10*time.Second) // renews
			if !tab.IsSet(k, at(215)) || tab.IsSet(k, at(216)) {
				t.Fatal("renewal")
			}
			tab.Set(k, at(300), time.Minute)
			tab.Unset(k)
			tab.Unset(k)
			if tab.IsSet(k, at(300)) {
				t.Fatal("set after unset")
			}
			tab.Toggle(k, at(400), 5*time.Second)
			if !tab.IsSet(k, at(405)) {
				t.Fatal("toggle did not set")
			}
			tab.Toggle(k, at(405), 5*time.Second)
			if tab.IsSet(k, at(405)) {
				t.Fatal("toggle did not clear")
			}
			tab.Set(k, at(500), time.Second)
			tab.Toggle(k, at(502), 5*time.Second) // expired: toggle sets
			if !tab.IsSet(k, at(507)) {
				t.Fatal("toggle of an expired bit did not set it")
			}
			if st := tab.Stats(); st.Entries != 1 || st.Limit != 16 || st.Evicted != 0 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

// TestExpireSweeps: Expire removes what expired and nothing else.
func TestExpireSweeps(t *testing.T) {
	tab := newTable(t, 16)
	for i := range 10 {
		tab.Set(host("b", netip.AddrFrom4([4]byte{10, 0, 1, byte(i)})), at(1000), time.Duration(i+1)*time.Second)
	}
	tab.Expire(at(1005))
	if st := tab.Stats(); st.Entries != 6 || st.Expired != 4 {
		t.Fatalf("after sweep at 1005: %+v", st)
	}
	tab.Expire(at(2000))
	if st := tab.Stats(); st.Entries != 0 || st.Expired != 10 {
		t.Fatalf("after sweep at 2000: %+v", st)
	}
}

// TestLaggingCaller: a caller behind in packet time (another worker) still
// sees a bit a caller ahead already found expired, until Expire passes it;
// Expire never goes back.
func TestLaggingCaller(t *testing.T) {
	tab := newTable(t, 16)
	k := pair("b", a1, a2)
	tab.Set(k, at(100), 10*time.Second)
	if tab.IsSet(k, at(200)) {
		t.Fatal("set for the caller ahead")
	}
	tab.Expire(at(105)) // the slowest worker is at 105
	if !tab.IsSet(k, at(106)) {
		t.Fatal("lost for the caller behind")
	}
	tab.Expire(at(200))
	tab.Expire(at(50)) // ignored
	tab.Set(k, at(60), 10*time.Second)
	if st := tab.Stats(); st.Expired != 1 || st.Entries != 1 {
		t.Fatalf("stats %+v", st)
	}
	tab.Expire(at(60))
	if st := tab.Stats(); st.Entries != 0 || st.Expired != 2 {
		t.Fatalf("a floor of 200 kept a bit expiring at 70: %+v", st)
	}
}

// TestEvictionAtLimit: at the limit, the bit expiring first goes (ties:
// the least recently set), counted as evicted unless it had expired at the
// setter's time; a renewal takes no room.
func TestEvictionAtLimit(t *testing.T) {
	tab := newTable(t, 3)
	k := func(i int) signatures.XBitKey { return host(fmt.Sprint("b", i), a1) }
	tab.Set(k(0), at(100), 50*time.Second)
	tab.Set(k(1), at(100), 10*time.Second)
	tab.Set(k(2), at(100), 30*time.Second)
	tab.Set(k(0), at(101), 50*time.Second) // renewal at the limit
	if st := tab.Stats(); st.Entries != 3 || st.Evicted != 0 {
		t.Fatalf("renewal evicted: %+v", st)
	}
	tab.Set(k(3), at(102), 40*time.Second) // evicts b1 (expires at 110)
	if tab.IsSet(k(1), at(102)) || !tab.IsSet(k(0), at(102)) || !tab.IsSet(k(2), at(102)) || !tab.IsSet(k(3), at(102)) {
		t.Fatal("wrong bit evicted")
	}
	if st := tab.Stats(); st.Entries != 3 || st.Evicted != 1 {
		t.Fatalf("after one eviction: %+v", st)
	}
	// b2 expired at 130: room is made without an eviction.
	tab.Set(k(4), at(135), 100*time.Second)
	if st := tab.Stats(); st.Entries != 3 || st.Evicted != 1 || st.Expired != 1 {
		t.Fatalf("expired bit not reused: %+v", st)
	}
	// Equal expiries: the least recently set goes.
	tab2 := newTable(t, 2)
	tab2.Set(k(0), at(100), 10*time.Second)
	tab2.Set(k(1), at(100), 10*time.Second)
	tab2.Set(k(0), at(100), 10*time.Second) // b0 set again: b1 is older
	tab2.Set(k(2), at(100), 10*time.Second)
	if !tab2.IsSet(k(0), at(100)) || tab2.IsSet(k(1), at(100)) {
		t.Fatal("tie not broken by recency")
	}
	if st := tab2.Stats(); st.Evicted != 1 {
		t.Fatalf("tie: %+v", st)
	}
}

// TestAgainstMap compares the table with a map that never evicts, on a
// seeded sequence whose keys fit the limit: the answers must agree.
func TestAgainstMap(t *testing.T) {
	seed := uint64(20260101)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	tab := newTable(t, 64)
	naive := map[signatures.XBitKey]int64{}
	keys := make([]signatures.XBitKey, 48)
	for i := range keys {
		a := netip.AddrFrom4([4]byte{10, 0, 0, byte(i % 6)})
		switch i % 3 {
		case 0:
			keys[i] = host(fmt.Sprint("n", i%4), a)
		default:
			keys[i] = pair(fmt.Sprint("n", i%4), a, a2)
		}
	}
	sec := int64(1000)
	for step := range 20000 {
		sec += int64(rng.IntN(3))
		now := at(sec)
		k := keys[rng.IntN(len(keys))]
		d := time.Duration(1+rng.IntN(20)) * time.Second
		isSet := func() bool { e, ok := naive[k]; return ok && e >= sec }
		switch rng.IntN(4) {
		case 0:
			if got, want := tab.IsSet(k, now), isSet(); got != want {
				t.Fatalf("step %d: IsSet %v, want %v", step, got, want)
			}
		case 1:
			tab.Set(k, now, d)
			naive[k] = sec + int64(d/time.Second)
		case 2:
			tab.Unset(k)
			delete(naive, k)
		case 3:
			if isSet() {
				delete(naive, k)
			} else {
				naive[k] = sec + int64(d/time.Second)
			}
			tab.Toggle(k, now, d)
		}
	}
	if st := tab.Stats(); st.Evicted != 0 || st.Entries > len(keys) {
		t.Fatalf("stats %+v", st)
	}
}

// TestConcurrent hammers one table from several goroutines (run with
// -race): the entry count never passes the limit and evictions are counted.
func TestConcurrent(t *testing.T) {
	tab := newTable(t, 100)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5000 {
				a := netip.AddrFrom4([4]byte{10, byte(g), byte(i >> 8), byte(i)})
				now := at(int64(1000 + i/100))
				k := pair("x", a, a1)
				switch i % 5 {
				case 0, 1:
					tab.Set(k, now, 30*time.Second)
				case 2:
					tab.IsSet(k, now)
				case 3:
					tab.Toggle(host("y", a), now, time.Second)
				case 4:
					tab.Unset(k)
				}
				if i%500 == 0 {
					tab.Expire(now)
					if st := tab.Stats(); st.Entries > 100 {
						t.Errorf("%d entries over the limit", st.Entries)
					}
				}
			}
		}()
	}
	wg.Wait()
	if st := tab.Stats(); st.Entries > 100 || st.Evicted == 0 {
		t.Fatalf("stats %+v: want at most 100 entries and some evictions", st)
	}
}

// TestMemoryPerEntry measures the heap a full table holds, for the package
// comment's per-bit cost (logged; asserted only as a loose upper bound).
func TestMemoryPerEntry(t *testing.T) {
	const n = 20000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tab := newTable(t, n)
	for i := range n {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		tab.Set(pair("blocked_http", a, a1), at(1000), time.Hour)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%.0f bytes per bit", per)
	if per > 400 {
		t.Fatalf("%.0f bytes per bit", per)
	}
	runtime.KeepAlive(tab)
}

func BenchmarkSetIsSet(b *testing.B) {
	tab := newTable(b, DefaultMaxEntries)
	keys := make([]signatures.XBitKey, 4096)
	for i := range keys {
		keys[i] = pair("blocked_http", netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), a1)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := keys[i%len(keys)]
		now := at(int64(1000 + i/1000))
		tab.Set(k, now, time.Minute)
		if !tab.IsSet(k, now) {
			b.Fatal("not set")
		}
	}
}
