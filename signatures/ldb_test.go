package signatures

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseLDB(t *testing.T) {
	valid := []struct {
		line   string
		target int
		subs   int
		chains int
		expr   string
	}{
		{"Sig1;Target:0;(0&1&2&3)&(4|1);6b6f74656b;616c61;7a6f6c77;73746566616e;deadbeef", 0, 5, 5, "(((0&(1&2))&3)&(4|1))"},
		{"Sig2;Target:0;((0|1|2)>5,2)&(3|1);6b6f74656b;616c61;7a6f6c77;7374656661", 0, 4, 4, "(((0|1)|2)>5,2&(3|1))"},
		{"Sig4;Engine:51-255,Target:1;((0|1)&(2|3))&4;EP+123:33c06834f04100f2aef7d14951684cf04100e8110a00;S2+78:22??232c2d252229{-15}6e6573(63|64)61706528;S3+50:68efa311c3b9963cb1ee8e586d32aeb9043e;f9c58dcf43987e4f519d629b103375;SL+550:6300680065005c0046006900", 1, 5, 5, "(((0|1)&(2|3))&4)"},
		{"clamav-nocase-A;Engine:81-255,Target:0;0&1;41414141::i;424242424242::i", 0, 2, 2, "(0&1)"},
		{"clamav-wide-B2;Engine:81-255,Target:0;0&1;414141;68656c6c6f::wa", 0, 2, 3, "(0&1)"},
		{"Sizes;Target:1,FileSize:100-2000,EntryPoint:0-4096,NumberOfSections:1-8,Container:CL_TYPE_ANY;0;EP-2,4:9090", 1, 1, 1, "0"},
		{"Offsets;Target:0;0|1|2|3;10:4142;10,5:4142;EOF-20,4:4142;*:4142", 0, 4, 4, "(0|(1|(2|3)))"},
		{"Sections;Target:1;0&1;SE0:4142;S1+0,16:4142", 1, 2, 2, "(0&1)"},
		{"Elf;Target:6;0;7f454c46", 6, 1, 1, "0"},
		{"Find.All.ClamAV;Engine:81-255,Target:0;1;6265676c6164697427736e6f7462797465636f6465;0/clamav/g", 0, 2, 2, "1"},
		{"Pcre;Engine:81-255,Target:0;0&1;6d61726b6572;0/id=\\d{3}/ig", 0, 2, 2, "(0&1)"},
	}
	for _, tc := range valid {
		t.Run(strings.SplitN(tc.line, ";", 2)[0], func(t *testing.T) {
			r, err := parseLDB(tc.line)
			if err != nil {
				t.Fatal(err)
			}
			if r.ldb.target != tc.target || len(r.ldb.subs) != tc.subs || r.ldb.expr.String() != tc.expr {
				t.Errorf("target %d, %d subs, expr %s; want %d, %d, %s", r.ldb.target, len(r.ldb.subs), r.ldb.expr, tc.target, tc.subs, tc.expr)
			}
			cr, err := compileRule(r)
			if err != nil {
				t.Fatal(err)
			}
			if len(cr.chains) != tc.chains {
				t.Errorf("%d chains, want %d", len(cr.chains), tc.chains)
			}
			if r.Msg != strings.SplitN(tc.line, ";", 2)[0] || r.SID != clamSID(r.Msg) || r.Proto != "file" {
				t.Errorf("rule identity %q sid %d proto %s", r.Msg, r.SID, r.Proto)
			}
		})
	}

	bad := []struct {
		line  string
		msg   string
		unsup bool
	}{
		{"A;Target:0;0", "needs name;target description;logical expression;subsignatures", false},
		{";Target:0;0;4142", "empty signature name", false},
		{"A;;0;4142", "empty target description block", false},
		{"A;Engine:51-255;0;4142", "no Target", false},
		{"A;Target;0;4142", "is not Name:Value", false},
		{"A;Target:x;0;4142", "bad Target", false},
		{"A;Target:0,FileSize:100;0;4142", "bad FileSize range", false},
		{"A;Target:0,Engine:51;0;4142", "bad Engine range", false},
		{"A;Target:0,EntryPoint:0-10;0;4142", "need Target 1, 6 or 9", false},
		{"A;Target:0;0&1;4142", "names subsignatures 0-1 but the line has 1", false},
		{"A;Target:0;0;4142;4344", "names subsignatures 0-0 but the line has 2", false},
		{"A;Target:0;0&;4142", "missing operand", false},
		{"A;Target:0;0;", "subsignature 0: empty subsignature", false},
		{"A;Target:0;0;41x2", "subsignature 0: invalid character", false},
		{"A;Target:0;0;4142::z", "unknown subsignature modifier", false},
		{"A;Target:0;0;XY+1:4142", "bad ldb offset", false},
		{"A;Target:0;0;S+1:4142", "bad ldb offset", false},
		{"A;Target:0;0;EP+x:4142", "bad offset", false},
		{"A;Target:0;0;*", "starting with '*'", true},
		{"A;Target:3;0;4142", "ClamAV target type 3 (HTML", true},
		{"A;Target:4;0;4142", "ClamAV target type 4 (mail", true},
		{"A;Target:13;0;4142", "ClamAV target type 13", true},
		{"A;Target:0,Container:CL_TYPE_ZIP;0;4142", "ldb Container:CL_TYPE_ZIP", true},
		{"A;Target:1,IconGroup1:x;0;4142", "ldb target description IconGroup1", true},
		{"A;Target:0,Frobnicate:1;0;4142", `ldb target description "Frobnicate"`, true},
		{"A;Target:6,EntryPoint:0-10;0;4142", "EntryPoint/NumberOfSections on Target:6", true},
		{"A;Target:0;0&1;4142;${6-7}12$", "ldb macro subsignature", true},
		{"A;Target:0;0&1;4142;0(>>5#hb2#=123)", "ldb byte compare subsignature", true},
		{"A;Target:0;0&1;4142;0/clam.*av/i", `ldb PCRE subsignature "/clam.*av/i": `, true},
		{"Firefox.IDB.UseAfterFree;Engine:81-255,Target:0;0&1;4944424b657952616e6765;0/^\\x2e(only|lowerBound|upperBound|bound)\\x28/smi", "no literal prefix of at least 3 bytes", true},
		{"A;Target:0;0&1;4142;200:0/clamav/", "ldb PCRE subsignature with an offset", true},
		{"A;Target:0;0&1;4142;0/clamav/x", "ldb PCRE flag x", true},
		{"A;Target:0;0&1;4142;0/clamav/q", "unknown PCRE flag", false},
		{"A;Target:0;0&1;4142;0//", "empty PCRE", false},
		{"A;Target:0;0&1;1/clamav/;4142", "PCRE trigger names subsignature 1, not one before 0", false},
		{"A;Target:0;0&1;4142;0&/clamav/", "PCRE trigger: logical expression", false},
		{"A;Target:1;0&1;4142;0/clamav/", "ldb PCRE subsignature in a signature that needs the file's headers", true},
		{"A;Target:0;0;4142::f", "modifier f (fullword)", true},
		{"A;Target:0;0;VI:4142", "ldb offset VI", true},
		{"A;Target:0;0;4142[1-2]43", "ndb construct", true},
	}
	for _, tc := range bad {
		t.Run(tc.line, func(t *testing.T) {
			_, err := parseLDB(tc.line)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want one containing %q", err, tc.msg)
			}
			if errors.Is(err, ErrUnsupported) != tc.unsup {
				t.Errorf("errors.Is(err, ErrUnsupported) = %v, want %v", !tc.unsup, tc.unsup)
			}
		})
	}
	many := "A;Target:0;" + strings.Repeat("0&", 64) + "0" + strings.Repeat(";4142", 65)
	if _, err := parseLDB(many); err == nil || !strings.Contains(err.Error(), "at most 64") {
		t.Errorf("65 subsignatures: %v", err)
	}
}

