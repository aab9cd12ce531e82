// Package detect is the signature-matching state of one TCP connection.
//
// # Place in the pipeline
//
// The engine keeps one Flow per connection, created with the rule set the
// connection started with. It hands the Flow what the earlier stages found
// (raw packets, reassembled stream bytes, stream gaps, protocol
// transactions, anomalies) and the Flow evaluates the matching rules and
// reports each match, with the direction and the transaction it fired on,
// to an Alerter. Files and frames are scanned by scanners the Flow creates
// (FileScanner, FrameScanner) because their alerts need what the engine
// knows about the file or frame; their matches are returned to the caller.
//
// A Flow owns the connection's flowbits, its raw-stream scanners (one per
// direction), the per-transaction states that make a rule fire once per
// transaction, and the queue of requests whose to_server rules wait for the
// next to_server packet (Suricata's timing). It builds every
// signatures.Context in one place (context), so all kinds of rules see the
// same endpoints, protocol, flow state, xbits table and packet clock. The
// xbits table (engine/xbits) and the clock are the worker's (Env), shared by
// all its Flows.
//
// # Limits
//
// Pending requests and transaction states are bounded by the parser's
// pipelining limit: an entry goes when its transaction is reported. A
// scanner keeps a few bytes of matcher state per direction, never the
// stream.
//
// # Concurrency
//
// A Flow belongs to the worker goroutine that owns the connection. The
// rule set it reads is immutable and shared.
//
// A nil *Flow is valid and matches nothing: connections without a rule set
// need no checks at every call site.
package detect

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/signatures"
)

// Alert is one rule match to log.
type Alert struct {
	// Dir is the direction of the bytes that fired (the alert's source is
	// their sender).
	Dir app.Direction
	// Match is the rule and where it matched.
	Match signatures.Match
	// Tx is the transaction a transaction rule inspected; nil for stream,
	// packet and event rules.
	Tx app.Metadata
}

// Alerter receives the matches a Flow finds. It is called synchronously
// from the Flow's methods.
type Alerter interface {
	Alert(a Alert)
	// Endpoints returns the connection's client and server: a Flow asks
	// its connection instead of holding a copy (64 bytes for as long as
	// the connection lives).
	Endpoints() (client, server netip.AddrPort)
}

// Rules is a rule set with what the engine derives from it once per load
// (Compile), not per connection: its frame rules and whether any rule
// keeps files. It is immutable and shared by every connection that started
// with it.
type Rules struct {
	Set *signatures.Set
	// Frames holds the set's frame rules compiled as stream rules over
	// frame bytes; nil when it has none.
	Frames *signatures.FrameSet
	// Filestore is true when a rule has the filestore keyword.
	Filestore bool
}

// Compile derives Rules from set; nil set gives nil Rules (no detection).
// An error means the set's frame rules could not be compiled.
func Compile(set *signatures.Set) (*Rules, error) {
	if set == nil {
		return nil, nil
	}
	frames, err := signatures.NewFrameSet(set)
	if err != nil {
		return nil, fmt.Errorf("detect: frame rules: %w", err)
	}
	r := &Rules{Set: set, Frames: frames}
	for _, rule := range set.Rules() {
		if rule.Filestore {
			r.Filestore = true
			break
		}
	}
	return r, nil
}

// Env is what the connections of one worker share: the profile their rule
// costs go to, the engine's xbits table and the clock of the packet being
// processed. It outlives every Flow built with it.
type Env struct {
	// Profile, when set, records per-rule costs.
	Profile *signatures.Profile
	// XBits is the engine's xbits table (one for all workers); nil: every
	// xbit is unset.
	XBits signatures.XBits
	// Now returns the time of the packet being processed (capture time,
	// which xbits expire in). It is called from the worker's goroutine
	// while a rule with xbits is evaluated; nil is the zero time.
	Now func() time.Time
}

// Flow is the detection state of one connection. Create it with New.
type Flow struct {
	rules  *Rules
	set    *signatures.Set
	frames *signatures.FrameSet
	bits   signatures.FlowState // the connection's flowbits (in the Flow: one allocation less)
	prof   *signatures.Profile
	xbits  signatures.XBits
	now    func() time.Time
	out    Alerter
	proto  app.Proto
	stream [2]streamState

	// reqPending lists transactions whose request is complete and whose
	// to_server rules wait for the next to_server packet; txStates holds,
	// per transaction evaluated at its request, the rules that matched
	// then. Both lose a transaction when it is reported.
	reqPending []app.Metadata
	txStates   []txState
	// txFileData has, per open transaction, a bit per direction (1 <<
	// app.Direction) in which it carried file bytes; kept only when a rule
	// has "file.data; absent", dropped when the transaction is reported.
	txFileData map[app.Metadata]uint8
}

