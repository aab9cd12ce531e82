package pcapgen

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/netip"
	"time"
)

// Bounds of the files SyntheticMix generates (log-uniform in between).
const (
	synthMinFile = 512
	synthMaxFile = 2 << 20
)

// SyntheticMix writes a benchmark capture of many benign HTTP and SMB2
// transfers (random bytes, text and executable-looking files) whose file
// bytes add up to at least totalBytes. Connections alternate between HTTP
// (1-4 keep-alive downloads) and SMB2 (1-3 reads or writes), from distinct
// client addresses. The same seed gives the same capture; nothing in it
// matches EICAR.
func SyntheticMix(w io.Writer, totalBytes int64, seed int64) error {
	r := rand.New(rand.NewPCG(uint64(seed), 0x73796e7468)) // "synth"
	c, err := NewCapture(w, epoch())
	if err != nil {
		return err
	}
	var done int64
	for i := 0; done < totalBytes; i++ {
		client := Endpoint{IP: synthAddr(10, i), Port: uint16(49152 + i%16000)}
		server := Endpoint{IP: synthAddr(172, i%7)}
		n := 1 + r.IntN(4)
		if i%2 == 0 {
			server.Port = 80
			xs := make([]HTTPExchange, 0, n)
			for j := range n {
				data := synthFile(r)
				done += int64(len(data))
				xs = append(xs, HTTPExchange{URI: fmt.Sprintf("/files/%d/%d.bin", i, j), Host: "bench.example.test",
					RespBody: data, Chunked: r.IntN(4) == 0, RespHeaders: []Header{{"Content-Type", "application/octet-stream"}}})
			}
			err = httpConn(c, client, server, ConnOptions{}, xs)
		} else {
			server.Port = SMBPort
			s := SMB2Session{Server: "bench", Share: "data", Domain: "BENCH", User: "user", Workstation: "WS", Seed: r.Uint64()}
			for j := range n {
				data := synthFile(r)
				done += int64(len(data))
				s.Files = append(s.Files, SMBFile{Name: fmt.Sprintf(`dir%d\file%d.dat`, i, j), Data: data, Write: r.IntN(2) == 0})
			}
			err = smbConn(c, client, server, ConnOptions{}, s)
		}
		if err != nil {
			return err
		}
		c.Sleep(time.Duration(r.IntN(5000)) * time.Microsecond)
	}
	return c.Err()
}

// synthAddr returns the i-th address of net/8 (skipping .0 and .255 hosts).
func synthAddr(net byte, i int) netip.Addr {
	return netip.AddrFrom4([4]byte{net, byte(i / 63504), byte(i / 252 % 252), byte(1 + i%252)})
}

// synthFile returns one benign file of random kind and size.
func synthFile(r *rand.Rand) []byte {
	lo, hi := float64(synthMinFile), float64(synthMaxFile)
	n := int(lo * math.Pow(hi/lo, r.Float64()))
	switch r.IntN(3) {
	case 0:
		return Random(r, n)
	case 1:
		return Text(r, n)
	default:
		return Executable(r, n)
	}
}
