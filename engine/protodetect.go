package engine

import (
	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/dcerpc"
	"github.com/wirescan/wirescan/engine/http"
	"github.com/wirescan/wirescan/engine/smb"
)

// registry lists the protocols the worker's connections are probed for,
// with parsers that count into the worker's stats and draw from the
// engine's app-layer budget.
func (w *worker) registry() *app.Registry {
	e := w.e
	return app.NewRegistry(
		app.Protocol{Proto: app.SMB, Ports: []uint16{445, 139}, Probe: smb.Probe, New: func(s app.Sink) app.Parser {
			p := smb.NewParser(&e.cfg.SMB, &w.stats.SMB, s)
			p.SetBudget(e.parserMem)
			return p
		}},
		app.Protocol{Proto: app.HTTP, Ports: []uint16{80, 8080, 8000, 8008, 8888, 3128}, Probe: http.Probe, New: func(s app.Sink) app.Parser {
			p := http.NewParser(&e.cfg.HTTP, &w.stats.HTTP, s)
			p.SetBudget(e.parserMem)
			return p
		}},
		app.Protocol{Proto: app.DCERPC, Ports: []uint16{135}, Probe: dcerpc.Probe, New: func(s app.Sink) app.Parser {
			return dcerpc.NewTCPParser(dcerpc.Limits{MaxCalls: e.cfg.SMB.MaxOutstanding, MaxStubBytes: e.cfg.SMB.MaxDCERPCStubBytes}, &w.stats.DCERPC, s)
		}},
	)
}

// detect accumulates the first bytes of dir and tries the registry's
// probes. Until a decision the bytes wait in the (bounded) probe buffers;
// the decision replays them to the raw-stream scanner and the parser,
// to-server first.
func (c *conn) detect(dir app.Direction, data []byte) {
	limit := c.w.e.cfg.ProbeBytes
	if c.probe == nil {
		c.probe = new([2][]byte)
	}
	take := min(len(data), max(limit-len(c.probe[dir]), 0))
	c.probe[dir] = append(c.probe[dir], data[:take]...)
	rest := data[take:]
	if !c.probeNo[dir] {
		undecided := false
		for _, p := range c.w.protos.ForPort(c.server.Port()) {
			switch p.Probe(dir, c.probe[dir]) {
			case app.Yes:
				c.decide(p.Proto)
				c.onData(dir, rest)
				return
			case app.NeedMore:
				undecided = true
			}
		}
		if !undecided || len(c.probe[dir]) >= limit {
			c.probeNo[dir] = true
		}
	}
	if len(rest) > 0 || (c.probeNo[dir] && (c.probeNo[dir^1] || c.ended[dir^1])) {
		c.decide(app.Failed)
		c.onData(dir, rest)
	}
}

// decideOnEnd runs when a direction ends while detection is undecided: with no
// more bytes coming, a probe still asking for more has its answer.
func (c *conn) decideOnEnd(dir app.Direction) {
	c.probeNo[dir] = true
	if c.probeNo[dir^1] || c.ended[dir^1] {
		c.decide(app.Failed)
	}
}

// decide fixes the connection's protocol (app.Failed: none), creates its
// parser and replays the probed bytes, to-server first.
func (c *conn) decide(proto app.Proto) {
	c.proto = proto
	c.det.SetProto(proto)
	if proto != app.Failed || c.payload {
		// A flow without payload (a SYN, a scan probe) had nothing to
		// detect: it is not an app-layer failure.
		c.w.stats.ProtoFlows[proto.String()]++
	}
	if p := c.w.protos.Lookup(proto); p != nil {
		c.parser = p.New(c)
		c.w.flows.Charge(c.entry, parserCost(proto))
	}
	probes := c.probe
	c.probe = nil
	for _, dir := range []app.Direction{app.ToServer, app.ToClient} {
		if probes != nil && len(probes[dir]) > 0 {
			c.onData(dir, probes[dir])
		}
		if c.ended[dir] {
			c.det.StreamEnd(dir)
			if c.parser != nil {
				c.parser.End(dir)
				c.endFrames(dir)
			}
		}
	}
}