// TestLdbOnFiles evaluates logical signatures with counts, offsets, wide
// and nocase forms and target conditions on plain files, under every
// chunking (byte at a time, split anywhere, random).
func TestLdbOnFiles(t *testing.T) {
	lines := []string{
		"Two;Target:0;0&1;414243;444546",         // 1
		"CountMore;Target:0;0>2;5858",            // 2: "XX" more than twice
		"CountExact;Target:0;0=2;5a5a",           // 3: "ZZ" exactly twice
		"Negated;Target:0;0&1=0;414243;51515151", // 4: ABC and no QQQQ
		"Block;Target:0;(0|1|2)>2,2;4a;4b;4c",    // 5: J/K/L more than 2, 2 distinct
		"Wide;Target:0;0;6869::w",                // 6: "h\0i\0"
		"WideAscii;Target:0;0=2;6869::wa",        // 7: "hi" and "h\0i\0" once each
		"Nocase;Target:0;0;6d4978::i",            // 8: "mix" any case
		"AtOffset;Target:0;0;2,3:4142",           // 9: AB starting at 2..5
		"AtEOF;Target:0;0;EOF-4:4546",            // 10: EF at 4 bytes before the end
		"Size;Target:0,FileSize:10-30;0;414243",  // 11
		"Gap;Target:0;0;41{2-4}44",               // 12
		"Zero;Target:0;0<1;7e7e7e",               // 13: no "~~~"
		"Elf;Target:6;0;414243",                  // 14: only ELF files
	}
	set := mustLDB(t, lines...)
	cases := []struct {
		data string
		want []int // 1-based line numbers
	}{
		{"..ABC.DEF.XX.XX.XX", []int{1, 2, 4, 9, 11, 12, 13}},
		{"ABCDEF XX XX ZZ ZZ", []int{1, 3, 4, 11, 12, 13}},
		{"ABC ZZ ZZ ZZ QQQQ J K", []int{11, 13}},
		{"J K L J hi h\x00i\x00 MiX", []int{5, 6, 7, 8, 13}},
		{"..AB..", []int{9, 13}},
		{"......AB", []int{13}},
		{"xxEFyy", []int{10, 13}},
		{"xxEFyyy", []int{13}},
		{"A..D ~~~", []int{12}},
		{"\x7fELF..ABC", []int{4, 13, 14}},
		{strings.Repeat("-", 40) + "ABC", []int{4, 13}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%q", tc.data), func(t *testing.T) {
			want := ldbSIDs(set, tc.want)
			for name, ch := range chunkings(len(tc.data), testSeed) {
				got := hitSIDs(scan(set, FileData, anyCtx(), []byte(tc.data), ch, nil))
				if got != want {
					t.Fatalf("%s: matched %s, want %s (%s)", name, got, want, ldbNames(set, got))
				}
			}
		})
	}
}

