package files

import (
	"bytes"
	"crypto/sha256"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/app"
)

// joinRec is a Consumer that keeps every file's in-order bytes and its end;
// it may serve several trackers on several goroutines.
type joinRec struct {
	mu     sync.Mutex
	data   map[*tfile][]byte
	base   map[*tfile]int64
	closed []*tfile
	events []string
}

func newJoinRec() *joinRec { return &joinRec{data: map[*tfile][]byte{}, base: map[*tfile]int64{}} }

func (r *joinRec) Data(f *tfile, off int64, b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// A joined SMB file goes on from where its first file's stream was.
	if _, ok := r.base[f]; !ok {
		r.base[f] = off
	}
	if r.base[f]+int64(len(r.data[f])) != off {
		panic("data out of order")
	}
	r.data[f] = append(r.data[f], b...)
}

func (r *joinRec) Gap(f *tfile, off, n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.base[f]; !ok {
		r.base[f] = off
	}
	r.data[f] = append(r.data[f], make([]byte, n)...)
}

func (r *joinRec) Anomaly(f *tfile, name string) {}

func (r *joinRec) Closed(f *tfile) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = append(r.closed, f)
	kind := "file"
	switch {
	case f.Joined():
		kind = "joined"
	case f.Part():
		kind = "part"
	}
	r.events = append(r.events, kind+" "+f.Meta.Name+" "+string(f.State))
}

// joinedFiles returns the closed joined files, and the other closed files.
func (r *joinRec) split() (joined, other []*tfile) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.closed {
		if f.Joined() {
			joined = append(joined, f)
		} else {
			other = append(other, f)
		}
	}
	return joined, other
}

var testServer = [16]byte{1, 2, 3, 4}

// smbMeta describes a download of an SMB open of a multichannel session.
func smbMeta(name string, session, fid uint64) app.FileMeta {
	return app.FileMeta{Name: name, Direction: app.ToClient, Size: -1,
		SMB: &app.SMBOpen{ServerGUID: testServer, SessionID: session, PersistentFileID: fid, MultiChannel: true}}
}

func durableMeta(name string, session, fid uint64, guid byte, reconnect bool) app.FileMeta {
	m := smbMeta(name, session, fid)
	m.SMB.MultiChannel = false
	m.SMB.Durable, m.SMB.Reconnect = true, reconnect
	m.SMB.CreateGUID = [16]byte{guid}
	return m
}

func newJoinTracker(t *testing.T, cfg Config) (*Tracker[int, int], *joinRec, *Stats) {
	t.Helper()
	r := newJoinRec()
	var st Stats
	return NewTracker[int, int](&cfg, &st, r), r, &st
}

func sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// TestSMBOpenOverTwoConnections: the first file streams alone; when a second
// connection's file of the same open arrives, the first file's stream
// becomes the joined file, both files become parts, and the joined file
// hashes and delivers every byte once.
func TestSMBOpenOverTwoConnections(t *testing.T) {
	tr, r, st := newJoinTracker(t, DefaultConfig())
	whole := bytes.Repeat([]byte("0123456789abcdef"), 1000)
	a := tr.Open(smbMeta(`dir\f.bin`, 7, 42), 1)
	a.Write(0, whole[:4000])
	if a.Part() || len(r.data[a]) != 4000 {
		t.Fatalf("the first file alone must stream as an ordinary file")
	}
	b := tr.Open(smbMeta("", 7, 42), 2) // a bound channel: no CREATE seen
	if !b.Part() || b.Meta.Name != `dir\f.bin` {
		t.Fatalf("second connection's file: part %v name %q", b.Part(), b.Meta.Name)
	}
	b.Write(8000, whole[8000:12000])
	a.Write(4000, whole[4000:8000])
	b.Write(12000, whole[12000:])
	b.Close(true) // its connection never saw the CLOSE
	a.Close(false)
	joined, other := r.split()
	if len(joined) != 1 || len(other) != 2 {
		t.Fatalf("closed %d joined and %d other files, want 1 and 2: %v", len(joined), len(other), r.events)
	}
	j := joined[0]
	if !bytes.Equal(r.data[j], whole[4000:]) || !bytes.Equal(j.SHA256, sum(whole)) || j.State != StateClosed || j.Parts() != 2 {
		t.Fatalf("joined: state %s parts %d hash ok %v", j.State, j.Parts(), bytes.Equal(j.SHA256, sum(whole)))
	}
	if j.Owner != 1 || j.Meta.Name != `dir\f.bin` || j.Seen != int64(len(whole)) {
		t.Errorf("joined: owner %d name %q seen %d", j.Owner, j.Meta.Name, j.Seen)
	}
	for _, p := range other {
		if !p.Part() || p.SHA256 != nil {
			t.Errorf("part %d: part %v hash %x", p.Owner, p.Part(), p.SHA256)
		}
	}
	if a.Size != 8000 || a.Seen != 8000 || b.Size != int64(len(whole)) || b.State != StateTruncated {
		t.Errorf("parts: first size %d seen %d, second size %d state %s", a.Size, a.Seen, b.Size, b.State)
	}
	if st.Joined != 1 || st.JoinParts != 2 || st.JoinedOpen != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestSMBOpenAloneIsAnOrdinaryFile: a registered open that no other
// connection joins ends exactly as an unregistered file does.
func TestSMBOpenAloneIsAnOrdinaryFile(t *testing.T) {
	whole := []byte("a file carried by one connection only")
	var got [2]*tfile
	for i, m := range []app.FileMeta{{Name: "x", Direction: app.ToClient, Size: -1}, smbMeta("x", 1, 2)} {
		tr, r, _ := newJoinTracker(t, DefaultConfig())
		f := tr.Open(m, 1)
		f.Write(10, whole[10:])
		f.Write(0, whole[:10])
		f.Close(false)
		if len(r.closed) != 1 || r.closed[0] != f {
			t.Fatalf("meta %d: %v", i, r.events)
		}
		got[i] = f
	}
	a, b := got[0], got[1]
	if a.State != b.State || !bytes.Equal(a.SHA256, b.SHA256) || a.Size != b.Size || b.Part() || b.Joined() || b.joinEntry() != nil && !b.joinEntry().done {
		t.Fatalf("registered file differs: %s %s", a.State, b.State)
	}
}

// TestDurableReconnect: a durable open whose connection ended is kept; the
// reconnect joins it and the joined file has every byte. Without a
// reconnect it ends at join-timeout, logged at the time of its close.
func TestDurableReconnect(t *testing.T) {
	whole := bytes.Repeat([]byte("durable "), 500)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	tr, r, _ := newJoinTracker(t, DefaultConfig())
	tr.SetClock(1, t0)
	a := tr.Open(durableMeta("d", 1, 9, 0xaa, false), 1)
	a.Write(0, whole[:1000])
	a.Close(true) // the connection broke
	if len(r.closed) != 0 {
		t.Fatalf("a durable open was logged at its connection's end: %v", r.events)
	}
	tr.SetClock(2, t0.Add(5*time.Second))
	b := tr.Open(durableMeta("d", 2, 9, 0xaa, true), 2) // new session, same handle
	b.Write(1000, whole[1000:])
	b.Close(false)
	if len(r.events) != 3 || r.events[0] != "part d TRUNCATED" || r.events[2] != "joined d CLOSED" {
		t.Fatalf("events %v", r.events)
	}
	j := r.closed[2]
	if !bytes.Equal(j.SHA256, sum(whole)) {
		t.Fatal("joined file lacks bytes")
	}

	tr, r, st := newJoinTracker(t, DefaultConfig())
	tr.SetClock(1, t0)
	a = tr.Open(durableMeta("e", 1, 9, 0xbb, false), 1)
	a.Write(0, whole[:1000])
	a.Close(true)
	tr.Expire(t0.Add(time.Minute))
	if len(r.closed) != 0 {
		t.Fatal("expired before join-timeout")
	}
	tr.Expire(t0.Add(DefaultConfig().JoinTimeout))
	if len(r.closed) != 1 || r.closed[0] != a || a.State != StateTruncated || a.Part() || st.JoinExpired != 1 {
		t.Fatalf("after join-timeout: %v, expired %d", r.events, st.JoinExpired)
	}
	if at, ok := a.EndedAt(); !ok || !at.Equal(t0) {
		t.Errorf("ended at %v %v, want the close's time %v", at, ok, t0)
	}

	// At the end of the run nothing is kept for a reconnect.
	tr, r, _ = newJoinTracker(t, DefaultConfig())
	a = tr.Open(durableMeta("f", 1, 9, 0xcc, false), 1)
	a.Write(0, whole[:10])
	tr.Drain()
	a.Close(true)
	if len(r.closed) != 1 {
		t.Fatalf("draining: %v", r.events)
	}
}

// TestJoinLimits sets each limit tiny: every refusal and eviction is
// counted, and a file not joined is an ordinary, scanned file.
func TestJoinLimits(t *testing.T) {
	t.Run("max-join-candidates", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.MaxJoinCandidates = 1
		tr, _, st := newJoinTracker(t, cfg)
		a := tr.Open(smbMeta("a", 1, 1), 1)
		tr.Open(smbMeta("b", 1, 2), 1)       // forgets a
		a2 := tr.Open(smbMeta("a", 1, 1), 2) // a candidate again; forgets b
		if st.JoinCandidatesEvicted != 2 || a2.Part() {
			t.Fatalf("evicted %d, late file part %v", st.JoinCandidatesEvicted, a2.Part())
		}
		a.Write(0, []byte("x"))
		a.Close(false)
		if a.State != StateClosed || a.Part() {
			t.Fatalf("forgotten candidate: %s part %v", a.State, a.Part())
		}
	})
	t.Run("max-joined-files", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.MaxJoinedFiles = 1
		tr, r, st := newJoinTracker(t, cfg)
		tr.Open(smbMeta("a", 1, 1), 1).Write(0, []byte("aa"))
		tr.Open(smbMeta("a", 1, 1), 2) // joined: 1 of 1
		tr.Open(smbMeta("b", 1, 2), 1).Write(0, []byte("bb"))
		tr.Open(smbMeta("b", 1, 2), 2) // evicts a's joined file
		if st.JoinEvicted != 1 || len(r.closed) != 1 || !r.closed[0].Joined() || r.closed[0].State != StateTruncated {
			t.Fatalf("evicted %d, closed %v", st.JoinEvicted, r.events)
		}
	})
	t.Run("max-joined-files 0", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.MaxJoinedFiles = 0
		tr, _, _ := newJoinTracker(t, cfg)
		p := tr.Open(app.FileMeta{Name: "/r", ResourceKey: "h/r", Range: &app.ContentRange{Start: 5, End: 9, Total: 10}}, 1)
		if p.Part() {
			t.Fatal("joining is off: a range must be scanned as a file of its own")
		}
	})
}

