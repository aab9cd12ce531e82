package pcapgen

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// Hostile is one capture of an attack aimed at the sensor itself rather
// than at the hosts it watches: a decompression bomb, lengths meant to
// overflow, state meant never to be freed. Each capture ends with two
// ordinary EICAR downloads on fresh connections (one over HTTP, one over
// SMB2), so a replay can check that the sensor still detects once the
// attack is over.
type Hostile struct {
	// Kind names the attack ("gzip-bomb"): bench/cmd/hostile -kind, tests.
	Kind string
	// Description says what the capture holds and what N scales.
	Description string
	// Full is N at the size the attack is specified at (10 GiB bombs,
	// 100,000 parts or file ids, 65,536 fragment datagrams).
	Full int
	// Small is N for tests: the same attack, quick to replay.
	Small int
	// write writes the attack with scale n.
	write func(c *Capture, n int) error
}

// Hostiles returns every hostile capture, in a fixed order.
func Hostiles() []Hostile {
	return []Hostile{
		{Kind: "gzip-bomb", Full: 10240, Small: 32, write: bomb("gzip", "/bomb/zeros.gz", GzipZeros),
			Description: "HTTP response with Content-Encoding: gzip whose body (about 1 KB per MiB) decodes to N MiB of zeros"},
		{Kind: "deflate-bomb", Full: 10240, Small: 32, write: bomb("deflate", "/bomb/zeros.z", ZlibZeros),
			Description: "HTTP response with Content-Encoding: deflate (zlib) whose body decodes to N MiB of zeros"},
		{Kind: "br-bomb", Full: 10240, Small: 32, write: bomb("br", "/bomb/zeros.br", encodeZerosAs("br")),
			Description: "HTTP response with Content-Encoding: br whose body (about 2.5 KB per GiB) decodes to N MiB of zeros"},
		{Kind: "lzma-bomb", Full: 10240, Small: 32, write: bomb("lzma", "/bomb/zeros.lzma", encodeZerosAs("lzma")),
			Description: "HTTP response with Content-Encoding: lzma whose body (about 150 KB per GiB) decodes to N MiB of zeros"},
		{Kind: "nested-bomb", Full: 10240, Small: 32, write: writeNestedBomb,
			Description: "HTTP responses with Content-Encoding: gzip, gzip, deflate (gzip inside gzip inside deflate) decoding to N MiB of zeros from a few hundred bytes, " +
				"the same gzip bomb inside br and inside lzma; then a response with six stacked encodings, over the layer limit"},
		{Kind: "chunk-overflow", Full: 1024, Small: 16, write: writeChunkOverflow,
			Description: "HTTP responses, one connection each, whose chunk size (first, or after a valid chunk) is near 2^64, 2^63 or longer than 16 hex digits, followed by N KiB of data"},
		{Kind: "content-length", Full: 1024, Small: 16, write: writeContentLengths,
			Description: "HTTP responses and an upload, one connection each, with a Content-Length that overflows, is negative, or conflicts with another one, " +
				"with and without Transfer-Encoding: chunked; bodies of N KiB"},
		{Kind: "multipart", Full: 100000, Small: 2000, write: writeMultipartFlood,
			Description: "HTTP upload (multipart/form-data) with N one-byte file parts"},
		{Kind: "smb-offset", Full: 1024, Small: 16, write: writeSMBOffsets,
			Description: "SMB2 WRITEs of N KiB at file offsets near 2^64, at 2^63 and just past 2^40"},
		{Kind: "smb-hole", Full: 1024, Small: 16, write: writeSMBHole,
			Description: "SMB2 WRITE of N KiB at offset 0 and another ending at 1 TiB: a 1 TB hole in one file"},
		{Kind: "smb-fids", Full: 100000, Small: 3000, write: writeSMBFileIDs,
			Description: "SMB2 session opening N files (CREATE and a 16-byte WRITE each) and closing none, then uploading the EICAR file"},
		{Kind: "smb-nbss", Full: 1024, Small: 128, write: writeSMBHugeNBSS,
			Description: "NBSS records announcing 0xFFFFFF bytes: a WRITE whose connection ends after N KiB, " +
				"and N KiB of junk followed by an EICAR read on the same session"},
		{Kind: "smb-compound", Full: 100000, Small: 2000, write: writeSMBCompoundLoops,
			Description: "SMB2 compound chains whose NextCommand points back to an earlier message (in 32-bit arithmetic) or past the record, " +
				"and a chain of N ECHO requests"},
		{Kind: "smb-dcerpc", Full: 1000, Small: 2, write: writeDCERPCHeaderOnly,
			Description: "SMB2 WRITE of N DCERPC PDUs on the svcctl pipe whose frag_length covers the 16-byte header only"},
		{Kind: "ip-frags", Full: 65536, Small: 8192, write: writeFragmentFlood,
			Description: "N incomplete IPv4 datagrams (first and an overlapping second fragment, never the last) from 16 sources"},
	}
}

// HostileKinds returns the kinds Hostiles knows, in order.
func HostileKinds() []string {
	var ks []string
	for _, h := range Hostiles() {
		ks = append(ks, h.Kind)
	}
	return ks
}

// WriteHostile writes the capture of kind at scale n (0 means the Small
// scale), then the EICAR downloads that follow every attack.
func WriteHostile(w io.Writer, kind string, n int) error {
	i := slices.IndexFunc(Hostiles(), func(h Hostile) bool { return h.Kind == kind })
	if i < 0 {
		return fmt.Errorf("pcapgen: unknown hostile capture %q (want one of %v)", kind, HostileKinds())
	}
	h := Hostiles()[i]
	if n <= 0 {
		n = h.Small
	}
	c, err := NewCapture(w, epoch())
	if err != nil {
		return err
	}
	c.step = 10 * time.Microsecond
	if err := h.write(c, n); err != nil {
		return fmt.Errorf("pcapgen: %s: %w", kind, err)
	}
	c.Sleep(time.Second)
	if err := writeAftermath(c); err != nil {
		return fmt.Errorf("pcapgen: %s: %w", kind, err)
	}
	return c.Err()
}

// writeAftermath writes an EICAR download over HTTP and an EICAR read over
// SMB2, each on a new connection: what the sensor must still see.
func writeAftermath(c *Capture) error {
	x := []HTTPExchange{{URI: "/dl/eicar.com", Host: "files.example.org", RespBody: []byte(EICAR),
		RespHeaders: []Header{{"Content-Type", "application/octet-stream"}}}}
	if err := httpConn(c, EP("192.168.9.10", 51000), EP("192.168.9.80", 80), ConnOptions{}, x); err != nil {
		return err
	}
	s := SMB2Session{Server: "files", Share: "public", Domain: "CORP", User: "bob", Workstation: "WS09", Seed: 9,
		Files: []SMBFile{{Name: `tools\eicar.com`, Data: []byte(EICAR)}}}
	return smbConn(c, EP("192.168.9.10", 51001), EP("192.168.9.45", SMBPort), ConnOptions{}, s)
}
