package files

import (
	"sync"
	"sync/atomic"
	"time"
)

// Messages between workers: a part on a worker that does not own its
// joined file sends its pieces, holes and close to the owner's inbox.

// msgKind says what a message carries to a joined file's owner.
type msgKind uint8

const (
	msgData   msgKind = iota + 1 // bytes at off
	msgGap                       // n bytes missing at off
	msgClosed                    // a part closed
)

// msgOverhead is what a message costs the waiting budget besides its bytes.
const msgOverhead = 64

// joinMsg is one piece, hole or part close on its way to the owner.
type joinMsg[O, S any] struct {
	e     *joinEntry[O, S]
	kind  msgKind
	off   int64
	n     int64
	data  []byte // owned by the message
	trunc bool
	pos   int64
	at    time.Time
	cost  int64
}

// inbox is a tracker's queue of messages from other workers. Senders append
// under mu; the owner swaps the queue out in Poll. ready saves the owner the
// lock when nothing came; notify wakes an owner waiting for packets.
type inbox[O, S any] struct {
	mu     sync.Mutex
	msgs   []joinMsg[O, S]
	spare  []joinMsg[O, S]
	ready  atomic.Bool
	notify chan struct{}
}

func (in *inbox[O, S]) push(m joinMsg[O, S]) {
	in.mu.Lock()
	in.msgs = append(in.msgs, m)
	in.mu.Unlock()
	in.ready.Store(true)
	select {
	case in.notify <- struct{}{}:
	default:
	}
}

func (in *inbox[O, S]) take() []joinMsg[O, S] {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.ready.Store(false)
	msgs := in.msgs
	in.msgs = in.spare[:0]
	in.spare = nil
	return msgs
}

// recycle hands a drained queue back for reuse, its byte slices released.
func (in *inbox[O, S]) recycle(msgs []joinMsg[O, S]) {
	clear(msgs)
	in.mu.Lock()
	if in.spare == nil {
		in.spare = msgs[:0]
	}
	in.mu.Unlock()
}

// Notify returns a channel that receives when messages from other workers
// wait for Poll (nil with one worker): a worker waiting for packets selects
// on it too.
func (t *Tracker[O, S]) Notify() <-chan struct{} { return t.in.notify }

// Progress publishes that the worker has processed every packet up to
// position pos (see SetClock); math.MaxInt64 once it has no more packets.
func (t *Tracker[O, S]) Progress(pos int64) { t.j.progress[t.worker].v.Store(pos) }

// send queues a message for e's owner. Bytes beyond MaxJoinWaitingBytes are
// dropped and counted; the joined file is then marked as having lost bytes,
// and gets a hole where they were. Part closes are never dropped.
func (t *Tracker[O, S]) send(e *joinEntry[O, S], m joinMsg[O, S], data []byte) {
	j := t.j
	m.e = e
	m.cost = msgOverhead + int64(len(data))
	if m.kind != msgClosed && j.waiting.Add(m.cost) > j.cfg.MaxJoinWaitingBytes {
		j.waiting.Add(-m.cost)
		if m.kind == msgData {
			t.stats.JoinDroppedBytes += uint64(len(data))
			m.kind, m.n, m.cost = msgGap, int64(len(data)), msgOverhead
			data = nil
		}
		e.lost.Store(true)
		if j.waiting.Add(m.cost) > j.cfg.MaxJoinWaitingBytes {
			j.waiting.Add(-m.cost)
			return
		}
	} else if m.kind == msgClosed {
		j.waiting.Add(m.cost)
	}
	if data != nil {
		m.data = append([]byte(nil), data...)
		t.stats.JoinForwardedBytes += uint64(len(data))
	}
	j.trackers[e.owner].in.push(m)
}
