package engine

import (
	"strconv"
	"strings"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/signatures"
)

// Application frames (Suricata's app-layer frames): parsers report where a
// PDU lies in a direction's stream (app.Frame); the engine takes the frame's
// bytes from the stream as they pass to the parser, scans them with the
// frame rules of its type, and at the frame's end writes the alerts and,
// when enabled, a "frame" event. Only frames some rule inspects, or all when
// frame events are logged, are tracked. Per frame the engine keeps a scanner
// and at most maxFramePayload bytes for the log, never the frame itself.

// maxFramePayload bounds the payload logged with a frame, holes included
// as "[N bytes missing]" (Suricata logs the same amount).
const maxFramePayload = 4095

// openFrame is a frame whose bytes are still arriving.
type openFrame struct {
	id         uint64 // EVE frame id
	pid        app.FrameID
	typ        string
	dir        app.Direction
	off        int64
	length     int64 // -1 while unknown
	next       int64 // stream offset of the next byte the frame wants
	seen       int64 // bytes seen (holes excluded)
	txID       uint64
	hasTx      bool
	holes      bool
	sc         *signatures.Scanner
	matches    []signatures.Match
	payload    []byte
	keep       bool // payload is needed (alerts or frame events)
	streamType bool // the "<proto>.stream" frame: the whole direction
}

// frameTrack is a connection's frame state.
type frameTrack struct {
	off    [2]int64 // stream offset of the next byte handed to the parser
	open   [2][]*openFrame
	nextID uint64
	stream [2]bool // the stream frame of the direction was started
}

// wantsFrame reports whether frames of typ need tracking.
func (c *conn) wantsFrame(typ string) bool {
	return c.det.WantsFrame(typ) || c.w.e.out.wants("frame")
}

// streamFrameType is the whole-stream frame of the connection's protocol.
func (c *conn) streamFrameType() string {
	if c.proto == app.HTTP {
		return "http1.stream"
	}
	return c.proto.String() + ".stream"
}

// feedParser hands data to the parser and its bytes to the open frames.
func (c *conn) feedParser(dir app.Direction, data []byte) {
	ft := &c.ft
	if !ft.stream[dir] {
		ft.stream[dir] = true
		if typ := c.streamFrameType(); c.wantsFrame(typ) {
			c.Frame(app.Frame{Dir: dir, Type: typ, StreamOffset: ft.off[dir], Length: -1})
			if n := len(ft.open[dir]); n > 0 {
				ft.open[dir][n-1].streamType = true
			}
		} else {
			ft.nextID++ // ids stay stable whatever is tracked
		}
	}
	start := ft.off[dir]
	ft.off[dir] += int64(len(data))
	c.parser.Feed(dir, data)
	c.routeFrames(dir, start, data, int64(len(data)))
}

// gapParser reports a gap to the parser and to the open frames.
func (c *conn) gapParser(dir app.Direction, n int64) {
	start := c.ft.off[dir]
	c.ft.off[dir] += n
	c.parser.Gap(dir, n)
	c.routeFrames(dir, start, nil, n)
}

// routeFrames gives the open frames of dir their part of the n stream bytes
// at start (data, or a hole when data is nil) and finishes complete frames.
func (c *conn) routeFrames(dir app.Direction, start int64, data []byte, n int64) {
	open := c.ft.open[dir]
	if len(open) == 0 {
		return
	}
	end := start + n
	keep := open[:0]
	for _, fr := range open {
		from, to := max(fr.next, start), end
		if fr.length >= 0 {
			to = min(to, fr.off+fr.length)
		}
		if fr.next < from && fr.next >= 0 {
			fr.hole(from - fr.next) // bytes the frame never got
		}
		if to > from {
			if data == nil {
				fr.hole(to - from)
			} else {
				fr.write(data[from-start : to-start])
			}
			fr.next = to
		}
		if fr.length >= 0 && fr.next >= fr.off+fr.length {
			c.finishFrame(fr)
			continue
		}
		keep = append(keep, fr)
	}
	clear(open[len(keep):])
	c.ft.open[dir] = keep
}

// Frame implements app.Sink.
func (c *conn) Frame(f app.Frame) {
	c.ft.nextID++
	if f.Dir > app.ToClient || !c.wantsFrame(f.Type) {
		return
	}
	fr := &openFrame{
		id: c.ft.nextID, pid: f.ID, typ: f.Type, dir: f.Dir, off: f.StreamOffset, length: f.Length,
		next: f.StreamOffset, txID: f.TxID, hasTx: f.HasTx,
	}
	fr.sc = c.det.FrameScanner(f.Type, f.Dir)
	fr.keep = fr.sc != nil || c.w.e.out.wants("frame")
	if !fr.keep {
		return
	}
	for _, b := range [][]byte{f.Prefix, f.Data} {
		if fr.length >= 0 {
			b = b[:min(int64(len(b)), max(fr.off+fr.length-fr.next, 0))]
		}
		fr.write(b)
		fr.next += int64(len(b))
	}
	if fr.length >= 0 && fr.next >= fr.off+fr.length {
		c.finishFrame(fr)
		return
	}
	c.ft.open[f.Dir] = append(c.ft.open[f.Dir], fr)
}

