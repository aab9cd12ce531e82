package signatures

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/wirescan/wirescan/signatures/internal/flat"
	"github.com/wirescan/wirescan/signatures/mpm"
)

// The cached form of a Set (cache.go holds the file around it). Rules are
// stored as their exported fields and text; the matcher, pattern tables,
// groups, heads and rule lists as flat arrays. Rules reached only through a
// pattern candidate or a hash lookup are recompiled from their text on first
// use (lazy.go); the others ("eager": flowbits, transforms, hash lists,
// transaction, packet and chunk rules, end-only rules, group
// representatives) are parsed and compiled when the entry is read, which
// also re-reads hash-list files.

// Rule flags in the cached form.
const (
	rfFilestore = 1 << iota
	rfNoAlert
	rfPerDirection
	rfEager
)

// errCacheEntry is wrapped by decode errors: a damaged or inconsistent entry.
var errCacheEntry = errors.New("signatures: bad cache entry")

// strtab deduplicates the strings of an entry.
type strtab struct {
	idx  map[string]uint32
	blob []byte
	off  []uint32
}

func (t *strtab) add(s string) uint32 {
	if i, ok := t.idx[s]; ok {
		return i
	}
	if t.idx == nil {
		t.idx = map[string]uint32{}
		t.off = []uint32{0}
	}
	i := uint32(len(t.off) - 1)
	t.idx[s] = i
	t.blob = append(t.blob, s...)
	t.off = append(t.off, uint32(len(t.blob)))
	return i
}

// eagerRules marks the rules a cached Set compiles at load.
func (s *Set) eagerRules() []bool {
	eager := make([]bool, len(s.rules))
	for i, r := range s.rules {
		eager[i] = (r.kind != kindFile && r.kind != kindStream) || r.chunk || len(r.flowbits) > 0 ||
			len(r.dataXform) > 0 || len(r.file.hashes) > 0 || r.dataAbsent != absentNone
	}
	for _, g := range s.groups {
		eager[g.rep] = true
	}
	for _, l := range [][]int32{s.endOnly[kindFile], s.endOnly[kindStream], s.absentRules, s.flowSetters} {
		for _, i := range l {
			eager[i] = true
		}
	}
	for _, rf := range s.pcreStarts {
		eager[rf.rule] = true
	}
	return eager
}

