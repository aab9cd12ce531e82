package pcapgen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
)

// Hostile HTTP: bombs and framing lengths meant to overflow. Each attack
// runs on its own connection, closed by FIN after the response, so a body
// whose framing the sensor can't trust ends with the connection.

// hostileClient returns the i-th client of the hostile captures.
func hostileClient(i int) Endpoint {
	return Endpoint{IP: netip.AddrFrom4([4]byte{10, 66, byte(i >> 8), byte(1 + i%250)}), Port: uint16(40000 + i%20000)}
}

// Servers the hostile captures talk to.
var (
	hostileHTTP = EP("192.0.2.80", 80)
	hostileSMB  = EP("192.0.2.45", SMBPort)
)

// rawHTTP opens connection i, sends req, answers with resp (any bytes, no
// framing added) and closes.
func rawHTTP(c *Capture, i int, req, resp []byte) error {
	return conn(c, hostileClient(i), hostileHTTP, ConnOptions{}, func(cv *Conversation) error {
		if err := cv.FromClient(req); err != nil {
			return err
		}
		if len(resp) == 0 {
			return nil
		}
		return cv.FromServer(resp)
	})
}

func getRequest(uri string) []byte {
	return []byte("GET " + uri + " HTTP/1.1\r\nHost: hostile.example\r\nUser-Agent: pcapgen/1\r\nAccept-Encoding: gzip, deflate\r\n\r\n")
}

// encodedResponse is a 200 response with Content-Encoding coding and a
// correct Content-Length.
func encodedResponse(coding string, body []byte) []byte {
	head := fmt.Sprintf("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n", coding, len(body))
	return append([]byte(head), body...)
}

// bomb returns the writer of a one-response bomb: n MiB of zeros encoded
// by encode, served as uri under Content-Encoding coding.
func bomb(coding, uri string, encode func(mib int) ([]byte, error)) func(*Capture, int) error {
	return func(c *Capture, n int) error {
		body, err := encode(n)
		if err != nil {
			return err
		}
		return rawHTTP(c, 0, getRequest(uri), encodedResponse(coding, body))
	}
}

// encodeZerosAs is EncodeZeros for one coding, in bomb's shape.
func encodeZerosAs(coding string) func(int) ([]byte, error) {
	return func(mib int) ([]byte, error) { return EncodeZeros(coding, mib) }
}

// writeNestedBomb writes a bomb under three codings (within the default
// layer limit, so the ratio guard must stop it), the same gzip bomb under
// br and under lzma, and a small file under six codings (past the limit).
func writeNestedBomb(c *Capture, n int) error {
	inner, err := GzipZeros(n)
	if err != nil {
		return err
	}
	body, err := stackCodings(inner, "gzip", "deflate")
	if err != nil {
		return err
	}
	if err := rawHTTP(c, 0, getRequest("/bomb/nested.bin"), encodedResponse("gzip, gzip, deflate", body)); err != nil {
		return err
	}
	for i, outer := range []string{"br", "lzma"} {
		body, err := stackCodings(inner, outer)
		if err != nil {
			return err
		}
		if err := rawHTTP(c, 2+i, getRequest("/bomb/nested-"+outer+".bin"), encodedResponse("gzip, "+outer, body)); err != nil {
			return err
		}
	}
	deep := []string{"gzip", "gzip", "gzip", "gzip", "gzip", "deflate"}
	body, err = stackCodings(make([]byte, 1<<20), deep...)
	if err != nil {
		return err
	}
	return rawHTTP(c, 1, getRequest("/bomb/deep.bin"), encodedResponse(strings.Join(deep, ", "), body))
}

// chunkSizeLines are chunk-size lines a parser must not trust: near 2^64,
// at 2^63 (negative as int64), the largest int64, and longer than 16 hex
// digits (overflowing 64 bits).
var chunkSizeLines = []string{
	"ffffffffffffffff",
	"fffffffffffffff0",
	"8000000000000000",
	"7fffffffffffffff",
	"10000000000000000",
	"ffffffffffffffffffffffffffffffff",
	"0000000000000000000000000000000000000000000000000000000000000000000000000000001",
}

