package signatures

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/wirescan/wirescan/signatures/internal/flat"
	"github.com/wirescan/wirescan/signatures/mpm"
)

// decodeSet rebuilds a Set from its cached form (data must stay unmodified:
// tables and strings alias it) and returns the warnings of the original load.
// srcs are the rule files the entry was keyed on (rule texts alias them).
func decodeSet(data []byte, opts Options, srcs []source) (*Set, []Warning, error) {
	start := time.Now()
	r := flat.NewReader(data)
	rules, flags, warns, err := decodeRules(r, srcs)
	if err != nil {
		return nil, nil, err
	}
	s, t, err := decodeTables(r, rules)
	if err != nil {
		return nil, nil, err
	}
	if err := s.checkTables(opts, t); err != nil {
		return nil, nil, err
	}
	if err := s.finishCached(opts, flags, t.subIDs); err != nil {
		return nil, nil, err
	}
	s.stats.CompileTime = time.Since(start)
	s.stats.Cached = true
	return s, warns, nil
}

// decodeRules reads the rules (exported fields, texts as positions in srcs),
// their flags and the warnings of the original load.
func decodeRules(r *flat.Reader, srcs []source) (rules []*Rule, flags []uint32, warns []Warning, err error) {
	files := make([]string, len(srcs))
	for i, src := range srcs {
		if len(src.data) > 0 {
			files[i] = unsafe.String(&src.data[0], len(src.data))
		}
	}
	blob, off := r.Blob(), r.Uint32s()
	strs := make([]string, 0, len(off))
	for i := 0; i+1 < len(off); i++ {
		if off[i] > off[i+1] || int(off[i+1]) > len(blob) {
			return nil, nil, nil, fmt.Errorf("%w: string table", errCacheEntry)
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
		return nil, nil, nil, fmt.Errorf("%w: %w", errCacheEntry, r.Err())
	}
	slab := make([]Rule, n)
	rules = make([]*Rule, n)
	action, proto, msg, class, raw, file := cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]
	flags = cols[6]
	for i := range slab {
		x := &slab[i]
		x.Action, x.Proto, x.Msg, x.Classtype, x.Raw, x.File = str(uint64(action[i])), str(uint64(proto[i])), str(uint64(msg[i])),
			str(uint64(class[i])), str(uint64(raw[i])), str(uint64(file[i]))
		if f := cols[7][i]; f != 0 {
			if int(f) > len(files) || uint64(cols[8][i])+uint64(cols[9][i]) > uint64(len(files[f-1])) {
				return nil, nil, nil, fmt.Errorf("%w: rule text position", errCacheEntry)
			}
			x.Raw = files[f-1][cols[8][i] : cols[8][i]+cols[9][i]]
			x.rawAt = int64(cols[8][i]) + 1
		}
		x.GID, x.SID, x.Rev, x.Priority, x.Line = int(nums[0][i]), int(nums[1][i]), int(nums[2][i]), int(nums[3][i]), int(nums[4][i])
		x.Filestore, x.noAlert, x.perDirection = flags[i]&rfFilestore != 0, flags[i]&rfNoAlert != 0, flags[i]&rfPerDirection != 0
		x.Store.ToServer, x.Store.ToClient = flags[i]&rfStoreToServer != 0, flags[i]&rfStoreToClient != 0
		switch {
		case flags[i]&rfStoreTx != 0:
			x.Store.Scope = StoreTx
		case flags[i]&rfStoreFlow != 0:
			x.Store.Scope = StoreFlow
		}
		rules[i] = x
	}
	meta := r.Uint32s()
	for k := 0; k+3 <= len(meta); {
		ri, key, cnt := meta[k], meta[k+1], int(meta[k+2])
		k += 3
		if int(ri) >= n || k+cnt > len(meta) {
			return nil, nil, nil, fmt.Errorf("%w: metadata", errCacheEntry)
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
		return nil, nil, nil, fmt.Errorf("%w: warnings", errCacheEntry)
	}
	warns = make([]Warning, nw)
	for i := range warns {
		warns[i] = Warning{File: str(r.Uint64()), Line: r.Int(), Msg: str(r.Uint64())}
	}
	return rules, flags, warns, nil
}

// rawTables are decoded arrays checkTables turns into Set fields.
type rawTables struct {
	xblob      []byte
	xoff, vx   []uint32
	vs, ve, vl []int32
	gk         []uint32
	gr         []int32
	lists      []*[]int32
	subIDs     [][]int32
}

// decodeTables reads the Set's scalars, matchers and tables.
func decodeTables(r *flat.Reader, rules []*Rule) (*Set, *rawTables, error) {
	n := len(rules)
	t := &rawTables{}
	s := &Set{rules: rules, crules: make([]crule, n), hashIdx: map[string][]int32{}, flowTable: flowbitTable{}}
	s.version = r.String()
	s.stats.Rules, s.stats.Patterns, s.stats.States = r.Int(), r.Int(), r.Int()
	s.stats.MemoryBytes = int64(r.Uint64())
	s.position, s.pcreWin = r.Int(), r.Int()
	s.needTail, s.fileAbsent = r.Bool(), r.Bool()
	s.exeNeed = r.Bool()
	s.digests = FileDigests{MD5: r.Bool(), SHA1: r.Bool(), SHA256: r.Bool()}
	m, err := mpm.DecodeFrom(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errCacheEntry, err)
	}
	s.mpm = m
	s.pvStart = r.Int32s()
	t.xblob, t.xoff = r.Blob(), r.Uint32s()
	t.vx, t.vs, t.ve, t.vl = r.Uint32s(), r.Int32s(), r.Int32s(), r.Int32s()
	s.refs = readRefs(r)
	t.gk, t.gr = r.Uint32s(), r.Int32s()
	s.groupOf = r.Int32s()
	for ki := range s.heads {
		for pc := range s.heads[ki] {
			for d := range s.heads[ki][pc] {
				for e := range s.heads[ki][pc][d] {
					h := &s.heads[ki][pc][d][e]
					h.static, h.any = r.Uint64s(), r.Bool()
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
	t.lists = []*[]int32{&s.txRules, &s.pktRules, &s.chunkRules, &s.absentRules, &s.flowSetters}
	for _, l := range t.lists {
		*l = r.Int32s()
	}
	s.pcreStarts = readRefs(r)
	if s.tx, err = readLitFilter(r); err != nil {
		return nil, nil, err
	}
	for i := range s.dyn {
		s.dyn[i].groups = r.Int32s()
		if s.dyn[i].filter, err = readLitFilter(r); err != nil {
			return nil, nil, err
		}
	}
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
	t.subIDs = make([][]int32, nsub)
	for i := range t.subIDs {
		t.subIDs[i] = r.Int32s()
	}
	if err := r.Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errCacheEntry, err)
	}
	if r.Len() != 0 {
		return nil, nil, fmt.Errorf("%w: %d trailing bytes", errCacheEntry, r.Len())
	}
	return s, t, nil
}

// checkTables checks every size and index the scan relies on without a
// check of its own, and builds the variant and group tables.
func (s *Set) checkTables(opts Options, t *rawTables) error {
	n := len(s.rules)
	xblob, xoff, vx, vs, ve, vl, gk, gr, lists, subIDs := t.xblob, t.xoff, t.vx, t.vs, t.ve, t.vl, t.gk, t.gr, t.lists, t.subIDs
	// Scalars that size per-Scanner state must be what these options make.
	if s.position != opts.positions || s.pcreWin < 0 || s.pcreWin > maxPcreWindow+1 {
		return fmt.Errorf("%w: scanner sizes", errCacheEntry)
	}
	// Consistency of every index the scan uses without its own check.
	if len(s.pvStart) != s.mpm.Len()+1 || len(vx) != len(vs) || len(vs) != len(ve) || len(ve) != len(vl) ||
		len(gk) != len(gr) || len(s.groupOf) != n {
		return fmt.Errorf("%w: table sizes", errCacheEntry)
	}
	s.variants = make([]variant, len(vx))
	for i := range s.variants {
		if vx[i] != 0 {
			if int(vx[i])+1 >= len(xoff) || xoff[vx[i]] > xoff[vx[i]+1] || int(xoff[vx[i]+1]) > len(xblob) {
				return fmt.Errorf("%w: variants", errCacheEntry)
			}
			s.variants[i].exact = xblob[xoff[vx[i]]:xoff[vx[i]+1]:xoff[vx[i]+1]]
		}
		if vs[i] < 0 || vs[i] > ve[i] || int(ve[i]) > len(s.refs) || vl[i] < 0 {
			return fmt.Errorf("%w: variants", errCacheEntry)
		}
		s.variants[i].refStart, s.variants[i].refEnd, s.variants[i].length = vs[i], ve[i], vl[i]
	}
	for i := 1; i < len(s.pvStart); i++ {
		if s.pvStart[0] != 0 || s.pvStart[i] < s.pvStart[i-1] || int(s.pvStart[i]) > len(s.variants) {
			return fmt.Errorf("%w: pattern variants", errCacheEntry)
		}
	}
	s.groups = make([]group, len(gk))
	for i := range s.groups {
		if gk[i] > uint32(kindPkt) || gr[i] < 0 || int(gr[i]) >= n {
			return fmt.Errorf("%w: groups", errCacheEntry)
		}
		s.groups[i] = group{kind: ruleKind(gk[i]), rep: gr[i]}
	}
	inRange := func(ids []int32, lim int) bool {
		return !slices.ContainsFunc(ids, func(x int32) bool { return x < 0 || int(x) >= lim })
	}
	for _, g := range s.groupOf {
		if g < -1 || int(g) >= len(s.groups) {
			return fmt.Errorf("%w: rule groups", errCacheEntry)
		}
	}
	if !checkLitFilter(&s.tx, len(s.txRules)) {
		return fmt.Errorf("%w: transaction filter", errCacheEntry)
	}
	for i := range s.dyn {
		d := &s.dyn[i]
		if !inRangeOf(d.groups, len(s.groups)) || !checkLitFilter(&d.filter, len(d.groups)) {
			return fmt.Errorf("%w: dynamic groups", errCacheEntry)
		}
	}
	words := (len(s.groups) + 63) / 64
	for ki := range s.heads {
		for pc := range s.heads[ki] {
			for d := range s.heads[ki][pc] {
				for e := range s.heads[ki][pc][d] {
					h := &s.heads[ki][pc][d][e]
					if (h.static != nil && len(h.static) != words) || h.any != (h.static != nil) {
						return fmt.Errorf("%w: heads", errCacheEntry)
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
		return fmt.Errorf("%w: rule index", errCacheEntry)
	}
	return nil
}

// finishCached compiles the eager rules (flags from the entry) and the
// transform sub-Sets, and makes the rest lazy.
func (s *Set) finishCached(opts Options, flags []uint32, subIDs [][]int32) error {
	n := len(s.rules)
	rules := s.rules
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
			return err
		}
	}
	// Pattern references must fit the compiled chains of eager rules (lazy
	// ones are checked when compiled: tombstone shapes follow the refs).
	for _, rf := range append(slices.Clip(s.refs), s.pcreStarts...) {
		if s.lazy.ready[rf.rule].Load() {
			cr := &s.crules[rf.rule]
			if int(rf.chain) >= len(cr.chains) || int(rf.elem) >= len(cr.chains[rf.chain].elems) {
				return fmt.Errorf("%w: pattern reference", errCacheEntry)
			}
		}
	}
	for _, ids := range subIDs {
		rs := make([]*Rule, len(ids))
		for j, id := range ids {
			if !s.lazy.ready[id].Load() {
				return fmt.Errorf("%w: transform rule not compiled", errCacheEntry)
			}
			rs[j] = rules[id]
		}
		if len(rs) == 0 {
			return fmt.Errorf("%w: empty sub-set", errCacheEntry)
		}
		sub, err := compileSet(rs, opts, s.flowTable, false)
		if err != nil {
			return fmt.Errorf("%w: %w", errCacheEntry, err)
		}
		sub.version = ""
		s.subs = append(s.subs, subSet{xs: rs[0].dataXform, set: sub})
	}
	// Mixed rules test flowbits, so they are eager and parsed by now.
	stats := s.stats
	if err := s.compileMix(rules, opts); err != nil {
		return fmt.Errorf("%w: %w", errCacheEntry, err)
	}
	s.stats = stats // the entry's statistics already count the stream parts
	return nil
}

// readLitFilter reads a literal filter written by writeLitFilter; its
// positions are checked against its list by checkTables.
func readLitFilter(r *flat.Reader) (litFilter, error) {
	var f litFilter
	n := r.Int()
	if n < 0 || n > r.Len()/24 {
		return f, fmt.Errorf("%w: literal filter", errCacheEntry)
	}
	for range n {
		b := litBuf{name: r.String()}
		var err error
		if b.m, err = mpm.DecodeFrom(r); err != nil {
			return f, fmt.Errorf("%w: literal filter: %w", errCacheEntry, err)
		}
		b.pos = r.Int32s()
		if len(b.pos) != b.m.Len() {
			return f, fmt.Errorf("%w: literal filter", errCacheEntry)
		}
		f.bufs = append(f.bufs, b)
	}
	f.always = r.Int32s()
	return f, nil
}

// checkLitFilter reports whether f's positions are within a list of n.
func checkLitFilter(f *litFilter, n int) bool {
	for i := range f.bufs {
		if !inRangeOf(f.bufs[i].pos, n) {
			return false
		}
	}
	return inRangeOf(f.always, n)
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
	s.bitRules = s.bitRules || cr.hasBits()
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
	case ".ldb":
		t, err = parseLDB(r.Raw)
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
