package signatures

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestXbitsParse(t *testing.T) {
	one := func(r *Rule) xbitOp { return r.xbits[0] }
	for _, tc := range []struct {
		name, opts, err string
		unsupported     bool
		check           func(*Rule) bool
	}{
		// Valid forms.
		{name: "set pair expire", opts: `xbits:set, blocked_http, track ip_pair, expire 3600; sid:1;`, check: func(r *Rule) bool {
			o := one(r)
			return len(r.xbits) == 1 && o.op == fbSet && o.name == "blocked_http" && o.track == XBitIPPair && o.expire == 3600
		}},
		{name: "set default expire", opts: `xbits:set,abc,track ip_pair; sid:1;`, check: func(r *Rule) bool {
			return one(r).expire == defaultXbitExpire && defaultXbitExpire == 30
		}},
		{name: "isset ip_src", opts: `xbits:isset,bit2,track ip_src; sid:1;`, check: func(r *Rule) bool {
			return one(r).op == fbIsset && one(r).track == XBitIPSrc
		}},
		{name: "isnotset spaces", opts: `xbits:isnotset, bit3,  track   ip_dst ; sid:1;`, check: func(r *Rule) bool {
			return one(r).op == fbIsnotset && one(r).track == XBitIPDst && one(r).name == "bit3"
		}},
		{name: "toggle", opts: `xbits:toggle,bit4, track ip_pair; sid:1;`, check: func(r *Rule) bool { return one(r).op == fbToggle }},
		{name: "unset padded op", opts: `xbits:  unset ,bit5,track ip_src; sid:1;`, check: func(r *Rule) bool { return one(r).op == fbUnset }},
		{name: "expire before track", opts: `xbits:set,b,expire 10,track ip_src; sid:1;`, check: func(r *Rule) bool {
			return one(r).expire == 10 && one(r).track == XBitIPSrc
		}},
		{name: "isset with expire accepted", opts: `xbits:isset,b,track ip_src,expire 10; sid:1;`, check: func(r *Rule) bool { return one(r).op == fbIsset }},
		{name: "max expire", opts: `xbits:set,b,track ip_src,expire 4294967295; sid:1;`, check: func(r *Rule) bool { return one(r).expire == 1<<32-1 }},
		{name: "noalert after", opts: `xbits:set,b7,track ip_pair,expire 3600; xbits:noalert; sid:1;`, check: func(r *Rule) bool {
			return r.NoAlert() && len(r.xbits) == 1
		}},
		{name: "noalert before", opts: `xbits:noalert; xbits:set,b7,track ip_pair; sid:1;`, check: func(r *Rule) bool { return r.NoAlert() && len(r.xbits) == 1 }},
		{name: "two keywords in order", opts: `xbits:isset,a,track ip_src; xbits:set,b,track ip_src,expire 10; sid:1;`, check: func(r *Rule) bool {
			return len(r.xbits) == 2 && r.xbits[0].name == "a" && r.xbits[1].name == "b"
		}},
		// Errors, each named.
		{name: "unknown op", opts: `xbits:flip,a,track ip_pair; sid:1;`, err: `unknown operation "flip"`},
		{name: "name first", opts: `xbits:bit6,set,track ip_src,expire 10; sid:1;`, err: `unknown operation "bit6"`},
		{name: "missing op", opts: `xbits:,a,track ip_pair; sid:1;`, err: "missing operation"},
		{name: "missing name", opts: `xbits:set; sid:1;`, err: "set needs a name"},
		{name: "empty name", opts: `xbits:isset,,track ip_src; sid:1;`, err: "isset needs a name"},
		{name: "track as name", opts: `xbits:isnotset,track ip_pair; sid:1;`, err: `bad name "track ip_pair"`},
		{name: "missing track", opts: `xbits:set,a; sid:1;`, err: `set a needs "track ip_src|ip_dst|ip_pair"`},
		{name: "missing track with expire", opts: `xbits:set,a,expire 10; sid:1;`, err: `needs "track`},
		{name: "unknown track", opts: `xbits:unset,bit5,track ipsrc; sid:1;`, err: `unknown track "ipsrc"`},
		{name: "track without value", opts: `xbits:set,a,track; sid:1;`, err: "track needs ip_src, ip_dst or ip_pair"},
		{name: "track tx", opts: `xbits:set,a,track tx; sid:1;`, err: `xbits "track tx" not supported`, unsupported: true},
		{name: "track twice", opts: `xbits:set,a,track ip_src,track ip_dst; sid:1;`, err: "track given twice"},
		{name: "expire zero", opts: `xbits:set,a,track ip_src,expire 0; sid:1;`, err: `bad expire "0"`},
		{name: "expire negative", opts: `xbits:set,a,track ip_src,expire -1; sid:1;`, err: `bad expire "-1"`},
		{name: "expire not a number", opts: `xbits:set,a,track ip_src,expire soon; sid:1;`, err: `bad expire "soon"`},
		{name: "expire too large", opts: `xbits:set,a,track ip_src,expire 4294967296; sid:1;`, err: `bad expire "4294967296"`},
		{name: "expire without value", opts: `xbits:set,bit7,track ip_pair,expire; sid:1;`, err: `bad expire ""`},
		{name: "expire twice", opts: `xbits:set,a,track ip_src,expire 1,expire 2; sid:1;`, err: "expire given twice"},
		{name: "unknown option", opts: `xbits:set,bit7,trackk ip_pair,expire 3600; sid:1;`, err: `unknown option "trackk ip_pair"`},
		{name: "stray option", opts: `xbits:isset,bit2,track ip_dst,asdf; sid:1;`, err: `unknown option "asdf"`},
		{name: "noalert inside", opts: `xbits:set,bit1,noalert,track ip_src; sid:1;`, err: `unknown option "noalert"`},
		{name: "noalert with more", opts: `xbits:noalert,set,bit1,track ip_src; sid:1;`, err: "noalert takes nothing else"},
		{name: "empty option", opts: `xbits:set,a,,track ip_src; sid:1;`, err: "empty option"},
		{name: "three words", opts: `xbits:set,a,track ip_src ip_dst; sid:1;`, err: `bad option "track ip_src ip_dst"`},
		{name: "flowbits syntax", opts: `xbits:isset,a|b,track ip_src; sid:1;`, err: `bad name "a|b"`},
		{name: "too many", opts: strings.Repeat("xbits:set,a,track ip_src; ", maxXbitOps+1) + `sid:1;`, err: "more than 32 xbits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := parseRule(r(tc.opts), &parseCtx{dir: ".", opts: Options{}.withDefaults()})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got error %v, want one containing %q", err, tc.err)
				}
				if errors.Is(err, ErrUnsupported) != tc.unsupported {
					t.Fatalf("%v: ErrUnsupported %v, want %v", err, errors.Is(err, ErrUnsupported), tc.unsupported)
				}
				return
			}
			if err != nil || !tc.check(r) {
				t.Fatalf("err %v, rule %+v", err, r)
			}
		})
	}
}

