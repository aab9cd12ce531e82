package files

import (
	"math"
	"slices"
	"time"
)

// The owner's side of joining: a joined file is written, scanned and closed
// only by the tracker of the worker that owns it. Parts on that worker
// write to it directly; parts on other workers send their pieces and their
// close to its inbox, which the owner drains in Poll. See DESIGN.md.

// forward hands a part's bytes (at the part's offset off) to its joined file.
func (t *Tracker[O, S]) forward(f *File[O, S], off int64, b []byte) {
	e, base := f.side.entry, f.side.joinBase
	if e.owner != t.worker {
		t.send(e, joinMsg[O, S]{kind: msgData, off: base + off}, b)
		return
	}
	t.applyData(e, base+off, b)
}

// forwardGap hands a part's hole to its joined file.
func (t *Tracker[O, S]) forwardGap(f *File[O, S], off, n int64) {
	e, base := f.side.entry, f.side.joinBase
	if e.owner != t.worker {
		t.send(e, joinMsg[O, S]{kind: msgGap, off: base + off, n: n}, nil)
		return
	}
	t.applyGap(e, base+off, n)
}

func (t *Tracker[O, S]) applyData(e *joinEntry[O, S], off int64, b []byte) {
	if e.done {
		return
	}
	t.promote(e)
	e.lastActive = t.now
	if e.file != nil {
		e.file.Write(off, b)
	}
}

func (t *Tracker[O, S]) applyGap(e *joinEntry[O, S], off, n int64) {
	if e.done {
		return
	}
	t.promote(e)
	e.lastActive = t.now
	if e.file != nil {
		e.file.Gap(off, n)
	}
}

// promote turns an SMB open's first file into a part once another
// connection joined it: its stream (in-order point, reorder window,
// hashes, history, scan state) becomes the joined file, and the first file
// goes on as a counting part like the others. Nothing is re-read or
// re-hashed, so the joined file's hash and scan cover every byte once.
func (t *Tracker[O, S]) promote(e *joinEntry[O, S]) {
	c := e.canon
	if e.file != nil || c == nil || e.done {
		return
	}
	t.nextID++
	t.stats.Opened++
	t.stats.Joined++
	t.stats.JoinedOpen++
	t.stats.JoinParts++
	jf := &File[O, S]{Meta: c.Meta, ID: t.nextID, Owner: c.Owner, t: t, isJoin: true, side: &fileSide[O, S]{entry: e}}
	if jf.Meta.Name == "" {
		// The first file's connection saw no CREATE (a bound channel, a
		// pickup midstream): the joined file and the first file take the
		// name another part's connection saw.
		t.j.mu.Lock()
		jf.Meta.Name = e.name
		t.j.mu.Unlock()
		c.Meta.Name = jf.Meta.Name
	}
	c.moveStreamTo(jf)
	e.file, e.canon = jf, nil
	if !e.lingering {
		e.lastActive = t.now
	}
	e.lingering = false
	if !slices.Contains(t.owned, e) {
		t.owned = append(t.owned, e)
	}
	if e.held {
		// The first file's connection had closed it already: it is
		// logged now, as the part it turned out to be.
		e.held = false
		c.closing = false
		c.finishClose(e.heldTrunc)
	}
}

// closeCanon handles the Close of an SMB open's first file while no other
// connection joined it: usually the file simply ends (at once with one
// worker; with several, once every worker has passed the close, in case one
// of them still holds a part). A durable open that lost its connection is
// kept for a reconnect instead.
func (t *Tracker[O, S]) closeCanon(f *File[O, S], trunc bool) {
	e := f.joinEntry()
	j := t.j
	j.mu.Lock()
	if e.gone {
		// Forgotten at MaxJoinCandidates: an ordinary file.
		j.mu.Unlock()
		f.setEntry(nil)
		f.finishClose(trunc)
		return
	}
	e.parts--
	joined := e.joined
	j.mu.Unlock()
	if joined {
		// A part registered on another worker and its pieces are on their
		// way: the stream becomes the joined file now.
		t.promote(e)
		f.finishClose(trunc)
		t.partDone(e, trunc, t.pos, t.now)
		return
	}
	f.closing = true
	e.held, e.heldTrunc = true, trunc
	t.noteClose(e, trunc, t.pos, t.now)
	t.settle(e)
}

