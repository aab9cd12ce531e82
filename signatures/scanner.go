package signatures

import (
	"bytes"
	"encoding/hex"
	"sort"
	"time"

	"github.com/wirescan/wirescan/signatures/mpm"
)

// candidateBudget bounds the work one automaton candidate may cause in one rule's
// progress (cascades through remembered occurrences).
const candidateBudget = 1024

// Scanner inspects one file or one stream direction incrementally. Its state is
// one matcher state (mpm.State), the absolute offset, a tail of up to 63 bytes (only when the
// set has case-sensitive patterns) and, lazily, progress records for rules that
// had a candidate. A Scanner is used from one goroutine; the nil *Scanner (no rule
// can match) accepts every call and matches nothing.
//
// A connection in mid-download holds one for as long as the file is open,
// so what only some rule sets or some files need is allocated apart, when
// needed: the matches and progress (m), the flowbit environment (bits) and
// the dynamic groups, transforms, mixed rules, streamed pcre and header
// parser (x).
type Scanner struct {
	set *Set
	gs  *head // the static groups that apply (shared by the context class); nil if none
	mst mpm.State
	pos int64
	// m holds the matches, verification scratch and rule progress; nil
	// until the first pattern occurrence or match.
	m *scanMatches
	// bits are the flowbits and xbits the rules test and change, for the
	// direction of the scanned bytes (per-direction implicit flowbits of
	// mixed stream/file_data rules, mixed.go); nil when no rule of the set
	// has any.
	bits *bitEnv
	// x holds the parts only some rule sets need (scanExtra); nil when
	// none is needed.
	x *scanExtra
	// Overflow counts positions dropped or work cut by per-rule bounds; a
	// non-zero value means a rule might have been missed on adversarial input.
	Overflow int64
	tail     [maxVerify - 1]byte
	tailN    uint8
	rk       ruleKind
	ended    bool
}

// scanMatches is the part of a Scanner that exists once a pattern occurred:
// reused output and hit buffers, the rules already reported and the
// progress records of rules that had a candidate.
type scanMatches struct {
	out  []Match
	hits []mpm.Hit
	done map[int32]struct{}
	prog map[int32]*progress
}

// scanExtra is the part of a Scanner only some rule sets need.
type scanExtra struct {
	gd   []uint64  // dynamic groups that apply (this Scanner's own), nil if none
	prof *Profile  // per-rule profiling, nil when off
	subs []subScan // scanners of transformed data
	mix  *Scanner  // the stream parts of mixed rules (mixed.go); its matches are dropped
	// Streamed pcre (pcre_scan.go): pending checks in window-end order, the
	// last bytes (a power of two, indexed by offset), the first offset they
	// hold validly, the current Write and a reused window buffer.
	pend   []pcrePend
	hist   []byte
	histLo int64
	cur    []byte
	wbuf   []byte
	// exe parses the file's headers for ClamAV logical signatures and
	// keeps the candidates waiting for them (ldb_scan.go); nil when no
	// rule needs them.
	exe *peParser
}

// matches returns the Scanner's match state, creating it.
func (sc *Scanner) matches() *scanMatches {
	if sc.m == nil {
		sc.m = &scanMatches{}
	}
	return sc.m
}

// isDone reports whether rule was already reported.
func (sc *Scanner) isDone(rule int32) bool {
	if sc.m == nil {
		return false
	}
	_, ok := sc.m.done[rule]
	return ok
}

// progressOf returns the rule's progress record, nil when it had none.
func (sc *Scanner) progressOf(rule int32) *progress {
	if sc.m == nil {
		return nil
	}
	return sc.m.prog[rule]
}

// resetOut empties the output of the previous call.
func (sc *Scanner) resetOut() {
	if sc.m != nil {
		sc.m.out = sc.m.out[:0]
	}
}

// emit appends ms to the output.
func (sc *Scanner) emit(ms []Match) {
	if len(ms) > 0 {
		m := sc.matches()
		m.out = append(m.out, ms...)
	}
}

// output returns the matches of the current call.
func (sc *Scanner) output() []Match {
	if sc.m == nil {
		return nil
	}
	return sc.m.out
}

// prof returns the profile matches are timed into, nil when none.
func (sc *Scanner) prof() *Profile {
	if sc.x == nil {
		return nil
	}
	return sc.x.prof
}

