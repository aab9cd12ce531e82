package signatures

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirescan/wirescan/signatures/internal/flat"
	"github.com/wirescan/wirescan/signatures/sigtest"
)

// cacheRules is a rule file (with a hash list, bad.md5, written by
// cacheFixture into dir) exercising what the cache must rebuild: lazy
// file rules (nocase, exact, split long contents, chains, pcre), eager ones
// (flowbits, transforms, hash lists, transaction and stream rules, end-only
// and group-representative rules), metadata and a skipped rule (a warning).
func cacheRules(pats [][]byte) string {
	eicar := `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`
	lines := []string{
		`alert http any any -> any any (msg:"eicar exact"; file_data; content:"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"; sid:1; metadata: created_at 2024, policy a;)`,
		`alert http any any -> any any (msg:"eicar long nocase"; file_data; content:"` + hexContent([]byte(eicar)) + `"; nocase; sid:2;)`,
		`alert http any any -> any any (msg:"chain"; file_data; content:"abcdef"; content:"ghijkl"; distance:0; within:40; sid:3;)`,
		`alert http any any -> any any (msg:"pcre"; file_data; content:"needle"; pcre:"/needle[0-9]{2}/"; sid:4;)`,
		`alert http any any -> any any (msg:"setter"; flow:to_client; file_data; content:"flagme"; flowbits:set,seen; flowbits:noalert; sid:5;)`,
		`alert http any any -> any any (msg:"tester"; file_data; content:"second"; flowbits:isset,seen; sid:6;)`,
		`alert http any any -> any any (msg:"lower"; file_data; to_lowercase; content:"mixedcase"; sid:7;)`,
		`alert http any any -> any any (msg:"md5 list"; filemd5:bad.md5; sid:8;)`,
		`alert http any any -> any any (msg:"uri"; http.uri; content:"/get"; sid:9;)`,
		`alert tcp any any -> any any (msg:"stream"; content:"streamword"; sid:10;)`,
		`alert http any any -> any any (msg:"not there"; file_data; content:!"zzzzqq"; sid:11;)`,
		`alert http any any -> any any (msg:"bad"; nosuchkeyword; sid:12;)`,
		`alert http any any -> any any (msg:"size"; filesize:>3; sid:13;)`,
		`alert http $HOME_NET any -> any any (msg:"home"; file_data; content:"homeword"; sid:14;)`,
	}
	for i, r := range sigtest.Rules(pats, 1000) {
		lines = append(lines, r)
		if i%7 == 0 { // a nocase twin
			lines = append(lines, strings.Replace(r, fmt.Sprintf(`"; sid:%d;`, 1000+i), fmt.Sprintf(`"; nocase; sid:%d;`, 5000+i), 1))
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// cacheFixture writes the rule files of the cache tests into a temp dir.
func cacheFixture(t *testing.T) (paths []string, corpus []byte) {
	t.Helper()
	dir := t.TempDir()
	pats := sigtest.Patterns(31, 400)
	rules := filepath.Join(dir, "local.rules")
	if err := os.WriteFile(rules, []byte(cacheRules(pats)), 0o644); err != nil {
		t.Fatal(err)
	}
	ndb := filepath.Join(dir, "main.ndb")
	if err := os.WriteFile(ndb, []byte("Test.Ndb.1:0:*:41424344{2-4}4546??48\nTest.Ndb.2:0:*:6e6565646c65(30|31)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	corpus = sigtest.WithMatches(32, sigtest.Corpus(33, 256<<10), pats, 0.01)
	for _, s := range []string{"EICAR-STANDARD-ANTIVIRUS-TEST-FILE", `X5o!P%@aP[4\PZX54(P^)7CC)7}$EICAR-standard-ANTIVIRUS-TEST-FILE!$H+H*`,
		"abcdefxxghijkl", "needle42", "flagme", "second", "MixedCase", "ABCDxxEFzH", "needle1", "homeword"} {
		corpus = append(corpus, s...)
		corpus = append(corpus, ' ')
	}
	sum := md5.Sum(corpus) // the hash list names the corpus
	if err := os.WriteFile(filepath.Join(dir, "bad.md5"), []byte(hex.EncodeToString(sum[:])+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{rules, ndb}, corpus
}

// scanAll scans corpus as a file with every rule and returns the matches,
// and the flowbit-carrying order, as strings.
func scanAll(s *Set, corpus []byte, chunks []int) []string {
	ctx := &Context{Proto: "http", Established: true, Flow: NewFlowState(), SrcIP: netip.MustParseAddr("10.0.0.1")}
	return scan(s, FileData, ctx, corpus, chunks, &FileFacts{Size: int64(len(corpus)), Complete: true, MD5: md5Of(corpus)})
}

func md5Of(b []byte) []byte { s := md5.Sum(b); return s[:] }

// TestCacheHitMissAndEquivalence loads the same files without a cache, then
// twice through one (a miss that writes, then a hit): the Sets give the same
// rules, warnings and matches under several chunkings.
func TestCacheHitMissAndEquivalence(t *testing.T) {
	paths, corpus := cacheFixture(t)
	opts := Options{Vars: map[string]string{"HOME_NET": "10.0.0.0/8"}}
	plain, pw, err := Load(paths, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCache(t.TempDir(), 0)
	opts.Cache = c
	miss, mw, err := Load(paths, opts)
	if err != nil {
		t.Fatal(err)
	}
	hit, hw, err := Load(paths, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Misses != 1 || st.Hits != 1 || st.Writes != 1 || st.Rebuilt != 0 {
		t.Fatalf("cache stats %+v, want one miss, one write, one hit", st)
	}
	if miss.Stats().Cached || !hit.Stats().Cached {
		t.Fatalf("Cached: miss %v, hit %v", miss.Stats().Cached, hit.Stats().Cached)
	}
	if len(pw) == 0 || !slices.Equal(pw, mw) || !slices.Equal(pw, hw) {
		t.Fatalf("warnings differ:\n%v\n%v\n%v", pw, mw, hw)
	}
	if d := (FileDigests{MD5: true}); plain.Digests() != d || hit.Digests() != d {
		t.Fatalf("digests: plain %+v, cached %+v, want %+v (the filemd5 rule)", plain.Digests(), hit.Digests(), d)
	}
	if plain.Version() != hit.Version() || len(plain.Rules()) != len(hit.Rules()) {
		t.Fatalf("version %s/%s, rules %d/%d", plain.Version(), hit.Version(), len(plain.Rules()), len(hit.Rules()))
	}
	for i, r := range plain.Rules() {
		h := hit.Rules()[i]
		if r.SID != h.SID || r.GID != h.GID || r.Rev != h.Rev || r.Msg != h.Msg || r.Raw != h.Raw || r.File != h.File ||
			r.Line != h.Line || r.Priority != h.Priority || r.Classtype != h.Classtype || r.NoAlert() != h.NoAlert() ||
			r.Filestore != h.Filestore || r.Proto != h.Proto || r.Action != h.Action || fmt.Sprint(r.Metadata) != fmt.Sprint(h.Metadata) {
			t.Fatalf("rule %d differs:\n%+v\n%+v", i, r, h)
		}
	}
	want := scanAll(plain, corpus, []int{len(corpus)})
	if len(want) < 20 {
		t.Fatalf("only %d matches: the fixture should match much more", len(want))
	}
	for _, sid := range []string{"1@", "2@", "3@", "4@", "5@", "6@", "7@", "8@", "11@", "13@", "14@"} {
		if !slices.ContainsFunc(want, func(m string) bool { return strings.HasPrefix(m, sid) }) {
			t.Errorf("fixture rule %s did not match: %v", sid, want)
		}
	}
	clam := 0
	for _, m := range want {
		var sid, off int
		fmt.Sscanf(m, "%d@%d", &sid, &off)
		if sid > 100000 {
			clam++
		}
	}
	if clam != 2 {
		t.Errorf("%d ClamAV matches, want 2: %v", clam, want)
	}
	for name, chunks := range map[string][]int{"whole": {len(corpus)}, "random": sigtest.Splits(7, len(corpus), 3000), "small": sigtest.Splits(8, len(corpus), 40)} {
		for which, s := range map[string]*Set{"miss": miss, "hit": hit} {
			if got := scanAll(s, corpus, chunks); !slices.Equal(got, want) {
				t.Errorf("%s %s: %d matches, without cache %d\n got %v\nwant %v", which, name, len(got), len(want), got, want)
			}
		}
	}
	// Transactions, streams and frames through the cached Set.
	tx := &Context{Proto: "http", ToServer: true, Established: true, Buffers: testBuffers{"http.uri": "/get/x"}}
	if a, b := sidsOf(plain.MatchTransaction(tx)), sidsOf(hit.MatchTransaction(tx)); !slices.Equal(a, b) || len(a) == 0 {
		t.Errorf("transaction matches %v, cached %v", a, b)
	}
	if _, err := Compile(hit.Rules(), Options{}); err == nil {
		t.Error("Compile accepted unparsed rules of a cached Set")
	}
	streamData := []byte("xx streamword yy")
	if a, b := scan(plain, Stream, anyCtx(), streamData, []int{len(streamData)}, nil), scan(hit, Stream, anyCtx(), streamData, []int{5, len(streamData) - 5}, nil); !slices.Equal(a, b) || len(a) == 0 {
		t.Errorf("stream matches %v, cached %v", a, b)
	}
}

// testBuffers serves protocol buffers from a map.
type testBuffers map[string]string

func (b testBuffers) Buffer(name string) ([]byte, bool) {
	v, ok := b[name]
	return []byte(v), ok
}

func sidsOf(ms []Match) []int {
	var out []int
	for _, m := range ms {
		out = append(out, m.Rule.SID)
	}
	slices.Sort(out)
	return out
}

// entryPath returns the one cache entry in dir.
func entryPath(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.wsc"))
	if len(m) != 1 {
		t.Fatalf("%d cache entries, want 1", len(m))
	}
	return m[0]
}

// TestCacheDamagedEntry corrupts, truncates and swaps the entry: each load
// compiles again (counted in Rebuilt), rewrites the entry and gives the same
// matches; the next load is a hit again.
func TestCacheDamagedEntry(t *testing.T) {
	paths, corpus := cacheFixture(t)
	plain, _, err := Load(paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := scanAll(plain, corpus, []int{len(corpus)})
	dir := t.TempDir()
	c := NewCache(dir, 0)
	if _, _, err := Load(paths, Options{Cache: c}); err != nil {
		t.Fatal(err)
	}
	path := entryPath(t, dir)
	good, _ := os.ReadFile(path)
	other := filepath.Join(t.TempDir(), "other.rules")
	os.WriteFile(other, []byte(`alert http any any -> any any (msg:"x"; file_data; content:"other"; sid:1;)`+"\n"), 0o644)
	if _, _, err := Load([]string{other}, Options{Cache: NewCache(t.TempDir(), 0)}); err != nil {
		t.Fatal(err)
	}
	damages := map[string]func([]byte) []byte{
		"bit flip in payload": func(b []byte) []byte { b = slices.Clone(b); b[len(b)/2] ^= 0x10; return b },
		"bit flip in header":  func(b []byte) []byte { b = slices.Clone(b); b[50] ^= 1; return b },
		"truncated":           func(b []byte) []byte { return b[:len(b)-100] },
		"header only":         func(b []byte) []byte { return b[:cacheHeaderLen] },
		"empty":               func(b []byte) []byte { return nil },
		"appended":            func(b []byte) []byte { return append(slices.Clone(b), 0, 0, 0, 0) },
		"other key":           func(b []byte) []byte { b = slices.Clone(b); b[20] ^= 0xff; return b },
		"not an entry": func(b []byte) []byte {
			return []byte("hello, this is not a cache entry at all, but long enough to have a header......")
		},
	}
	for name, damage := range damages {
		if err := os.WriteFile(path, damage(good), 0o600); err != nil {
			t.Fatal(err)
		}
		before := c.Stats()
		s, _, err := Load(paths, Options{Cache: c})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		after := c.Stats()
		if after.Rebuilt != before.Rebuilt+1 || after.Writes != before.Writes+1 || s.Stats().Cached {
			t.Fatalf("%s: stats %+v -> %+v, Cached %v: want one rebuild and one write", name, before, after, s.Stats().Cached)
		}
		if got := scanAll(s, corpus, []int{len(corpus)}); !slices.Equal(got, want) {
			t.Fatalf("%s: %d matches, want %d", name, len(got), len(want))
		}
		if s, _, _ := Load(paths, Options{Cache: c}); !s.Stats().Cached {
			t.Fatalf("%s: the rewritten entry is not used", name)
		}
	}
}

// TestCacheKeys checks what changes the key: options and source bytes do,
// the Cache option itself and the modification time do not.
func TestCacheKeys(t *testing.T) {
	c := NewCache(t.TempDir(), 0)
	src := []source{{path: "a.rules", data: []byte("alert http any any -> any any (msg:\"x\"; content:\"abc\"; sid:1;)\n")}}
	base := c.key(src, Options{}.withDefaults())
	if c.key(src, Options{Cache: c}.withDefaults()) != base {
		t.Error("the Cache option changes the key")
	}
	changed := map[string][32]byte{
		"strict":        c.key(src, Options{Strict: true}.withDefaults()),
		"vars":          c.key(src, Options{Vars: map[string]string{"HOME_NET": "10.0.0.0/8"}}.withDefaults()),
		"dense bytes":   c.key(src, Options{DenseBytes: 1 << 10}.withDefaults()),
		"max rules":     c.key(src, Options{MaxRules: 7}.withDefaults()),
		"source byte":   c.key([]source{{path: "a.rules", data: bytes.Replace(src[0].data, []byte("abc"), []byte("abd"), 1)}}, Options{}.withDefaults()),
		"path":          c.key([]source{{path: "b.rules", data: src[0].data}}, Options{}.withDefaults()),
		"another file":  c.key(append(slices.Clone(src), source{path: "b.ndb"}), Options{}.withDefaults()),
		"file boundary": c.key([]source{{path: "a.rules", data: src[0].data[:10]}, {path: "a.rules", data: src[0].data[10:]}}, Options{}.withDefaults()),
	}
	for name, k := range changed {
		if k == base {
			t.Errorf("%s does not change the key", name)
		}
	}
	// Another build is another key.
	d := &Cache{dir: c.dir, build: c.build + "x"}
	if d.key(src, Options{}.withDefaults()) == base {
		t.Error("the build does not change the key")
	}
	// Same bytes, touched file: same key (contents, not times).
	dir := t.TempDir()
	p := filepath.Join(dir, "a.rules")
	os.WriteFile(p, src[0].data, 0o644)
	s1, _, _ := readSources([]string{p})
	old := time.Unix(1e9, 0)
	os.Chtimes(p, old, old)
	s2, _, _ := readSources([]string{p})
	if c.key(s1, Options{}) != c.key(s2, Options{}) {
		t.Error("touching a file changes the key")
	}
}

// TestCacheEviction bounds the directory: older entries go first, the one
// just written stays.
func TestCacheEviction(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 4 {
		p := filepath.Join(dir, fmt.Sprintf("r%d.rules", i))
		os.WriteFile(p, []byte(strings.Join(sigtest.Rules(sigtest.Patterns(uint64(i+1), 300), 1), "\n")), 0o644)
		paths = append(paths, p)
	}
	cdir := filepath.Join(dir, "cache")
	probe := NewCache(cdir, 0)
	if _, _, err := Load(paths[:1], Options{Cache: probe}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(entryPath(t, cdir))
	c := NewCache(cdir, 2*fi.Size()+fi.Size()/2) // room for two entries
	for _, p := range paths[1:] {
		if _, _, err := Load([]string{p}, Options{Cache: c}); err != nil {
			t.Fatal(err)
		}
	}
	m, _ := filepath.Glob(filepath.Join(cdir, "*.wsc"))
	if len(m) != 2 || c.Stats().Evicted != 2 {
		t.Fatalf("%d entries, %d evicted; want 2 and 2", len(m), c.Stats().Evicted)
	}
	// The two newest remain: loading them hits.
	before := c.Stats().Hits
	for _, p := range paths[2:] {
		Load([]string{p}, Options{Cache: c})
	}
	if c.Stats().Hits != before+2 {
		t.Fatalf("newest entries were evicted: %+v", c.Stats())
	}
}

// TestCacheUnwritable: a cache directory that can't be created costs the
// write, never the load.
func TestCacheUnwritable(t *testing.T) {
	paths, _ := cacheFixture(t)
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o644)
	c := NewCache(filepath.Join(blocker, "cache"), 0)
	if _, _, err := Load(paths, Options{Cache: c}); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.WriteErrors != 1 || st.Misses != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestDecodeSetDamaged decodes mutated payloads directly (as if a damage had
// passed the checksum): an error or a Set that scans, never a panic.
func TestDecodeSetDamaged(t *testing.T) {
	paths, corpus := cacheFixture(t)
	srcs, _, err := readSources(paths)
	if err != nil {
		t.Fatal(err)
	}
	s, warns, err := load(paths, srcs, Options{}.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	data := s.encodeBytes(warns, srcs)
	rng := rand.New(rand.NewPCG(testSeed, 5))
	decode := func(d []byte) { decodeDamaged(t, d, srcs, corpus[:4096]) }
	decode(data)
	for n := 0; n < len(data); n += 1 + len(data)/300 {
		decode(data[:n])
	}
	for range 400 {
		d := slices.Clone(data)
		for range 1 + rng.IntN(3) {
			d[rng.IntN(len(d))] ^= byte(1 << rng.IntN(8))
		}
		decode(d)
	}
}

// FuzzCacheEntry decodes mutated cache payloads (as if a damage had passed
// the checksum): an error wrapping errCacheEntry, or a Set that scans and
// evaluates transactions without panicking.
func FuzzCacheEntry(f *testing.F) {
	dir := f.TempDir()
	rules := filepath.Join(dir, "f.rules")
	text := strings.Join(append(sigtest.Rules(sigtest.Patterns(5, 20), 1),
		`alert http any any -> any any (msg:"uri"; http.uri; content:"/get"; sid:900;)`,
		`alert http any any -> any any (msg:"fb"; file_data; content:"flag"; flowbits:set,x; sid:901;)`,
		`alert http any any -> any any (msg:"lower"; file_data; to_lowercase; content:"abcd"; sid:902;)`), "\n")
	if err := os.WriteFile(rules, []byte(text), 0o644); err != nil {
		f.Fatal(err)
	}
	srcs, _, err := readSources([]string{rules})
	if err != nil {
		f.Fatal(err)
	}
	s, warns, err := load([]string{rules}, srcs, Options{}.withDefaults())
	if err != nil {
		f.Fatal(err)
	}
	data := s.encodeBytes(warns, srcs)
	f.Add(data)
	f.Add(data[:len(data)/2])
	corpus := sigtest.Corpus(9, 8192)
	f.Fuzz(func(t *testing.T, d []byte) { decodeDamaged(t, d, srcs, corpus) })
}

// decodeDamaged decodes a possibly damaged payload: an error wrapping
// errCacheEntry, or a Set that scans corpus and evaluates a transaction
// without panicking.
func decodeDamaged(t *testing.T, d []byte, srcs []source, corpus []byte) {
	buf := flat.AlignedCopy(len(d))
	copy(buf, d)
	ds, _, err := decodeSet(buf, Options{}.withDefaults(), srcs)
	if err != nil {
		if !errors.Is(err, errCacheEntry) {
			t.Fatalf("error %v does not wrap errCacheEntry", err)
		}
		return
	}
	scanAll(ds, corpus, sigtest.Splits(1, len(corpus), 4096))
	ds.MatchTransaction(&Context{Proto: "http", ToServer: true, Buffers: testBuffers{"http.uri": "/get"}})
}

// TestCachedSetConcurrentUse scans one cached Set from several goroutines at
// once (lazy compilation racing): every goroutine gets the matches of the
// uncached Set (run with -race).
func TestCachedSetConcurrentUse(t *testing.T) {
	paths, corpus := cacheFixture(t)
	plain, _, err := Load(paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := scanAll(plain, corpus, []int{len(corpus)})
	c := NewCache(t.TempDir(), 0)
	if _, _, err := Load(paths, Options{Cache: c}); err != nil {
		t.Fatal(err)
	}
	hit, _, err := Load(paths, Options{Cache: c})
	if err != nil || !hit.Stats().Cached {
		t.Fatalf("no hit: %v", err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := scanAll(hit, corpus, sigtest.Splits(uint64(g), len(corpus), 5000))
			if !slices.Equal(got, want) {
				errs <- fmt.Sprintf("goroutine %d: %d matches, want %d", g, len(got), len(want))
			}
			hit.MatchTransaction(&Context{Proto: "http", ToServer: true, Buffers: testBuffers{"http.uri": "/get"}})
			NewFrameSet(hit)
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
