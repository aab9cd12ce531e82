package pcapgen

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"fmt"

	"github.com/andybalholm/brotli"
	"github.com/ulikunitz/xz/lzma"
)

// Encode applies one HTTP content coding to data: "gzip" (a member with a
// zero ModTime, so the bytes are deterministic), "deflate" (zlib, as RFC
// 9110 defines it), "br" (brotli, quality 6) or "lzma" (the LZMA alone
// format with an end marker, as libhtp decodes it).
func Encode(coding string, data []byte) ([]byte, error) {
	var b bytes.Buffer
	var err error
	switch coding {
	case "gzip":
		w := gzip.NewWriter(&b)
		if _, err = w.Write(data); err == nil {
			err = w.Close()
		}
	case "deflate":
		w := zlib.NewWriter(&b)
		if _, err = w.Write(data); err == nil {
			err = w.Close()
		}
	case "br":
		w := brotli.NewWriterLevel(&b, 6)
		if _, err = w.Write(data); err == nil {
			err = w.Close()
		}
	case "lzma":
		var w *lzma.Writer
		if w, err = (lzma.WriterConfig{DictCap: 1 << 20, EOSMarker: true}).NewWriter(&b); err == nil {
			if _, err = w.Write(data); err == nil {
				err = w.Close()
			}
		}
	default:
		return nil, fmt.Errorf("pcapgen: unknown content coding %q", coding)
	}
	if err != nil {
		return nil, fmt.Errorf("pcapgen: %s: %w", coding, err)
	}
	return b.Bytes(), nil
}
