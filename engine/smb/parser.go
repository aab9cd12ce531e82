package smb

import (
	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/dcerpc"
	"github.com/wirescan/wirescan/engine/memcap"
)

// Parser is the SMB1/2/3 state machine for one TCP connection. It implements
// app.Parser: the engine feeds both directions in slices of any size and the
// parser reports files, transactions and anomalies to the sink. A Parser is
// not safe for concurrent use; its memory is bounded by Config.
type Parser struct {
	cfg     Config
	stats   *Stats
	sink    app.Sink
	streams [2]stream
	conn    connState
	closed  bool
	// dce is the DCERPC state of the connection's named pipes; dceCur
	// is the pipe whose bytes it is parsing.
	dce    *dcerpc.Conn[fidKey]
	dceCur *dcePipe

	// mem holds this connection's share of the engine-wide parser budget
	// for message buffers (see SetBudget); bufQuota is what each direction
	// may buffer under it.
	mem      memcap.Holder
	bufQuota [2]int
}

// SetBudget makes the parser reserve its message buffers from b, shared by
// all connections. When b refuses, the message is skipped (anomaly
// smb.memcap) instead of buffered. Call it before the first Feed.
func (p *Parser) SetBudget(b *memcap.Budget) {
	p.mem.ReleaseAll()
	p.mem = memcap.NewHolder(b)
	p.bufQuota = [2]int{}
}

// bufStep is how many buffer bytes are reserved at a time.
const bufStep = 4096

// bufRoom makes sure s may buffer n bytes under the shared budget.
func (p *Parser) bufRoom(s *stream, n int) bool {
	if n <= p.bufQuota[s.dir] {
		return true
	}
	extra := (n - p.bufQuota[s.dir] + bufStep - 1) / bufStep * bufStep
	if !p.mem.Ensure(p.mem.Held() + int64(extra)) {
		p.stats.MemcapHits++
		p.anomaly(s.dir, AnomalyMemcap)
		return false
	}
	p.bufQuota[s.dir] += extra
	return true
}

var _ app.Parser = (*Parser)(nil)

// NewParser returns a parser for one connection. cfg may be nil (defaults);
// limits that are out of range are replaced by their defaults. stats may be
// nil (counts are then discarded). sink must not be nil.
func NewParser(cfg *Config, stats *Stats, sink app.Sink) *Parser {
	p := &Parser{}
	c := DefaultConfig()
	if cfg != nil {
		c = cfg.sanitized()
	}
	if stats == nil {
		stats = &Stats{}
	}
	p.cfg, p.stats, p.sink = c, stats, sink
	p.dce = p.newDCEConn()
	p.Reset()
	return p
}

// Reset makes the parser ready for a new connection, keeping its config,
// stats, sink and buffers. Files still open are forgotten without events;
// call Close first to report them.
func (p *Parser) Reset() {
	for i := range p.streams {
		b := p.streams[i].buf[:0]
		p.streams[i] = stream{dir: app.Direction(i), buf: b}
	}
	p.conn = connState{}
	p.conn.init()
	p.dce.Reset()
	p.closed = false
}

// Feed parses the next in-order bytes of dir. data is not retained.
func (p *Parser) Feed(dir app.Direction, data []byte) {
	if p.closed || dir > app.ToClient {
		return
	}
	p.feed(&p.streams[dir], data)
}

// Gap accounts for n lost bytes of dir: a hole in the file being transferred
// when the gap falls inside READ/WRITE data, else skipped record bytes, or a
// resynchronisation when the framing position is lost.
func (p *Parser) Gap(dir app.Direction, n int64) {
	if p.closed || dir > app.ToClient || n <= 0 {
		return
	}
	p.stats.GapBytes += uint64(n)
	p.gap(&p.streams[dir], n)
	p.streams[dir].pos += n
}

// End notes that dir is finished. Nothing is flushed: an unfinished record's
// file data simply stops, and Close decides the files' fate.
func (p *Parser) End(dir app.Direction) {
	if dir > app.ToClient {
		return
	}
	s := &p.streams[dir]
	s.ended = true
	if s.st == stWindow && s.synced && s.checked && len(s.buf) > 0 {
		// The direction ended inside a record still being buffered (shorter
		// than max-header-buffer): parse what arrived as a truncated
		// message, so a cut WRITE or READ is logged (TRUNCATED at Close)
		// rather than lost without a trace.
		p.processWindow(s, true)
	}
}

// Close closes every open file as truncated (no CLOSE was seen for it, as
// Suricata logs such files) and reports the transactions and DCERPC calls
// still waiting for a response.
func (p *Parser) Close() {
	if p.closed {
		return
	}
	p.closed = true
	defer p.mem.ReleaseAll()
	for _, f := range p.sortedFiles() {
		// No CLOSE was seen: like Suricata, a file still open when the
		// connection ends is logged TRUNCATED.
		p.closeFile(f, true)
	}
	p.finishAllDCE()
	for _, pd := range p.sortedPending() {
		if pd.tx != nil {
			p.report(app.ToServer, pd.tx)
		}
	}
	clear(p.conn.pend)
}

// anomaly reports and counts an anomaly in dir.
func (p *Parser) anomaly(dir app.Direction, name string) {
	p.stats.Anomalies++
	p.sink.Anomaly(dir, name)
}

// newTx starts a transaction with the next id.
func (p *Parser) newTx(version uint8, command uint16, kind txKind, session uint64, tree uint32) *Tx {
	p.conn.nextTxID++
	return &Tx{
		id: p.conn.nextTxID, version: version, command: command, kind: kind,
		sessionID: session, treeID: tree, dialect: p.conn.dialectName(),
	}
}

// report hands a finished transaction to the sink once.
func (p *Parser) report(dir app.Direction, tx *Tx) {
	if tx == nil || tx.reported {
		return
	}
	tx.reported = true
	tx.dialect = p.conn.dialectName()
	p.stats.Transactions++
	p.sink.Transaction(dir, tx)
}
