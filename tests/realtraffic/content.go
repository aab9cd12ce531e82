//go:build realtraffic

package realtraffic

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// randomBytes returns n bytes from a generator seeded with seed, so every
// run transfers the same files.
func randomBytes(seed uint64, n int) []byte {
	var key [32]byte
	copy(key[:], fmt.Sprintf("wirescan-realtraffic-%d", seed))
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(key).Read(b)
	return b
}

// textBytes returns n bytes of numbered text lines (compressible, so gzip
// really shrinks it).
func textBytes(tag string, n int) []byte {
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		fmt.Fprintf(&sb, "%s line %06d: the quick brown fox jumps over the lazy dog\n", tag, i)
	}
	return []byte(sb.String()[:n])
}

// noiseText returns n bytes of hex text made of random bytes: text that
// gzip can only halve, so its compressed form still spans many segments.
func noiseText(seed uint64, n int) []byte {
	const digits = "0123456789abcdef"
	raw := randomBytes(seed, n/2+1)
	b := make([]byte, n)
	for i := range b {
		if i%65 == 64 {
			b[i] = '\n'
			continue
		}
		v := raw[i/2]
		if i%2 == 0 {
			v >>= 4
		}
		b[i] = digits[v&0xf]
	}
	return b
}

// writeFile writes content to dir/name, creating parent directories.
func writeFile(dir, name string, content []byte) (string, error) {
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	return path, nil
}
