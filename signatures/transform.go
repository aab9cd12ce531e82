package signatures

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"strings"
)

// Transforms (Suricata "transformations") rewrite a sticky buffer before its
// contents are inspected: url_decode, strip_whitespace, compress_whitespace,
// to_lowercase, to_uppercase, dotprefix, and on whole protocol buffers also
// to_md5, to_sha1 and to_sha256. They follow the sticky buffer and come before
// its first content.
//
// Protocol buffers are transformed whole when the rule is evaluated. File data
// and stream bytes are transformed as they stream, with a few bytes of state
// (an unfinished %XX escape, the previous byte's class), so nothing is
// buffered: rules with the same transform list share a sub-Set whose Scanner
// is fed the transformed bytes. Offsets in their Matches count transformed
// bytes. Hash transforms would need the whole file and are rejected there.

// transform is one transformation.
type transform uint8

const (
	xfURLDecode transform = iota
	xfStripWS
	xfCompressWS
	xfLower
	xfUpper
	xfDotPrefix
	xfMD5
	xfSHA1
	xfSHA256
)

// transformNames maps keywords to transforms.
var transformNames = map[string]transform{
	"url_decode": xfURLDecode, "strip_whitespace": xfStripWS, "compress_whitespace": xfCompressWS,
	"to_lowercase": xfLower, "to_uppercase": xfUpper, "dotprefix": xfDotPrefix,
	"to_md5": xfMD5, "to_sha1": xfSHA1, "to_sha256": xfSHA256,
}

// maxTransforms bounds the transforms of one buffer.
const maxTransforms = 16

// streamable reports whether the transform can run incrementally.
func (t transform) streamable() bool { return t < xfMD5 }

// transformOption applies a transform keyword to the active buffer.
func (p *ruleParser) transformOption(name string, t transform) error {
	if p.cur == "" {
		return fmt.Errorf("keyword %q without a sticky buffer", name)
	}
	if len(p.bufs[p.cur]) > 0 {
		return fmt.Errorf("keyword %q after content on %s (transforms come first)", name, p.cur)
	}
	if len(p.xforms[p.cur]) >= maxTransforms {
		return fmt.Errorf("more than %d transforms on %s: %w", maxTransforms, p.cur, ErrLimit)
	}
	if p.xforms == nil {
		p.xforms = map[string][]transform{}
	}
	p.xforms[p.cur] = append(p.xforms[p.cur], t)
	return nil
}

// transformKey is the canonical text of a transform list ("" for none).
func transformKey(xs []transform) string {
	if len(xs) == 0 {
		return ""
	}
	var b strings.Builder
	for _, x := range xs {
		fmt.Fprintf(&b, "%d,", x)
	}
	return b.String()
}

// isSpace is C isspace in the "C" locale, as Suricata uses.
func isSpace(c byte) bool {
	return c == ' ' || c >= '\t' && c <= '\r'
}

// unhex returns the value of a hex digit (the caller checked isHex).
func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// applyTransforms transforms a whole buffer. The result may alias buf when
// no transform changes it; otherwise it is newly allocated.
func applyTransforms(xs []transform, buf []byte) []byte {
	for _, x := range xs {
		switch x {
		case xfMD5:
			s := md5.Sum(buf)
			buf = s[:]
		case xfSHA1:
			s := sha1.Sum(buf)
			buf = s[:]
		case xfSHA256:
			s := sha256.Sum256(buf)
			buf = s[:]
		default:
			var st xfState
			out := st.write(x, nil, buf)
			buf = st.flush(x, out)
		}
	}
	return buf
}

// xfState is the streaming state of one transform.
type xfState struct {
	pend    [2]byte // url_decode: '%' and maybe one hex digit not yet decided
	npend   int
	inSpace bool // compress_whitespace: the previous byte was whitespace
	started bool // dotprefix: the dot was written
}

// write appends the transform of b to out and returns it.
func (st *xfState) write(x transform, out, b []byte) []byte {
	switch x {
	case xfURLDecode:
		for _, c := range b {
			switch {
			case st.npend == 0 && c == '%':
				st.pend[0], st.npend = c, 1
			case st.npend == 0 && c == '+':
				out = append(out, ' ')
			case st.npend == 0:
				out = append(out, c)
			case !isHex(c):
				out = append(out, st.pend[:st.npend]...)
				st.npend = 0
				out = st.write(x, out, []byte{c}) // c may start an escape
			case st.npend == 1:
				st.pend[1], st.npend = c, 2
			default:
				out = append(out, unhex(st.pend[1])<<4|unhex(c))
				st.npend = 0
			}
		}
	case xfStripWS:
		for _, c := range b {
			if !isSpace(c) {
				out = append(out, c)
			}
		}
	case xfCompressWS:
		for _, c := range b {
			sp := isSpace(c)
			if !sp || !st.inSpace {
				out = append(out, c)
			}
			st.inSpace = sp
		}
	case xfLower:
		for _, c := range b {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			out = append(out, c)
		}
	case xfUpper:
		for _, c := range b {
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
		}
	case xfDotPrefix:
		if !st.started && len(b) > 0 {
			st.started = true
			out = append(out, '.')
		}
		out = append(out, b...)
	}
	return out
}

// flush appends what the transform holds back at the end of the data (an
// unfinished escape, copied as is) and resets the state.
func (st *xfState) flush(x transform, out []byte) []byte {
	if x == xfURLDecode {
		out = append(out, st.pend[:st.npend]...)
	}
	*st = xfState{}
	return out
}

// xfChain streams data through a list of transforms, reusing one buffer per
// stage.
type xfChain struct {
	xs   []transform
	st   []xfState
	bufs [][]byte
}

func newXfChain(xs []transform) *xfChain {
	return &xfChain{xs: xs, st: make([]xfState, len(xs)), bufs: make([][]byte, len(xs))}
}

// write transforms b; the result is owned by the chain until the next call.
func (c *xfChain) write(b []byte) []byte {
	for i, x := range c.xs {
		c.bufs[i] = c.st[i].write(x, c.bufs[i][:0], b)
		b = c.bufs[i]
	}
	return b
}

// flush ends the data: held-back bytes of each stage pass through the later
// stages. The result is owned by the chain until the next call.
func (c *xfChain) flush() []byte {
	var b []byte
	for i, x := range c.xs {
		out := c.st[i].write(x, c.bufs[i][:0], b)
		c.bufs[i] = c.st[i].flush(x, out)
		b = c.bufs[i]
	}
	return b
}

// reset forgets held-back bytes (after a gap) without emitting them.
func (c *xfChain) reset() {
	for i := range c.st {
		started := c.st[i].started
		c.st[i] = xfState{started: started}
	}
}
