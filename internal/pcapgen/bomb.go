package pcapgen

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/andybalholm/brotli"
	"github.com/ulikunitz/xz/lzma"
)

// Compression bombs: bodies that decode to far more than they weigh. A
// DEFLATE stream of zeros reaches about 1000:1 (a 258-byte match costs two
// bits); stacking encodings multiplies the ratios, because a bomb is itself
// very repetitive.

// bombUnit is the piece of zeros each repeated DEFLATE block decodes to.
const bombUnit = 1 << 20

// DeflateZeros returns a raw DEFLATE stream (RFC 1951) that decodes to mib
// MiB of zero bytes, about 1037 bytes per MiB. It is built in time
// proportional to its own size, not to what it decodes to: compress/flate
// encodes each flushed MiB of zeros after the second one to the same bytes
// (a non-final block and an empty stored block, so it ends on a byte
// boundary), and that block is repeated. A 10 GiB bomb takes ~10 MB and a
// fraction of a second.
func DeflateZeros(mib int) ([]byte, error) {
	if mib < 1 {
		return nil, fmt.Errorf("pcapgen: deflate bomb of %d MiB", mib)
	}
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("pcapgen: deflate bomb: %w", err)
	}
	zero := make([]byte, bombUnit)
	var units [3][]byte
	for i := range units {
		w.Write(zero)
		if err := w.Flush(); err != nil {
			return nil, fmt.Errorf("pcapgen: deflate bomb: %w", err)
		}
		units[i] = bytes.Clone(b.Bytes())
		b.Reset()
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("pcapgen: deflate bomb: %w", err)
	}
	final := bytes.Clone(b.Bytes())
	if !bytes.Equal(units[1], units[2]) {
		// Not the steady state this construction relies on (a compress/flate
		// change): say so rather than write a wrong bomb.
		return nil, fmt.Errorf("pcapgen: deflate bomb: compress/flate blocks of zeros are not periodic")
	}
	out := make([]byte, 0, len(units[0])+(mib-1)*len(units[1])+len(final))
	out = append(out, units[0]...)
	for range mib - 1 {
		out = append(out, units[1]...)
	}
	return append(out, final...), nil
}

// GzipZeros returns a gzip member (RFC 1952) decoding to mib MiB of zeros,
// with a correct CRC-32 and size trailer.
func GzipZeros(mib int) ([]byte, error) {
	raw, err := DeflateZeros(mib)
	if err != nil {
		return nil, err
	}
	zero := make([]byte, bombUnit)
	var crc uint32
	for range mib {
		crc = crc32.Update(crc, crc32.IEEETable, zero)
	}
	out := make([]byte, 0, 10+len(raw)+8)
	out = append(out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff) // no flags, no mtime, best compression, unknown OS
	out = append(out, raw...)
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(int64(mib)*bombUnit)), nil
}

// ZlibZeros returns a zlib stream (RFC 1950, what HTTP calls "deflate")
// decoding to mib MiB of zeros, with a correct Adler-32 trailer.
func ZlibZeros(mib int) ([]byte, error) {
	raw, err := DeflateZeros(mib)
	if err != nil {
		return nil, err
	}
	// Adler-32 of n zero bytes: A stays 1, B adds A once per byte.
	const mod = 65521
	b := uint32((int64(mib) * bombUnit) % mod)
	out := make([]byte, 0, 2+len(raw)+4)
	out = append(out, 0x78, 0xda)
	out = append(out, raw...)
	return binary.BigEndian.AppendUint32(out, b<<16|1), nil
}

// EncodeZeros returns mib MiB of zeros under coding "br" (brotli, quality
// 6) or "lzma" (LZMA alone, end marker), encoded a MiB at a time so that a
// 10 GiB bomb never exists decoded. Unlike DeflateZeros it runs the
// encoder over every byte: about 2.5 s per GiB for brotli, 8 s for LZMA.
func EncodeZeros(coding string, mib int) ([]byte, error) {
	var b bytes.Buffer
	var w io.WriteCloser
	var err error
	switch coding {
	case "br":
		w = brotli.NewWriterLevel(&b, 6)
	case "lzma":
		w, err = lzma.WriterConfig{DictCap: 1 << 20, EOSMarker: true}.NewWriter(&b)
	default:
		err = fmt.Errorf("unknown coding %q", coding)
	}
	if err != nil {
		return nil, fmt.Errorf("pcapgen: %s bomb: %w", coding, err)
	}
	zero := make([]byte, bombUnit)
	for range mib {
		if _, err := w.Write(zero); err != nil {
			return nil, fmt.Errorf("pcapgen: %s bomb: %w", coding, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("pcapgen: %s bomb: %w", coding, err)
	}
	return b.Bytes(), nil
}

// stackCodings applies HTTP content codings to data in the order listed, as
// a server does for "Content-Encoding: gzip, deflate" (gzip first, deflate
// last and outermost). It knows gzip and deflate (zlib-wrapped) at best
// compression, and br and lzma (through Encode).
func stackCodings(data []byte, codings ...string) ([]byte, error) {
	for _, c := range codings {
		var b bytes.Buffer
		var err error
		switch c {
		case "br", "lzma":
			if data, err = Encode(c, data); err != nil {
				return nil, err
			}
			continue
		case "gzip":
			w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			if _, err = w.Write(data); err == nil {
				err = w.Close()
			}
		case "deflate":
			w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
			if _, err = w.Write(data); err == nil {
				err = w.Close()
			}
		default:
			err = fmt.Errorf("unknown coding %q", c)
		}
		if err != nil {
			return nil, fmt.Errorf("pcapgen: encode %s: %w", c, err)
		}
		data = b.Bytes()
	}
	return data, nil
}
