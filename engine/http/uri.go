package http

import (
	"net/url"
	"strconv"
	"strings"
)

// This file derives names from requests: host and port, the normalized URI
// and the file name Suricata would log.

// splitHostPort splits a Host value into a lowercased host without port and
// the port (0 when absent or invalid). IPv6 literals keep their brackets off.
func splitHostPort(h string) (host string, port int) {
	h = strings.TrimSpace(h)
	if strings.HasPrefix(h, "[") {
		if end := strings.IndexByte(h, ']'); end > 0 {
			host, rest := h[1:end], h[end+1:]
			if p, ok := parsePort(strings.TrimPrefix(rest, ":")); ok && strings.HasPrefix(rest, ":") {
				port = p
			}
			return strings.ToLower(host), port
		}
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 {
		if p, ok := parsePort(h[i+1:]); ok {
			port = p
		}
		h = h[:i]
	}
	return strings.ToLower(strings.TrimRight(h, ".")), port
}

func parsePort(s string) (int, bool) {
	p, err := strconv.Atoi(s)
	if err != nil || p <= 0 || p > 65535 {
		return 0, false
	}
	return p, true
}

// absoluteHost returns the authority of an absolute-form request target.
func absoluteHost(target string) (string, bool) {
	i := strings.Index(target, "://")
	if i <= 0 || i > 10 {
		return "", false
	}
	rest := target[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	if j := strings.LastIndexByte(rest, '@'); j >= 0 {
		rest = rest[j+1:]
	}
	return rest, rest != ""
}

// pathQuery strips scheme and authority from an absolute target.
func pathQuery(target string) string {
	if i := strings.Index(target, "://"); i > 0 && i <= 10 {
		rest := target[i+3:]
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			return rest[j:]
		}
		return "/"
	}
	return target
}

// uriPath is the request target's path without query string: Suricata's
// file name for HTTP bodies without Content-Disposition.
func uriPath(target string) string {
	p := pathQuery(target)
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return p
}

// normalizeURI percent-decodes path and query like libhtp's normalized URI
// (invalid escapes are kept as sent) and removes dot segments from the path.
func normalizeURI(target string) string {
	p := pathQuery(target)
	query := ""
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p, query = p[:i], p[i:]
	}
	p = removeDots(percentDecode(strings.ReplaceAll(p, "\\", "/")))
	return p + percentDecode(query)
}

func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && unhex(s[i+1]) >= 0 && unhex(s[i+2]) >= 0 {
			b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// removeDots applies RFC 3986 dot-segment removal and collapses "//".
func removeDots(p string) string {
	if p == "" {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		switch s {
		case ".":
			continue
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			continue
		case "":
			if i != 0 && i != len(segs)-1 {
				continue
			}
		}
		out = append(out, s)
	}
	r := strings.Join(out, "/")
	if strings.HasPrefix(p, "/") && !strings.HasPrefix(r, "/") {
		r = "/" + r
	}
	if (strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")) && !strings.HasSuffix(r, "/") {
		r += "/"
	}
	return r
}

// dispositionFilename extracts filename*= (RFC 5987) or filename= from a
// Content-Disposition value, tolerating missing quotes and odd spacing.
func dispositionFilename(v string) (string, bool) {
	var plain string
	var found bool
	for _, part := range splitParams(v) {
		eq := strings.IndexByte(part, '=')
		if eq < 0 {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(part[:eq]))
		val := strings.TrimSpace(part[eq+1:])
		switch key {
		case "filename*":
			if i := strings.Index(val, "''"); i >= 0 {
				if d, err := url.PathUnescape(val[i+2:]); err == nil && d != "" {
					return d, true
				}
			}
		case "filename":
			if !found {
				plain, found = unquote(val), true
			}
		}
	}
	return plain, found && plain != ""
}

// splitParams splits on ';' outside double quotes.
func splitParams(v string) []string {
	var parts []string
	inQuote, start := false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			inQuote = !inQuote
		case ';':
			if !inQuote {
				parts = append(parts, v[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, v[start:])
}

func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' {
		if end := strings.IndexByte(v[1:], '"'); end >= 0 {
			return strings.ReplaceAll(v[1:1+end], "\\", "")
		}
		return v[1:]
	}
	return v
}

// mediaParam returns a parameter (case-insensitive key) of a media type value.
func mediaParam(v, key string) string {
	for _, part := range splitParams(v)[1:] {
		eq := strings.IndexByte(part, '=')
		if eq >= 0 && strings.EqualFold(strings.TrimSpace(part[:eq]), key) {
			return unquote(strings.TrimSpace(part[eq+1:]))
		}
	}
	return ""
}
