// Package memcap is a memory budget shared by every connection of the engine.
//
// Per-connection limits (a header block, a decompression window, an SMB
// record) keep one connection small, but a hostile network can open many
// connections at once. Buffers that grow with traffic therefore reserve their
// bytes from one Budget before they grow; when the budget is spent, the
// stage degrades in a documented way (a header is cut, a body is passed on
// undecoded) and counts the refusal, instead of growing.
package memcap

import "sync/atomic"

// Budget is a byte budget safe for concurrent use. A nil *Budget is
// unlimited (every reservation succeeds), for tests and tools.
type Budget struct {
	capBytes int64
	used     atomic.Int64
	peak     atomic.Int64
	denied   atomic.Uint64
}

// New returns a budget of capBytes.
func New(capBytes int64) *Budget { return &Budget{capBytes: capBytes} }

// TryReserve takes n bytes from the budget, or reports false (and counts a
// refusal) when that would exceed it.
func (b *Budget) TryReserve(n int64) bool {
	if b == nil || n <= 0 {
		return true
	}
	for {
		cur := b.used.Load()
		if cur+n > b.capBytes {
			b.denied.Add(1)
			return false
		}
		if b.used.CompareAndSwap(cur, cur+n) {
			for {
				p := b.peak.Load()
				if cur+n <= p || b.peak.CompareAndSwap(p, cur+n) {
					return true
				}
			}
		}
	}
}

// Force takes n bytes whatever the cap: for memory that already exists and
// must be accounted (a flow's state grew), so that later reservations see
// it. Prefer TryReserve wherever the caller can refuse.
func (b *Budget) Force(n int64) {
	if b == nil || n <= 0 {
		return
	}
	cur := b.used.Add(n)
	for {
		p := b.peak.Load()
		if cur <= p || b.peak.CompareAndSwap(p, cur) {
			return
		}
	}
}

// Release returns n bytes to the budget.
func (b *Budget) Release(n int64) {
	if b == nil || n <= 0 {
		return
	}
	b.used.Add(-n)
}

// InUse is the number of bytes reserved now.
func (b *Budget) InUse() int64 {
	if b == nil {
		return 0
	}
	return b.used.Load()
}

// Peak is the most bytes ever reserved at once.
func (b *Budget) Peak() int64 {
	if b == nil {
		return 0
	}
	return b.peak.Load()
}

// Denied counts refused reservations.
func (b *Budget) Denied() uint64 {
	if b == nil {
		return 0
	}
	return b.denied.Load()
}

// Cap is the budget's size.
func (b *Budget) Cap() int64 {
	if b == nil {
		return 0
	}
	return b.capBytes
}

// Holder tracks what one owner (a connection's parser) reserved, so that it
// can grow its holding in steps and give everything back at the end.
type Holder struct {
	b    *Budget
	held int64
}

// NewHolder returns a holder drawing from b.
func NewHolder(b *Budget) Holder { return Holder{b: b} }

// Ensure makes sure the holder holds at least n bytes, reserving the
// difference. It reports false when the budget refuses.
func (h *Holder) Ensure(n int64) bool {
	if n <= h.held {
		return true
	}
	if !h.b.TryReserve(n - h.held) {
		return false
	}
	h.held = n
	return true
}

// Held is the number of bytes the holder reserved.
func (h *Holder) Held() int64 { return h.held }

// ReleaseAll gives back everything the holder reserved.
func (h *Holder) ReleaseAll() {
	h.b.Release(h.held)
	h.held = 0
}

// Shrink gives back what the holder holds beyond n bytes.
func (h *Holder) Shrink(n int64) {
	if n < 0 {
		n = 0
	}
	if n < h.held {
		h.b.Release(h.held - n)
		h.held = n
	}
}
