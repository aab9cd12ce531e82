package engine

import (
	"slices"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/signatures"
)

// fileScan is the detection state of one file: its scanner (nil when no rule
// can apply) and the rules that already fired.
type fileScan struct {
	conn    *conn
	scanner *signatures.Scanner
	sids    []int
	spool   *spool // the file being written to the store, nil when not needed
	storing bool   // a filestore rule matched
	// deferred holds alerts waiting for the file's hash (policy by hash).
	deferred []deferredAlert
	stored   bool
	storeID  uint64
}

func (w *worker) scanState(f *files.File) *fileScan {
	if fs := w.fstate[f.ID]; fs != nil {
		return fs
	}
	c, _ := f.Owner.(*conn)
	fs := &fileScan{conn: c}
	if c != nil && c.rules != nil && !f.RangePart() {
		ctx := c.fileContext(f)
		fs.scanner = c.rules.NewScanner(signatures.FileData, ctx)
	}
	if c != nil && !f.RangePart() && w.e.store.wants(c.rules) {
		if sp, err := w.e.store.begin(); err == nil {
			fs.spool = sp
			fs.storing = w.e.store.cfg.Force
		}
	}
	w.fstate[f.ID] = fs
	return fs
}

func (c *conn) fileContext(f *files.File) *signatures.Context {
	dir := f.Meta.Direction
	src, dst := c.endpoints(dir)
	ctx := &signatures.Context{
		Proto:       c.proto.String(),
		ToServer:    dir == app.ToServer,
		SrcIP:       src.Addr(),
		DstIP:       dst.Addr(),
		SrcPort:     src.Port(),
		DstPort:     dst.Port(),
		Established: true,
		Filename:    f.Meta.Name,
		Flow:        c.flowbits,
		Profile:     c.w.profile(), // nil unless Engine.EnableProfile
	}
	if f.Meta.Tx != nil {
		ctx.Buffers = f.Meta.Tx
	}
	return ctx
}

// Data implements files.Consumer: in-order file bytes go to the scanner.
func (w *worker) Data(f *files.File, off int64, b []byte) {
	fs := w.scanState(f)
	if fs.spool != nil {
		fs.spool.write(w.e.store, off, b)
	}
	if fs.scanner == nil {
		return
	}
	w.stats.FileBytesScanned += uint64(len(b))
	for _, m := range fs.scanner.Write(b) {
		w.fileAlert(fs, f, m)
	}
}

// Gap implements files.Consumer.
func (w *worker) Gap(f *files.File, off, n int64) {
	if fs := w.scanState(f); fs.scanner != nil {
		fs.scanner.Gap(n)
	}
}

// Anomaly implements files.Consumer.
func (w *worker) Anomaly(f *files.File, name string) {
	if c, ok := f.Owner.(*conn); ok {
		c.anomaly(f.Meta.Direction, "applayer", name)
	}
}

// Closed implements files.Consumer: end-of-file rules, then the fileinfo event.
func (w *worker) Closed(f *files.File) {
	fs := w.scanState(f)
	delete(w.fstate, f.ID)
	if fs.scanner != nil {
		facts := signatures.FileFacts{
			Size: f.Size, MD5: f.MD5, SHA1: f.SHA1, SHA256: f.SHA256,
			Magic: f.Magic, Complete: f.State == files.StateClosed,
		}
		for _, m := range fs.scanner.End(facts) {
			w.fileAlert(fs, f, m)
		}
	}
	w.releaseDeferred(fs, f)
	if fs.spool != nil {
		if fs.storing {
			if id, err := w.e.store.commit(fs.spool, f.SHA256); err == nil {
				fs.stored, fs.storeID = true, id
			}
		} else {
			fs.spool.abort()
		}
		fs.spool = nil
	}
	proto := "unknown"
	if fs.conn != nil {
		proto = fs.conn.proto.String()
	}
	w.stats.FilesByProto[proto]++
	if f.State == files.StateTruncated {
		w.stats.FilesTruncated++
	}
	w.emitFileinfo(fs, f)
}

func (w *worker) fileAlert(fs *fileScan, f *files.File, m signatures.Match) {
	fs.sids = append(fs.sids, m.Rule.SID)
	if m.Rule.Filestore && fs.spool != nil {
		fs.storing = true
	}
	if fs.conn == nil {
		return
	}
	w.emitAlert(fs.conn, f.Meta.Direction, m, f.Meta.Tx, f, fs)
}

// scanStream feeds raw reassembled bytes to the stream rules of dir: the
// anchored ones decide on data as one chunk (MatchChunk), the rest stream
// through the direction's Scanner.
func (c *conn) scanStream(dir app.Direction, data []byte) {
	if c.rules == nil || c.streamDone[dir] {
		return
	}
	base := c.streamOff[dir]
	c.streamOff[dir] += int64(len(data))
	if c.rules.HasChunkRules() {
		for _, m := range c.rules.MatchChunk(c.streamContext(dir), base, data) {
			c.w.emitAlert(c, dir, m, nil, nil, nil)
		}
	}
	sc := c.streamScan[dir]
	if sc == nil {
		if c.noStream[dir] {
			return // no stream rule applies to this direction
		}
		sc = c.rules.NewScanner(signatures.Stream, c.streamContext(dir))
		if sc == nil {
			c.noStream[dir] = true
			return
		}
		c.streamScan[dir] = sc
		if base > 0 {
			sc.Gap(base) // bytes before the first Write were not seen by it
		}
	}
	for _, m := range sc.Write(data) {
		c.w.emitAlert(c, dir, m, nil, nil, nil)
	}
}

