package signatures

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// randHexSig builds a random ClamAV hex signature over the bytes 'A'..'C' and its
// regexp equivalent (text is ASCII, so Go's rune-based regexp is exact).
func randHexSig(rng *rand.Rand) (sig, re string) {
	var s, x strings.Builder
	lit := func() {
		c := byte('A' + rng.IntN(3))
		switch rng.IntN(8) {
		case 0:
			s.WriteString("4?")
			x.WriteString(`[\x40-\x4f]`)
		case 1:
			fmt.Fprintf(&s, "?%x", c&15)
			fmt.Fprintf(&x, `[\x%02x\x%02x\x%02x\x%02x\x%02x\x%02x\x%02x\x%02x]`, c&15, 0x10|c&15, 0x20|c&15, 0x30|c&15, 0x40|c&15, 0x50|c&15, 0x60|c&15, 0x70|c&15)
		case 2:
			d := byte('A' + rng.IntN(3))
			fmt.Fprintf(&s, "(%02x|%02x%02x)", c, d, c)
			fmt.Fprintf(&x, `(?:\x%02x|\x%02x\x%02x)`, c, d, c)
		default:
			fmt.Fprintf(&s, "%02x", c)
			fmt.Fprintf(&x, `\x%02x`, c)
		}
	}
	n := 1 + rng.IntN(4)
	for i := 0; i < n; i++ {
		for k := 1 + rng.IntN(3); k > 0; k-- {
			lit()
		}
		if i == n-1 {
			break
		}
		switch rng.IntN(6) {
		case 0:
			s.WriteString("*")
			x.WriteString(".*")
		case 1:
			s.WriteString("??")
			x.WriteString(".")
		case 2:
			k := rng.IntN(4)
			fmt.Fprintf(&s, "{%d}", k)
			fmt.Fprintf(&x, ".{%d}", k)
		case 3:
			k := rng.IntN(4)
			fmt.Fprintf(&s, "{-%d}", k)
			fmt.Fprintf(&x, ".{0,%d}", k)
		case 4:
			k := rng.IntN(4)
			fmt.Fprintf(&s, "{%d-}", k)
			fmt.Fprintf(&x, ".{%d,}", k)
		case 5:
			k := rng.IntN(3)
			m := k + rng.IntN(3)
			fmt.Fprintf(&s, "{%d-%d}", k, m)
			fmt.Fprintf(&x, ".{%d,%d}", k, m)
		}
	}
	return s.String(), x.String()
}

// TestClamAVVersusRegexp compares ndb wildcard signatures with a regexp reference
// for offsets *, n, n,shift and EOF-n, under random chunking.
func TestClamAVVersusRegexp(t *testing.T) {
	t.Logf("seed %d", testSeed)
	rng := rand.New(rand.NewPCG(testSeed, 3))
	hits, total := 0, 0
	for iter := 0; iter < 1500; iter++ {
		sig, body := randHexSig(rng)
		offKind := rng.IntN(4)
		n, shift := rng.IntN(4), rng.IntN(3)
		var off string
		switch offKind {
		case 0:
			off = "*"
		case 1:
			off = fmt.Sprint(n)
		case 2:
			off = fmt.Sprintf("%d,%d", n, shift)
		case 3:
			off = fmt.Sprintf("EOF-%d", n+3)
		}
		line := fmt.Sprintf("Test.Sig-%d:0:%s:%s", iter, off, sig)
		rule, err := parseNDB(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		s, err := Compile([]*Rule{rule}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 4; k++ {
			text := randBytes(rng, "ABCA-", rng.IntN(24))
			var pre string
			switch offKind {
			case 0:
				pre = ""
			case 1:
				pre = fmt.Sprintf("^(?s:.{%d})", n)
			case 2:
				pre = fmt.Sprintf("^(?s:.{%d,%d})", n, n+shift)
			case 3:
				start := len(text) - (n + 3)
				if start < 0 {
					pre = "^\x00NEVER"
				} else {
					pre = fmt.Sprintf("^(?s:.{%d})", start)
				}
			}
			re := regexp.MustCompile("(?s)" + pre + body)
			want := re.Match(text)
			got := len(scan(s, FileData, anyCtx(), text, randChunks(rng, len(text), 6), nil)) > 0
			total++
			if want {
				hits++
			}
			if got != want {
				t.Fatalf("%s\nregexp %s\ntext %q: got %v, want %v", line, re, text, got, want)
			}
		}
	}
	t.Logf("%d of %d texts matched", hits, total)
}

func TestParseNDB(t *testing.T) {
	for _, tc := range []struct{ line, err string }{
		{"Eicar.Sub:0:*:58354f2150", ""},
		{"A:7:0,10:41424344{2-4}4546", ""},
		{"A:0:EOF-10:4142*4344", ""},
		{"A:1:*:41424344", ""}, // PE files only (as a logical signature)
		{"A:0:EP+10:41424344", ""},
		{"A:1:SE1:41424344", ""},
		{"A:3:*:41424344", "ClamAV target type 3 (HTML, matched normalized by ClamAV) not supported"},
		{"A:x:*:41424344", `bad ndb target "x"`},
		{"A:1:EP+x:41424344", `bad offset "x"`},
		{"A:1:*:41/42/", `invalid character in hex signature "41/42/"`},
		{"A:0:*:*4142", "ndb signature starting with '*' not supported"},
		{"A:0:*:4142*", "ndb signature ending with a wildcard not supported"},
		{"A:0:*:41!(42|43)", `ndb construct "!" not supported`},
		{"A:0:*:41zz", `invalid character 'z' in hex signature`},
		{"A:0:*", "ndb signature needs name:target:offset:hexsig[:minfl[:maxfl]]"},
		{"A:0:*:41{5-2}42", "bad gap {5-2} in hex signature"},
	} {
		t.Run(tc.line, func(t *testing.T) {
			_, err := parseNDB(tc.line)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.err {
				t.Fatalf("got %q, want %q", got, tc.err)
			}
		})
	}
}

func TestHashSignatures(t *testing.T) {
	md5 := "44d88612fea8a8f36de82e1278abb02f"
	r1, err := parseHashSig(md5 + ":68:Eicar-Test")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := parseHashSig(eicarSHA256 + ":*:Eicar-256")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Compile([]*Rule{r1, r2}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := hexDecode(md5)
	sum256, _ := hexDecode(eicarSHA256)
	sc := s.NewScanner(FileData, anyCtx())
	sc.Write([]byte(eicar))
	got := sc.End(FileFacts{Size: 68, MD5: sum, SHA256: sum256})
	if len(got) != 2 || got[0].Offset != -1 {
		t.Fatalf("got %v", got)
	}
	sc = s.NewScanner(FileData, anyCtx())
	if got := sc.End(FileFacts{Size: 69, MD5: sum}); len(got) != 0 {
		t.Fatalf("size mismatch must not match: %v", got)
	}
	if r1.SID < ClamSIDBase || r1.SID >= ClamSIDBase+ClamSIDSpan || r1.SID != clamSID("Eicar-Test") {
		t.Fatalf("sid %d out of range", r1.SID)
	}
}

// eicarSHA256 is the SHA-256 of the 68-byte EICAR file.
const eicarSHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
