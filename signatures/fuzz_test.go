package signatures

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

func FuzzParseRule(f *testing.F) {
	for _, tc := range basicCases {
		for _, rl := range tc.rules {
			f.Add(rl, []byte(tc.data))
		}
	}
	f.Add(`alert http [1.1.1.1,![2.2.2.0/24]] !80 <> $HOME_NET [1:3,!2] (msg:"m"; http.uri; pcre:"/a.b/iR"; isdataat:!3,relative; bsize:1<>9; sid:1;)`, []byte("a\nb"))
	f.Add(`alert http any any -> any any (file_data; content:"a"; xbits:set, b, track ip_pair, expire 60; xbits:isnotset,c,track ip_dst; xbits:noalert; sid:1;)`, []byte("xa"))
	f.Fuzz(func(t *testing.T, line string, data []byte) {
		r, err := ParseRule(line)
		if err != nil {
			return
		}
		s, err := Compile([]*Rule{r}, Options{})
		if err != nil {
			return
		}
		ctx := &Context{Proto: "http", Filename: string(data), Buffers: fixedBuffers(data)}
		s.MatchTransaction(ctx)
		for _, k := range []Kind{FileData, Stream} {
			sc := s.NewScanner(k, ctx)
			sc.Write(data)
			sc.End(FileFacts{Size: int64(len(data)), Magic: string(data)})
		}
	})
}

// fixedBuffers returns b for every buffer name.
type fixedBuffers []byte

func (f fixedBuffers) Buffer(string) ([]byte, bool) { return f, true }

func FuzzParseNDB(f *testing.F) {
	f.Add("A:0:*:4142{2-4}(43|4445)??4?*?6", []byte("AB..CD.Ff"))
	f.Add("A:0:EOF-5,2:41424344", []byte("xxABCD"))
	f.Add("A:7:3:{2}41", []byte("...A"))
	f.Fuzz(func(t *testing.T, line string, data []byte) {
		r, err := parseNDB(line)
		if err != nil {
			return
		}
		s, err := Compile([]*Rule{r}, Options{})
		if err != nil {
			return
		}
		whole := len(scan(s, FileData, anyCtx(), data, []int{len(data)}[:min(1, len(data))], nil)) > 0
		ones := make([]int, len(data))
		for i := range ones {
			ones[i] = 1
		}
		if got := len(scan(s, FileData, anyCtx(), data, ones, nil)) > 0; got != whole {
			t.Fatalf("%s: 1-byte %v, whole %v", line, got, whole)
		}
	})
}

// FuzzScanner builds a small rule set from the input and checks that streaming
// (chunks chosen by the input), whole-buffer and naive/reference results agree.
func FuzzScanner(f *testing.F) {
	f.Add([]byte("ab\x00cd\x01Ab\x02"), []byte("xxabcdAbAB"), []byte{3, 1, 4})
	f.Add([]byte("a\x10bb\x21c"), []byte("aabbbcc"), []byte{1})
	f.Fuzz(func(t *testing.T, spec, text, cuts []byte) {
		// spec: patterns separated by control bytes < 0x08, whose low bits pick
		// nocase and a relative link to the previous pattern.
		var rules []string
		var pats [][]byte
		var nocase []bool
		sidPat := map[int]int{}
		cur := []byte{}
		for i := 0; i <= len(spec) && len(rules) < 8; i++ {
			if i < len(spec) && spec[i] >= 0x08 {
				cur = append(cur, spec[i])
				continue
			}
			if len(cur) > 0 && len(cur) <= 80 {
				mode := byte(0)
				if i < len(spec) {
					mode = spec[i]
				}
				mod := ""
				if mode&1 != 0 {
					mod = "nocase;"
				}
				sidPat[len(rules)+1] = len(pats)
				rules = append(rules, r(fmt.Sprintf(`file_data; content:"%s"; %s sid:%d;`, hexContent(cur), mod, len(rules)+1)))
				pats = append(pats, append([]byte(nil), cur...))
				nocase = append(nocase, mode&1 != 0)
				if mode&2 != 0 && len(pats) > 1 {
					prev := pats[len(pats)-2]
					rules = append(rules, r(fmt.Sprintf(`file_data; content:"%s"; content:"%s"; distance:%d; within:%d; sid:%d;`,
						hexContent(prev), hexContent(cur), int(mode>>2)-2, len(cur)+int(mode>>4), 100+len(rules))))
				}
			}
			cur = cur[:0]
		}
		if len(rules) == 0 {
			return
		}
		s := mustSet(t, Options{}, rules...)
		var chunks []int
		left := len(text)
		for _, c := range cuts {
			if left == 0 {
				break
			}
			k := min(int(c%16)+1, left)
			chunks = append(chunks, k)
			left -= k
		}
		if left > 0 {
			chunks = append(chunks, left)
		}
		streamed := scan(s, FileData, anyCtx(), text, chunks, nil)
		whole := scan(s, FileData, anyCtx(), text, []int{len(text)}[:min(1, len(text))], nil)
		if !slices.Equal(streamed, whole) {
			t.Fatalf("streamed %v, whole %v", streamed, whole)
		}
		// Reference: naive search for single-content rules, whole-buffer evaluator
		// for the rest.
		got := map[int]bool{}
		for _, m := range whole {
			var sid, off int
			fmt.Sscanf(m, "%d@%d", &sid, &off)
			got[sid] = true
		}
		for _, rl := range s.Rules() {
			var want bool
			if rl.SID < 100 {
				hay, p := text, pats[sidPat[rl.SID]]
				if nocase[sidPat[rl.SID]] {
					hay, p = foldBytes(hay), foldBytes(p)
				}
				want = bytes.Contains(hay, p)
			} else {
				cb := cbuf{chains: compileItems(rl.data, false)}
				want = cb.match(text)
			}
			if got[rl.SID] != want {
				t.Fatalf("sid %d (%s): got %v, want %v", rl.SID, rl.Raw, got[rl.SID], want)
			}
		}
	})
}
