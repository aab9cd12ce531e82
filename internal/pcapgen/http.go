package pcapgen

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultChunkSize is the HTTP chunk size of chunked responses unless an
// exchange sets one.
const DefaultChunkSize = 4096

// Header is one HTTP header line; a slice of them keeps the order
// deterministic (unlike a map).
type Header struct {
	Name, Value string
}

// HTTPExchange is one HTTP/1.1 request and its response on a keep-alive
// connection. The generator adds Host, User-Agent, Date, Server,
// Content-Length or Transfer-Encoding, and Content-Encoding itself.
type HTTPExchange struct {
	// Method is the request method; "" means GET.
	Method string
	// URI is the request target ("/downloads/eicar.com").
	URI string
	// Host is the Host header value.
	Host string
	// ReqHeaders are extra request headers, written after Host and
	// User-Agent.
	ReqHeaders []Header
	// ReqBody is the request body, sent with Content-Length.
	ReqBody []byte
	// Status is the response status code; 0 means 200.
	Status int
	// RespHeaders are extra response headers (Content-Type, ...).
	RespHeaders []Header
	// RespBody is the response entity before any encoding: the file an
	// engine should extract.
	RespBody []byte
	// Chunked sends the response body with Transfer-Encoding: chunked.
	Chunked bool
	// ChunkSize is the chunk size when Chunked; 0 means DefaultChunkSize.
	ChunkSize int
	// Gzip sends the response body with Content-Encoding: gzip.
	Gzip bool
	// Encodings are Content-Encodings applied to the response body in
	// order ("gzip", "deflate" (zlib), "br", "lzma"), after Gzip if both
	// are set, and listed in that order in one Content-Encoding header.
	Encodings []string
}

// Request returns the request bytes.
func (x *HTTPExchange) Request() []byte {
	var b bytes.Buffer
	method := x.Method
	if method == "" {
		method = http.MethodGet
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) pcapgen/1\r\nAccept: */*\r\n", method, x.URI, x.Host)
	writeHeaders(&b, x.ReqHeaders)
	if len(x.ReqBody) > 0 {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(x.ReqBody))
	}
	b.WriteString("\r\n")
	b.Write(x.ReqBody)
	return b.Bytes()
}

// Response returns the response bytes, dated at date.
func (x *HTTPExchange) Response(date time.Time) ([]byte, error) {
	status := x.Status
	if status == 0 {
		status = http.StatusOK
	}
	body := x.RespBody
	codings := x.Encodings
	if x.Gzip {
		codings = append([]string{"gzip"}, codings...)
	}
	for _, c := range codings {
		enc, err := Encode(c, body)
		if err != nil {
			return nil, fmt.Errorf("pcapgen: %s: %w", x.URI, err)
		}
		body = enc
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: nginx/1.24.0\r\n", status, http.StatusText(status), date.UTC().Format(http.TimeFormat))
	writeHeaders(&b, x.RespHeaders)
	if len(codings) > 0 {
		fmt.Fprintf(&b, "Content-Encoding: %s\r\n", strings.Join(codings, ", "))
	}
	noBody := status == http.StatusNoContent || status == http.StatusNotModified || status < 200
	switch {
	case noBody:
	case x.Chunked:
		b.WriteString("Transfer-Encoding: chunked\r\n")
	default:
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	if noBody {
		return b.Bytes(), nil
	}
	if !x.Chunked {
		b.Write(body)
		return b.Bytes(), nil
	}
	size := x.ChunkSize
	if size <= 0 {
		size = DefaultChunkSize
	}
	for len(body) > 0 {
		n := min(size, len(body))
		b.WriteString(strconv.FormatInt(int64(n), 16))
		b.WriteString("\r\n")
		b.Write(body[:n])
		b.WriteString("\r\n")
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.Bytes(), nil
}

func writeHeaders(b *bytes.Buffer, hs []Header) {
	for _, h := range hs {
		fmt.Fprintf(b, "%s: %s\r\n", h.Name, h.Value)
	}
}

// WriteHTTP runs the exchanges in order on cv (keep-alive): each request from
// the client, then its response from the server, with a short think time
// between exchanges. It does not close cv.
func WriteHTTP(cv *Conversation, xs []HTTPExchange) error {
	for i := range xs {
		x := &xs[i]
		if err := cv.FromClient(x.Request()); err != nil {
			return fmt.Errorf("pcapgen: http request %s: %w", x.URI, err)
		}
		cv.Capture().Sleep(2 * time.Millisecond)
		resp, err := x.Response(cv.Capture().Now())
		if err != nil {
			return err
		}
		if err := cv.FromServer(resp); err != nil {
			return fmt.Errorf("pcapgen: http response %s: %w", x.URI, err)
		}
		cv.Capture().Sleep(20 * time.Millisecond)
	}
	return nil
}

// MultipartFile builds a multipart/form-data body carrying one file field
// and returns it with its Content-Type header value.
func MultipartFile(boundary, field, filename, contentType string, data []byte) (body []byte, ctype string) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n",
		boundary, field, filename, contentType)
	b.Write(data)
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return b.Bytes(), "multipart/form-data; boundary=" + boundary
}
