package http

import (
	"errors"
	"strconv"
	"strings"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/decompress"
)

// This file carries one message body from de-framed wire bytes through the
// content decoders to the file (or to the multipart splitter).

type framing uint8

const (
	frNone    framing = iota // no body
	frLength                 // Content-Length
	frChunked                // Transfer-Encoding: chunked
	frClose                  // until the connection closes
)

type body struct {
	// Words first, then the small fields side by side: a connection in
	// mid-download holds its body.
	p         *Parser
	tx        *Transaction
	remaining int64      // frLength: wire bytes left
	ck        *dechunker // frChunked (and a chunked body that fell back to frClose)

	// dec is the content decoding; nil for a body without a coding to
	// decode (most of them), which passes through identity (wire), with
	// decoded counting its bytes against MaxDecompressedBytes as a chain of
	// no layers would.
	dec     *decompress.Chain
	decoded int64

	meta      app.FileMeta
	file      fileOut
	mp        *multipart
	dir       app.Direction
	framing   framing
	broken    bool // decoding stopped (gap, corrupt, bomb)
	truncated bool
}

// newBody prepares the body of msg (the head just parsed) for tx.
func (p *Parser) newBody(dir app.Direction, tx *Transaction, msg *message, fr framing, length int64) *body {
	b := &body{p: p, dir: dir, tx: tx, framing: fr, remaining: length}
	b.file.p = p
	if fr == frChunked {
		b.ck = &dechunker{}
		b.ck.reset(p.cfg.MaxChunkLine)
	}
	b.setupDecoders(msg)
	b.meta = app.FileMeta{Direction: dir, TxID: tx.ID, Size: -1, Tx: tx, InOrder: true}
	if fr == frLength && b.layers() == 0 {
		b.meta.Size = length
	}
	b.meta.Name = uriPath(tx.Target)
	if cd, ok := msg.get("Content-Disposition"); ok {
		if name, ok := dispositionFilename(cd); ok {
			b.meta.Name = name
		}
	}
	if dir == app.ToClient && msg.status == 206 {
		b.setRange(msg)
	}
	if dir == app.ToServer {
		if ct, _ := msg.get("Content-Type"); strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "multipart/") {
			if bd := mediaParam(ct, "boundary"); bd != "" && len(bd) <= 200 {
				b.mp = newMultipart(b, bd)
			}
		}
	}
	return b
}

// setupDecoders builds the Content-Encoding chain: the last listed encoding
// was applied last, so it is decoded first.
func (b *body) setupDecoders(msg *message) {
	ce, _ := msg.all("Content-Encoding")
	var codings []decompress.Coding
	for _, tok := range codingTokens(ce) {
		switch k := decompress.ParseCoding(tok); k {
		case decompress.Identity:
		case decompress.Unknown:
			// Unknown tokens are skipped like libhtp does; the known
			// layers are still decoded.
			b.p.anomaly(b.dir, AnomUnsupportedEncoding)
		default:
			codings = append(codings, k)
		}
	}
	if len(codings) > b.p.cfg.DecompressLayers {
		b.p.anomaly(b.dir, AnomTooManyLayers)
	}
	if len(codings) > 0 {
		b.dec = decompress.NewChain(codings, b.p.cfg.decompressLimits(), b.p.reserveDecode(b.dir), b.deliver)
	}
}

// layers is the number of content codings the body decodes.
func (b *body) layers() int {
	if b.dec == nil {
		return 0
	}
	return b.dec.Layers()
}

// decodeStopped reports why content decoding stopped, once.
func (b *body) decodeStopped(err error) {
	if err == nil || b.broken {
		return
	}
	b.broken = true
	switch {
	case errors.Is(err, decompress.ErrBomb):
		b.truncated = true
		b.p.stats.CompressionBombs++
		b.p.anomaly(b.dir, AnomCompressionBomb)
	case errors.Is(err, decompress.ErrMemcap):
		// The budget refusal was counted and reported by reserveDecode.
		b.truncated = true
	default:
		b.p.stats.DecompressErrors++
		b.p.anomaly(b.dir, AnomDecompressError)
	}
}