// TestRangeJoinExpires: a joined range file whose parts are all closed
// ends TRUNCATED after join-timeout of packet time.
func TestRangeJoinExpires(t *testing.T) {
	tr, r, st := newJoinTracker(t, DefaultConfig())
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr.SetClock(1, t0)
	p := tr.Open(app.FileMeta{Name: "/r", ResourceKey: "h/r", Range: &app.ContentRange{Start: 5, End: 9, Total: 10}}, 1)
	p.Write(0, []byte("56789"))
	p.Close(false)
	tr.Expire(t0.Add(time.Second))
	if len(r.closed) != 1 {
		t.Fatalf("closed %v before the timeout", r.events)
	}
	tr.Expire(t0.Add(DefaultConfig().JoinTimeout + time.Second))
	if len(r.closed) != 2 || !r.closed[1].Joined() || r.closed[1].State != StateTruncated || st.JoinExpired != 1 {
		t.Fatalf("events %v expired %d", r.events, st.JoinExpired)
	}
}

// twoWorkers returns two trackers sharing a joiner, as two workers.
func twoWorkers(t *testing.T, cfg Config) ([2]*Tracker[int, int], *joinRec, [2]*Stats) {
	t.Helper()
	r := newJoinRec()
	j := NewJoiner[int, int](&cfg, 2)
	var trs [2]*Tracker[int, int]
	var sts [2]*Stats
	for i := range trs {
		sts[i] = &Stats{}
		trs[i] = NewTracker[int, int](&cfg, sts[i], r)
		trs[i].Join(j, i)
	}
	return trs, r, sts
}

// TestJoinAcrossWorkers drives two workers' trackers step by step: pieces
// from worker 1 wait in worker 0's inbox until it polls, and the first
// file's close waits until both workers have passed it.
func TestJoinAcrossWorkers(t *testing.T) {
	trs, r, sts := twoWorkers(t, DefaultConfig())
	whole := bytes.Repeat([]byte("cross-worker "), 300)
	trs[0].SetClock(1, time.Time{})
	a := trs[0].Open(smbMeta("w", 3, 4), 0)
	a.Write(0, whole[:1000])
	trs[1].SetClock(2, time.Time{})
	b := trs[1].Open(smbMeta("w", 3, 4), 1)
	b.Write(1000, whole[1000:2000])
	trs[0].SetClock(3, time.Time{})
	a.Write(2000, whole[2000:])
	if n := len(trs[0].in.msgs); n != 1 {
		t.Fatalf("%d messages waiting, want worker 1's piece", n)
	}
	trs[0].SetClock(4, time.Time{})
	a.Close(false) // promotes (a part registered): the stream is the joined file
	trs[1].SetClock(5, time.Time{})
	b.Close(true)
	trs[0].Progress(4)
	trs[0].Poll()
	if j, _ := r.split(); len(j) != 0 {
		t.Fatal("the joined file ended before worker 1 passed its close")
	}
	trs[0].Progress(6)
	trs[1].Progress(6)
	trs[0].Poll()
	joined, _ := r.split()
	if len(joined) != 1 || !bytes.Equal(joined[0].SHA256, sum(whole)) || joined[0].State != StateClosed {
		t.Fatalf("joined %v", r.events)
	}
	if sts[1].JoinForwardedBytes != 1000 || sts[0].JoinedOpen != 0 || trs[0].j.waiting.Load() != 0 {
		t.Errorf("forwarded %d, open %d, waiting %d", sts[1].JoinForwardedBytes, sts[0].JoinedOpen, trs[0].j.waiting.Load())
	}
}