// exe returns the header parser, nil when no rule needs it.
func (sc *Scanner) exe() *peParser {
	if sc.x == nil {
		return nil
	}
	return sc.x.exe
}

// NewScanner starts inspecting one file (FileData) or one stream direction
// (Stream) with the rules whose header, flow, protocol-buffer and file-name
// conditions hold for ctx (evaluated now, once). It returns nil when no rule can
// match. ctx is not retained.
func (s *Set) NewScanner(kind Kind, ctx *Context) *Scanner {
	rk := kindFile
	if kind == Stream {
		rk = kindStream
	} else {
		s.presetFlowbits(ctx)
	}
	h := s.headOf(rk, ctx)
	var gd []uint64
	d := &s.dyn[rk-kindFile]
	for _, p := range d.filter.candidates(ctx, nil) {
		if g := d.groups[p]; s.applies(s.crule(s.groups[g].rep), ctx) {
			if gd == nil {
				gd = make([]uint64, (len(s.groups)+63)/64)
			}
			gd[g>>6] |= 1 << (g & 63)
		}
	}
	var subs []subScan
	for _, sub := range s.subs {
		if c := sub.set.NewScanner(kind, ctx); c != nil {
			subs = append(subs, subScan{xf: newXfChain(sub.xs), sc: c})
		}
	}
	var mix *Scanner
	if s.mix != nil && kind == Stream {
		mix = s.mix.NewScanner(Stream, ctx)
	}
	if !h.any && gd == nil && subs == nil && mix == nil {
		return nil
	}
	sc := &Scanner{set: s, rk: rk}
	if h.any {
		sc.gs = h
	}
	if s.bitRules {
		env := envOf(ctx)
		sc.bits = &env
	}
	if gd != nil || subs != nil || mix != nil || ctx.Profile != nil || s.pcreWin > 0 || s.exeNeed && rk == kindFile {
		sc.x = &scanExtra{gd: gd, prof: ctx.Profile, subs: subs, mix: mix}
	}
	if s.pcreWin > 0 {
		sc.initPcre()
	}
	if s.exeNeed && rk == kindFile {
		sc.x.exe = newPEParser()
	}
	return sc
}

// Write scans the next bytes, contiguous with the previous call (or with the
// gap). It returns the rules that became fully matched within these bytes and need
// no end-of-file facts; each rule is reported at most once per Scanner. The
// returned slice is owned by the Scanner and valid until the next call.
func (sc *Scanner) Write(b []byte) []Match {
	if sc == nil || sc.ended {
		return nil
	}
	sc.resetOut()
	x := sc.x
	if x != nil {
		if x.mix != nil {
			x.mix.Write(b) // sets the flowbits the mixed rules' file parts test
		}
		sc.feedHeaders(b)
		x.cur = b
	}
	var buf []mpm.Hit
	if sc.m != nil {
		buf = sc.m.hits[:0]
	}
	hits := sc.set.mpm.Scan(&sc.mst, b, buf)
	for _, h := range hits {
		sc.pattern(h.ID, b, h.End-1)
	}
	if cap(hits) > 0 {
		sc.matches().hits = hits[:0]
	}
	if sc.set.needTail {
		sc.keepTail(b)
	}
	if x != nil {
		if x.hist != nil {
			sc.flushPcre(sc.pos+int64(len(b)), false)
			sc.keepHist(b)
		}
		x.cur = nil
	}
	sc.pos += int64(len(b))
	if x != nil {
		for i := range x.subs {
			ss := &x.subs[i]
			sc.emit(ss.sc.Write(ss.xf.write(b)))
		}
	}
	return sc.output()
}

// subScan is a Scanner of transformed data and its transform state.
type subScan struct {
	xf *xfChain
	sc *Scanner
}

// Gap reports n missing bytes: no pattern spans them, offsets continue after.
func (sc *Scanner) Gap(n int64) {
	if sc == nil || sc.ended || n <= 0 {
		return
	}
	sc.mst.Reset()
	sc.tailN = 0
	sc.pos += n
	x := sc.x
	if x == nil {
		return
	}
	x.mix.Gap(n)
	if x.exe != nil {
		x.exe.end() // kept candidates are replayed by the next Write or End
	}
	sc.dropPcre()
	x.histLo = sc.pos
	for i := range x.subs {
		x.subs[i].xf.reset()
		x.subs[i].sc.Gap(n)
	}
}

