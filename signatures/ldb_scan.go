package signatures

import "bytes"

// Scanning ClamAV logical signatures (ldb.go): each subsignature is a chain
// whose completions are counted (chainProg.count: distinct end offsets); the
// rule is reported when its expression holds on the counts and its target
// description does. A monotone expression (no '=' or '<') without FileSize
// is reported as soon as it holds, at the end offset of the occurrence that
// made it hold; the others are decided at End. EOF-anchored subsignatures
// count 0 until End (a lower bound, so an early verdict stays right).
//
// Signatures that need the file's first bytes (a Target other than 0 and
// 7, PE offsets, EntryPoint, NumberOfSections) wait for the Scanner's
// header parser (pe.go): their candidates that arrive before it has decided
// are kept, in order, at most maxDeferred per Scanner, and replayed when it
// decides, so no occurrence is lost and the result does not depend on how
// the file is split. See DESIGN.md.

// maxDeferred bounds the candidates a Scanner keeps while a file's headers
// are parsed; more are dropped and counted in Scanner.Overflow.
const maxDeferred = 1024

// deferredCand is a candidate waiting for the header parser.
type deferredCand struct {
	rf   ref
	s, e int64
}

// exeInfo returns what is known of the file's headers (nothing for a
// Scanner without a header parser).
func (sc *Scanner) exeInfo() *exeInfo {
	exe := sc.exe()
	if exe == nil {
		return &exeInfo{ep: -1}
	}
	return &exe.info
}

// waiting reports whether candidates of cr must wait for the header parser.
func (sc *Scanner) waiting(cr *crule) bool {
	exe := sc.exe()
	return cr.waits && exe != nil && !exe.resolved()
}

// deferCand keeps a candidate until the header parser decides.
func (sc *Scanner) deferCand(rf ref, s, e int64) {
	exe := sc.x.exe
	if len(exe.waiting) >= maxDeferred {
		sc.Overflow++
		return
	}
	exe.waiting = append(exe.waiting, deferredCand{rf, s, e})
}

// feedHeaders passes the next bytes to the header parser and replays the
// kept candidates once it has decided.
func (sc *Scanner) feedHeaders(b []byte) {
	exe := sc.exe()
	if exe == nil {
		return
	}
	if !exe.resolved() {
		exe.write(b)
	}
	sc.replayDeferred()
}

// replayDeferred feeds the kept candidates, in arrival order, once the
// header parser has decided.
func (sc *Scanner) replayDeferred() {
	exe := sc.x.exe
	if len(exe.waiting) == 0 || !exe.resolved() {
		return
	}
	d := exe.waiting
	exe.waiting = nil
	for _, c := range d {
		sc.candidate(c.rf, c.s, c.e)
	}
}

// peStartOK checks the start of a chain's first element against its PE
// anchor.
func (sc *Scanner) peStartOK(a *peAnchor, s int64) bool {
	lo, hi, ok := a.window(sc.exeInfo())
	return ok && s >= lo && s <= hi
}

// ldbAfter reports a monotone logical signature as soon as it holds.
func (sc *Scanner) ldbAfter(rule int32, cr *crule, p *progress, e int64) {
	if cr.needEnd {
		return
	}
	if sc.ldbHolds(cr, p, nil, 0) {
		sc.report(rule, e)
	}
}

// ldbHolds evaluates a logical signature: its expression on the counts so
// far and its target description. f is nil before End (EOF-anchored
// subsignatures then count 0 and FileSize is not checked: such rules are
// decided at End).
func (sc *Scanner) ldbHolds(cr *crule, p *progress, f *FileFacts, size int64) bool {
	l := cr.ldb
	var buf [maxLdbSubsigs]uint32
	counts := buf[:0]
	for _, sub := range l.subs {
		var n uint32
		for c := sub.chain; p != nil && c < sub.chain+sub.nchains; c++ {
			ch, cp := &cr.chains[c], &p.chains[c]
			switch {
			case !ch.eof:
				n += cp.count
			case f != nil:
				n += eofCount(ch, cp, size)
			}
		}
		if sub.pcre != nil {
			n = sub.pcre.count(n, counts) // f != nil: PCRE signatures are decided at End
		}
		counts = append(counts, n)
	}
	if ok, _, _ := l.expr.eval(counts); !ok {
		return false
	}
	return sc.targetOK(l, f)
}

// eofCount counts the distinct origins of an EOF-anchored chain's
// completions within its window (from the last completions remembered).
func eofCount(c *chain, cp *chainProg, size int64) uint32 {
	lo := size - c.eofN
	var n uint32
	for i, o := range cp.origins {
		if o < lo || o > lo+c.eofShift {
			continue
		}
		dup := false
		for _, q := range cp.origins[:i] {
			dup = dup || q == o
		}
		if !dup {
			n++
		}
	}
	return n
}

// targetOK checks a logical signature's target description.
func (sc *Scanner) targetOK(l *ldbInfo, f *FileFacts) bool {
	x := sc.exeInfo()
	switch l.target {
	case 0, 7:
	case 1:
		if !x.pe {
			return false
		}
	default:
		if !magicIs(l.target, x.head[:x.headN]) {
			return false
		}
	}
	if l.ep != nil && (x.ep < 0 || !inRange(l.ep, x.ep)) {
		return false
	}
	if l.nsect != nil && (!x.pe || !inRange(l.nsect, int64(len(x.sects)))) {
		return false
	}
	if l.fileSize != nil && (f == nil || !inRange(l.fileSize, f.Size)) {
		return false
	}
	return true
}

// magicIs reports whether a file starting with head is of ClamAV target
// type t, by its magic bytes at offset 0 (ClamAV's own type detection also
// looks further into some formats; wirescan does not).
func magicIs(t int, head []byte) bool {
	has := func(ms ...string) bool {
		for _, m := range ms {
			if bytes.HasPrefix(head, []byte(m)) {
				return true
			}
		}
		return false
	}
	switch t {
	case 2:
		return has("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
	case 5:
		return has("GIF87a", "GIF89a", "\x89PNG\r\n\x1a\n", "\xff\xd8\xff", "II*\x00", "MM\x00*", "BM",
			"\x00\x00\x00\x0cjP  \r\n\x87\n")
	case 6:
		return has("\x7fELF")
	case 9:
		return has("\xfe\xed\xfa\xce", "\xfe\xed\xfa\xcf", "\xce\xfa\xed\xfe", "\xcf\xfa\xed\xfe", "\xca\xfe\xba\xbe")
	case 10:
		return has("%PDF-")
	case 11:
		return has("FWS", "CWS", "ZWS")
	case 12:
		return has("\xca\xfe\xba\xbe")
	}
	return false
}
