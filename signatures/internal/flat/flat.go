// Package flat writes and reads the serialised form of compiled signature
// sets: little-endian integers and arrays, each array length-prefixed and
// padded to 8 bytes, so that on a little-endian machine a Reader over an
// 8-aligned buffer returns arrays that alias the buffer instead of copying.
//
// A Reader never panics and never allocates more than the buffer holds: a
// length past the end of the buffer sets its error, after which every read
// returns zero values.
package flat

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"slices"
	"unsafe"
)

// ErrShort is the Reader error for a buffer that ends before a value.
var ErrShort = errors.New("flat: truncated data")

// littleEndian is true when the machine's byte order matches the format.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// Writer appends values to a buffer, or streams them to an io.Writer
// (NewStreamWriter) through a small buffer.
type Writer struct {
	buf  []byte
	sink io.Writer // nil: keep everything in buf
	done int64     // bytes already handed to sink
	err  error     // first sink error
}

// streamChunk is how much a streaming Writer buffers before writing.
const streamChunk = 1 << 20

// NewStreamWriter returns a Writer that writes to sink as it goes; call Flush
// at the end.
func NewStreamWriter(sink io.Writer) *Writer { return &Writer{sink: sink} }

// Bytes returns the written data (shared with the Writer); for a streaming
// Writer, only what was not written to the sink yet.
func (w *Writer) Bytes() []byte { return w.buf }

// Len returns the number of bytes written so far.
func (w *Writer) Len() int64 { return w.done + int64(len(w.buf)) }

// Flush writes buffered bytes to the sink and returns the first sink error.
func (w *Writer) Flush() error {
	if w.sink != nil && len(w.buf) > 0 && w.err == nil {
		_, w.err = w.sink.Write(w.buf)
		w.done += int64(len(w.buf))
		w.buf = w.buf[:0]
	}
	return w.err
}

// spill flushes a streaming Writer whose buffer is full.
func (w *Writer) spill() {
	if w.sink != nil && len(w.buf) >= streamChunk {
		w.Flush()
	}
}

// Uint64 writes v.
func (w *Writer) Uint64(v uint64) { w.buf = binary.LittleEndian.AppendUint64(w.buf, v) }

// Int writes v (as a uint64).
func (w *Writer) Int(v int) { w.Uint64(uint64(int64(v))) }

// Bool writes v.
func (w *Writer) Bool(v bool) {
	if v {
		w.Uint64(1)
	} else {
		w.Uint64(0)
	}
}

// Blob writes b, length-prefixed and padded.
func (w *Writer) Blob(b []byte) {
	w.Uint64(uint64(len(b)))
	for len(b) > 0 {
		n := min(len(b), streamChunk)
		w.buf = append(w.buf, b[:n]...)
		b = b[n:]
		w.spill()
	}
	w.pad()
}

// String writes s like Blob.
func (w *Writer) String(s string) { w.Blob([]byte(s)) }

func (w *Writer) pad() {
	for w.Len()%8 != 0 {
		w.buf = append(w.buf, 0)
	}
	w.spill()
}

// Uint16s writes v.
func (w *Writer) Uint16s(v []uint16) {
	writeSlice(w, v, 2, func(b []byte, x uint16) []byte { return binary.LittleEndian.AppendUint16(b, x) })
}

// Uint32s writes v.
func (w *Writer) Uint32s(v []uint32) { writeSlice(w, v, 4, binary.LittleEndian.AppendUint32) }

// Int32s writes v.
func (w *Writer) Int32s(v []int32) {
	writeSlice(w, v, 4, func(b []byte, x int32) []byte { return binary.LittleEndian.AppendUint32(b, uint32(x)) })
}

// Uint64s writes v.
func (w *Writer) Uint64s(v []uint64) { writeSlice(w, v, 8, binary.LittleEndian.AppendUint64) }

func writeSlice[T any](w *Writer, v []T, size int, put func([]byte, T) []byte) {
	w.Uint64(uint64(len(v)))
	if w.sink == nil {
		w.buf = slices.Grow(w.buf, len(v)*size+8)
	}
	for i, x := range v {
		w.buf = put(w.buf, x)
		if i&4095 == 4095 {
			w.spill()
		}
	}
	w.pad()
}

// Reader reads values written by a Writer.
type Reader struct {
	buf []byte
	off int
	err error
}

// NewReader reads b. Arrays alias b when the machine is little-endian and b
// starts 8-aligned (as AlignedCopy returns); otherwise they are copies. The
// caller must not modify b while the values read from it are in use.
func NewReader(b []byte) *Reader { return &Reader{buf: b} }

// AlignedCopy returns an 8-aligned buffer of n bytes.
func AlignedCopy(n int) []byte {
	words := make([]uint64, (n+7)/8)
	if len(words) == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}

// Err returns the first error met, nil if none.
func (r *Reader) Err() error { return r.err }

// Len returns the bytes left to read.
func (r *Reader) Len() int { return len(r.buf) - r.off }

// Fail records err unless an error is already recorded (a caller's own
// consistency check).
func (r *Reader) Fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// take returns the next n bytes, or nil with the error set.
func (r *Reader) take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.buf)-r.off) {
		r.err = ErrShort
		return nil
	}
	b := r.buf[r.off : r.off+int(n)]
	r.off += int(n)
	return b
}

// skipPad skips to the next 8-byte boundary.
func (r *Reader) skipPad() {
	if p := (8 - r.off%8) % 8; p > 0 {
		r.take(uint64(p))
	}
}

// Uint64 reads a uint64.
func (r *Reader) Uint64() uint64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// Int reads an int written by Writer.Int; a value outside int's range is an
// error.
func (r *Reader) Int() int {
	v := int64(r.Uint64())
	if v > math.MaxInt || v < math.MinInt {
		r.Fail(ErrShort)
		return 0
	}
	return int(v)
}

// Bool reads a bool.
func (r *Reader) Bool() bool { return r.Uint64() != 0 }

// Blob reads a blob; it aliases the buffer.
func (r *Reader) Blob() []byte {
	n := r.Uint64()
	b := r.take(n)
	r.skipPad()
	if b == nil {
		return nil
	}
	return b[:len(b):len(b)]
}

// String reads a string (a copy).
func (r *Reader) String() string { return string(r.Blob()) }

// Uint16s reads an array.
func (r *Reader) Uint16s() []uint16 { return readSlice(r, 2, binary.LittleEndian.Uint16) }

// Uint32s reads an array.
func (r *Reader) Uint32s() []uint32 { return readSlice(r, 4, binary.LittleEndian.Uint32) }

// Int32s reads an array.
func (r *Reader) Int32s() []int32 {
	return readSlice(r, 4, func(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) })
}

// Uint64s reads an array.
func (r *Reader) Uint64s() []uint64 { return readSlice(r, 8, binary.LittleEndian.Uint64) }

func readSlice[T uint16 | uint32 | int32 | uint64](r *Reader, size int, get func([]byte) T) []T {
	n := r.Uint64()
	if r.err != nil {
		return nil
	}
	if n > uint64(r.Len())/uint64(size) {
		r.err = ErrShort
		return nil
	}
	b := r.take(n * uint64(size))
	r.skipPad()
	if n == 0 || b == nil {
		return []T{}
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%8 == 0 {
		return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
	}
	out := make([]T, n)
	for i := range out {
		out[i] = get(b[i*size:])
	}
	return out
}
