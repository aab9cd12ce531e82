package decompress

import (
	"bytes"
	"math/rand"
	"testing"
)

// FuzzChain decodes arbitrary bytes under a coding picked by the input,
// whole and in seeded random pieces: no panic, the same output and errors
// for both, and never more than MaxBytes out.
func FuzzChain(f *testing.F) {
	data := []byte("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H* EICAR EICAR")
	for i, kind := range encodings {
		f.Add(uint8(codingOf(kind)), int64(i), compress(f, kind, 6, data))
	}
	f.Add(uint8(Gzip)<<4|uint8(Brotli), int64(9), compress(f, "br", 6, compress(f, "gzip", 6, data)))
	f.Add(uint8(LZMA), int64(1), []byte{0x5d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0})
	f.Fuzz(func(t *testing.T, sel uint8, seed int64, in []byte) {
		codings := []Coding{Coding(sel>>4) % Unknown, Coding(sel&15) % Unknown}
		lim := Limits{MaxLayers: 3, MaxRatio: 50, MaxBytes: 1 << 20, MaxWindow: 1 << 20}
		var budget int64 = 4 << 20
		run := func(split *rand.Rand) ([]byte, []error, int64) {
			var held int64
			reserve := func(total int64) bool {
				if total > budget {
					return false
				}
				held = total
				return true
			}
			var out bytes.Buffer
			c := NewChain(codings, lim, reserve, func(p []byte) bool { out.Write(p); return true })
			var errs []error
			feedSplits(split, in, func(p []byte) {
				if err := c.Write(p); err != nil {
					errs = append(errs, err)
				}
			})
			if err := c.End(); err != nil {
				errs = append(errs, err)
			}
			return out.Bytes(), errs, held
		}
		whole, errsWhole, held := run(rand.New(rand.NewSource(seed)))
		pieces, errsPieces, _ := run(nil)
		if !bytes.Equal(whole, pieces) || len(errsWhole) != len(errsPieces) {
			t.Fatalf("split changed the result: %d vs %d bytes, %v vs %v", len(whole), len(pieces), errsWhole, errsPieces)
		}
		if int64(len(whole)) > lim.MaxBytes || len(errsWhole) > 1 || held > budget {
			t.Fatalf("%d bytes out, errors %v, held %d", len(whole), errsWhole, held)
		}
	})
}