// TestXbitsLoadErrors: a bad xbits keyword names the file and line, as a
// warning (the rule is skipped) and as the error of a strict load.
func TestXbitsLoadErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.rules")
	text := r(`xbits:set,a,track ip_pair,expire 60; sid:1;`) + "\n" +
		r(`xbits:set,a,track nonsense; sid:2;`) + "\n" +
		r(`xbits:isset,a; sid:3;`) + "\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	s, warns, err := Load([]string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range warns {
		got = append(got, w.String())
	}
	want := []string{
		path + `:2: keyword "xbits": unknown track "nonsense" (want ip_src, ip_dst or ip_pair)`,
		path + `:3: keyword "xbits": isset a needs "track ip_src|ip_dst|ip_pair"`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := len(s.Rules()); n != 1 {
		t.Fatalf("%d rules loaded, want 1", n)
	}
	_, _, err = Load([]string{path}, Options{Strict: true})
	var le *LoadError
	if !errors.As(err, &le) || le.Line != 2 || !strings.Contains(err.Error(), path+`:2: keyword "xbits": unknown track`) {
		t.Fatalf("strict load: %v", err)
	}
}

// mapXBits is the naive twin of engine/xbits.Table: a map of expiry
// seconds, with the same whole-second rule.
type mapXBits struct {
	bits map[XBitKey]int64
	ops  []string
}

