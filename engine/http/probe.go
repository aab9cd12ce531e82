package http

import (
	"bytes"

	"github.com/wirescan/wirescan/engine/app"
)

// knownMethods are the request methods Probe and resync accept.
var knownMethods = [...]string{
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
	"REPORT", "CHECKOUT", "MERGE", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "MKACTIVITY",
}

// Probe says whether the first bytes of a direction look like HTTP: a request
// line starting with a known method and a space (ToServer), or "HTTP/" in any
// case (ToClient). Leading CR/LF are skipped. It decides on at most 16 bytes.
func Probe(dir app.Direction, data []byte) app.Verdict {
	data = bytes.TrimLeft(data, "\r\n")
	if len(data) > 16 {
		data = data[:16]
	}
	if dir == app.ToClient {
		return prefixVerdict(data, "HTTP/", true)
	}
	v := app.No
	for _, m := range knownMethods {
		switch prefixVerdict(data, m+" ", false) {
		case app.Yes:
			return app.Yes
		case app.NeedMore:
			v = app.NeedMore
		}
	}
	if v == app.NeedMore && len(data) == 16 {
		return app.No
	}
	return v
}

// prefixVerdict compares data with want: Yes when data starts with want,
// NeedMore when data is a proper prefix of want, else No.
func prefixVerdict(data []byte, want string, fold bool) app.Verdict {
	n := min(len(data), len(want))
	eq := bytes.Equal(data[:n], []byte(want[:n]))
	if fold {
		eq = bytes.EqualFold(data[:n], []byte(want[:n]))
	}
	switch {
	case !eq:
		return app.No
	case n == len(want):
		return app.Yes
	}
	return app.NeedMore
}
