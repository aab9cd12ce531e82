package mpm

import (
	"errors"
	"fmt"

	"github.com/wirescan/wirescan/signatures/internal/flat"
)

// formatVersion changes whenever the serialised form or the meaning of a
// field changes; Decode refuses other versions.
const formatVersion = 2 // 2: the prefilter's probe-bit count

// ErrFormat is wrapped by Decode errors: the data is not a Matcher of this
// version, or is damaged.
var ErrFormat = errors.New("mpm: bad serialised matcher")

// AppendBinary appends the serialised Matcher to dst (see Decode).
func (m *Matcher) AppendBinary(dst []byte) ([]byte, error) {
	var w flat.Writer
	m.Encode(&w)
	return append(dst, w.Bytes()...), nil
}

// Encode writes the serialised Matcher to w, as part of a larger stream
// (signatures' compiled-set cache); DecodeFrom reads it back.
func (m *Matcher) Encode(w *flat.Writer) {
	w.Uint64(formatVersion)
	w.Blob(m.pats.blob)
	w.Uint32s(m.pats.off)
	w.Int(m.longMax)
	w.Bool(m.pf != nil)
	if pf := m.pf; pf != nil {
		w.Int(pf.stride)
		w.Bool(pf.two)
		w.Uint64(uint64(pf.wshift))
		w.Uint64s(pf.bits)
		w.Uint64(uint64(pf.bshift))
		w.Uint32s(pf.bstart)
		wins, ids, ks := make([]uint32, len(pf.ents)), make([]int32, len(pf.ents)), make([]int32, len(pf.ents))
		for i, e := range pf.ents {
			wins[i], ids[i], ks[i] = e.win, e.pid, e.k
		}
		w.Uint32s(wins)
		w.Int32s(ids)
		w.Int32s(ks)
	}
	w.Bool(m.short != nil)
	if m.short != nil {
		writeAutomaton(w, m.short)
	}
	w.Int32s(m.shortIDs)
}

func writeAutomaton(w *flat.Writer, a *automaton) {
	w.Blob(a.classes[:])
	w.Uint64(uint64(a.nc))
	w.Uint64(uint64(a.nDense))
	w.Uint32s(a.dense)
	w.Uint32s(a.first)
	w.Uint16s(a.nchild)
	w.Blob(a.label)
	w.Uint32s(a.fail)
	w.Uint64s(a.hasOut)
	w.Uint32s(a.outStart)
	w.Int32s(a.outList)
	w.Int32s(a.dictLink)
	w.Uint32s(a.level)
}

// Decode reads a Matcher written by AppendBinary. The Matcher's tables alias
// data (on little-endian machines, when data is 8-aligned): data must not be
// modified afterwards. Sizes and the indexes Scan relies on are checked; the
// caller is expected to have checksummed data.
func Decode(data []byte) (*Matcher, error) {
	r := flat.NewReader(data)
	m, err := DecodeFrom(r)
	if err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrFormat, r.Len())
	}
	return m, nil
}

// DecodeFrom reads a Matcher written by Encode from r, leaving r after it;
// like Decode, the tables alias r's buffer.
func DecodeFrom(r *flat.Reader) (*Matcher, error) {
	if v := r.Uint64(); v != formatVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrFormat, v, formatVersion)
	}
	m := &Matcher{}
	m.pats.blob = r.Blob()
	m.pats.off = r.Uint32s()
	m.longMax = r.Int()
	if r.Bool() {
		pf := &prefilter{pats: &m.pats}
		pf.stride = r.Int()
		pf.two = r.Bool()
		pf.wshift = uint(r.Uint64())
		pf.bits = r.Uint64s()
		pf.bshift = uint(r.Uint64())
		pf.bstart = r.Uint32s()
		wins, ids, ks := r.Uint32s(), r.Int32s(), r.Int32s()
		if len(wins) != len(ids) || len(ids) != len(ks) {
			r.Fail(ErrFormat)
			wins = nil
		}
		pf.ents = make([]pfEntry, len(wins))
		for i := range pf.ents {
			pf.ents[i] = pfEntry{win: wins[i], pid: ids[i], k: ks[i]}
		}
		m.pf = pf
	}
	if r.Bool() {
		m.short = readAutomaton(r)
	}
	m.shortIDs = r.Int32s()
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	return m, nil
}

