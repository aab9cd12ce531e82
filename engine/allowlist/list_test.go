package allowlist

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func sums(s string) (m [16]byte, h [32]byte) { return md5.Sum([]byte(s)), sha256.Sum256([]byte(s)) }

func hexOf(b []byte) string { return hex.EncodeToString(b) }

func parse(t *testing.T, src string) *List {
	t.Helper()
	l, err := Parse(strings.NewReader(src), "list", Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestFormats(t *testing.T) {
	m1, s1 := sums("one")
	m2, s2 := sums("two")
	_, s3 := sums("three")
	m4, _ := sums("four")
	_, s5 := sums("five")
	m6, s6 := sums("six")
	src := "# known good\n" +
		"\n" +
		hexOf(s1[:]) + "\n" + // bare SHA-256
		strings.ToUpper(hexOf(m2[:])) + "\r\n" + // bare MD5, upper case, CRLF
		hexOf(s3[:]) + "  /usr/bin/three\n" + // sha256sum text mode
		hexOf(m4[:]) + " *four.exe\n" + // md5sum binary mode
		"\\" + hexOf(s5[:]) + "  dir\\\\five\n" + // escaped name
		"SHA256 (six) = " + hexOf(s6[:]) + "\n" + // --tag
		"MD5 (one) = " + hexOf(m1[:]) + "\n" +
		"   \t" + hexOf(s1[:]) + "\tdup\n" // duplicate, tab separated
	l := parse(t, src)
	if st := l.Stats(); st.MD5 != 3 || st.SHA256 != 4 {
		t.Fatalf("stats %+v", st)
	}
	for _, tc := range []struct {
		name        string
		md5, sha256 []byte
		want        bool
	}{
		{"sha256 listed", nil, s1[:], true},
		{"md5 listed", m2[:], nil, true},
		{"md5 listed, sha256 not", m2[:], s2[:], true},
		{"sha256 from sha256sum", m6[:], s3[:], true},
		{"md5 from md5sum", m4[:], nil, true},
		{"escaped name", nil, s5[:], true},
		{"tag", nil, s6[:], true},
		{"tag md5", m1[:], nil, true},
		{"neither", m6[:], s2[:], false},
		{"wrong lengths not looked up", s1[:16], m2[:], false},
		{"nothing", nil, nil, false},
	} {
		if got := l.Contains(tc.md5, tc.sha256); got != tc.want {
			t.Errorf("%s: Contains %v, want %v", tc.name, got, tc.want)
		}
	}
	var nilList *List
	if nilList.Contains(m1[:], s1[:]) || nilList.Stats() != (Stats{}) {
		t.Error("nil list")
	}
}

func TestErrors(t *testing.T) {
	_, s1 := sums("one")
	for _, tc := range []struct {
		line, want string
	}{
		{"abc", `list:1: bad hash "abc": want MD5 (32 hex digits) or SHA-256 (64), got 3`},
		{strings.Repeat("a", 40) + "  x", `SHA-1 is not supported`},
		{strings.Repeat("g", 32), `"g" at 1 is not a hex digit`},
		{"SHA1 (x) = " + strings.Repeat("a", 40), `SHA1 hashes are not supported`},
		{"SHA256 (x) = " + strings.Repeat("a", 32), `bad SHA256 hash`},
		{"SHA256 (x) " + hexOf(s1[:]), `bad SHA256 line`},
		{strings.Repeat("a", MaxLineBytes+1), `line longer than 65536 bytes`},
	} {
		_, err := Parse(strings.NewReader(tc.line+"\n"), "list", Options{})
		var errs Errors
		if !errors.As(err, &errs) || len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) || !strings.HasPrefix(errs[0].Error(), "allowlist: list:1: ") {
			t.Errorf("%.40q: got %v, want %q", tc.line, err, tc.want)
		}
	}
	// All errors of a file, with their lines.
	_, err := Parse(strings.NewReader("bad\n"+hexOf(s1[:])+"\n\nworse\n"), "f", Options{})
	if err == nil || err.Error() != "allowlist: f:1: bad hash \"bad\": want MD5 (32 hex digits) or SHA-256 (64), got 3\nallowlist: f:4: bad hash \"worse\": \"w\" at 1 is not a hex digit" {
		t.Fatalf("got %v", err)
	}
	if _, err := Parse(strings.NewReader(""), "f", Options{MaxEntries: -1}); err == nil {
		t.Fatal("negative limit accepted")
	}
}

// TestMaxEntries: a list of exactly the limit loads; one more hash is an
// error naming its line.
func TestMaxEntries(t *testing.T) {
	var b strings.Builder
	for i := range 4 {
		_, s := sums(strings.Repeat("x", i))
		b.WriteString(hexOf(s[:]) + "\n")
	}
	if _, err := Parse(strings.NewReader(b.String()), "f", Options{MaxEntries: 4}); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	_, err := Parse(strings.NewReader(b.String()), "f", Options{MaxEntries: 3})
	if err == nil || !strings.Contains(err.Error(), "f:4: more than 3 hashes") {
		t.Fatalf("over the limit: %v", err)
	}
}

func TestLoadAndAllowed(t *testing.T) {
	m, s := sums("vetted tool")
	path := filepath.Join(t.TempDir(), "good.sha256")
	if err := os.WriteFile(path, []byte(hexOf(s[:])+"  tool.exe\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !l.Allowed(m[:], s[:]) || l.Allowed(m[:], nil) || l.Stats().Hits != 1 || l.Name() != path {
		t.Fatalf("stats %+v", l.Stats())
	}
	next, _ := Load(path, Options{})
	next.Carry(l)
	next.Allowed(nil, s[:])
	if next.Stats().Hits != 2 {
		t.Fatalf("carried hits %d", next.Stats().Hits)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing"), Options{}); err == nil || !strings.HasPrefix(err.Error(), "allowlist: ") {
		t.Fatalf("missing file: %v", err)
	}
}

// TestContainsMatchesMap compares the sorted arrays with a map over seeded
// random hashes.
func TestContainsMatchesMap(t *testing.T) {
	const seed = 20240601
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	want := map[[32]byte]bool{}
	var b strings.Builder
	var probes [][32]byte
	for range 5000 {
		var h [32]byte
		for i := range h {
			h[i] = byte(rng.UintN(4)) // few distinct bytes: many shared prefixes
		}
		probes = append(probes, h)
		if rng.UintN(2) == 0 {
			want[h] = true
			b.WriteString(hexOf(h[:]) + "\n")
		}
	}
	l := parse(t, b.String())
	for _, h := range probes {
		if got := l.Contains(nil, h[:]); got != want[h] {
			t.Fatalf("%x: Contains %v, want %v", h, got, want[h])
		}
	}
	if l.Stats().SHA256 != len(want) {
		t.Fatalf("%d hashes held, %d distinct listed", l.Stats().SHA256, len(want))
	}
}

func TestContainsAllocatesNothing(t *testing.T) {
	m, s := sums("a")
	l := parse(t, hexOf(s[:])+"\n"+hexOf(m[:])+"\n")
	_, other := sums("b")
	if n := testing.AllocsPerRun(1000, func() {
		l.Contains(m[:], other[:])
		l.Allowed(nil, s[:])
	}); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}

// FuzzParse: no panic; byte-at-a-time equals whole; every hash a loaded
// line names is then contained.
func FuzzParse(f *testing.F) {
	_, s := sums("x")
	m, _ := sums("y")
	for _, seed := range []string{
		hexOf(s[:]) + "  name\n" + hexOf(m[:]) + " *b\n",
		"# c\n\nSHA256 (n) = " + hexOf(s[:]) + "\nMD5 (n) = " + hexOf(m[:]) + "\n",
		"\\" + hexOf(s[:]) + "  a\\\\b\r\n",
		"SHA256 (a) = ) = " + hexOf(s[:]),
		"zz\n" + strings.Repeat("a", 40),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		l, err := Parse(strings.NewReader(src), "f", Options{})
		l2, err2 := Parse(iotest.OneByteReader(strings.NewReader(src)), "f", Options{})
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("errors differ: %v / %v", err, err2)
		}
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("not Errors: %v", err)
			}
			return
		}
		if l.Stats() != l2.Stats() {
			t.Fatalf("stats differ: %+v / %+v", l.Stats(), l2.Stats())
		}
		for _, line := range strings.Split(src, "\n") {
			h, err := hashOf([]byte(line))
			if err != nil || h == "" {
				continue
			}
			b, _ := hex.DecodeString(h)
			var md, sh []byte
			if len(b) == 16 {
				md = b
			} else {
				sh = b
			}
			if !l.Contains(md, sh) {
				t.Fatalf("line %q loaded but %s not contained", line, h)
			}
		}
	})
}
