package engine

import (
	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/http"
	"github.com/wirescan/wirescan/engine/smb"
)

// Protocol detection: parsers are chosen by content, with the ports only
// deciding which prober is asked first, so HTTP on 8080 or SMB on an odd port
// still works and a port alone never decides.

type verdict uint8

const (
	needMore verdict = iota
	yes
	no
)

type prober struct {
	name  string
	probe func(dir app.Direction, data []byte) verdict
	ports []uint16
}

func (w *worker) probers() []prober {
	return []prober{
		{"smb", func(d app.Direction, b []byte) verdict { return verdict(smbVerdict(smb.Probe(d, b))) }, []uint16{445, 139}},
		{"http", func(d app.Direction, b []byte) verdict { return verdict(httpVerdict(http.Probe(d, b))) }, []uint16{80, 8080, 8000, 8008, 8888, 3128}},
	}
}

func httpVerdict(v http.Verdict) verdict {
	switch v {
	case http.Yes:
		return yes
	case http.No:
		return no
	}
	return needMore
}

func smbVerdict(v smb.Verdict) verdict {
	switch v {
	case smb.Yes:
		return yes
	case smb.No:
		return no
	}
	return needMore
}

// detect accumulates the first bytes of dir and tries the probers. Until a
// decision the bytes wait in the (bounded) probe buffers; the decision replays
// them to the raw-stream scanner and the parser, to-server first.
func (c *conn) detect(dir app.Direction, data []byte) {
	limit := c.w.e.cfg.ProbeBytes
	take := min(len(data), max(limit-len(c.probe[dir]), 0))
	c.probe[dir] = append(c.probe[dir], data[:take]...)
	rest := data[take:]
	if !c.probeNo[dir] {
		undecided := false
		for _, p := range c.w.orderedProbers(c.server.Port()) {
			switch p.probe(dir, c.probe[dir]) {
			case yes:
				c.decide(p.name)
				c.onData(dir, rest)
				return
			case needMore:
				undecided = true
			}
		}
		if !undecided || len(c.probe[dir]) >= limit {
			c.probeNo[dir] = true
		}
	}
	if len(rest) > 0 || (c.probeNo[dir] && (c.probeNo[dir^1] || c.ended[dir^1])) {
		c.decide("failed")
		c.onData(dir, rest)
	}
}

// decideOnEnd runs when a direction ends while detection is undecided: with no
// more bytes coming, a prober still asking for more has its answer.
func (c *conn) decideOnEnd(dir app.Direction) {
	c.probeNo[dir] = true
	if c.probeNo[dir^1] || c.ended[dir^1] {
		c.decide("failed")
	}
}

// decide fixes the connection's protocol ("failed": none), creates its
// parser and replays the probed bytes, to-server first.
func (c *conn) decide(name string) {
	c.proto = name
	c.w.stats.ProtoFlows[name]++
	switch name {
	case "http":
		hp := http.NewParser(&c.w.e.cfg.HTTP, &c.w.stats.HTTP, c)
		hp.SetBudget(c.w.e.parserMem)
		c.parser = hp
	case "smb":
		sp := smb.NewParser(&c.w.e.cfg.SMB, &c.w.stats.SMB, c)
		sp.SetBudget(c.w.e.parserMem)
		c.parser = sp
	}
	probes := c.probe
	c.probe = [2][]byte{}
	for _, dir := range []app.Direction{app.ToServer, app.ToClient} {
		if len(probes[dir]) > 0 {
			c.onData(dir, probes[dir])
		}
		if c.ended[dir] {
			c.endStreamScan(dir)
			if c.parser != nil {
				c.parser.End(dir)
				c.endFrames(dir)
			}
		}
	}
}

// orderedProbers puts the probers whose ports match first.
func (w *worker) orderedProbers(port uint16) []prober {
	ps := w.probeList
	for i, p := range ps {
		for _, pp := range p.ports {
			if pp == port && i != 0 {
				out := make([]prober, 0, len(ps))
				out = append(out, p)
				out = append(out, ps[:i]...)
				return append(out, ps[i+1:]...)
			}
		}
	}
	return ps
}
