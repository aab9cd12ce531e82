package http

import (
	"bytes"
	"strings"
)

// This file turns one complete header block (start line plus header lines,
// as accumulated by the per-direction reader) into a message. Parsing is as
// lenient as clients are: bare LF, obs-fold continuation lines, whitespace
// before the colon, names in any case, missing space after the colon.

// Header is one header field as parsed: Name keeps the sender's spelling,
// Value is trimmed and unfolded.
type Header struct {
	Name, Value string
}

// message is a parsed request or response head.
type message struct {
	startLine string
	method    string // request
	target    string // request
	proto     string // "HTTP/1.1" as sent; empty for HTTP/0.9 requests
	status    int    // response; 0 when absent or invalid
	statusMsg string // response
	headers   []Header
	raw       string // the whole block as received
	truncated bool   // MaxHeaders or MaxHeaderBytes hit
	folded    bool
	invalid   int // header lines without a colon
}

// get returns the first value of name (case-insensitive).
func (m *message) get(name string) (string, bool) {
	for _, h := range m.headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// all returns every value of name joined with ", " and how many there were.
func (m *message) all(name string) (string, int) {
	var vals []string
	for _, h := range m.headers {
		if strings.EqualFold(h.Name, name) {
			vals = append(vals, h.Value)
		}
	}
	return strings.Join(vals, ", "), len(vals)
}

// splitLines splits a block into lines without their line ends.
func splitLines(block string) []string {
	lines := strings.Split(block, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	for len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// parseHead parses a header block. maxHeaders bounds the header lines kept.
// The start line, names and values are substrings of block (one allocation
// per message, however many headers).
func parseHead(block string, response bool, maxHeaders int) *message {
	m := &message{raw: block}
	lines := splitLines(block)
	if len(lines) == 0 {
		return m
	}
	m.startLine = lines[0]
	if response {
		m.parseStatusLine(m.startLine)
	} else {
		m.parseRequestLine(m.startLine)
	}
	for _, l := range logicalLines(lines[1:], &m.folded) {
		colon := strings.IndexByte(l, ':')
		if colon < 0 {
			m.invalid++
			continue
		}
		if len(m.headers) >= maxHeaders {
			m.truncated = true
			continue
		}
		name := strings.TrimSpace(l[:colon])
		if name == "" {
			m.invalid++
			continue
		}
		m.headers = append(m.headers, Header{Name: name, Value: strings.TrimSpace(l[colon+1:])})
	}
	return m
}

// logicalLines joins obs-fold continuation lines (starting with SP, HT or
// NUL) to the line before them, even when that line has no colon yet
// ("Transfer-Encoding" + " :chunked"), like libhtp. A continuation that is
// itself a well-formed "Name: value" starts a new header instead, since
// clients differ there and the header may change the framing. NUL bytes are
// dropped, as libhtp ignores them when matching names and values.
func logicalLines(lines []string, folded *bool) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if strings.IndexByte(l, 0) >= 0 {
			cont := l[0] == 0
			l = strings.ReplaceAll(l, "\x00", "")
			if cont && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "\t") {
				l = " " + l
			}
		}
		if l != "" && (l[0] == ' ' || l[0] == '\t') && len(out) > 0 {
			t := strings.TrimSpace(l)
			if !looksLikeHeader(t) {
				*folded = true
				out[len(out)-1] = strings.TrimRight(out[len(out)-1], " \t") + " " + t
				continue
			}
			*folded = true
			l = t
		}
		out = append(out, l)
	}
	return out
}

// looksLikeHeader reports whether s is "token: value" with a non-empty
// token of header-name characters.
func looksLikeHeader(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return false
	}
	for i := 0; i < colon; i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// fields splits on runs of spaces and tabs.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
}

func (m *message) parseRequestLine(line string) {
	f := fields(line)
	switch len(f) {
	case 0:
	case 1:
		m.method = f[0]
	case 2:
		m.method, m.target = f[0], f[1]
	default:
		m.method = f[0]
		last := f[len(f)-1]
		if strings.HasPrefix(strings.ToUpper(last), "HTTP") {
			m.proto = last
			m.target = strings.Join(f[1:len(f)-1], " ")
		} else {
			m.target = strings.Join(f[1:], " ")
		}
	}
}

func (m *message) parseStatusLine(line string) {
	line = line[leadingJunk([]byte(line)):]
	sp := strings.IndexAny(line, " \t")
	if sp < 0 {
		m.proto = line
		return
	}
	m.proto = line[:sp]
	rest := strings.TrimLeft(line[sp:], " \t")
	n, code := 0, 0
	for n < len(rest) && n < 3 && rest[n] >= '0' && rest[n] <= '9' {
		code = code*10 + int(rest[n]-'0')
		n++
	}
	if n == 3 {
		m.status = code
	}
	m.statusMsg = strings.TrimSpace(rest[n:])
}

// looksLikeStatusLine reports whether a response starts with a status line:
// after optional whitespace, "HTTP" in any case (libhtp's rule). need is true
// when more bytes are required to decide.
func looksLikeStatusLine(p []byte) (yes, need bool) {
	rest := p[leadingJunk(p):]
	if len(rest) < 4 {
		if !bytes.HasPrefix([]byte("http"), bytes.ToLower(rest)) {
			return false, false
		}
		return false, true
	}
	return bytes.EqualFold(rest[:4], []byte("http")), false
}

// leadingJunk counts the whitespace and NUL bytes before a status line.
func leadingJunk(p []byte) int {
	i := 0
	for i < len(p) && (p[i] == ' ' || p[i] == '\t' || p[i] == 0 || p[i] == '\v' || p[i] == '\f') {
		i++
	}
	return i
}
