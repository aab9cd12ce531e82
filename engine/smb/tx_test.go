package smb

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestFuidString: file ids are logged as Suricata prints a GUID, the first
// three groups little-endian (checked against a Sprintf of the byte order).
func TestFuidString(t *testing.T) {
	ref := func(g fileID) string {
		return fmt.Sprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
			g[9], g[8], g[11], g[10], g[15], g[14], g[13], g[12])
	}
	var f fileID
	for i := range f {
		f[i] = byte(i)
	}
	if got, want := fuidString(f), "03020100-0504-0706-0908-0b0a0f0e0d0c"; got != want {
		t.Fatalf("fuidString = %s, want %s", got, want)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		for i := range f {
			f[i] = byte(rng.Uint32())
		}
		if got, want := fuidString(f), ref(f); got != want {
			t.Fatalf("fuidString(%x) = %s, want %s", f, got, want)
		}
	}
}