func newMapXBits() *mapXBits { return &mapXBits{bits: map[XBitKey]int64{}} }

func (m *mapXBits) IsSet(k XBitKey, now time.Time) bool {
	exp, ok := m.bits[k]
	return ok && exp >= now.Unix()
}

func (m *mapXBits) Set(k XBitKey, now time.Time, d time.Duration) {
	m.bits[k] = now.Unix() + int64(d/time.Second)
	m.ops = append(m.ops, "set "+k.Name)
}

func (m *mapXBits) Unset(k XBitKey) {
	delete(m.bits, k)
	m.ops = append(m.ops, "unset "+k.Name)
}

func (m *mapXBits) Toggle(k XBitKey, now time.Time, d time.Duration) {
	if m.IsSet(k, now) {
		m.Unset(k)
		return
	}
	m.Set(k, now, d)
}

var (
	xCli = netip.MustParseAddr("10.0.0.1")
	xSrv = netip.MustParseAddr("10.0.0.2")
	xOth = netip.MustParseAddr("10.0.0.3")
)

// xctx is a transaction context for bytes from src to dst at second sec.
func xctx(store XBits, src, dst netip.Addr, toServer bool, sec int64) *Context {
	now := time.Unix(sec, 500e6)
	return &Context{Proto: "http", ToServer: toServer, SrcIP: src, DstIP: dst, SrcPort: 1, DstPort: 2,
		XBits: store, Now: func() time.Time { return now }}
}

// TestXbitsKeys: which address each track names, for bytes from src to dst.
func TestXbitsKeys(t *testing.T) {
	v6 := netip.MustParseAddr("::ffff:10.0.0.1")
	for _, tc := range []struct {
		track    XBitTrack
		src, dst netip.Addr
		want     XBitKey
		ok       bool
	}{
		{XBitIPSrc, xCli, xSrv, XBitKey{Name: "n", A: xCli}, true},
		{XBitIPDst, xCli, xSrv, XBitKey{Name: "n", A: xSrv}, true},
		{XBitIPPair, xCli, xSrv, XBitKey{Name: "n", Pair: true, A: xCli, B: xSrv}, true},
		{XBitIPPair, xSrv, xCli, XBitKey{Name: "n", Pair: true, A: xCli, B: xSrv}, true},
		{XBitIPSrc, v6, xSrv, XBitKey{Name: "n", A: xCli}, true},
		{XBitIPDst, xCli, netip.Addr{}, XBitKey{Name: "n"}, false},
		{XBitIPPair, netip.Addr{}, xSrv, XBitKey{Name: "n", Pair: true, B: xSrv}, false},
	} {
		o := xbitOp{name: "n", track: tc.track}
		k, ok := o.key(tc.src, tc.dst)
		if k != tc.want || ok != tc.ok {
			t.Errorf("%s %v->%v: key %+v %v, want %+v %v", tc.track, tc.src, tc.dst, k, ok, tc.want, tc.ok)
		}
	}
}