// streamContext describes direction dir of the connection to stream rules.
func (c *conn) streamContext(dir app.Direction) *signatures.Context {
	src, dst := c.endpoints(dir)
	return &signatures.Context{
		Proto: c.proto.String(), ToServer: dir == app.ToServer,
		SrcIP: src.Addr(), DstIP: dst.Addr(), SrcPort: src.Port(), DstPort: dst.Port(),
		Established: true, Profile: c.w.profile(), Flow: c.flowbits,
	}
}

func (c *conn) endStreamScan(dir app.Direction) {
	c.streamDone[dir] = true
	sc := c.streamScan[dir]
	if sc == nil {
		return
	}
	c.streamScan[dir] = nil
	for _, m := range sc.End(signatures.FileFacts{Size: c.streamOff[dir], Complete: true}) {
		c.w.emitAlert(c, dir, m, nil, nil, nil)
	}
}

// requestComplete queues a transaction whose request is complete: its
// to_server rules run on the connection's next to_server packet (requestRules),
// or with the rest when the transaction completes first. Suricata inspects
// to_server rules on to_server packets once the request is parsed, so this
// is where their alerts and flowbits land in pcap order.
func (c *conn) requestComplete(tx app.Metadata) {
	if c.rules != nil {
		c.reqPending = append(c.reqPending, tx)
	}
}

// requestRules evaluates the to_server side of the queued transactions; the
// engine calls it before handling a to_server packet.
func (w *worker) requestRules(c *conn) {
	for i, tx := range c.reqPending {
		c.reqPending[i] = nil
		if c.txStates == nil {
			c.txStates = map[app.Metadata]*signatures.TxState{}
		}
		st := &signatures.TxState{}
		c.txStates[tx] = st
		w.matchTx(c, app.ToServer, tx, st)
	}
	c.reqPending = c.reqPending[:0]
}

// transaction evaluates rules on protocol buffers and logs the transaction.
// Buffers of a transaction belong to both directions (request headers travel
// to the server, the status to the client), so the rules are evaluated once
// per direction; a rule that matches both ways alerts once, as to_server,
// unless it is per-direction. Rules that already matched at the request
// (requestRules) do not match again.
func (w *worker) transaction(c *conn, dir app.Direction, tx app.Metadata) {
	w.stats.ProtoTx[tx.AppProto()]++
	if i := slices.Index(c.reqPending, tx); i >= 0 {
		c.reqPending = slices.Delete(c.reqPending, i, i+1)
	}
	if c.rules != nil {
		st := c.txStates[tx]
		if st != nil {
			delete(c.txStates, tx)
		} else {
			st = &signatures.TxState{}
		}
		w.matchTx(c, app.ToServer, tx, st)
		w.matchTx(c, app.ToClient, tx, st)
		delete(c.txFileData, tx)
	}
	w.emitTransaction(c, dir, tx)
}

// matchTx evaluates the transaction rules of tx for direction d.
func (w *worker) matchTx(c *conn, d app.Direction, tx app.Metadata, st *signatures.TxState) {
	src, dst := c.endpoints(d)
	ctx := &signatures.Context{
		Proto: c.proto.String(), ToServer: d == app.ToServer,
		SrcIP: src.Addr(), DstIP: dst.Addr(), SrcPort: src.Port(), DstPort: dst.Port(),
		Established: true, Buffers: tx, Profile: w.profile(), Flow: c.flowbits, Tx: st,
	}
	if c.rules.NeedsFileDataPresence() {
		ctx.FileData = signatures.FileDataAbsent
		if c.txFileData[tx]&(1<<d) != 0 {
			ctx.FileData = signatures.FileDataPresent
		}
	}
	for _, m := range c.rules.MatchTransaction(ctx) {
		w.emitAlert(c, d, m, tx, nil, nil)
	}
}

// matchPacket evaluates the tcp-pkt rules on one segment's payload, in
// packet order (before reassembly), and alerts on the current packet.
func (c *conn) matchPacket(dir app.Direction, payload []byte) {
	proto := c.proto.String()
	if proto == "" {
		proto = "tcp"
	}
	src, dst := c.endpoints(dir)
	ctx := &signatures.Context{
		Proto: proto, ToServer: dir == app.ToServer,
		SrcIP: src.Addr(), DstIP: dst.Addr(), SrcPort: src.Port(), DstPort: dst.Port(),
		Established: true, Flow: c.flowbits, Profile: c.w.profile(),
	}
	for _, m := range c.rules.MatchPacket(ctx, payload) {
		c.w.emitAlert(c, dir, m, nil, nil, nil)
	}
}