// txState is the state of a transaction evaluated at its request. A
// connection has a few at most (pipelined requests): a slice searched
// linearly costs a few dozen bytes where a map cost two hundred per
// connection.
type txState struct {
	tx app.Metadata
	st *signatures.TxState
}

// streamState is the raw-stream inspection of one direction.
type streamState struct {
	sc   *signatures.Scanner
	off  int64 // stream offset of the next byte, gaps included
	none bool  // no stream rule applies to this direction
	done bool  // the direction ended
}

// New returns the detection state of a connection, matching rules (nil:
// no detection, New returns nil), with what env shares (nil: no profile,
// no xbits, no clock). Matches go to out, which also tells the
// connection's endpoints (bytes travelling to the server go from client to
// server).
func New(rules *Rules, env *Env, out Alerter) *Flow {
	if rules == nil || rules.Set == nil {
		return nil
	}
	f := &Flow{rules: rules, set: rules.Set, frames: rules.Frames, out: out}
	if env != nil {
		f.prof, f.xbits, f.now = env.Profile, env.XBits, env.Now
	}
	return f
}

// Set returns the rule set the connection is matched with.
func (f *Flow) Set() *signatures.Set {
	if f == nil {
		return nil
	}
	return f.set
}

// StoresFiles reports whether a rule of the connection's set keeps files
// (filestore).
func (f *Flow) StoresFiles() bool { return f != nil && f.rules.Filestore }

// SetProto records the application protocol once detection decided it.
func (f *Flow) SetProto(p app.Proto) {
	if f != nil {
		f.proto = p
	}
}

// context describes direction dir of the connection to the rules: the one
// place a signatures.Context is built.
func (f *Flow) context(dir app.Direction) signatures.Context {
	src, dst := f.out.Endpoints()
	if dir != app.ToServer {
		src, dst = dst, src
	}
	return signatures.Context{
		Proto:    f.proto.String(),
		ToServer: dir == app.ToServer,
		SrcIP:    src.Addr(), DstIP: dst.Addr(), SrcPort: src.Port(), DstPort: dst.Port(),
		Established: true,
		Flow:        &f.bits,
		XBits:       f.xbits,
		Now:         f.now,
		Profile:     f.prof,
	}
}

func (f *Flow) report(dir app.Direction, tx app.Metadata, ms []signatures.Match) {
	for _, m := range ms {
		f.out.Alert(Alert{Dir: dir, Match: m, Tx: tx})
	}
}

// Packet evaluates the tcp-pkt rules on one segment's payload, in packet
// order (before reassembly).
func (f *Flow) Packet(dir app.Direction, payload []byte) {
	if f == nil || !f.set.HasPacketRules() || len(payload) == 0 {
		return
	}
	ctx := f.context(dir)
	if ctx.Proto == "" {
		ctx.Proto = "tcp" // before detection the packet is plain TCP
	}
	f.report(dir, nil, f.set.MatchPacket(&ctx, payload))
}

// Stream feeds raw reassembled bytes to the stream rules of dir: the
// anchored ones decide on data as one chunk (MatchChunk, offsets from the
// chunk's start as in Suricata), the rest stream through the direction's
// scanner, which keeps its state across calls.
func (f *Flow) Stream(dir app.Direction, data []byte) {
	if f == nil {
		return
	}
	st := &f.stream[dir]
	if st.done {
		return
	}
	base := st.off
	st.off += int64(len(data))
	if f.set.HasChunkRules() {
		ctx := f.context(dir)
		f.report(dir, nil, f.set.MatchChunk(&ctx, base, data))
	}
	if st.sc == nil {
		if st.none {
			return
		}
		ctx := f.context(dir)
		if st.sc = f.set.NewScanner(signatures.Stream, &ctx); st.sc == nil {
			st.none = true
			return
		}
		if base > 0 {
			st.sc.Gap(base) // bytes before the first Write were not seen by it
		}
	}
	f.report(dir, nil, st.sc.Write(data))
}

// StreamGap reports n lost bytes of dir to its stream scanner.
func (f *Flow) StreamGap(dir app.Direction, n int64) {
	if f == nil {
		return
	}
	st := &f.stream[dir]
	if st.sc != nil {
		st.sc.Gap(n)
	}
	st.off += n
}

// StreamEnd ends stream inspection of dir: rules that decide at the end
// (absent, isdataat with negation, bsize) are evaluated.
func (f *Flow) StreamEnd(dir app.Direction) {
	if f == nil {
		return
	}
	st := &f.stream[dir]
	st.done = true
	sc := st.sc
	if sc == nil {
		return
	}
	st.sc = nil
	f.report(dir, nil, sc.End(signatures.FileFacts{Size: st.off, Complete: true}))
}

// Event evaluates event rules for an anomaly: app-layer events in both
// directions as Suricata does, stream (reassembly) events in the direction
// of the packet that raised them, as Suricata's packet events.
func (f *Flow) Event(dir app.Direction, kind, name string) {
	if f == nil {
		return
	}
	for _, d := range []app.Direction{app.ToServer, app.ToClient} {
		if kind == "stream" && d != dir {
			continue
		}
		ctx := f.context(d)
		f.report(d, nil, f.set.MatchEvent(&ctx, name))
	}
}