// closePart accounts for the Close of a part (its own record was closed).
func (t *Tracker[O, S]) closePart(f *File[O, S], trunc bool) {
	e := f.joinEntry()
	j := t.j
	j.mu.Lock()
	if !e.gone {
		e.parts--
	}
	j.mu.Unlock()
	if e.owner != t.worker {
		t.send(e, joinMsg[O, S]{kind: msgClosed, trunc: trunc, pos: t.pos, at: t.now}, nil)
		return
	}
	t.partDone(e, trunc, t.pos, t.now)
}

// partDone is the owner's side of a part's close.
func (t *Tracker[O, S]) partDone(e *joinEntry[O, S], trunc bool, pos int64, at time.Time) {
	if e.done {
		return
	}
	t.noteClose(e, trunc, pos, at)
	e.lastActive = at
	t.settle(e)
}

func (t *Tracker[O, S]) noteClose(e *joinEntry[O, S], trunc bool, pos int64, at time.Time) {
	if !trunc && e.kind == joinSMB {
		e.openClosed = true
	}
	e.closePos = max(e.closePos, pos)
	if at.After(e.closeAt) {
		e.closeAt = at
	}
}

// settle decides what a change of an entry's parts means. A range file
// ends when complete (File.Write), idle (Expire) or at the end of the run.
// An SMB open ends when an SMB CLOSE ended it on any channel, or when its
// last part closed, unless it is durable and may be reopened: then it is
// kept for a reconnect until JoinTimeout.
func (t *Tracker[O, S]) settle(e *joinEntry[O, S]) {
	if e.done || e.kind != joinSMB {
		return
	}
	t.j.mu.Lock()
	parts, durable := e.parts, e.durable
	t.j.mu.Unlock()
	switch {
	case e.openClosed || (parts == 0 && (!durable || t.draining)):
		if t.j.single() {
			t.finalize(e, t.endTrunc(e), false)
			return
		}
		if !e.waiting {
			e.waiting = true
			t.deferred = append(t.deferred, e)
		}
	case parts == 0:
		t.linger(e)
	}
}

// endTrunc is whether an SMB open that ends now ends truncated: not when an
// SMB CLOSE ended it; a first file never joined keeps its own close's word.
func (t *Tracker[O, S]) endTrunc(e *joinEntry[O, S]) bool {
	if e.file == nil {
		return e.heldTrunc
	}
	return !e.openClosed
}

// linger keeps an SMB open whose connections are all gone for a
// durable-handle reconnect, counted as a joined file (it holds a stream).
func (t *Tracker[O, S]) linger(e *joinEntry[O, S]) {
	if e.lingering {
		return
	}
	j := t.j
	for {
		j.mu.Lock()
		ok := j.promoteCand(e)
		j.mu.Unlock()
		if ok {
			break
		}
		if !t.evictOldest() {
			t.stats.JoinRefused++
			t.finalize(e, t.endTrunc(e), false)
			return
		}
	}
	e.lingering = true
	e.lastActive = t.now
	if !slices.Contains(t.owned, e) {
		t.owned = append(t.owned, e)
	}
}

// finalize ends e: its joined file (or its first file, never joined) is
// closed and logged, and its identities leave the index. late says the
// file ends after the packet that ended it (a deferred or expired end):
// its events then carry the time of that end.
func (t *Tracker[O, S]) finalize(e *joinEntry[O, S], trunc, late bool) {
	if e.done {
		return
	}
	t.j.mu.Lock()
	t.j.remove(e)
	total, name := e.total, e.name
	t.j.mu.Unlock()
	if total > 1 {
		// Another connection joined, even if none of its pieces got
		// here (dropped, or none sent): the file is a joined one.
		t.promote(e)
	}
	e.done = true
	if i := slices.Index(t.owned, e); i >= 0 {
		t.owned = slices.Delete(t.owned, i, i+1)
	}
	var f *File[O, S]
	switch {
	case e.file != nil:
		f = e.file
		f.aside().parts = total
		if f.Meta.Name == "" {
			f.Meta.Name = name
		}
		if e.lost.Load() {
			f.MarkGaps()
		}
		t.stats.JoinedOpen--
	case e.canon != nil && e.held:
		f = e.canon
		f.closing = false
	case e.canon != nil:
		e.canon.setEntry(nil) // still open on its connection: an ordinary file from now on
		return
	default:
		return
	}
	if late {
		sd := f.aside()
		sd.endAt = e.closeAt
		if sd.endAt.IsZero() || e.lastActive.After(sd.endAt) {
			sd.endAt = e.lastActive
		}
	}
	f.finishClose(trunc)
}

