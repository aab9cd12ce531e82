package pcapgen

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"strings"
)

// EICAR is the 68-byte EICAR anti-virus test file: harmless, and detected by
// every scanner, so it stands in for malware in captures and tests.
const EICAR = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// words is the vocabulary of generated text.
const words = `the network sensor reads packets from capture and reassembles each tcp stream
before the parser extracts files that travel over http and smb so that every byte
is scanned once by the matcher quarterly report revenue customer invoice total
account balance meeting agenda project status review draft final approved pending`

// Text returns n bytes of deterministic English-like text with newlines.
func Text(r *rand.Rand, n int) []byte {
	vocab := strings.Fields(words)
	var b bytes.Buffer
	b.Grow(n + 16)
	col := 0
	for b.Len() < n {
		w := vocab[r.IntN(len(vocab))]
		if col+len(w) > 72 {
			b.WriteByte('\n')
			col = 0
		} else if col > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.Bytes()[:n]
}

// Random returns n random bytes.
func Random(r *rand.Rand, n int) []byte {
	b := make([]byte, n+7)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b[:n]
}

// Executable returns n (at least 256) bytes that look like a Windows PE file
// to a magic sniffer: MZ header, DOS stub text, PE signature, random rest.
func Executable(r *rand.Rand, n int) []byte {
	n = max(n, 256)
	b := Random(r, n)
	copy(b, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x4e:], "This program cannot be run in DOS mode.\r\r\n$")
	copy(b[0x80:], "PE\x00\x00\x4c\x01")
	return b
}

// HTML returns a small deterministic HTML page of about n bytes.
func HTML(r *rand.Rand, title string, n int) []byte {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>")
	b.WriteString(title)
	b.WriteString("</title></head>\n<body>\n<h1>")
	b.WriteString(title)
	b.WriteString("</h1>\n")
	for b.Len() < n-40 {
		b.WriteString("<p>")
		b.Write(bytes.ReplaceAll(Text(r, 200), []byte("\n"), []byte(" ")))
		b.WriteString("</p>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return b.Bytes()
}