// TestJoinStress runs two workers on two goroutines over many SMB opens,
// each carried by both workers' connections in random pieces, and checks
// every joined file against its content (run it with -race).
func TestJoinStress(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	cfg := DefaultConfig()
	trs, r, _ := twoWorkers(t, cfg)
	const opens = 40
	content := make([][]byte, opens)
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range content {
		content[i] = make([]byte, 2000+rng.IntN(20000))
		for k := range content[i] {
			content[i][k] = byte(rng.IntN(256))
		}
	}
	var wg sync.WaitGroup
	for w := range trs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := trs[w]
			rng := rand.New(rand.NewPCG(seed, uint64(w+2)))
			files := make([]*tfile, opens)
			pos := int64(0)
			for i := range files {
				files[i] = tr.Open(smbMeta("f", 1, uint64(i)), w)
			}
			// Each worker carries the pieces at even (worker 0) or odd
			// (worker 1) multiples of 1000, in random order.
			for i, f := range files {
				c := content[i]
				var offs []int
				for off := w * 1000; off < len(c); off += 2000 {
					offs = append(offs, off)
				}
				rng.Shuffle(len(offs), func(a, b int) { offs[a], offs[b] = offs[b], offs[a] })
				for _, off := range offs {
					pos++
					tr.SetClock(pos, time.Time{})
					f.Write(int64(off), c[off:min(off+1000, len(c))])
					tr.Poll()
				}
			}
			for _, f := range files {
				f.Close(true)
			}
			tr.Progress(math.MaxInt64)
		}()
	}
	wg.Wait()
	for _, tr := range trs {
		tr.Close()
	}
	joined, _ := r.split()
	if len(joined) != opens {
		t.Fatalf("%d joined files, want %d", len(joined), opens)
	}
	for _, j := range joined {
		ok := false
		for _, c := range content {
			if bytes.Equal(j.SHA256, sum(c)) {
				ok = true
			}
		}
		if !ok || j.State != StateTruncated {
			t.Errorf("joined file: state %s, hash of an original %v", j.State, ok)
		}
	}
}

// BenchmarkFile measures what joining costs a file that travels over one
// connection: an ordinary file, an SMB open registered as a join candidate
// (multichannel session) that nobody joins, and for comparison a file that
// is joined (its bytes arrive over two connections on one worker). Each
// file is 64 KiB in 1448-byte pieces, opened, written and closed.
func BenchmarkFile(b *testing.B) {
	data := make([]byte, 64<<10)
	for i := range data {
		data[i] = byte(i * 7)
	}
	cases := []struct {
		name string
		meta func(i int) app.FileMeta
		two  bool
	}{
		{"ordinary", func(int) app.FileMeta { return app.FileMeta{Name: "f", Size: -1} }, false},
		{"candidate", func(i int) app.FileMeta { return smbMeta("f", 1, uint64(i)) }, false},
		{"joined", func(i int) app.FileMeta { return smbMeta("f", 1, uint64(i)) }, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			cfg := DefaultConfig()
			var st Stats
			tr := NewTracker[int, int](&cfg, &st, nopConsumer{})
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := range b.N {
				f := tr.Open(tc.meta(i), 1)
				g := f
				if tc.two {
					g = tr.Open(tc.meta(i), 2)
				}
				for off := 0; off < len(data); off += 1448 {
					w := f
					if (off/1448)%2 == 1 {
						w = g
					}
					w.Write(int64(off), data[off:min(off+1448, len(data))])
				}
				f.Close(false)
				if g != f {
					g.Close(true)
				}
			}
		})
	}
}

type nopConsumer struct{}

func (nopConsumer) Data(*tfile, int64, []byte) {}
func (nopConsumer) Gap(*tfile, int64, int64)   {}
func (nopConsumer) Anomaly(*tfile, string)     {}
func (nopConsumer) Closed(*tfile)              {}