// RequestComplete queues a transaction whose request is complete: its
// to_server rules run before the connection's next to_server packet
// (Requests), or with the rest when the transaction completes first.
// Suricata inspects to_server rules on to_server packets once the request
// is parsed, so this is where their alerts and flowbits land in pcap order.
func (f *Flow) RequestComplete(tx app.Metadata) {
	if f != nil {
		f.reqPending = append(f.reqPending, tx)
	}
}

// Requests evaluates the to_server side of the queued transactions; the
// engine calls it before handling a to_server packet.
func (f *Flow) Requests() {
	if f == nil || len(f.reqPending) == 0 {
		return
	}
	for i, tx := range f.reqPending {
		f.reqPending[i] = nil
		st := &signatures.TxState{}
		if j := f.txStateIndex(tx); j >= 0 {
			f.txStates[j].st = st
		} else {
			f.txStates = append(f.txStates, txState{tx: tx, st: st})
		}
		f.matchTx(app.ToServer, tx, st)
	}
	f.reqPending = f.reqPending[:0]
}

// Transaction evaluates the rules on the buffers of a finished transaction.
// Buffers of a transaction belong to both directions (request headers
// travel to the server, the status to the client), so the rules are
// evaluated once per direction; a rule that matches both ways alerts once,
// as to_server, unless it is per-direction. Rules that already matched at
// the request (Requests) do not match again.
func (f *Flow) Transaction(tx app.Metadata) {
	if f == nil {
		return
	}
	if i := slices.Index(f.reqPending, tx); i >= 0 {
		f.reqPending = slices.Delete(f.reqPending, i, i+1)
	}
	var st *signatures.TxState
	if j := f.txStateIndex(tx); j >= 0 {
		st = f.txStates[j].st
		f.txStates = slices.Delete(f.txStates, j, j+1)
		if len(f.txStates) == 0 {
			f.txStates = nil
		}
	} else {
		st = &signatures.TxState{}
	}
	f.matchTx(app.ToServer, tx, st)
	f.matchTx(app.ToClient, tx, st)
	delete(f.txFileData, tx)
}

// txStateIndex returns the index of tx in txStates, -1 when absent.
func (f *Flow) txStateIndex(tx app.Metadata) int {
	for i := range f.txStates {
		if f.txStates[i].tx == tx {
			return i
		}
	}
	return -1
}

// matchTx evaluates the transaction rules of tx for direction d.
func (f *Flow) matchTx(d app.Direction, tx app.Metadata, st *signatures.TxState) {
	ctx := f.context(d)
	ctx.Buffers, ctx.Tx = tx, st
	if f.set.NeedsFileDataPresence() {
		ctx.FileData = signatures.FileDataAbsent
		if f.txFileData[tx]&(1<<d) != 0 {
			ctx.FileData = signatures.FileDataPresent
		}
	}
	f.report(d, tx, f.set.MatchTransaction(&ctx))
}

// FileData remembers that tx carried file bytes in direction dir, when a
// rule needs to know (file.data; absent).
func (f *Flow) FileData(tx app.Metadata, dir app.Direction) {
	if f == nil || tx == nil || !f.set.NeedsFileDataPresence() {
		return
	}
	if f.txFileData == nil {
		f.txFileData = map[app.Metadata]uint8{}
	}
	f.txFileData[tx] |= 1 << dir
}

// FileScanner returns a scanner for a file named name travelling in dir,
// carried by tx (may be nil); nil when no file rule can match it. The
// caller feeds it the file's bytes and reports its matches.
func (f *Flow) FileScanner(name string, dir app.Direction, tx app.Metadata) *signatures.Scanner {
	if f == nil {
		return nil
	}
	ctx := f.context(dir)
	ctx.Filename = name
	if tx != nil {
		ctx.Buffers = tx
	}
	return f.set.NewScanner(signatures.FileData, &ctx)
}

// WantsFrame reports whether a frame rule inspects frames of typ.
func (f *Flow) WantsFrame(typ string) bool {
	return f != nil && f.frames.Has(typ)
}

// FrameScanner returns a scanner for a frame of typ in dir; nil when no
// frame rule inspects such frames. Matches name the frame set's copies of
// rules: map them back with FrameRule.
func (f *Flow) FrameScanner(typ string, dir app.Direction) *signatures.Scanner {
	if !f.WantsFrame(typ) {
		return nil
	}
	ctx := f.context(dir)
	return f.frames.NewScanner(typ, &ctx)
}

// FrameRule returns the rule of the connection's set that a frame match's
// rule was compiled from.
func (f *Flow) FrameRule(r *signatures.Rule) *signatures.Rule { return f.frames.Rule(r) }