func (b *body) setRange(msg *message) {
	v, ok := msg.get("Content-Range")
	if !ok {
		return
	}
	cr, ok := parseContentRange(v)
	if !ok {
		b.p.anomaly(b.dir, AnomInvalidContentRange)
		return
	}
	b.meta.Range = &app.ContentRange{Start: cr.Start, End: cr.End, Total: cr.Size}
	cr.Raw = v
	b.tx.ContentRange = &cr
	host, _ := b.tx.Host()
	b.meta.ResourceKey = host + b.tx.Target
}

// parseContentRange parses "bytes START-END/TOTAL" (TOTAL may be "*": -1).
func parseContentRange(v string) (ContentRangeEVE, bool) {
	var cr ContentRangeEVE
	s := strings.TrimSpace(v)
	if len(s) >= 5 && strings.EqualFold(s[:5], "bytes") {
		s = strings.TrimLeft(s[5:], " =")
	}
	dash, slash := strings.IndexByte(s, '-'), strings.IndexByte(s, '/')
	if dash <= 0 || slash < dash {
		return cr, false
	}
	var err1, err2 error
	cr.Start, err1 = strconv.ParseInt(strings.TrimSpace(s[:dash]), 10, 64)
	cr.End, err2 = strconv.ParseInt(strings.TrimSpace(s[dash+1:slash]), 10, 64)
	if err1 != nil || err2 != nil || cr.Start < 0 || cr.End < cr.Start {
		return cr, false
	}
	cr.Size = -1
	if t := strings.TrimSpace(s[slash+1:]); t != "*" {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n <= cr.End {
			return cr, false
		}
		cr.Size = n
	}
	return cr, true
}

// openFile opens the body's file unless the body is multipart.
func (b *body) openFile() {
	if b.mp == nil && !b.file.open {
		b.file.start(b.meta)
	}
}

// wire takes de-framed body bytes.
func (b *body) wire(p []byte) {
	if len(p) == 0 {
		return
	}
	b.p.stats.BodyBytes += uint64(len(p))
	if b.dir == app.ToClient {
		b.tx.ResponseLength += int64(len(p))
	}
	b.openFile()
	if b.broken {
		return
	}
	if b.dec == nil {
		b.identity(p)
		return
	}
	b.decodeStopped(b.dec.Write(p))
}

// identity passes the bytes of a body without content coding on, within
// MaxDecompressedBytes like a decompress.Chain of no layers.
func (b *body) identity(p []byte) {
	n := int64(len(p))
	if b.decoded+n > b.p.cfg.MaxDecompressedBytes {
		b.decodeStopped(decompress.ErrBomb)
		return
	}
	b.decoded += n
	b.deliver(p)
}

// deliver takes decoded bytes.
func (b *body) deliver(p []byte) bool {
	b.p.stats.DecodedBytes += uint64(len(p))
	if b.mp != nil {
		b.mp.write(p)
	} else {
		b.file.data(p)
	}
	return true
}

// gap accounts n lost body bytes.
func (b *body) gap(n int64) {
	b.openFile()
	if b.dir == app.ToClient {
		b.tx.ResponseLength += n
	}
	switch {
	case b.layers() > 0:
		// A hole in compressed data cannot be skipped.
		b.broken, b.truncated = true, true
	case b.mp != nil:
		b.mp.gap()
	default:
		b.file.gap(n)
	}
}

// finish ends the body; truncated says the framing did not complete.
func (b *body) finish(truncated bool) {
	if !b.broken && b.dec != nil {
		b.decodeStopped(b.dec.End())
	}
	truncated = truncated || b.truncated
	if b.mp != nil {
		b.mp.end(truncated)
		return
	}
	b.file.close(truncated)
}

// codingTokens splits a Content-Encoding value on commas, semicolons,
// whitespace and NBSP (0xa0), bytes lenient clients skip around tokens.
func codingTokens(v string) []string {
	var toks []string
	start := -1
	for i := 0; i <= len(v); i++ {
		sep := i == len(v)
		if !sep {
			switch v[i] {
			case ',', ';', ' ', '\t', '\r', '\n', '\v', '\f', 0, 0xa0:
				sep = true
			}
		}
		if sep {
			if start >= 0 {
				toks = append(toks, v[start:i])
			}
			start = -1
		} else if start < 0 {
			start = i
		}
	}
	return toks
}