// evictOldest closes the oldest joined file this tracker owns to make room.
func (t *Tracker[O, S]) evictOldest() bool {
	for _, e := range t.owned {
		if !e.done {
			t.stats.JoinEvicted++
			t.finalize(e, true, false)
			return true
		}
	}
	return false
}

// Poll applies what other workers sent (pieces, holes, part closes) and
// ends the joined files every worker has moved past. The worker calls it
// between packets: after each batch, when Notify fires, and on idle ticks.
// With one worker it does nothing.
func (t *Tracker[O, S]) Poll() {
	j := t.j
	if j.single() {
		return
	}
	// The watermark is read before the inbox: whatever a worker sent
	// before publishing its progress is in the inbox by now.
	wm := j.watermark()
	if t.in.ready.Load() {
		msgs := t.in.take()
		for i := range msgs {
			t.apply(&msgs[i])
		}
		t.in.recycle(msgs)
	}
	if len(t.deferred) > 0 {
		ready := t.deferred
		t.deferred = nil
		for _, e := range ready {
			switch {
			case e.done:
			case wm < e.closePos:
				t.deferred = append(t.deferred, e)
			default:
				e.waiting = false
				t.settleLate(e)
			}
		}
	}
	t.stats.JoinWaitingBytes = t.waitingHere()
}

// waitingHere is the cost of the messages queued for this tracker.
func (t *Tracker[O, S]) waitingHere() int64 {
	t.in.mu.Lock()
	defer t.in.mu.Unlock()
	var n int64
	for i := range t.in.msgs {
		n += t.in.msgs[i].cost
	}
	return n
}

// settleLate is settle for an entry every worker has moved past.
func (t *Tracker[O, S]) settleLate(e *joinEntry[O, S]) {
	t.j.mu.Lock()
	parts, durable := e.parts, e.durable
	t.j.mu.Unlock()
	switch {
	case e.openClosed || (parts == 0 && (!durable || t.draining)):
		t.finalize(e, t.endTrunc(e), true)
	case parts == 0:
		t.linger(e)
	}
}

func (t *Tracker[O, S]) apply(m *joinMsg[O, S]) {
	t.j.waiting.Add(-m.cost)
	switch m.kind {
	case msgData:
		t.applyData(m.e, m.off, m.data)
	case msgGap:
		t.applyGap(m.e, m.off, m.n)
	case msgClosed:
		t.partDone(m.e, m.trunc, m.pos, m.at)
	}
}

// Expire closes, by packet time now, the joined files none of whose parts
// is open and that saw nothing for JoinTimeout (counted in JoinExpired).
func (t *Tracker[O, S]) Expire(now time.Time) {
	if len(t.owned) == 0 {
		return
	}
	var idle []*joinEntry[O, S]
	t.j.mu.Lock()
	for _, e := range t.owned {
		if !e.done && e.parts == 0 && now.Sub(e.lastActive) >= t.cfg.JoinTimeout {
			idle = append(idle, e)
		}
	}
	t.j.mu.Unlock()
	for _, e := range idle {
		t.stats.JoinExpired++
		t.finalize(e, true, true)
	}
}

// Drain tells the tracker that its connections are being finished (end of
// replay, shutdown): no open is kept for a reconnect any more.
func (t *Tracker[O, S]) Drain() { t.draining = true }

// Close ends the files the tracker owns beyond single flows (joined files,
// files kept for a reconnect or waiting for other workers), as truncated
// when incomplete. Call it at shutdown or end of replay, after every
// worker's connections are finished (and, with several workers, after
// every worker stopped sending: see Poll).
func (t *Tracker[O, S]) Close() {
	t.draining = true
	t.Progress(math.MaxInt64)
	t.Poll()
	for _, e := range slices.Clone(t.owned) {
		trunc := true
		if e.kind == joinSMB {
			trunc = t.endTrunc(e)
		}
		t.finalize(e, trunc, false)
	}
	for _, e := range t.deferred {
		t.finalize(e, t.endTrunc(e), false)
	}
	t.owned, t.deferred = nil, nil
}
