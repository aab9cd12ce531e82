package signatures

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/wirescan/wirescan/signatures/mpm"
)

// Compile builds one immutable Set from parsed rules (Suricata rules and converted
// ClamAV signatures alike). It fails only on limits (ErrLimit) and on internal
// inconsistencies; rules are not re-validated.
func Compile(rules []*Rule, opts Options) (*Set, error) {
	return compileSet(rules, opts, flowbitTable{}, true)
}

// compileSet compiles rules sharing the flowbit table ft. At the top level,
// file and stream rules with transforms on their data are compiled into one
// sub-Set per transform list (see transform.go).
func compileSet(rules []*Rule, opts Options, ft flowbitTable, top bool) (*Set, error) {
	start := time.Now()
	opts = opts.withDefaults()
	if len(rules) > opts.MaxRules {
		return nil, fmt.Errorf("signatures: %d rules, limit Options.MaxRules %d: %w", len(rules), opts.MaxRules, ErrLimit)
	}
	s := &Set{rules: rules, crules: make([]crule, len(rules)), groupOf: make([]int32, len(rules)),
		hashIdx: map[string][]int32{}, position: opts.positions, flowTable: ft}
	subRules := map[string][]*Rule{}
	var subKeys []string
	pb := newPatternBuilder()
	groupIDs := map[string]int32{}
	h := sha256.New()
	for i, r := range rules {
		if r.ruleBody == nil {
			return nil, fmt.Errorf("signatures: %s:%d: rule has no parsed form (a rule of a cached Set: parse its Raw text again)", r.File, r.Line)
		}
		h.Write([]byte(r.Raw))
		h.Write([]byte{'\n'})
		s.groupOf[i] = -1
		s.digests.noteDigests(r)
		cr, err := compileRule(r)
		if err == nil {
			cr.fbits, err = s.flowTable.compile(r.flowbits)
		}
		if err != nil {
			return nil, fmt.Errorf("signatures: %s:%d: %w", r.File, r.Line, err)
		}
		s.bitRules = s.bitRules || cr.hasBits()
		if r.kind == kindPkt {
			s.crules[i] = cr
			s.pktRules = append(s.pktRules, int32(i))
			continue
		}
		if r.chunk {
			s.crules[i] = cr
			s.chunkRules = append(s.chunkRules, int32(i))
			continue
		}
		if top && r.kind != kindTx && len(r.dataXform) > 0 {
			s.crules[i] = cr
			k := transformKey(r.dataXform)
			if subRules[k] == nil {
				subKeys = append(subKeys, k)
			}
			subRules[k] = append(subRules[k], r)
			continue
		}
		key := groupKey(r)
		g, ok := groupIDs[key]
		if !ok {
			g = int32(len(s.groups))
			groupIDs[key] = g
			s.groups = append(s.groups, group{kind: r.kind, rep: int32(i)})
			s.byKind[r.kind] = append(s.byKind[r.kind], g)
		}
		s.groupOf[i] = g
		s.crules[i] = cr
		s.exeNeed = s.exeNeed || cr.waits
		if r.dataAbsent == absentOrElse {
			s.absentRules = append(s.absentRules, int32(i))
		}
		s.fileAbsent = s.fileAbsent || r.dataAbsent != absentNone
		switch {
		case r.kind == kindTx:
			s.txRules = append(s.txRules, int32(i))
			if act, toggle := hasAction(&cr); act && !toggle && r.event == "" {
				s.flowSetters = append(s.flowSetters, int32(i))
			}
		case r.ldb != nil && r.ldb.zeroTrue:
			s.endOnly[r.kind] = append(s.endOnly[r.kind], int32(i))
		case r.file.clamHash != nil:
			k := r.file.clamHash.algo + ":" + r.file.clamHash.sum
			s.hashIdx[k] = append(s.hashIdx[k], int32(i))
		case !hasPositiveChain(cr.chains):
			s.endOnly[r.kind] = append(s.endOnly[r.kind], int32(i))
		}
		for ci := range cr.chains {
			for ei := range cr.chains[ci].elems {
				el := &cr.chains[ci].elems[ei]
				if el.sp != nil {
					s.pcreWin = max(s.pcreWin, el.sp.width+1)
					if el.sp.shape == pcreStart {
						s.pcreStarts = append(s.pcreStarts, ref{rule: int32(i), chain: uint16(ci), elem: uint16(ei)})
					}
				}
				for _, a := range el.alts {
					if err := pb.add(a, el.nocase, ref{rule: int32(i), chain: uint16(ci), elem: uint16(ei)}); err != nil {
						return nil, fmt.Errorf("signatures: %s:%d: %w", r.File, r.Line, err)
					}
				}
			}
		}
	}
	sort.SliceStable(s.txRules, func(i, j int) bool {
		return flowClass(&s.crules[s.txRules[i]]) < flowClass(&s.crules[s.txRules[j]])
	})
	var err error
	if s.tx, err = buildLitFilter(len(s.txRules), func(p int) *crule { return s.crule(s.txRules[p]) }, opts); err != nil {
		return nil, err
	}
	pats := pb.finish(s)
	m, err := mpm.Compile(pats, opts.mpmOptions())
	if err != nil {
		if errors.Is(err, mpm.ErrLimit) {
			err = fmt.Errorf("signatures: %w: %w", err, ErrLimit)
		}
		return nil, err
	}
	s.mpm = m
	if err := s.buildHeads(opts); err != nil {
		return nil, err
	}
	for _, k := range subKeys {
		rs := subRules[k]
		sub, err := compileSet(rs, opts, ft, false)
		if err != nil {
			return nil, err
		}
		s.subs = append(s.subs, subSet{xs: rs[0].dataXform, set: sub})
		sub.version = ""
	}
	s.version = hex.EncodeToString(h.Sum(nil))[:12]
	s.stats = SetStats{
		Rules:       len(rules),
		Patterns:    len(pats),
		States:      m.NumStates(),
		MemoryBytes: m.MemoryBytes() + int64(len(s.variants))*24 + int64(len(s.refs))*8 + int64(len(s.crules))*64,
		CompileTime: time.Since(start),
	}
	for _, sub := range s.subs {
		s.stats.Patterns += sub.set.stats.Patterns
		s.stats.States += sub.set.stats.States
		s.stats.MemoryBytes += sub.set.stats.MemoryBytes
	}
	if top {
		if err := s.compileMix(rules, opts); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// compileRule builds the verification data of one rule.
func compileRule(r *Rule) (crule, error) {
	cr := crule{r: r, xbits: r.xbits}
	switch {
	case r.kind == kindPkt:
		pb := compileBuf(&bufCond{items: r.data, xform: r.dataXform})
		cr.pkt = &pb
	case r.chunk:
		cr.pkt = compileChunk(r)
	case r.kind == kindFile || r.kind == kindStream:
		cr.chains = compileItems(r.data, true)
	}
	if r.clam != nil && len(cr.chains) > 0 {
		c := &cr.chains[0]
		c.lead = r.clam.lead
		if r.clam.eof {
			c.eof, c.eofN, c.eofShift = true, r.clam.eofN, r.clam.eofShift
		}
	}
	if r.ldb != nil {
		if err := cr.compileLDB(); err != nil {
			return cr, err
		}
	}
	for _, c := range cr.chains {
		if len(c.elems) > 1<<16 {
			return cr, fmt.Errorf("chain of %d elements: %w", len(c.elems), ErrLimit)
		}
	}
	if len(cr.chains) > 1<<16 {
		return cr, fmt.Errorf("%d chains: %w", len(cr.chains), ErrLimit)
	}
	for i := range r.bufs {
		cr.bufs = append(cr.bufs, compileBuf(&r.bufs[i]))
	}
	if r.file.magic != nil {
		m := compileBuf(r.file.magic)
		cr.magic = &m
	}
	cr.needEnd = r.needsEnd()
	for _, c := range cr.chains {
		if c.negAbs || c.negLast || c.endswith || len(c.dataat) > 0 || c.eof {
			cr.needEnd = true
		}
	}
	if cr.ldb != nil {
		cr.needEnd = !cr.ldb.monotone || cr.ldb.fileSize != nil || cr.ldb.pcre
		return cr, nil
	}
	cr.simple = len(cr.chains) == 1 && len(cr.chains[0].elems) == 1 && !cr.needEnd && !cr.chains[0].elems[0].neg &&
		cr.chains[0].elems[0].sp == nil && !r.lateTest // lateTest: progress is kept to decide again at End
	return cr, nil
}

// hasPositiveChain reports whether some chain needs a positive content match (so the
// rule can only fire after the automaton reported a candidate).
func hasPositiveChain(chains []chain) bool {
	for _, c := range chains {
		if !c.negAbs {
			return true
		}
	}
	return false
}

// groupKey is the canonical text of every condition decided at NewScanner time.
func groupKey(r *Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%s|%s|%v|%d|%d", r.kind, r.Proto, r.hdrKey, r.flow, r.dirTo, r.dataAbsent)
	for _, bc := range r.bufs {
		fmt.Fprintf(&b, "|%s:%s:%d:", bc.name, transformKey(bc.xform), bc.absent)
		for _, it := range bc.items {
			fmt.Fprintf(&b, "%d,%v,%x,%v,%d,%d,%v,%v,%d,%d,%v,%v,%v,%v,%v,%d,%v;", it.typ, it.neg, it.alts, it.nocase,
				it.offset, it.depth, it.hasOffset, it.hasDepth, it.distance, it.within, it.hasDistance, it.hasWithin,
				it.startswith, it.endswith, it.relative, it.dataat, it.size)
			if it.re != nil {
				b.WriteString(it.re.String() + ";")
			}
		}
	}
	return b.String()
}
