// Package lines reads a text file one line at a time in bounded memory, for
// the line-oriented files wirescan loads (threshold.config, hash
// allowlists): a hostile file with one enormous line costs at most the
// configured line length, and every line keeps its number for
// "FILE:LINE" messages.
package lines

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Reader reads lines from an io.Reader. It is not safe for concurrent use.
type Reader struct {
	br  *bufio.Reader
	max int
	buf []byte
	n   int
}

// NewReader reads r in lines of at most max bytes (newline excluded).
func NewReader(r io.Reader, max int) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 4096), max: max}
}

// Next returns the next line without its "\n" or "\r\n", and its 1-based
// number. A line longer than max is reported with long set; line then holds
// only its first max bytes and the rest is skipped. At the end Next returns
// io.EOF (with no line: a last line without newline is returned first). The
// line is valid until the next call.
func (r *Reader) Next() (line []byte, n int, long bool, err error) {
	r.buf = r.buf[:0]
	for {
		frag, err := r.br.ReadSlice('\n')
		if !long {
			if room := r.max + 2 - len(r.buf); len(frag) > room { // room for "\r\n"
				r.buf, long = append(r.buf, frag[:room]...), true
			} else {
				r.buf = append(r.buf, frag...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && err != io.EOF {
			return nil, r.n, false, err
		}
		if err == io.EOF && len(r.buf) == 0 && !long {
			return nil, r.n, false, io.EOF
		}
		r.n++
		line = bytes.TrimSuffix(bytes.TrimSuffix(r.buf, []byte("\n")), []byte("\r"))
		if len(line) > r.max {
			line, long = line[:r.max], true
		}
		return line, r.n, long, nil
	}
}
