package sigtest

import "math/rand/v2"

// Corpus returns n bytes: Benign (random blocks and text) interleaved with
// executable-like blocks (opcode-heavy bytes, zero padding, import names).
func Corpus(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 0xe4e))
	base := Benign(seed, n)
	out := make([]byte, 0, n)
	for len(out) < n {
		k := min(4096+rng.IntN(8192), n-len(out))
		if rng.IntN(3) == 0 {
			out = append(out, exeLike(rng, k)...)
		} else {
			out = append(out, base[len(out):len(out)+k]...)
		}
	}
	return out
}

var (
	opcodes = []byte{0x55, 0x8b, 0xec, 0x83, 0xc4, 0x89, 0x45, 0xfc, 0xe8, 0x00, 0x00, 0xff, 0x15, 0x48, 0x8d, 0x4c, 0x24, 0xc3, 0x90, 0xcc, 0x33, 0xc0, 0x50, 0x51, 0x6a, 0x0f, 0xb6, 0x74, 0x75, 0xeb}
	imports = []string{"GetProcAddress", "LoadLibraryA", "kernel32.dll", "VirtualAlloc", "CreateFileW", "ReadFile", "WriteFile", "CloseHandle", "ExitProcess", "MessageBoxA", "user32.dll", "RegOpenKeyExW", ".text", ".rdata", ".data", ".reloc"}
)

// exeLike returns n bytes resembling a PE section: instructions, padding, strings.
func exeLike(rng *rand.Rand, n int) []byte {
	out := make([]byte, 0, n+64)
	for len(out) < n {
		switch x := rng.IntN(10); {
		case x < 6:
			for k := 0; k < 16; k++ {
				out = append(out, opcodes[rng.IntN(len(opcodes))])
				if rng.IntN(4) == 0 {
					out = append(out, byte(rng.IntN(256)))
				}
			}
		case x < 8:
			out = append(out, make([]byte, 8+rng.IntN(120))...)
		default:
			out = append(out, imports[rng.IntN(len(imports))]...)
			out = append(out, 0)
		}
	}
	return out[:n]
}

// WithMatches returns a copy of data in which planted pattern occurrences cover
// about the fraction rate of the bytes (0.01: 1 %).
func WithMatches(seed uint64, data []byte, pats [][]byte, rate float64) []byte {
	total := 0
	for _, p := range pats {
		total += len(p)
	}
	if total == 0 {
		return append([]byte(nil), data...)
	}
	avg := float64(total) / float64(len(pats))
	return Plant(seed, data, pats, int(float64(len(data))*rate/avg))
}

// Plant returns a copy of data with n patterns (chosen at random) written at
// random offsets.
func Plant(seed uint64, data []byte, pats [][]byte, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x91a))
	out := append([]byte(nil), data...)
	for i := 0; i < n && len(pats) > 0; i++ {
		p := pats[rng.IntN(len(pats))]
		if len(p) >= len(out) {
			continue
		}
		copy(out[rng.IntN(len(out)-len(p)):], p)
	}
	return out
}