// FrameLength implements app.Sink.
func (c *conn) FrameLength(dir app.Direction, id app.FrameID, length int64) {
	if dir > app.ToClient || id == 0 {
		return
	}
	open := c.ft.open[dir]
	for i, fr := range open {
		if fr.pid != id || fr.streamType {
			continue
		}
		fr.length = max(length, 0)
		if fr.next >= fr.off+fr.length {
			c.ft.open[dir] = append(open[:i], open[i+1:]...)
			open[len(open)-1] = nil
			c.finishFrame(fr)
		}
		return
	}
}

// endFrames finishes the open frames of dir: the stream ended, so each is
// as long as what was seen of it (or truncated, when its length was known).
func (c *conn) endFrames(dir app.Direction) {
	open := c.ft.open[dir]
	c.ft.open[dir] = nil
	for _, fr := range open {
		if fr.length < 0 {
			fr.length = fr.next - fr.off
		}
		c.finishFrame(fr)
	}
}

func (fr *openFrame) write(b []byte) {
	if len(b) == 0 {
		return
	}
	fr.seen += int64(len(b))
	if fr.sc != nil {
		fr.matches = append(fr.matches, fr.sc.Write(b)...)
	}
	if room := maxFramePayload - len(fr.payload); room > 0 {
		fr.payload = append(fr.payload, b[:min(room, len(b))]...)
	}
}

func (fr *openFrame) hole(n int64) {
	fr.holes = true
	if fr.sc != nil {
		fr.sc.Gap(n)
	}
	if room := maxFramePayload - len(fr.payload); room > 0 {
		m := "[" + strconv.FormatInt(n, 10) + " bytes missing]"
		fr.payload = append(fr.payload, m[:min(room, len(m))]...)
	}
}

// finishFrame writes the frame's alerts and its event.
func (c *conn) finishFrame(fr *openFrame) {
	if fr.length >= 0 && fr.next < fr.off+fr.length {
		fr.holes = true // cut short: the stream ended inside it
	}
	if fr.sc != nil {
		facts := signatures.FileFacts{Size: fr.length, Complete: !fr.holes}
		fr.matches = append(fr.matches, fr.sc.End(facts)...)
		fr.sc = nil
	}
	var obj *eve.Frame
	for _, m := range fr.matches {
		m.Rule = c.det.FrameRule(m.Rule)
		ev := c.w.alertEvent(c, fr.dir, m)
		if ev == nil {
			continue
		}
		if obj == nil {
			obj = fr.eve()
		}
		ev.Frame = obj
		if fr.hasTx {
			tx := fr.txID
			ev.TxID = &tx
		}
		c.w.writeAlert(c, fr.dir, ev, m.Rule, fileDigest{})
	}
	fr.matches = nil
	if c.w.e.out.wants("frame") {
		if obj == nil {
			obj = fr.eve()
		}
		ev := c.w.base(c, fr.dir, "frame")
		ev.Frame = obj
		c.w.e.out.write(ev)
	}
}

// eve renders the frame object.
func (fr *openFrame) eve() *eve.Frame {
	typ := fr.typ
	if rest, ok := strings.CutPrefix(typ, "http1."); ok {
		typ = rest // Suricata logs HTTP frame names without the protocol
	} else if strings.HasSuffix(typ, ".stream") {
		typ = "stream"
	}
	dir := "toserver"
	if fr.dir == app.ToClient {
		dir = "toclient"
	}
	o := &eve.Frame{
		ID: fr.id, Type: typ, Direction: dir, StreamOffset: fr.off, Length: fr.length,
		Complete: !fr.holes && fr.seen >= fr.length,
		Payload:  fr.payload,
	}
	if len(fr.payload) > 0 {
		p := make([]byte, len(fr.payload))
		for i, b := range fr.payload {
			if (b >= 0x20 && b < 0x7f) || b == '\n' || b == '\r' {
				p[i] = b
			} else {
				p[i] = '.'
			}
		}
		o.PayloadPrintable = string(p)
	}
	if fr.hasTx {
		tx := fr.txID
		o.TxID = &tx
	}
	return o
}
