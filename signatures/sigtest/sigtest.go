// Package sigtest generates deterministic pattern sets and benign data for the
// signatures tests and benchmarks (and for bench/). Everything is derived from a
// seed, so a run can be replayed; nothing here is a real signature.
package sigtest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Patterns returns n distinct AV-like literals of 6 to 64 bytes: about half
// binary (opcode-like bytes), half ASCII (API names, strings, URLs).
func Patterns(seed uint64, n int) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 0x5157))
	seen := make(map[string]bool, n)
	out := make([][]byte, 0, n)
	for len(out) < n {
		l := 6 + rng.IntN(59)
		p := make([]byte, l)
		if rng.IntN(2) == 0 {
			for i := range p {
				p[i] = byte(rng.IntN(256))
			}
		} else {
			for i := range p {
				p[i] = asciiAlphabet[rng.IntN(len(asciiAlphabet))]
			}
		}
		if !seen[string(p)] {
			seen[string(p)] = true
			out = append(out, p)
		}
	}
	return out
}

const asciiAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/:%"

// Benign returns n bytes of data that rarely contains a generated pattern: blocks
// of random bytes alternating with English-like text.
func Benign(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 0xbe9))
	words := strings.Fields("the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her all she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three")
	out := make([]byte, 0, n)
	for len(out) < n {
		if rng.IntN(2) == 0 {
			for k := 0; k < 4096 && len(out) < n; k++ {
				out = append(out, byte(rng.IntN(256)))
			}
			continue
		}
		for k := 0; k < 600 && len(out) < n; k++ {
			out = append(out, words[rng.IntN(len(words))]...)
			out = append(out, ' ')
		}
	}
	return out[:n]
}

// Rules renders patterns as Suricata file_data rules (sid base+i), hex-encoded.
func Rules(pats [][]byte, base int) []string {
	out := make([]string, len(pats))
	for i, p := range pats {
		var b strings.Builder
		for j, c := range p {
			if j > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%02X", c)
		}
		out[i] = fmt.Sprintf(`alert file any any -> any any (msg:"gen %d"; file_data; content:"|%s|"; sid:%d; rev:1;)`, i, b.String(), base+i)
	}
	return out
}

// Splits cuts n bytes into random chunk lengths (each >= 1) from a seed.
func Splits(seed uint64, n int, maxChunk int) []int {
	rng := rand.New(rand.NewPCG(seed, 0x5b1))
	var out []int
	for n > 0 {
		k := 1 + rng.IntN(maxChunk)
		k = min(k, n)
		out = append(out, k)
		n -= k
	}
	return out
}
