// Package corpus generates benchmark captures (bench/ and bench/cmd/mix):
// benign transfers over one protocol, derived from a seed. The byte corpora
// for matcher benchmarks are in signatures/sigtest.
package corpus

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

// Capture writes a pcap of benign transfers over one protocol whose files add
// up to at least total bytes, 1–3 files (64 KiB–2 MiB; random, text or
// executable-like) per connection:
//
//   - "http": HTTP/1.1 keep-alive downloads with Content-Length;
//   - "smb": SMB 2.1 sessions alternating READs and WRITEs in 64 KiB chunks;
//   - "smb-read": the same sessions with READs only (downloads).
//
// The same seed gives the same bytes.
func Capture(w io.Writer, proto string, total int64, seed uint64) error {
	return CaptureWith(w, proto, total, seed, nil)
}

// FileHook sees each file a capture carries, by name in order, and returns
// the bytes to carry instead (data itself to keep it).
type FileHook func(name string, data []byte) []byte

// CaptureWith is Capture with a hook on every file (nil: none), so a caller
// can plant content and keep the files (bench/cmd/peers scans them with
// other engines).
func CaptureWith(w io.Writer, proto string, total int64, seed uint64, hook FileHook) error {
	if proto != "http" && proto != "smb" && proto != "smb-read" {
		return fmt.Errorf("corpus: unknown capture protocol %q (want http, smb or smb-read)", proto)
	}
	rng := rand.New(rand.NewPCG(seed, 0x70726f746f)) // "proto"
	c, err := pcapgen.NewCapture(w, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	server := pcapgen.Endpoint{IP: netip.AddrFrom4([4]byte{192, 0, 2, 1}), Port: 80}
	if proto != "http" {
		server.Port = pcapgen.SMBPort
	}
	var done int64
	for i := 0; done < total; i++ {
		files := make([][]byte, 1+rng.IntN(3))
		for j := range files {
			n := 64<<10 + rng.IntN(2<<20-64<<10)
			switch (i + j) % 3 {
			case 0:
				files[j] = pcapgen.Random(rng, n)
			case 1:
				files[j] = pcapgen.Text(rng, n)
			default:
				files[j] = pcapgen.Executable(rng, n)
			}
			done += int64(n)
		}
		if hook != nil {
			for j := range files {
				files[j] = hook(fileName(proto, i, j), files[j])
			}
		}
		client := pcapgen.Endpoint{IP: netip.AddrFrom4([4]byte{10, 9, byte(i / 250), byte(1 + i%250)}), Port: uint16(40000 + i%20000)}
		cv, err := c.Open(client, server, pcapgen.ConnOptions{})
		if err != nil {
			return err
		}
		if proto == "http" {
			xs := make([]pcapgen.HTTPExchange, len(files))
			for j, f := range files {
				xs[j] = pcapgen.HTTPExchange{URI: fileName(proto, i, j), Host: "bench.example.test", RespBody: f}
			}
			err = pcapgen.WriteHTTP(cv, xs)
		} else {
			sess := pcapgen.SMB2Session{Server: "bench", Share: "data", Domain: "BENCH", User: "u", Workstation: "ws", Seed: rng.Uint64()}
			for j, f := range files {
				sess.Files = append(sess.Files, pcapgen.SMBFile{Name: fileName(proto, i, j), Data: f, Write: proto == "smb" && j%2 == 1})
			}
			err = pcapgen.WriteSMB2(cv, sess)
		}
		if err == nil {
			err = cv.Close()
		}
		if err != nil {
			return err
		}
	}
	return c.Err()
}

// fileName names file j of connection i: an HTTP URI or an SMB path.
func fileName(proto string, i, j int) string {
	if proto == "http" {
		return fmt.Sprintf("/c%d/f%d.bin", i, j)
	}
	return fmt.Sprintf(`c%d\f%d.bin`, i, j)
}
