package flat

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	var w Writer
	w.Uint64(7)
	w.Int(-3)
	w.Bool(true)
	w.Blob([]byte("abc"))
	w.String("")
	w.Uint16s([]uint16{1, 65535})
	w.Uint32s([]uint32{5, 1 << 31})
	w.Int32s([]int32{-1, 2})
	w.Uint64s(nil)
	data := w.Bytes()
	for _, aligned := range []bool{true, false} {
		buf := AlignedCopy(len(data) + 1)
		if !aligned {
			buf = buf[1:]
		} else {
			buf = buf[:len(data)]
		}
		copy(buf, data)
		r := NewReader(buf)
		if r.Uint64() != 7 || r.Int() != -3 || !r.Bool() || string(r.Blob()) != "abc" || r.String() != "" {
			t.Fatalf("aligned=%v: scalars differ", aligned)
		}
		if !slices.Equal(r.Uint16s(), []uint16{1, 65535}) || !slices.Equal(r.Uint32s(), []uint32{5, 1 << 31}) ||
			!slices.Equal(r.Int32s(), []int32{-1, 2}) || len(r.Uint64s()) != 0 {
			t.Fatalf("aligned=%v: arrays differ", aligned)
		}
		if r.Err() != nil || r.Len() != 0 {
			t.Fatalf("aligned=%v: err %v, %d left", aligned, r.Err(), r.Len())
		}
	}
}

// TestTruncated reads every prefix of a valid buffer: an error, never a panic
// or a huge allocation.
func TestTruncated(t *testing.T) {
	var w Writer
	w.Uint32s([]uint32{1, 2, 3})
	w.Blob([]byte("hello"))
	data := w.Bytes()
	for n := 0; n < len(data); n++ {
		r := NewReader(data[:n])
		r.Uint32s()
		r.Blob()
		if !errors.Is(r.Err(), ErrShort) {
			t.Fatalf("prefix %d: err %v, want ErrShort", n, r.Err())
		}
	}
	// A length far past the end.
	var h Writer
	h.Uint64(1 << 60)
	if r := NewReader(h.Bytes()); r.Uint32s() != nil || !errors.Is(r.Err(), ErrShort) {
		t.Fatal("huge length accepted")
	}
}

// TestStreamWriter: streaming gives the bytes an in-memory Writer gives,
// arrays past the chunk size included.
func TestStreamWriter(t *testing.T) {
	big := make([]uint32, 3*streamChunk/4+5)
	for i := range big {
		big[i] = uint32(i * 7)
	}
	blob := make([]byte, streamChunk+3)
	write := func(w *Writer) {
		w.Uint64(1)
		w.Blob([]byte("x"))
		w.Uint32s(big)
		w.Blob(blob)
		w.Int32s([]int32{-5})
	}
	var mem Writer
	write(&mem)
	var sink bytes.Buffer
	sw := NewStreamWriter(&sink)
	write(sw)
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sink.Bytes(), mem.Bytes()) || sw.Len() != int64(len(mem.Bytes())) {
		t.Fatalf("streamed %d bytes, in memory %d (Len %d)", sink.Len(), len(mem.Bytes()), sw.Len())
	}
}