// writeChunkOverflow writes each hostile chunk size twice: as the first
// chunk of a body, and after a valid 16-byte chunk.
func writeChunkOverflow(c *Capture, n int) error {
	data := Text(rand.New(rand.NewPCG(21, 21)), n<<10)
	for i, size := range chunkSizeLines {
		for j, before := range []string{"", "10\r\n0123456789abcdef\r\n"} {
			resp := "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
				before + size + "\r\n"
			k := i + j*len(chunkSizeLines)
			if err := rawHTTP(c, k, getRequest(fmt.Sprintf("/chunk/%d.bin", k)), append([]byte(resp), data...)); err != nil {
				return err
			}
		}
	}
	return nil
}

// contentLengthHeads are the framing headers of the content-length
// capture: overflowing, negative and conflicting lengths, alone and beside
// Transfer-Encoding: chunked. %d is the real body length.
var contentLengthHeads = []struct {
	headers string
	chunked bool // the body is sent chunked
	upload  bool // a POST carries it instead of a response
}{
	{headers: "Content-Length: 18446744073709551616"},
	{headers: "Content-Length: 99999999999999999999999999999"},
	{headers: "Content-Length: 9223372036854775807"},
	{headers: "Content-Length: -1"},
	{headers: "Content-Length: -9223372036854775808"},
	{headers: "Content-Length: 100\r\nContent-Length: %d"},
	{headers: "Content-Length: %d, 100"},
	{headers: "Content-Length: -1\r\nTransfer-Encoding: chunked", chunked: true},
	{headers: "Content-Length: 18446744073709551616\r\nTransfer-Encoding: chunked", chunked: true},
	{headers: "Content-Length: 100\r\nContent-Length: 200\r\nTransfer-Encoding: chunked", chunked: true},
	{headers: "Transfer-Encoding: chunked\r\nContent-Length: %d", chunked: true},
	{headers: "Content-Length: 100\r\nContent-Length: %d", upload: true},
	{headers: "Content-Length: -1", upload: true},
	{headers: "Content-Length: 18446744073709551616", upload: true},
}

func writeContentLengths(c *Capture, n int) error {
	data := Text(rand.New(rand.NewPCG(22, 22)), n<<10)
	for i, h := range contentLengthHeads {
		headers := h.headers
		if strings.Contains(headers, "%d") {
			headers = fmt.Sprintf(headers, len(data))
		}
		body := data
		if h.chunked {
			body = chunk(data, 4096)
		}
		uri := fmt.Sprintf("/length/%d.bin", i)
		var req, resp []byte
		if h.upload {
			req = append([]byte("POST "+uri+" HTTP/1.1\r\nHost: hostile.example\r\nContent-Type: application/octet-stream\r\n"+headers+"\r\n\r\n"), body...)
		} else {
			req = getRequest(uri)
			resp = append([]byte("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\n"+headers+"\r\n\r\n"), body...)
		}
		if err := rawHTTP(c, i, req, resp); err != nil {
			return err
		}
	}
	return nil
}

// chunk frames data with Transfer-Encoding: chunked, size bytes a chunk.
func chunk(data []byte, size int) []byte {
	var b bytes.Buffer
	for len(data) > 0 {
		k := min(size, len(data))
		fmt.Fprintf(&b, "%x\r\n", k)
		b.Write(data[:k])
		b.WriteString("\r\n")
		data = data[k:]
	}
	b.WriteString("0\r\n\r\n")
	return b.Bytes()
}

func writeMultipartFlood(c *Capture, n int) error {
	const boundary = "----hostileBoundary"
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"f%d\"; filename=\"part%d.txt\"\r\nContent-Type: text/plain\r\n\r\nx\r\n", boundary, i, i)
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	head := fmt.Sprintf("POST /upload HTTP/1.1\r\nHost: hostile.example\r\nContent-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n", boundary, b.Len())
	return rawHTTP(c, 0, append([]byte(head), b.Bytes()...), []byte("HTTP/1.1 204 No Content\r\nServer: nginx\r\n\r\n"))
}
