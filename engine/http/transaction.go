package http

import (
	"strconv"
	"strings"

	"github.com/wirescan/wirescan/engine/app"
)

// Transaction is one request/response exchange. It implements app.Metadata.
// The parser owns and updates it (a response may arrive after an upload file
// opened); readers get snapshots from EVE and copies from Buffer. Fields are
// exported for tests; they must not be modified by other packages.
type Transaction struct {
	ID uint64 // index in the connection, from 0
	// HasRequest and HasResponse say which sides were seen (side by side:
	// a connection in mid-response holds its transaction for long).
	HasRequest, HasResponse bool

	Method         string
	Target         string // request target as sent
	Protocol       string // request protocol as sent; "" for HTTP/0.9
	RequestLine    string
	RequestHeaders []Header
	RequestRaw     string // request header block as received

	Status          int
	StatusMsg       string
	ResponseProto   string
	ResponseLine    string
	ResponseHeaders []Header
	ResponseRaw     string
	ResponseLength  int64 // response body bytes on the wire
	ContentRange    *ContentRangeEVE

	requestDone, responseDone, reported bool
	req09                               bool
	isHead, isConnect                   bool
}

var _ app.Metadata = (*Transaction)(nil)

// ContentRangeEVE is the EVE content_range object of a 206 response.
type ContentRangeEVE struct {
	Raw   string `json:"raw"`
	Start int64  `json:"start"`
	End   int64  `json:"end"`
	Size  int64  `json:"size"`
}

// EVE is the EVE "http" object; field names follow Suricata.
type EVE struct {
	Hostname     string           `json:"hostname,omitempty"`
	HTTPPort     int              `json:"http_port,omitempty"`
	URL          string           `json:"url,omitempty"`
	UserAgent    string           `json:"http_user_agent,omitempty"`
	ContentType  string           `json:"http_content_type,omitempty"`
	Refer        string           `json:"http_refer,omitempty"`
	Method       string           `json:"http_method,omitempty"`
	Protocol     string           `json:"protocol,omitempty"`
	Status       int              `json:"status,omitempty"`
	Redirect     string           `json:"redirect,omitempty"`
	Length       int64            `json:"length"`
	ContentRange *ContentRangeEVE `json:"content_range,omitempty"`
}

// AppProto returns "http".
func (t *Transaction) AppProto() string { return "http" }

func headerValue(hs []Header, name string) (string, bool) {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// hostRaw is the Host header, or the authority of an absolute URI.
func (t *Transaction) hostRaw() (string, bool) {
	if h, ok := absoluteHost(t.Target); ok {
		return h, true
	}
	return headerValue(t.RequestHeaders, "Host")
}

// Host returns the lowercased host without port and the port (0 if none).
func (t *Transaction) Host() (string, int) {
	h, ok := t.hostRaw()
	if !ok {
		return "", 0
	}
	return splitHostPort(h)
}

// EVE returns a snapshot of the transaction as Suricata's EVE http object.
func (t *Transaction) EVE() any {
	e := EVE{URL: t.Target, Method: t.Method, Protocol: t.Protocol}
	e.Hostname, e.HTTPPort = t.Host()
	if e.HTTPPort == 80 {
		e.HTTPPort = 0
	}
	e.UserAgent, _ = headerValue(t.RequestHeaders, "User-Agent")
	e.Refer, _ = headerValue(t.RequestHeaders, "Referer")
	if t.HasResponse {
		e.Status = t.Status
		e.Length = t.ResponseLength
		e.ContentType, _ = headerValue(t.ResponseHeaders, "Content-Type")
		if i := strings.IndexByte(e.ContentType, ';'); i >= 0 {
			e.ContentType = strings.TrimSpace(e.ContentType[:i])
		}
		e.Redirect, _ = headerValue(t.ResponseHeaders, "Location")
		if e.Protocol == "" {
			e.Protocol = t.ResponseProto
		}
		if t.ContentRange != nil {
			cr := *t.ContentRange
			e.ContentRange = &cr
		}
	}
	return e
}

// Buffer returns a rule buffer; see the package documentation for names.
func (t *Transaction) Buffer(name string) ([]byte, bool) {
	s, ok := t.buffer(name)
	if !ok {
		return nil, false
	}
	return []byte(s), true
}

func (t *Transaction) buffer(name string) (string, bool) {
	switch name {
	case "http.uri":
		return normalizeURI(t.Target), t.HasRequest
	case "http.uri.raw":
		return t.Target, t.HasRequest
	case "http.host":
		h, _ := t.Host()
		_, ok := t.hostRaw()
		return h, ok
	case "http.host.raw":
		return t.hostRaw()
	case "http.method":
		return t.Method, t.HasRequest
	case "http.user_agent":
		return headerValue(t.RequestHeaders, "User-Agent")
	case "http.cookie":
		if t.HasResponse {
			if v, ok := headerValue(t.ResponseHeaders, "Set-Cookie"); ok {
				return v, true
			}
		}
		return headerValue(t.RequestHeaders, "Cookie")
	case "http.content_type":
		if t.HasResponse {
			if v, ok := headerValue(t.ResponseHeaders, "Content-Type"); ok {
				return v, true
			}
		}
		return headerValue(t.RequestHeaders, "Content-Type")
	case "http.header":
		return normalizedHeaders(t.RequestHeaders) + normalizedHeaders(t.ResponseHeaders), t.HasRequest || t.HasResponse
	case "http.header.raw":
		return rawHeaders(t.RequestRaw) + rawHeaders(t.ResponseRaw), t.HasRequest || t.HasResponse
	case "http.stat_code":
		return strconv.Itoa(t.Status), t.HasResponse && t.Status > 0
	case "http.stat_msg":
		return t.StatusMsg, t.HasResponse
	case "http.protocol":
		if t.HasResponse && t.ResponseProto != "" {
			return t.ResponseProto, true
		}
		return t.Protocol, t.Protocol != ""
	case "http.request_line":
		return t.RequestLine, t.HasRequest
	case "http.response_line":
		return t.ResponseLine, t.HasResponse
	case "http.request_header":
		return headerLines(t.RequestHeaders), t.HasRequest && len(t.RequestHeaders) > 0
	case "http.response_header":
		return headerLines(t.ResponseHeaders), t.HasResponse && len(t.ResponseHeaders) > 0
	}
	return "", false
}

// headerLines renders "Name: value\r\n" for every header, cookies included
// (the http.request_header / http.response_header multi-buffers).
func headerLines(hs []Header) string {
	var b strings.Builder
	for _, h := range hs {
		b.WriteString(h.Name)
		b.WriteString(": ")
		b.WriteString(h.Value)
		b.WriteString("\r\n")
	}
	return b.String()
}

// normalizedHeaders renders "Name: value\r\n" for every header except cookies.
func normalizedHeaders(hs []Header) string {
	var b strings.Builder
	for _, h := range hs {
		if strings.EqualFold(h.Name, "Cookie") || strings.EqualFold(h.Name, "Set-Cookie") {
			continue
		}
		b.WriteString(h.Name)
		b.WriteString(": ")
		b.WriteString(h.Value)
		b.WriteString("\r\n")
	}
	return b.String()
}

// rawHeaders is a header block without its start line.
func rawHeaders(block string) string {
	if i := strings.IndexByte(block, '\n'); i >= 0 {
		return block[i+1:]
	}
	return ""
}