// encode writes the cached form of s (a top-level Set) and the warnings its
// load produced to w. A rule text found at its recorded offset in srcs (the
// rule files, in load order) is stored as that position, not copied.
func (s *Set) encode(w *flat.Writer, warns []Warning, srcs []source) {
	fileIdx := map[string]int{}
	for i, src := range srcs {
		fileIdx[src.path] = i
	}
	var st strtab
	st.add("")
	n := len(s.rules)
	// Rules, column by column.
	action, proto, msg, class, raw, file := make([]uint32, n), make([]uint32, n), make([]uint32, n), make([]uint32, n), make([]uint32, n), make([]uint32, n)
	gid, sid, rev, prio, line, flags := make([]uint64, n), make([]uint64, n), make([]uint64, n), make([]uint64, n), make([]uint64, n), make([]uint32, n)
	rawSrc, rawOff, rawLen := make([]uint32, n), make([]uint32, n), make([]uint32, n) // file+1 (0: inline), offset, length
	var meta []uint32                                                                 // rule, key, count, values...
	eager := s.eagerRules()
	for i, r := range s.rules {
		action[i], proto[i], msg[i], class[i], file[i] = st.add(r.Action), st.add(r.Proto), st.add(r.Msg), st.add(r.Classtype), st.add(r.File)
		if fi, ok := fileIdx[r.File]; ok && r.rawAt > 0 && r.rawAt-1+int64(len(r.Raw)) <= int64(len(srcs[fi].data)) &&
			r.rawAt-1 < 1<<32 && string(srcs[fi].data[r.rawAt-1:r.rawAt-1+int64(len(r.Raw))]) == r.Raw {
			rawSrc[i], rawOff[i], rawLen[i] = uint32(fi+1), uint32(r.rawAt-1), uint32(len(r.Raw))
		} else {
			raw[i] = st.add(r.Raw)
		}
		gid[i], sid[i], rev[i], prio[i], line[i] = uint64(r.GID), uint64(r.SID), uint64(r.Rev), uint64(r.Priority), uint64(r.Line)
		if r.Filestore {
			flags[i] |= rfFilestore
		}
		if r.noAlert {
			flags[i] |= rfNoAlert
		}
		if r.perDirection {
			flags[i] |= rfPerDirection
		}
		if eager[i] {
			flags[i] |= rfEager
		}
		keys := make([]string, 0, len(r.Metadata))
		for k := range r.Metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			vs := r.Metadata[k]
			meta = append(meta, uint32(i), st.add(k), uint32(len(vs)))
			for _, v := range vs {
				meta = append(meta, st.add(v))
			}
		}
	}
	for _, wn := range warns {
		st.add(wn.File)
		st.add(wn.Msg)
	}
	w.Blob(st.blob)
	w.Uint32s(st.off)
	for _, col := range [][]uint32{action, proto, msg, class, raw, file, flags, rawSrc, rawOff, rawLen} {
		w.Uint32s(col)
	}
	for _, col := range [][]uint64{gid, sid, rev, prio, line} {
		w.Uint64s(col)
	}
	w.Uint32s(meta)
	w.Int(len(warns))
	for _, wn := range warns {
		w.Uint64(uint64(st.idx[wn.File]))
		w.Int(wn.Line)
		w.Uint64(uint64(st.idx[wn.Msg]))
	}

	// Set scalars and tables.
	w.String(s.version)
	w.Int(s.stats.Rules)
	w.Int(s.stats.Patterns)
	w.Int(s.stats.States)
	w.Uint64(uint64(s.stats.MemoryBytes))
	w.Int(s.position)
	w.Int(s.pcreWin)
	w.Bool(s.needTail)
	w.Bool(s.fileAbsent)
	s.mpm.Encode(w)
	w.Int32s(s.pvStart)
	var exact strtab
	exact.add("")
	vx, vs, ve, vl := make([]uint32, len(s.variants)), make([]int32, len(s.variants)), make([]int32, len(s.variants)), make([]int32, len(s.variants))
	for i, v := range s.variants {
		if v.exact != nil {
			vx[i] = exact.add(string(v.exact))
		}
		vs[i], ve[i], vl[i] = v.refStart, v.refEnd, v.length
	}
	w.Blob(exact.blob)
	w.Uint32s(exact.off)
	w.Uint32s(vx)
	w.Int32s(vs)
	w.Int32s(ve)
	w.Int32s(vl)
	writeRefs(w, s.refs)
	gk, gr := make([]uint32, len(s.groups)), make([]int32, len(s.groups))
	for i, g := range s.groups {
		gk[i], gr[i] = uint32(g.kind), g.rep
	}
	w.Uint32s(gk)
	w.Int32s(gr)
	w.Int32s(s.groupOf)
	for ki := range s.heads {
		for pc := range s.heads[ki] {
			for d := range s.heads[ki][pc] {
				for e := range s.heads[ki][pc][d] {
					h := &s.heads[ki][pc][d][e]
					w.Uint64s(h.static)
					w.Bool(h.any)
					w.Int32s(h.dyn)
				}
			}
		}
	}
	for k := range s.byKind {
		w.Int32s(s.byKind[k])
		w.Int32s(s.endOnly[k])
	}
	keys := make([]string, 0, len(s.hashIdx))
	for k := range s.hashIdx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w.Int(len(keys))
	for _, k := range keys {
		w.String(k)
		w.Int32s(s.hashIdx[k])
	}
	for _, l := range [][]int32{s.txRules, s.pktRules, s.chunkRules, s.absentRules, s.flowSetters} {
		w.Int32s(l)
	}
	writeRefs(w, s.pcreStarts)
	w.Int(len(s.tx.bufs))
	for _, b := range s.tx.bufs {
		w.String(b.name)
		b.m.Encode(w)
		w.Int32s(b.pos)
	}
	w.Int32s(s.tx.always)
	names := make([]string, len(s.flowTable))
	for name, i := range s.flowTable {
		names[i] = name
	}
	w.Int(len(names))
	for _, name := range names {
		w.String(name)
	}
	// Transform sub-sets are recompiled at load from their (eager) rules.
	index := make(map[*Rule]int32, n)
	for i, r := range s.rules {
		index[r] = int32(i)
	}
	w.Int(len(s.subs))
	for _, sub := range s.subs {
		ids := make([]int32, len(sub.set.rules))
		for j, r := range sub.set.rules {
			ids[j] = index[r]
		}
		w.Int32s(ids)
	}
}