func readAutomaton(r *flat.Reader) *automaton {
	a := &automaton{}
	if cls := r.Blob(); len(cls) == len(a.classes) {
		copy(a.classes[:], cls)
	} else {
		r.Fail(ErrFormat)
	}
	a.nc = uint32(r.Uint64())
	a.nDense = uint32(r.Uint64())
	a.dense = r.Uint32s()
	a.first = r.Uint32s()
	a.nchild = r.Uint16s()
	a.label = r.Blob()
	a.fail = r.Uint32s()
	a.hasOut = r.Uint64s()
	a.outStart = r.Uint32s()
	a.outList = r.Int32s()
	a.dictLink = r.Int32s()
	a.level = r.Uint32s()
	return a
}

// check verifies the sizes and the indexes Scan reads without a bound check
// of its own: array lengths agree, pattern offsets and ids are in range.
func (m *Matcher) check() error {
	p := &m.pats
	if len(p.off) == 0 || p.off[0] != 0 || p.off[len(p.off)-1] != uint32(len(p.blob)) {
		return errors.New("pattern offsets")
	}
	for i := 1; i < len(p.off); i++ {
		if p.off[i] < p.off[i-1] {
			return errors.New("pattern offsets")
		}
	}
	npat := int32(len(p.off) - 1)
	if m.short != nil {
		if err := m.short.check(int32(len(m.shortIDs))); err != nil {
			return err
		}
	} else if len(m.shortIDs) != 0 {
		return errors.New("short patterns without automaton")
	}
	for _, id := range m.shortIDs {
		if id < 0 || id >= npat {
			return errors.New("short pattern id")
		}
	}
	pf := m.pf
	if pf == nil {
		return nil
	}
	if m.longMax < pfWindow || m.longMax > int(p.off[npat]) {
		return errors.New("longest pattern")
	}
	if pf.stride < 1 || pf.stride > pfMaxStride || len(pf.bits) == 0 || pf.wshift > 63 || pf.bshift > 63 ||
		uint64(len(pf.bits)) != 1<<(64-pf.wshift) || uint64(len(pf.bstart)) != 1<<(64-pf.bshift)+1 {
		return errors.New("prefilter sizes")
	}
	for i := 1; i < len(pf.bstart); i++ {
		if pf.bstart[i] < pf.bstart[i-1] {
			return errors.New("prefilter buckets")
		}
	}
	if pf.bstart[len(pf.bstart)-1] != uint32(len(pf.ents)) {
		return errors.New("prefilter buckets")
	}
	for _, e := range pf.ents {
		if e.pid < 0 || e.pid >= npat || e.k < 0 || int(e.k)+pfWindow > p.size(e.pid) || p.size(e.pid) > m.longMax {
			return errors.New("prefilter entry")
		}
	}
	return nil
}

// check verifies an automaton's array sizes and the ranges of its states,
// transitions and outputs (npat patterns).
func (a *automaton) check(npat int32) error {
	ns := uint64(len(a.fail))
	if ns == 0 || a.nc == 0 || a.nc > 256 || uint64(a.nDense) > ns || uint64(len(a.dense)) != uint64(a.nDense)*uint64(a.nc) ||
		uint64(len(a.first)) != ns || uint64(len(a.nchild)) != ns || uint64(len(a.label)) != ns ||
		uint64(len(a.hasOut)) != (ns+63)/64 || uint64(len(a.outStart)) != ns+1 || uint64(len(a.dictLink)) != ns ||
		len(a.level) < 2 || uint64(a.level[len(a.level)-1]) != ns {
		return errors.New("automaton sizes")
	}
	for _, c := range a.classes {
		if uint32(c) >= a.nc {
			return errors.New("automaton classes")
		}
	}
	for _, t := range a.dense {
		if uint64(t&^outFlag) >= ns {
			return errors.New("automaton transition")
		}
	}
	for s := uint64(0); s < ns; s++ {
		if uint64(a.first[s])+uint64(a.nchild[s]) > ns || uint64(a.fail[s]) >= ns || uint32(a.label[s]) >= a.nc ||
			a.outStart[s] > a.outStart[s+1] || a.dictLink[s] >= int32(ns) {
			return errors.New("automaton state")
		}
		// Failure links point to shallower states (smaller ids): slowStep ends.
		if s > 0 && uint64(a.fail[s]) >= s {
			return errors.New("automaton failure link")
		}
		if d := a.dictLink[s]; d >= 0 && uint64(d) >= s {
			return errors.New("automaton dictionary link")
		}
	}
	if uint64(a.outStart[ns]) != uint64(len(a.outList)) {
		return errors.New("automaton outputs")
	}
	for _, id := range a.outList {
		if id < 0 || id >= npat {
			return errors.New("automaton output id")
		}
	}
	for i := 1; i < len(a.level); i++ {
		if a.level[i] < a.level[i-1] {
			return errors.New("automaton levels")
		}
	}
	return nil
}
