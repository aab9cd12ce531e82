package signatures

import (
	"bytes"
	"time"

	"github.com/wirescan/wirescan/signatures/mpm"
)

// Chunk rules: Suricata inspects the raw TCP stream in chunks (the bytes
// newly reassembled since the last inspection), and absolute content
// modifiers (offset, depth, startswith) and absolute isdataat and bsize
// count from the start of the chunk, not of the connection:
// content:"|fe|SMB"; depth:8 means "a message starting a segment". A stream
// rule with such an anchor is a chunk rule: it is compiled into one
// whole-buffer condition (like a tcp-pkt rule) and decided by Set.MatchChunk
// on each chunk the caller delivers. Unanchored stream rules stay on the
// Scanner, whose matches may span chunks.

// chunkAnchored reports whether a stream rule has an absolute anchor: a
// content starting a chain (not relative to an earlier one) with offset,
// depth or startswith, or a first content with distance or within (which
// count from the buffer start), or an absolute isdataat or bsize (which
// finish moved to r.file).
func chunkAnchored(r *Rule) bool {
	if r.file.bsize != nil || len(r.file.isdataat) > 0 {
		return true
	}
	for _, c := range compileItems(r.data, false) {
		if el := &c.elems[0]; el.re == nil && (el.sLo > 0 || el.sHi >= 0 || el.eHi >= 0) {
			return true
		}
	}
	return false
}

// compileChunk builds a chunk rule's whole-buffer condition: its stream
// items plus its absolute isdataat and bsize.
func compileChunk(r *Rule) *cbuf {
	cb := compileBuf(&bufCond{items: r.data, xform: r.dataXform})
	if r.file.bsize != nil {
		cb.bsize = append(cb.bsize, *r.file.bsize)
	}
	cb.dataat = append(cb.dataat, r.file.isdataat...)
	return &cb
}

// HasChunkRules reports whether the set holds stream rules decided per
// chunk (MatchChunk), so a caller can skip building a Context for every
// chunk when it does not.
func (s *Set) HasChunkRules() bool { return len(s.chunkRules) > 0 }

// MatchChunk evaluates the anchored stream rules on one chunk of a stream
// direction: the bytes reassembly delivered in one piece, inspected as a
// whole buffer whose offset 0 is the chunk's first byte. base is the
// chunk's offset in the stream (counting gaps); a Match's Offset is base
// plus the end of the content that completed the rule in the chunk (-1 when
// no positive content did), counted in transformed bytes for rules with
// transforms. Each rule matches at most once per call, in rule order, for
// the addresses, ports, direction and flowbits in ctx (ctx.Buffers and
// ctx.Filename are ignored); flowbit actions of matching rules are applied.
// Scanners of kind Stream never report these rules. data is only read
// during the call; the returned slice is newly allocated (nil when nothing
// matched).
func (s *Set) MatchChunk(ctx *Context, base int64, data []byte) []Match {
	return s.matchWhole(s.chunkRules, ctx, base, data)
}

// matchWhole evaluates whole-buffer rules (tcp-pkt or chunk rules) on data.
// base < 0 reports every Offset as -1.
func (s *Set) matchWhole(rules []int32, ctx *Context, base int64, data []byte) []Match {
	var out []Match
	env := envOf(ctx)
	for _, rid := range rules {
		cr := s.crule(rid)
		var start time.Time
		if ctx.Profile != nil {
			start = time.Now()
		}
		end, ok := int64(-1), cr.pkt.mayMatch(data) && cr.bitsOK(&env) && s.applies(cr, ctx)
		if ok {
			end, ok = cr.pkt.matchEnd(data)
		}
		if ok {
			cr.bitsApply(&env)
			off := int64(-1)
			if base >= 0 && end >= 0 {
				off = base + end
			}
			out = append(out, Match{Rule: cr.r, Offset: off, NoAlert: cr.r.noAlert})
		}
		if ctx.Profile != nil {
			ctx.Profile.add(cr.r, 1, ok, start)
		}
	}
	return out
}

// mayMatch is a cheap necessary condition for match: every chain whose first
// element is a positive content confined to the buffer's first bytes (depth,
// startswith) has an occurrence there. Most chunks fail it after a few byte
// compares, before any header check or whole-buffer search.
func (cb *cbuf) mayMatch(buf []byte) bool {
	if len(cb.xform) > 0 {
		return true // the condition applies to the transformed bytes
	}
	for i := range cb.chains {
		c := &cb.chains[i]
		el := &c.elems[0]
		if c.eof || el.neg || el.rel || el.re != nil || el.eHi < 0 && el.sHi < 0 {
			continue
		}
		if !el.occursIn(buf) {
			return false
		}
	}
	return true
}

// occursIn reports whether some alternative of an absolute element occurs in
// buf within its start and end bounds.
func (el *elem) occursIn(buf []byte) bool {
	n := int64(len(buf))
	for _, a := range el.alts {
		m := int64(len(a))
		lo, hi := el.sLo, n // hi bounds the end
		if el.eHi >= 0 {
			hi = min(hi, el.eHi)
		}
		if el.sHi >= 0 {
			hi = min(hi, el.sHi+m)
		}
		for s := lo; s+m <= hi; s++ {
			if el.nocase && equalFold(buf[s:s+m], a) || !el.nocase && bytes.Equal(buf[s:s+m], a) {
				return true
			}
		}
	}
	return false
}

// equalFold compares b with pattern a under ASCII case folding.
func equalFold(b, a []byte) bool {
	for i := range a {
		if mpm.Fold(b[i]) != mpm.Fold(a[i]) {
			return false
		}
	}
	return true
}
