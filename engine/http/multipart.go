package http

import (
	"bytes"

	"github.com/wirescan/wirescan/engine/app"
)

// This file splits a multipart/form-data (or multipart/mixed) request body
// into one file per part that carries a filename. It streams: the delimiter
// may be split across writes, only a delimiter-sized tail is held back, and
// part headers are bounded.

type mpState uint8

const (
	mpPreamble   mpState = iota // before the first delimiter, or resyncing
	mpAfterDelim                // just after a delimiter: "--" or a line end
	mpHeaders                   // part headers
	mpBody                      // part content
	mpEpilogue                  // after the close delimiter
)

const (
	maxPartHeader = 8 << 10
	mpChunk       = 4096
)

type multipart struct {
	b      *body
	delim  []byte // "\n--" + boundary
	state  mpState
	buf    []byte // unprocessed bytes (≤ mpChunk + len(delim))
	hdr    []byte // part header block
	parts  int
	file   fileOut
	inFile bool
}

func newMultipart(b *body, boundary string) *multipart {
	m := &multipart{b: b, delim: []byte("\n--" + boundary)}
	m.file.p = b.p
	m.buf = append(m.buf, '\r', '\n') // a delimiter may open the body
	return m
}

func (m *multipart) write(p []byte) {
	for len(p) > 0 {
		n := min(len(p), mpChunk)
		m.buf = append(m.buf, p[:n]...)
		p = p[n:]
		m.run(false)
	}
}

// run processes buf; at end it flushes what is held back.
func (m *multipart) run(end bool) {
	for len(m.buf) > 0 {
		switch m.state {
		case mpPreamble, mpBody:
			i := bytes.Index(m.buf, m.delim)
			if i < 0 {
				keep := len(m.delim)
				if end {
					keep = 0
				}
				if len(m.buf) <= keep {
					return
				}
				m.content(m.buf[:len(m.buf)-keep])
				m.consume(len(m.buf) - keep)
				if !end {
					return
				}
				continue
			}
			j := i
			if j > 0 && m.buf[j-1] == '\r' {
				j--
			}
			m.content(m.buf[:j])
			m.endPart(false)
			m.consume(i + len(m.delim))
			m.state = mpAfterDelim
		case mpAfterDelim:
			if len(m.buf) < 2 && !end {
				return
			}
			if bytes.HasPrefix(m.buf, []byte("--")) {
				m.state = mpEpilogue
				continue
			}
			nl := bytes.IndexByte(m.buf, '\n')
			if nl < 0 {
				if len(m.buf) > 1024 {
					m.consume(len(m.buf))
				}
				return
			}
			m.consume(nl + 1)
			m.state, m.hdr = mpHeaders, m.hdr[:0]
		case mpHeaders:
			m.headers()
			if m.state == mpHeaders {
				return
			}
		case mpEpilogue:
			m.consume(len(m.buf))
		}
	}
}

func (m *multipart) consume(n int) {
	m.buf = m.buf[:copy(m.buf, m.buf[n:])]
}

// headers accumulates a part header block and opens the part's file.
func (m *multipart) headers() {
	for len(m.buf) > 0 {
		nl := bytes.IndexByte(m.buf, '\n')
		if nl < 0 {
			if len(m.hdr)+len(m.buf) > maxPartHeader {
				m.b.p.anomaly(app.ToServer, AnomMultipartHeader)
				m.hdr = m.hdr[:0]
				m.state = mpBody
				return
			}
			m.hdr = append(m.hdr, m.buf...)
			m.consume(len(m.buf))
			return
		}
		line := m.buf[:nl+1]
		empty := len(bytes.TrimRight(line, "\r\n")) == 0
		if len(m.hdr)+len(line) <= maxPartHeader {
			m.hdr = append(m.hdr, line...)
		}
		m.consume(nl + 1)
		if empty && bytes.HasSuffix(m.hdr, []byte("\n")) && len(bytes.TrimRight(m.hdr, "\r\n")) >= 0 {
			if lastLineEmpty(m.hdr) {
				m.startPart()
				m.state = mpBody
				return
			}
		}
	}
}

// lastLineEmpty reports whether the accumulated block ends with an empty line
// (or consists of just one).
func lastLineEmpty(h []byte) bool {
	t := bytes.TrimSuffix(bytes.TrimSuffix(h, []byte("\n")), []byte("\r"))
	return len(t) == 0 || t[len(t)-1] == '\n'
}

func (m *multipart) startPart() {
	m.parts++
	m.b.p.stats.MultipartParts++
	msg := parseHead("X\n"+string(m.hdr), false, m.b.p.cfg.MaxHeaders)
	cd, _ := msg.get("Content-Disposition")
	name, ok := dispositionFilename(cd)
	if !ok {
		return
	}
	if m.parts > m.b.p.cfg.MaxMultipartParts {
		if m.parts == m.b.p.cfg.MaxMultipartParts+1 {
			m.b.p.anomaly(app.ToServer, AnomTooManyParts)
		}
		return
	}
	meta := m.b.meta
	meta.Name, meta.Size = name, -1
	m.file.start(meta)
	m.inFile = true
}

func (m *multipart) content(p []byte) {
	if m.state == mpBody && m.inFile {
		m.file.data(p)
	}
}

func (m *multipart) endPart(truncated bool) {
	if m.inFile {
		m.file.close(truncated)
		m.inFile = false
	}
}

// gap loses sync: the current part is truncated and the splitter waits for
// the next delimiter.
func (m *multipart) gap() {
	m.endPart(true)
	m.state = mpPreamble
	m.buf = append(m.buf[:0], '\r', '\n')
}

// end flushes held-back bytes and closes an unfinished part.
func (m *multipart) end(truncated bool) {
	if m.state == mpBody || m.state == mpPreamble {
		m.run(true)
	}
	m.endPart(truncated || m.state == mpBody)
}
