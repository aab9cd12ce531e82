package signatures

import (
	"errors"
	"sort"

	"github.com/wirescan/wirescan/signatures/internal/flat"
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
	rfStoreToServer
	rfStoreToClient
	rfStoreTx
	rfStoreFlow
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
		eager[i] = (r.kind != kindFile && r.kind != kindStream) || r.chunk || len(r.flowbits) > 0 || len(r.xbits) > 0 ||
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
		if r.Store.ToServer {
			flags[i] |= rfStoreToServer
		}
		if r.Store.ToClient {
			flags[i] |= rfStoreToClient
		}
		switch r.Store.Scope {
		case StoreTx:
			flags[i] |= rfStoreTx
		case StoreFlow:
			flags[i] |= rfStoreFlow
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
	w.Bool(s.exeNeed)
	w.Bool(s.digests.MD5)
	w.Bool(s.digests.SHA1)
	w.Bool(s.digests.SHA256)
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
	writeLitFilter(w, &s.tx)
	for i := range s.dyn {
		w.Int32s(s.dyn[i].groups)
		writeLitFilter(w, &s.dyn[i].filter)
	}
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

// writeLitFilter writes a literal filter: per buffer name its matcher and
// positions, then the positions without a literal.
func writeLitFilter(w *flat.Writer, f *litFilter) {
	w.Int(len(f.bufs))
	for _, b := range f.bufs {
		w.String(b.name)
		b.m.Encode(w)
		w.Int32s(b.pos)
	}
	w.Int32s(f.always)
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