// keepTail remembers the last bytes for verifying case-sensitive patterns that
// end in a later Write.
func (sc *Scanner) keepTail(b []byte) {
	const n = len(sc.tail)
	if len(b) >= n {
		copy(sc.tail[:], b[len(b)-n:])
		sc.tailN = uint8(n)
		return
	}
	keep := min(int(sc.tailN), n-len(b))
	copy(sc.tail[:], sc.tail[int(sc.tailN)-keep:sc.tailN])
	copy(sc.tail[keep:], b)
	sc.tailN = uint8(keep + len(b))
}

// verify checks a case-sensitive pattern ending at b[i] against the input.
func (sc *Scanner) verify(pat []byte, b []byte, i int) bool {
	end := i + 1
	if end >= len(pat) {
		return bytes.Equal(b[end-len(pat):end], pat)
	}
	k := len(pat) - end // bytes from the tail
	if k > int(sc.tailN) {
		return false
	}
	return bytes.Equal(sc.tail[int(sc.tailN)-k:sc.tailN], pat[:k]) && bytes.Equal(b[:end], pat[k:])
}

// pattern handles an occurrence of pattern pid ending at b[i].
func (sc *Scanner) pattern(pid int32, b []byte, i int) {
	s := sc.set
	e := sc.pos + int64(i) + 1
	if x := sc.x; x != nil && len(x.pend) > 0 && x.pend[0].t <= e {
		sc.flushPcre(e, false)
	}
	for v := s.pvStart[pid]; v < s.pvStart[pid+1]; v++ {
		vr := &s.variants[v]
		if vr.exact != nil && !sc.verify(vr.exact, b, i) {
			continue
		}
		start := e - int64(vr.length)
		for _, rf := range s.refs[vr.refStart:vr.refEnd] {
			sc.candidate(rf, start, e)
		}
	}
}

// candidate feeds one verified occurrence to its rule.
func (sc *Scanner) candidate(rf ref, s, e int64) {
	if !sc.groupOK(sc.set.groupOf[rf.rule]) {
		return
	}
	if sc.isDone(rf.rule) {
		return
	}
	cr := sc.set.crule(rf.rule)
	if cr.waits && sc.waiting(cr) {
		sc.deferCand(rf, s, e)
		return
	}
	if prof := sc.prof(); prof != nil {
		start, n := time.Now(), len(sc.output())
		steps := sc.check(cr, rf, s, e)
		prof.add(cr.r, uint64(steps), len(sc.output()) > n, start)
		return
	}
	sc.check(cr, rf, s, e)
}

// check verifies a candidate of rule cr and reports the rule when it completes.
// It returns the verification steps taken.
func (sc *Scanner) check(cr *crule, rf ref, s, e int64) int {
	if cr.simple {
		if cr.chains[0].elems[0].absOK(s, e) {
			sc.report(rf.rule, e)
		}
		return 1
	}
	p := sc.progress(rf.rule, cr)
	c := &cr.chains[rf.chain]
	cp := &p.chains[rf.chain]
	if c.elems[rf.elem].sp != nil {
		sc.litCandidate(rf, c, cp, s)
		return 1
	}
	w := walker{k: sc.set.position, budget: candidateBudget, overflow: &sc.Overflow, sc: sc, rule: rf.rule, chain: rf.chain}
	w.occur(c, cp, int(rf.elem), s, e)
	steps := 1 + candidateBudget - w.budget
	if cr.ldb != nil {
		sc.ldbAfter(rf.rule, cr, p, e)
		return steps
	}
	if cr.needEnd || !cp.done {
		return steps
	}
	for i := range p.chains {
		if !p.chains[i].done {
			return steps
		}
	}
	sc.report(rf.rule, e)
	return steps
}

// report records a match, unless the rule's flowbit or xbit tests fail
// (then a later candidate may complete it again).
func (sc *Scanner) report(rule int32, off int64) {
	cr := sc.set.crule(rule)
	if cr.hasBits() {
		if !cr.bitsOK(sc.bits) {
			return
		}
		cr.bitsApply(sc.bits)
	}
	m := sc.matches()
	if m.done == nil {
		m.done = map[int32]struct{}{}
	}
	m.done[rule] = struct{}{}
	m.out = append(m.out, Match{Rule: cr.r, Offset: off, NoAlert: cr.r.noAlert})
}

