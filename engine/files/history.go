package files

// The overlap history: the last HistoryBytes bytes a file delivered, to
// compare retransmitted or overlapping pieces with and to show the bytes
// before a match.

// remember keeps the last histCap delivered bytes.
func (f *File[O, S]) remember(b []byte) {
	h := f.histCap
	if h <= 0 {
		return
	}
	if len(b) >= h {
		f.history = append(f.history[:0], b[len(b)-h:]...)
		f.histPos = 0
		return
	}
	for len(b) > 0 {
		if len(f.history) < h {
			n := min(len(b), h-len(f.history))
			f.history = append(f.history, b[:n]...)
			b = b[n:]
			continue
		}
		n := copy(f.history[f.histPos:], b)
		f.histPos = int32((int(f.histPos) + n) % h)
		b = b[n:]
	}
}

// compareHistory checks bytes at off (< f.next) against what was delivered,
// as far as the history reaches.
func (f *File[O, S]) compareHistory(off int64, b []byte) {
	histStart := f.next - int64(len(f.history))
	for i := range b {
		pos := off + int64(i)
		if pos >= f.next {
			return
		}
		if pos < histStart {
			continue
		}
		idx := int(pos - histStart)
		if len(f.history) == f.histCap {
			idx = (int(f.histPos) + idx) % len(f.history)
		}
		if f.history[idx] != b[i] {
			f.overlapDiffers()
			return
		}
	}
}

// BytesBefore returns up to n delivered bytes ending at file offset end, as
// far as the overlap history (the last HistoryBytes bytes,
// InOrderHistoryBytes for in-order files; never across a hole) and, while the Consumer's Data runs, the piece being delivered
// reach: the context of a match, for the analyst. The slice is a copy.
func (f *File[O, S]) BytesBefore(end int64, n int) []byte {
	histStart := f.next - int64(len(f.history))
	lo := histStart
	curOff := f.next - int64(len(f.cur)) // the piece being delivered ends at next
	if f.cur != nil {
		lo = min(lo, curOff) // the piece being delivered is held whole
	}
	if end > f.next || end <= lo || n <= 0 {
		return nil
	}
	start := max(end-int64(n), lo)
	out := make([]byte, 0, end-start)
	for pos := start; pos < end; pos++ {
		if f.cur != nil && pos >= curOff && pos < f.next {
			out = append(out, f.cur[pos-curOff])
			continue
		}
		if pos < histStart {
			out = out[:0] // before both: keep only what is contiguous up to end
			continue
		}
		idx := int(pos - histStart)
		if len(f.history) == f.histCap {
			idx = (int(f.histPos) + idx) % len(f.history)
		}
		out = append(out, f.history[idx])
	}
	return out
}
