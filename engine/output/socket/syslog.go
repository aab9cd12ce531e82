package socket

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wirescan/wirescan/engine/output"
)

// facilities and severities list the RFC 5424 names by number.
func facilities() []string {
	return []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}
}

func severities() []string {
	return []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}
}

// lookup returns the index of name in names, or name as a number below
// len(names).
func lookup(names []string, name string) (int, bool) {
	name = strings.ToLower(name)
	for i, n := range names {
		if n == name {
			return i, true
		}
	}
	switch name { // common aliases
	case "error":
		return 3, names[0] == "emerg"
	case "warn":
		return 4, names[0] == "emerg"
	case "emergency":
		return 0, names[0] == "emerg"
	case "critical":
		return 2, names[0] == "emerg"
	}
	if n, err := strconv.Atoi(name); err == nil && n >= 0 && n < len(names) {
		return n, true
	}
	return 0, false
}

// header holds the fixed parts of an RFC 5424 message.
type header struct {
	pri      string // "<PRI>1 "
	hostname string
	app      string
	procid   string
}

// sanitize makes s a valid RFC 5424 header field (printable ASCII, no
// spaces, at most max bytes; "-" when empty).
func sanitize(s string, max int) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < max; i++ {
		c := s[i]
		if c < 33 || c > 126 {
			c = '_'
		}
		b = append(b, c)
	}
	if len(b) == 0 {
		return "-"
	}
	return string(b)
}

// message appends "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID - - MSG" with
// the line (without newline) as MSG.
func (h header) message(dst, line []byte, now time.Time) []byte {
	dst = append(dst, h.pri...)
	dst = now.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000Z07:00")
	dst = append(dst, ' ')
	dst = append(dst, h.hostname...)
	dst = append(dst, ' ')
	dst = append(dst, h.app...)
	dst = append(dst, ' ')
	dst = append(dst, h.procid...)
	dst = append(dst, " - - "...)
	return append(dst, trimNL(line)...)
}

// SyslogFactory opens syslog://HOST[:PORT] (TCP), syslog+tcp:// and
// syslog+udp:// (port 514 by default) with ?facility= (default local5)
// and ?severity= (default info). TCP frames each message with RFC 6587
// octet counting ("LEN SP MSG").
func SyslogFactory(ctx context.Context, spec *output.Spec) (output.Sink, error) {
	u := spec.URL
	if u.Host == "" {
		return nil, spec.Errorf("no host: want %s://HOST:PORT", u.Scheme)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, spec.Errorf("unexpected path %q", u.Path)
	}
	addr := u.Host
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "514")
	}
	fac, ok := lookup(facilities(), spec.Params.String("facility", "local5"))
	if !ok {
		return nil, spec.Errorf("facility=%q: want a name (local0..local7, daemon, ...) or 0-23", spec.Params.String("facility", ""))
	}
	sev, ok := lookup(severities(), spec.Params.String("severity", "info"))
	if !ok {
		return nil, spec.Errorf("severity=%q: want emerg, alert, crit, err, warning, notice, info, debug or 0-7", spec.Params.String("severity", ""))
	}
	qc, err := spec.QueueConfig()
	if err != nil {
		return nil, err
	}
	if err := spec.CheckParams(); err != nil {
		return nil, err
	}
	host := spec.Env.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	h := header{
		pri:      "<" + strconv.Itoa(fac*8+sev) + ">1 ",
		hostname: sanitize(host, 255),
		app:      "wirescan",
		procid:   strconv.Itoa(os.Getpid()),
	}
	if strings.ToLower(u.Scheme) == "syslog+udp" {
		qc.MaxLineBytes = maxUDPPayload - 400 // room for the header
		return output.Start(ctx, spec, qc, dialer("udp", addr, false, func(dst, line []byte) []byte {
			return h.message(dst, line, time.Now())
		}))
	}
	return output.Start(ctx, spec, qc, dialer("tcp", addr, true, func(dst, line []byte) []byte {
		// Octet counting: the length prefix needs the message's size.
		msg := h.message(nil, line, time.Now())
		dst = strconv.AppendInt(dst, int64(len(msg)), 10)
		dst = append(dst, ' ')
		return append(dst, msg...)
	}))
}