// End supplies end-of-file facts and returns the matches that needed them
// (negated contents, endswith, isdataat, bsize, filesize, file hashes, file magic,
// ClamAV EOF offsets and hash signatures), in rule order. After End the Scanner
// matches nothing more. The slice is owned by the Scanner.
func (sc *Scanner) End(f FileFacts) []Match {
	if sc == nil || sc.ended {
		return nil
	}
	sc.resetOut()
	x := sc.x
	if x != nil && x.mix != nil {
		x.mix.End(f)
		sc.Overflow += x.mix.Overflow
	}
	if x != nil && x.exe != nil {
		x.exe.end()
		sc.replayDeferred()
	}
	sc.endPcre()
	sc.ended = true
	s := sc.set
	size := sc.pos
	var hits []int32
	var prog map[int32]*progress
	if sc.m != nil {
		prog = sc.m.prog
	}
	for rid, p := range prog {
		cr := s.crule(rid)
		if !sc.isDone(rid) && (cr.needEnd || cr.ldb != nil || cr.r.lateTest) && sc.endOK(cr, p, &f, size) {
			hits = append(hits, rid)
		}
	}
	for _, rid := range s.endOnly[sc.rk] {
		if sc.isDone(rid) || !sc.groupOK(s.groupOf[rid]) || prog[rid] != nil {
			continue
		}
		cr := s.crule(rid)
		if sc.endOK(cr, nil, &f, size) {
			hits = append(hits, rid)
		}
	}
	if sc.rk == kindFile {
		hits = sc.hashHits(hits, &f)
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i] < hits[j] })
	for _, rid := range hits {
		off := int64(-1)
		if p := prog[rid]; p != nil {
			off = p.offset()
		}
		sc.report(rid, off)
	}
	if x != nil {
		for i := range x.subs {
			ss := &x.subs[i]
			sc.emit(ss.sc.Write(ss.xf.flush()))
			sc.emit(ss.sc.End(f))
			sc.Overflow += ss.sc.Overflow
		}
	}
	return sc.output()
}

// hashHits appends ClamAV hash signatures matching the file's hashes.
func (sc *Scanner) hashHits(hits []int32, f *FileFacts) []int32 {
	s := sc.set
	if len(s.hashIdx) == 0 {
		return hits
	}
	for _, h := range []struct {
		algo string
		sum  []byte
	}{{"md5", f.MD5}, {"sha1", f.SHA1}, {"sha256", f.SHA256}} {
		if len(h.sum) == 0 {
			continue
		}
		for _, rid := range s.hashIdx[h.algo+":"+hex.EncodeToString(h.sum)] {
			if sc.isDone(rid) || !sc.groupOK(s.groupOf[rid]) {
				continue
			}
			if ch := s.crule(rid).r.file.clamHash; ch == nil || ch.size >= 0 && ch.size != f.Size {
				continue
			}
			hits = append(hits, rid)
		}
	}
	return hits
}

// endOK decides a rule at end of data.
func (sc *Scanner) endOK(cr *crule, p *progress, f *FileFacts, size int64) bool {
	if cr.ldb != nil {
		return sc.ldbHolds(cr, p, f, size)
	}
	for i := range cr.chains {
		c := &cr.chains[i]
		if p == nil {
			if !c.negAbs {
				return false
			}
			continue
		}
		if !p.chains[i].endOK(c, size) {
			return false
		}
	}
	return fileOK(cr, f, size)
}

// fileOK checks a rule's end-of-file conditions.
func fileOK(cr *crule, f *FileFacts, size int64) bool {
	fc := &cr.r.file
	if fc.size != nil && !fc.size.match(f.Size) {
		return false
	}
	if fc.bsize != nil && !fc.bsize.match(size) {
		return false
	}
	for _, it := range fc.isdataat {
		if (it.dataat < size) == it.neg {
			return false
		}
	}
	for i := range fc.hashes {
		if !fc.hashes[i].match(f) {
			return false
		}
	}
	if cr.magic != nil && (f.Magic == "" || !cr.magic.match([]byte(f.Magic))) {
		return false
	}
	return true
}
