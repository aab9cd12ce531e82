package signatures

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLdbCacheRoundTrip loads a .ldb file without the cache, then through
// it (a miss, then a hit): the rules, warnings and matches on PE and other
// files are the same, PE-relative signatures included, and the hit parses
// a logical signature only when one of its patterns occurs.
func TestLdbCacheRoundTrip(t *testing.T) {
	pe, _ := testPE(t)
	lines := []string{
		"EP;Engine:51-255,Target:1;0;EP+0:558bec",
		"Mixed;Target:1,NumberOfSections:3-3;0&1&2;EP+0:558bec;S1+0:" + hx("DATA") + ";*:" + hx("END"),
		"Count;Target:0;0>1;" + hx("...."),
		"NoTilde;Target:0;0=0;7e7e7e7e", // true with no match: decided at End (eager)
		"AtEOF;Target:0;0;EOF-6:" + hx("fghi"),
		"Wide;Target:0;0;" + hx("hi") + "::wa",
		"Html;Target:3;0;" + hx("<script"), // skipped: a warning
		"Pcre;Target:0;0&1>1;" + hx("marker") + ";0/id=\\d{3}/g",
		"PcreAnchored;Target:0;1;" + hx("abc") + ";0/^abc/",
	}
	path := filepath.Join(t.TempDir(), "local.ldb")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ndb := filepath.Join(filepath.Dir(path), "pe.ndb")
	if err := os.WriteFile(ndb, []byte("PE.Ndb.EP:1:EP+0:558bec\nPE.Ndb.Elf:6:*:558bec\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{path, ndb}
	plain, pw, err := Load(paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCache(t.TempDir(), 0)
	miss, mw, err := Load(paths, Options{Cache: c})
	if err != nil {
		t.Fatal(err)
	}
	hit, hw, err := Load(paths, Options{Cache: c})
	if err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Misses != 1 || st.Hits != 1 || !hit.Stats().Cached {
		t.Fatalf("cache stats %+v", st)
	}
	if len(pw) != 1 || !strings.Contains(pw[0].String(), "local.ldb:7: ClamAV target type 3") || !slices.Equal(pw, mw) || !slices.Equal(pw, hw) {
		t.Fatalf("warnings %v / %v / %v", pw, mw, hw)
	}
	if !hit.exeNeed {
		t.Fatal("the cached Set does not parse PE headers")
	}
	if hit.lazy.ready[2].Load() || hit.lazy.ready[6].Load() {
		t.Fatal("rule Count compiled at load: logical signatures should be lazy")
	}
	files := [][]byte{pe, []byte("abc....xx....defghi"), []byte("~~~~ hi"), []byte("h\x00i\x00"), []byte("abc marker id=123 id=456")}
	for _, f := range files {
		for name, ch := range chunkings(len(f), testSeed) {
			want := scan(plain, FileData, anyCtx(), f, ch, nil)
			for _, s := range []*Set{miss, hit} {
				if got := scan(s, FileData, anyCtx(), f, ch, nil); !slices.Equal(got, want) {
					t.Fatalf("%q %s: %v, uncached %v", f[:min(8, len(f))], name, got, want)
				}
			}
		}
	}
	if got := hitSIDs(scan(hit, FileData, anyCtx(), []byte("abc marker id=123 id=456"), []int{5, 19}, nil)); got != ldbSIDs(plain, []int{4, 7, 8}) {
		t.Errorf("PCRE: %s (%s)", got, ldbNames(plain, got))
	}
	if got := hitSIDs(scan(hit, FileData, anyCtx(), pe, []int{len(pe)}, nil)); got != ldbSIDs(plain, []int{1, 2, 3, 4, 6, 9}) { // Wide: "hi" in the DOS stub; 9: the .ndb EP signature
		t.Errorf("PE file: %s (%s)", got, ldbNames(plain, got))
	}
}