// mustLDB compiles .ldb lines or fails the test.
func mustLDB(t testing.TB, lines ...string) *Set {
	t.Helper()
	var rs []*Rule
	for _, l := range lines {
		r, err := parseLDB(l)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		rs = append(rs, r)
	}
	s, err := Compile(rs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ldbSIDs returns the sorted, comma-joined SIDs of the given rules (1-based).
func ldbSIDs(s *Set, lines []int) string {
	var out []string
	for _, l := range lines {
		out = append(out, fmt.Sprint(s.Rules()[l-1].SID))
	}
	return sortedJoin(out)
}

// hitSIDs drops the offsets of scan's "sid@offset" results.
func hitSIDs(hits []string) string {
	var out []string
	for _, h := range hits {
		out = append(out, strings.SplitN(h, "@", 2)[0])
	}
	return sortedJoin(out)
}

func sortedJoin(xs []string) string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return strings.Join(out, ",")
}

// ldbNames names the rules of a comma-separated SID list.
func ldbNames(s *Set, sids string) string {
	var out []string
	for _, r := range s.Rules() {
		if strings.Contains(","+sids+",", fmt.Sprintf(",%d,", r.SID)) {
			out = append(out, r.Msg)
		}
	}
	return strings.Join(out, " ")
}

// TestLdbPcre checks PCRE subsignatures: the trigger, the first match
// (all of them with g) and the counts, under every chunking.
func TestLdbPcre(t *testing.T) {
	set := mustLDB(t,
		"Both;Target:0;0&1;"+hx("marker")+";0/id=\\d{3}/",     // 1
		"Global;Target:0;1>1;"+hx("marker")+";0/id=\\d{3}/g",  // 2: two ids
		"First;Target:0;1>1;"+hx("marker")+";0/id=\\d{3}/",    // 3: never (first match only)
		"NoTrigger;Target:0;1;"+hx("nope")+";0/id=\\d{3}/",    // 4: trigger false
		"Nocase;Target:0;1;"+hx("marker")+";0/ID=\\d{3}\\b/i", // 5
		"Anchored;Target:0;1;"+hx("mark")+";0/^mark/",         // 6: at offset 0 only
	)
	for _, tc := range []struct {
		data string
		want []int
	}{
		{"marker id=123 id=456", []int{1, 2, 5, 6}},
		{"xmarker id=12 id=4567", []int{1}}, // Nocase: no \b after "id=456"
		{"id=123 no m-word", nil},
	} {
		t.Run(tc.data, func(t *testing.T) {
			want := ldbSIDs(set, tc.want)
			for name, ch := range chunkings(len(tc.data), testSeed) {
				if got := hitSIDs(scan(set, FileData, anyCtx(), []byte(tc.data), ch, nil)); got != want {
					t.Fatalf("%s: matched %s (%s), want %s (%s)", name, got, ldbNames(set, got), want, ldbNames(set, want))
				}
			}
		})
	}
}