// encodeBytes returns the cached form of s in memory (tests).
func (s *Set) encodeBytes(warns []Warning, srcs []source) []byte {
	var w flat.Writer
	s.encode(&w, warns, srcs)
	return w.Bytes()
}

func writeRefs(w *flat.Writer, refs []ref) {
	rl, ce := make([]int32, len(refs)), make([]uint32, len(refs))
	for i, rf := range refs {
		rl[i], ce[i] = rf.rule, uint32(rf.chain)<<16|uint32(rf.elem)
	}
	w.Int32s(rl)
	w.Uint32s(ce)
}

func readRefs(r *flat.Reader) []ref {
	rl, ce := r.Int32s(), r.Uint32s()
	if len(rl) != len(ce) {
		r.Fail(errCacheEntry)
		return nil
	}
	refs := make([]ref, len(rl))
	for i := range refs {
		refs[i] = ref{rule: rl[i], chain: uint16(ce[i] >> 16), elem: uint16(ce[i])}
	}
	return refs
}

// decodeSet rebuilds a Set from its cached form (data must stay unmodified:
// tables and strings alias it) and returns the warnings of the original load.
// srcs are the rule files the entry was keyed on (rule texts alias them).
func decodeSet(data []byte, opts Options, srcs []source) (*Set, []Warning, error) {
	files := make([]string, len(srcs))
	for i, src := range srcs {
		if len(src.data) > 0 {
			files[i] = unsafe.String(&src.data[0], len(src.data))
		}
	}
	start := time.Now()
	r := flat.NewReader(data)
	blob, off := r.Blob(), r.Uint32s()
	strs := make([]string, 0, len(off))
	for i := 0; i+1 < len(off); i++ {
		if off[i] > off[i+1] || int(off[i+1]) > len(blob) {
			return nil, nil, fmt.Errorf("%w: string table", errCacheEntry)
		}
		if off[i] == off[i+1] {
			strs = append(strs, "")
			continue
		}
		strs = append(strs, unsafe.String(&blob[off[i]], off[i+1]-off[i]))
	}
	str := func(i uint64) string {
		if i >= uint64(len(strs)) {
			r.Fail(errCacheEntry)
			return ""
		}
		return strs[i]
	}
	var cols [10][]uint32
	for i := range cols {
		cols[i] = r.Uint32s()
	}
	var nums [5][]uint64
	for i := range nums {
		nums[i] = r.Uint64s()
	}
	n := len(cols[0])
	for _, c := range cols {
		if len(c) != n {
			r.Fail(errCacheEntry)
		}
	}
	for _, c := range nums {
		if len(c) != n {
			r.Fail(errCacheEntry)
		}
	}
	if r.Err() != nil {
		return nil, nil, fmt.Errorf("%w: %w", errCacheEntry, r.Err())
	}
	slab := make([]Rule, n)
	rules := make([]*Rule, n)
	action, proto, msg, class, raw, file, flags := cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6]
	for i := range slab {
		x := &slab[i]
		x.Action, x.Proto, x.Msg, x.Classtype, x.Raw, x.File = str(uint64(action[i])), str(uint64(proto[i])), str(uint64(msg[i])),
			str(uint64(class[i])), str(uint64(raw[i])), str(uint64(file[i]))
		if f := cols[7][i]; f != 0 {
			if int(f) > len(files) || uint64(cols[8][i])+uint64(cols[9][i]) > uint64(len(files[f-1])) {
				return nil, nil, fmt.Errorf("%w: rule text position", errCacheEntry)
			}
			x.Raw = files[f-1][cols[8][i] : cols[8][i]+cols[9][i]]
			x.rawAt = int64(cols[8][i]) + 1
		}
		x.GID, x.SID, x.Rev, x.Priority, x.Line = int(nums[0][i]), int(nums[1][i]), int(nums[2][i]), int(nums[3][i]), int(nums[4][i])
		x.Filestore, x.noAlert, x.perDirection = flags[i]&rfFilestore != 0, flags[i]&rfNoAlert != 0, flags[i]&rfPerDirection != 0
		rules[i] = x
	}
	meta := r.Uint32s()
	for k := 0; k+3 <= len(meta); {
		ri, key, cnt := meta[k], meta[k+1], int(meta[k+2])
		k += 3
		if int(ri) >= n || k+cnt > len(meta) {
			return nil, nil, fmt.Errorf("%w: metadata", errCacheEntry)
		}
		x := rules[ri]
		if x.Metadata == nil {
			x.Metadata = map[string][]string{}
		}
		kk := str(uint64(key))
		for _, v := range meta[k : k+cnt] {
			x.Metadata[kk] = append(x.Metadata[kk], str(uint64(v)))
		}
		k += cnt
	}
	nw := r.Int()
	if nw < 0 || nw > r.Len()/24 {
		return nil, nil, fmt.Errorf("%w: warnings", errCacheEntry)
	}
	warns := make([]Warning, nw)
	for i := range warns {
		warns[i] = Warning{File: str(r.Uint64()), Line: r.Int(), Msg: str(r.Uint64())}
	}

	s := &Set{rules: rules, crules: make([]crule, n), hashIdx: map[string][]int32{}, flowTable: flowbitTable{}}
	s.version = r.String()
	s.stats.Rules, s.stats.Patterns, s.stats.States = r.Int(), r.Int(), r.Int()
	s.stats.MemoryBytes = int64(r.Uint64())
	s.position, s.pcreWin = r.Int(), r.Int()
	s.needTail, s.fileAbsent = r.Bool(), r.Bool()
	m, err := mpm.DecodeFrom(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errCacheEntry, err)
	}
	s.mpm = m
	s.pvStart = r.Int32s()
	xblob, xoff := r.Blob(), r.Uint32s()
	vx, vs, ve, vl := r.Uint32s(), r.Int32s(), r.Int32s(), r.Int32s()
	s.refs = readRefs(r)
	gk, gr := r.Uint32s(), r.Int32s()
	s.groupOf = r.Int32s()
	for ki := range s.heads {
		for pc := range s.heads[ki] {
			for d := range s.heads[ki][pc] {
				for e := range s.heads[ki][pc][d] {
					h := &s.heads[ki][pc][d][e]
					h.static, h.any, h.dyn = r.Uint64s(), r.Bool(), r.Int32s()
					if len(h.static) == 0 {
						h.static = nil
					}
				}
			}
		}
	}
	for k := range s.byKind {
		s.byKind[k], s.endOnly[k] = r.Int32s(), r.Int32s()
	}
	nk := r.Int()
	if nk < 0 || nk > r.Len()/16 {
		return nil, nil, fmt.Errorf("%w: hash index", errCacheEntry)
	}
	for range nk {
		k := r.String()
		s.hashIdx[k] = r.Int32s()
	}
	lists := []*[]int32{&s.txRules, &s.pktRules, &s.chunkRules, &s.absentRules, &s.flowSetters}
	for _, l := range lists {
		*l = r.Int32s()
	}
	s.pcreStarts = readRefs(r)
	ntx := r.Int()
	if ntx < 0 || ntx > r.Len()/24 {
		return nil, nil, fmt.Errorf("%w: transaction filter", errCacheEntry)
	}
	for range ntx {
		b := txBuf{name: r.String()}
		if b.m, err = mpm.DecodeFrom(r); err != nil {
			return nil, nil, fmt.Errorf("%w: transaction filter: %w", errCacheEntry, err)
		}
		b.pos = r.Int32s()
		if len(b.pos) != b.m.Len() {
			return nil, nil, fmt.Errorf("%w: transaction filter", errCacheEntry)
		}
		s.tx.bufs = append(s.tx.bufs, b)
	}
	s.tx.always = r.Int32s()
	nf := r.Int()
	if nf < 0 || nf > r.Len()/8 {
		return nil, nil, fmt.Errorf("%w: flowbits", errCacheEntry)
	}
	for i := range nf {
		s.flowTable[r.String()] = i
	}
	nsub := r.Int()
	if nsub < 0 || nsub > r.Len()/8 {
		return nil, nil, fmt.Errorf("%w: sub-sets", errCacheEntry)
	}
	subIDs := make([][]int32, nsub)
	for i := range subIDs {
		subIDs[i] = r.Int32s()
	}
	if err := r.Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errCacheEntry, err)
	}
	if r.Len() != 0 {
		return nil, nil, fmt.Errorf("%w: %d trailing bytes", errCacheEntry, r.Len())
	}
	for i := range s.tx.bufs {
		if !inRangeOf(s.tx.bufs[i].pos, len(s.txRules)) {
			return nil, nil, fmt.Errorf("%w: transaction filter", errCacheEntry)
		}
	}
	if !inRangeOf(s.tx.always, len(s.txRules)) {
		return nil, nil, fmt.Errorf("%w: transaction filter", errCacheEntry)
	}

	// Scalars that size per-Scanner state must be what these options make.
	if s.position != opts.positions || s.pcreWin < 0 || s.pcreWin > maxPcreWindow+1 {
		return nil, nil, fmt.Errorf("%w: scanner sizes", errCacheEntry)
	}
	// Consistency of every index the scan uses without its own check.
	if len(s.pvStart) != m.Len()+1 || len(vx) != len(vs) || len(vs) != len(ve) || len(ve) != len(vl) ||
		len(gk) != len(gr) || len(s.groupOf) != n {
		return nil, nil, fmt.Errorf("%w: table sizes", errCacheEntry)
	}
	s.variants = make([]variant, len(vx))
	for i := range s.variants {
		if vx[i] != 0 {
			if int(vx[i])+1 >= len(xoff) || xoff[vx[i]] > xoff[vx[i]+1] || int(xoff[vx[i]+1]) > len(xblob) {
				return nil, nil, fmt.Errorf("%w: variants", errCacheEntry)
			}
			s.variants[i].exact = xblob[xoff[vx[i]]:xoff[vx[i]+1]:xoff[vx[i]+1]]
		}
		if vs[i] < 0 || vs[i] > ve[i] || int(ve[i]) > len(s.refs) || vl[i] < 0 {
			return nil, nil, fmt.Errorf("%w: variants", errCacheEntry)
		}
		s.variants[i].refStart, s.variants[i].refEnd, s.variants[i].length = vs[i], ve[i], vl[i]
	}
	for i := 1; i < len(s.pvStart); i++ {
		if s.pvStart[0] != 0 || s.pvStart[i] < s.pvStart[i-1] || int(s.pvStart[i]) > len(s.variants) {
			return nil, nil, fmt.Errorf("%w: pattern variants", errCacheEntry)
		}
	}
	s.groups = make([]group, len(gk))
	for i := range s.groups {
		if gk[i] > uint32(kindPkt) || gr[i] < 0 || int(gr[i]) >= n {
			return nil, nil, fmt.Errorf("%w: groups", errCacheEntry)
		}
		s.groups[i] = group{kind: ruleKind(gk[i]), rep: gr[i]}
	}
	inRange := func(ids []int32, lim int) bool {
		return !slices.ContainsFunc(ids, func(x int32) bool { return x < 0 || int(x) >= lim })
	}
	for _, g := range s.groupOf {
		if g < -1 || int(g) >= len(s.groups) {
			return nil, nil, fmt.Errorf("%w: rule groups", errCacheEntry)
		}
	}
	words := (len(s.groups) + 63) / 64
	for ki := range s.heads {
		for pc := range s.heads[ki] {
			for d := range s.heads[ki][pc] {
				for e := range s.heads[ki][pc][d] {
					h := &s.heads[ki][pc][d][e]
					if (h.static != nil && len(h.static) != words) || h.any != (h.static != nil) || !inRange(h.dyn, len(s.groups)) {
						return nil, nil, fmt.Errorf("%w: heads", errCacheEntry)
					}
				}
			}
		}
	}
	ok := true
	for k := range s.byKind {
		ok = ok && inRange(s.byKind[k], len(s.groups)) && inRange(s.endOnly[k], n)
	}
	for _, ids := range s.hashIdx {
		ok = ok && inRange(ids, n)
	}
	for _, l := range lists {
		ok = ok && inRange(*l, n)
	}
	for _, ids := range subIDs {
		ok = ok && inRange(ids, n)
	}
	grouped := func(id int32) bool { return id >= 0 && int(id) < n && s.groupOf[id] >= 0 }
	for _, rf := range append(slices.Clip(s.refs), s.pcreStarts...) {
		ok = ok && grouped(rf.rule)
	}
	for _, ids := range append([][]int32{s.endOnly[kindFile], s.endOnly[kindStream]}, slices.Collect(maps.Values(s.hashIdx))...) {
		for _, id := range ids {
			ok = ok && grouped(id)
		}
	}
	if !ok {
		return nil, nil, fmt.Errorf("%w: rule index", errCacheEntry)
	}

	// Rules: eager ones now, the rest on first use.
	s.lazy = &lazyRules{ready: make([]atomic.Bool, n)}
	s.lazy.parse = func(i int32) error { return reparse(rules[i], opts) }
	for i := range s.crules {
		s.crules[i].r = rules[i]
	}
	for i := range n {
		if flags[i]&rfEager == 0 {
			continue
		}
		if err := s.compileEager(int32(i), opts); err != nil {
			return nil, nil, err
		}
	}
	// Pattern references must fit the compiled chains of eager rules (lazy
	// ones are checked when compiled: tombstone shapes follow the refs).
	for _, rf := range append(slices.Clip(s.refs), s.pcreStarts...) {
		if s.lazy.ready[rf.rule].Load() {
			cr := &s.crules[rf.rule]
			if int(rf.chain) >= len(cr.chains) || int(rf.elem) >= len(cr.chains[rf.chain].elems) {
				return nil, nil, fmt.Errorf("%w: pattern reference", errCacheEntry)
			}
		}
	}
	for _, ids := range subIDs {
		rs := make([]*Rule, len(ids))
		for j, id := range ids {
			if !s.lazy.ready[id].Load() {
				return nil, nil, fmt.Errorf("%w: transform rule not compiled", errCacheEntry)
			}
			rs[j] = rules[id]
		}
		if len(rs) == 0 {
			return nil, nil, fmt.Errorf("%w: empty sub-set", errCacheEntry)
		}
		sub, err := compileSet(rs, opts, s.flowTable, false)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", errCacheEntry, err)
		}
		sub.version = ""
		s.subs = append(s.subs, subSet{xs: rs[0].dataXform, set: sub})
	}
	s.stats.CompileTime = time.Since(start)
	s.stats.Cached = true
	return s, warns, nil
}