// TestXbitsTransaction: per track, a bit set by one transaction is seen by
// others of the same host or pair, in either direction, at the tester's
// packet time; setters run before testers; without a store every bit is
// unset.
func TestXbitsTransaction(t *testing.T) {
	s := mustSet(t, Options{},
		r(`xbits:isset,p,track ip_pair; http.uri; content:"/test"; sid:10;`),
		r(`xbits:isnotset,p,track ip_pair; http.uri; content:"/test"; sid:11;`),
		r(`xbits:isset,h,track ip_src; http.uri; content:"/test"; sid:12;`),
		r(`xbits:isset,h,track ip_dst; http.uri; content:"/test"; sid:13;`),
		r(`http.uri; content:"/set"; xbits:set,p,track ip_pair,expire 10; xbits:set,h,track ip_dst,expire 10; noalert; sid:1;`),
		r(`http.uri; content:"/unset"; xbits:unset,p,track ip_pair; sid:2;`),
		r(`http.uri; content:"/toggle"; xbits:toggle,p,track ip_pair,expire 10; sid:3;`),
	)
	store := newMapXBits()
	tx := func(src, dst netip.Addr, toServer bool, sec int64, uri string) string {
		ctx := xctx(store, src, dst, toServer, sec)
		ctx.Buffers = mapBuffers{"http.uri": uri}
		return sids(s.MatchTransaction(ctx))
	}
	steps := []struct {
		name     string
		src, dst netip.Addr
		toServer bool
		sec      int64
		uri      string
		want     string
	}{
		{"nothing set", xCli, xSrv, true, 100, "/test", "[11]"},
		{"setter, silent", xCli, xSrv, true, 100, "/set", "[1]"},
		{"same pair reversed; h is the server's", xSrv, xCli, false, 101, "/test", "[10 12]"},
		{"server as destination", xOth, xSrv, true, 101, "/test", "[11 13]"},
		{"other pair", xCli, xOth, true, 101, "/test", "[11]"},
		{"last second of lifetime", xCli, xSrv, true, 110, "/test", "[10 13]"},
		{"expired", xCli, xSrv, true, 111, "/test", "[11]"},
		{"toggle sets", xCli, xSrv, true, 200, "/toggle", "[3]"},
		{"toggled on", xSrv, xCli, false, 200, "/test", "[10]"},
		{"toggle clears", xSrv, xCli, false, 201, "/toggle", "[3]"},
		{"toggled off", xCli, xSrv, true, 201, "/test", "[11]"},
		{"set again", xCli, xSrv, true, 300, "/set", "[1]"},
		{"unset", xSrv, xCli, false, 300, "/unset", "[2]"},
		{"unset holds", xCli, xSrv, true, 300, "/test", "[11 13]"},
	}
	for _, st := range steps {
		if got := tx(st.src, st.dst, st.toServer, st.sec, st.uri); got != st.want {
			t.Fatalf("%s: got %s, want %s (ops %v)", st.name, got, st.want, store.ops)
		}
	}
	// A setter and a tester in one transaction: the setter runs first.
	store = newMapXBits()
	ctx := xctx(store, xCli, xSrv, true, 5)
	ctx.Buffers = mapBuffers{"http.uri": "/set/test"}
	if got := sids(s.MatchTransaction(ctx)); got != "[1 10 13]" {
		t.Fatalf("one transaction: got %s", got)
	}
	// Without a store or a clock: unset everywhere, actions dropped.
	ctx = xctx(nil, xCli, xSrv, true, 5)
	ctx.Buffers, ctx.Now = mapBuffers{"http.uri": "/set/test"}, nil
	if got := sids(s.MatchTransaction(ctx)); got != "[1 11]" {
		t.Fatalf("nil store: got %s", got)
	}
}

