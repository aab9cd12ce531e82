package pcapgen

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"
)

// TestBombsDecode: the bombs built by repeating one DEFLATE block decode
// with the standard library to exactly the zeros they promise, trailer
// checks (CRC-32, ISIZE, Adler-32) included.
func TestBombsDecode(t *testing.T) {
	const mib = 5
	raw, err := DeflateZeros(mib)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := GzipZeros(mib)
	if err != nil {
		t.Fatal(err)
	}
	zl, err := ZlibZeros(mib)
	if err != nil {
		t.Fatal(err)
	}
	gzr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	zlr, err := zlib.NewReader(bytes.NewReader(zl))
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]io.Reader{"raw": flate.NewReader(bytes.NewReader(raw)), "gzip": gzr, "zlib": zlr} {
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(out) != mib<<20 || bytes.ContainsFunc(out, func(r rune) bool { return r != 0 }) {
			t.Fatalf("%s: decoded %d bytes, want %d zeros", name, len(out), mib<<20)
		}
	}
	t.Logf("%d MiB of zeros: deflate %d bytes, gzip %d, zlib %d (ratio %.0f)", mib, len(raw), len(gz), len(zl), float64(mib<<20)/float64(len(gz)))
}

// TestHostileCaptures: every hostile capture is written at its test scale,
// is a readable pcap, and the same call writes the same bytes.
func TestHostileCaptures(t *testing.T) {
	for _, h := range Hostiles() {
		t.Run(h.Kind, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := WriteHostile(&a, h.Kind, 0); err != nil {
				t.Fatal(err)
			}
			if err := WriteHostile(&b, h.Kind, 0); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two writes differ")
			}
			r, err := pcapgo.NewReader(bytes.NewReader(a.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for {
				if _, _, err := r.ReadPacketData(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("packet %d: %v", n+1, err)
				}
				n++
			}
			t.Logf("%d packets, %d bytes", n, a.Len())
		})
	}
	if err := WriteHostile(io.Discard, "no-such-attack", 1); err == nil {
		t.Fatal("unknown kind accepted")
	}
}