// inRangeOf reports whether every id is in [0, lim).
func inRangeOf(ids []int32, lim int) bool {
	return !slices.ContainsFunc(ids, func(x int32) bool { return x < 0 || int(x) >= lim })
}

// compileEager parses and compiles rule i of a Set being read from the cache.
func (s *Set) compileEager(i int32, opts Options) error {
	r := s.rules[i]
	if err := reparse(r, opts); err != nil {
		return fmt.Errorf("%w: rule %s:%d: %w", errCacheEntry, r.File, r.Line, err)
	}
	cr, err := compileRule(r)
	if err == nil {
		cr.fbits, err = s.flowTable.compile(r.flowbits)
	}
	if err != nil {
		return fmt.Errorf("%w: rule %s:%d: %w", errCacheEntry, r.File, r.Line, err)
	}
	s.crules[i] = cr
	s.lazy.ready[i].Store(true)
	return nil
}

// reparse parses r's text again (with the parser its file extension names)
// and sets r's body; the exported fields must agree with the cached ones.
func reparse(r *Rule, opts Options) error {
	var t *Rule
	var err error
	switch strings.ToLower(filepath.Ext(r.File)) {
	case ".rules":
		t, err = parseRule(r.Raw, &parseCtx{dir: filepath.Dir(r.File), opts: opts.withDefaults()})
	case ".ndb":
		t, err = parseNDB(r.Raw)
	case ".hdb", ".hsb":
		t, err = parseHashSig(r.Raw)
	default:
		return fmt.Errorf("rule file %q: unknown extension", r.File)
	}
	if err != nil {
		return err
	}
	if t.SID != r.SID || t.GID != r.GID || t.noAlert != r.noAlert || t.perDirection != r.perDirection {
		return errors.New("rule text does not give the cached rule")
	}
	r.ruleBody = t.ruleBody
	return nil
}
