package smb

import (
	"slices"

	"github.com/wirescan/wirescan/engine/app"
)

// This file keeps the bounded per-connection tables: outstanding requests,
// trees and file ids. When a table is full its oldest entry (lowest seq) is
// evicted; the linear scan is bounded by the table's limit.

// evictOldest removes the entry of m with the lowest sequence number (the
// oldest; sequence numbers are unique, so the choice is deterministic) and
// reports whether it removed one. The scan is bounded by the table's limit.
func evictOldest[K comparable, V any](m map[K]V, seq func(V) uint64) bool {
	var oldK K
	found := false
	var low uint64
	for k, v := range m {
		if s := seq(v); !found || s < low {
			oldK, low, found = k, s, true
		}
	}
	if found {
		delete(m, oldK)
	}
	return found
}

// addPending remembers a request until its response. A reused key raises
// smb.message_id_reuse and replaces the old request (whose transaction is
// reported unanswered).
func (p *Parser) addPending(k pendKey, pd *pending) {
	c := &p.conn
	if old, ok := c.pend[k]; ok {
		p.anomaly(app.ToServer, AnomalyMessageIDReuse)
		if old.tx != nil {
			p.report(app.ToServer, old.tx)
		}
		delete(c.pend, k)
	}
	if len(c.pend) >= p.cfg.MaxOutstanding {
		p.anomaly(app.ToServer, AnomalyTooManyOutstanding)
		if evictOldest(c.pend, func(v *pending) uint64 { return v.seq }) {
			p.stats.Evictions++
		}
	}
	pd.seq = c.nextSeq()
	c.pend[k] = pd
}

// takePending removes and returns the request matching a final response.
func (p *Parser) takePending(k pendKey) *pending {
	pd := p.conn.pend[k]
	if pd != nil {
		delete(p.conn.pend, k)
	}
	return pd
}

// addTree remembers a tree connect.
func (p *Parser) addTree(k treeKey, t *treeInfo) {
	c := &p.conn
	if _, ok := c.trees[k]; !ok && len(c.trees) >= p.cfg.MaxOpenFiles {
		if evictOldest(c.trees, func(v *treeInfo) uint64 { return v.seq }) {
			p.stats.Evictions++
		}
	}
	t.seq = c.nextSeq()
	c.trees[k] = t
}

// addFID remembers the name a CREATE bound to a file id.
func (p *Parser) addFID(k fidKey, f *fidInfo) {
	c := &p.conn
	if _, ok := c.fids[k]; !ok && len(c.fids) >= p.cfg.MaxOpenFiles {
		if evictOldest(c.fids, func(v *fidInfo) uint64 { return v.seq }) {
			p.stats.Evictions++
		}
	}
	f.seq = c.nextSeq()
	c.fids[k] = f
}

// sortedFiles returns the open files oldest first, so Close is deterministic.
func (p *Parser) sortedFiles() []*openFile {
	out := make([]*openFile, 0, len(p.conn.files))
	for _, f := range p.conn.files {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *openFile) int { return cmpU64(a.seq, b.seq) })
	return out
}

// sortedPending returns the outstanding requests oldest first.
func (p *Parser) sortedPending() []*pending {
	out := make([]*pending, 0, len(p.conn.pend))
	for _, v := range p.conn.pend {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b *pending) int { return cmpU64(a.seq, b.seq) })
	return out
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
