package reassembly

import "sync/atomic"

// segmentOverhead is what one buffered segment costs beyond its payload copy
// (the slice entry and allocator rounding), charged to Memory so that many tiny
// segments cannot hide behind a byte cap.
const segmentOverhead = 64

// Memory is the global memcap shared by every Stream of every worker. It is
// safe for concurrent use. A Stream reserves memory before it copies an
// out-of-order segment or grows its retransmission history, and returns
// exactly what it reserved when the memory is freed or the Stream is closed.
// A nil *Memory imposes no global cap (per-stream Config limits still apply).
type Memory struct {
	limit int64
	used  atomic.Int64
}

// NewMemory returns a memcap of capBytes. A cap of zero or less lets nothing
// be reserved: every out-of-order segment is dropped and becomes a gap.
func NewMemory(capBytes int64) *Memory {
	return &Memory{limit: capBytes}
}

// TryReserve takes n bytes from the cap. It returns false, taking nothing,
// when the cap would be exceeded.
func (m *Memory) TryReserve(n int64) bool {
	if m == nil {
		return true
	}
	if m.used.Add(n) > m.limit {
		m.used.Add(-n)
		return false
	}
	return true
}

// Release returns n bytes previously taken with TryReserve.
func (m *Memory) Release(n int64) {
	if m != nil {
		m.used.Add(-n)
	}
}

// InUse returns the bytes currently reserved (a gauge for metrics).
func (m *Memory) InUse() int64 {
	if m == nil {
		return 0
	}
	return m.used.Load()
}

// Cap returns the configured cap (a gauge for metrics).
func (m *Memory) Cap() int64 {
	if m == nil {
		return 0
	}
	return m.limit
}