// TestXbitsFile: file rules set bits when they match (noalert too) and test
// them when they complete, at the time of the call that completes them,
// under every chunking.
func TestXbitsFile(t *testing.T) {
	s := mustSet(t, Options{},
		r(`file_data; content:"MZ"; xbits:set,pe,track ip_pair,expire 60; noalert; sid:1;`),
		r(`xbits:isset,pe,track ip_pair; file_data; content:"This program"; sid:2;`),
		r(`xbits:isset,seen,track ip_src; filemagic:"PDF"; sid:3;`),
		r(`xbits:isnotset,seen,track ip_src; filemagic:"PDF"; sid:4;`),
	)
	data := "MZ This program"
	for cname, chunks := range chunkings(len(data), testSeed) {
		store := newMapXBits()
		ctx := xctx(store, xSrv, xCli, false, 1000)
		got := scan(s, FileData, ctx, []byte(data), chunks, &FileFacts{Size: int64(len(data)), Magic: "PDF document"})
		if want := []string{"1@2", "2@15", "4@-1"}; !slices.Equal(got, want) {
			t.Fatalf("%s: got %v, want %v", cname, got, want)
		}
		if !store.IsSet(XBitKey{Name: "pe", Pair: true, A: xCli, B: xSrv}, time.Unix(1060, 0)) {
			t.Fatalf("%s: pe not set for 60 s: %v", cname, store.bits)
		}
	}
	// The clock is read when the rule completes, not when the scanner
	// started: a bit that expires between the two is unset.
	store := newMapXBits()
	store.bits[XBitKey{Name: "seen", A: xSrv}] = 1000
	now := time.Unix(1000, 0)
	ctx := &Context{Proto: "http", SrcIP: xSrv, DstIP: xCli, XBits: store, Now: func() time.Time { return now }}
	sc := s.NewScanner(FileData, ctx)
	sc.Write([]byte("%PDF"))
	now = time.Unix(1001, 0)
	if got := sids(sc.End(FileFacts{Size: 4, Magic: "PDF document"})); got != "[4]" {
		t.Fatalf("late end: got %s", got)
	}
}

// TestXbitsPreset: a request-side transaction rule setting an xbit applies
// when a file of the transaction starts, as flowbits setters do.
func TestXbitsPreset(t *testing.T) {
	s := mustSet(t, Options{},
		r(`flow:to_server; http.user_agent; content:"wget"; nocase; xbits:set,wget,track ip_src,expire 30; sid:1;`),
		r(`xbits:isset,wget,track ip_dst; filemagic:"PDF"; sid:2;`))
	store := newMapXBits()
	ctx := xctx(store, xSrv, xCli, false, 50)
	ctx.Buffers = mapBuffers{"http.user_agent": "Wget/1.21"}
	sc := s.NewScanner(FileData, ctx)
	sc.Write([]byte("%PDF-1.4"))
	if got := sids(sc.End(FileFacts{Size: 8, Magic: "PDF document"})); got != "[2]" {
		t.Fatalf("got %s (ops %v)", got, store.ops)
	}
}

// TestXbitsCachedSet: a set read back from the compiled-set cache evaluates
// xbits as the one compiled from text.
func TestXbitsCachedSet(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.rules")
	text := r(`http.uri; content:"/set"; xbits:set,p,track ip_pair; sid:1;`) + "\n" +
		r(`xbits:isset,p,track ip_pair; file_data; content:"abc"; sid:2;`) + "\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := Options{Cache: NewCache(filepath.Join(dir, "cache"), 0)}
	for round := range 2 {
		s, _, err := Load([]string{path}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if s.Stats().Cached != (round == 1) {
			t.Fatalf("round %d: Cached %v", round, s.Stats().Cached)
		}
		store := newMapXBits()
		ctx := xctx(store, xCli, xSrv, true, 10)
		ctx.Buffers = mapBuffers{"http.uri": "/set"}
		if got := sids(s.MatchTransaction(ctx)); got != "[1]" {
			t.Fatalf("round %d: tx got %s", round, got)
		}
		fctx := xctx(store, xSrv, xCli, false, 11)
		if got := scan(s, FileData, fctx, []byte("xabcx"), []int{5}, nil); !slices.Equal(got, []string{"2@4"}) {
			t.Fatalf("round %d: file got %v", round, got)
		}
	}
}
