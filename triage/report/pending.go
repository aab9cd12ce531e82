package report

import "time"

// alertRef is an alert read but perhaps not yet counted: while its file's
// hash is unknown it waits in the pending table, and while its incident id
// may still be summarised it is kept in the opened table.
type alertRef struct {
	h       hit
	pending bool
	// Hits of incident summaries that arrived while the alert was pending.
	sumHits           uint64
	sumFirst, sumLast time.Time
}

func (r *alertRef) addSummary(n uint64, first, last time.Time) {
	if r.sumHits == 0 || first.Before(r.sumFirst) {
		r.sumFirst = first
	}
	if last.After(r.sumLast) {
		r.sumLast = last
	}
	r.sumHits += n
}

// pendKey locates the flow of a pending alert: flow ids are per sensor.
type pendKey struct {
	sensor string
	flowID uint64
}

// pendingTable holds alerts on files that were still open, until the
// fileinfo event with the file's hash (or the flow's end) arrives. It is
// bounded: adding past max evicts the oldest alert, which the caller counts
// without a hash.
type pendingTable struct {
	byFlow map[pendKey][]*alertRef
	// flows counts pending alerts per flow id, for the line scanner's cheap
	// test of fileinfo and flow lines (sensor names need a decode).
	flows map[uint64]int
	queue []*alertRef // arrival order; taken entries are nil
	head  int
	n     int
	max   int
}

func newPendingTable(max int) pendingTable {
	return pendingTable{byFlow: map[pendKey][]*alertRef{}, flows: map[uint64]int{}, max: max}
}

func (p *pendingTable) hasFlow(id uint64) bool { return p.flows[id] > 0 }

// mayResolve tells from the scanner's facts whether a fileinfo line can
// complete a pending alert (same sensor, flow and transaction), so that
// the fileinfo lines of other transactions are not decoded. When the facts
// can't tell (no tx_id, a sensor name with escapes) it says yes.
func (p *pendingTable) mayResolve(f *lineFacts) bool {
	if !f.hasTx || (f.host != nil && !f.hostOK) {
		return true
	}
	for _, r := range p.byFlow[pendKey{sensor: string(f.host), flowID: f.flowID}] {
		if r.h.txID == f.txID {
			return true
		}
	}
	return false
}

func keyOfRef(r *alertRef) pendKey { return pendKey{sensor: r.h.sensor, flowID: r.h.flowID} }

// add makes r pending and returns the alert it evicted, if any.
func (p *pendingTable) add(r *alertRef) (evicted *alertRef) {
	if p.n >= p.max {
		evicted = p.oldest()
		p.remove(evicted)
	}
	r.pending = true
	k := keyOfRef(r)
	p.byFlow[k] = append(p.byFlow[k], r)
	p.flows[k.flowID]++
	p.queue = append(p.queue, r)
	p.n++
	return evicted
}

// oldest returns the longest-waiting alert (p.n > 0).
func (p *pendingTable) oldest() *alertRef {
	for p.queue[p.head] == nil || !p.queue[p.head].pending {
		p.head++
	}
	return p.queue[p.head]
}

// remove takes r out of its flow's list; its queue slot is skipped later.
func (p *pendingTable) remove(r *alertRef) {
	k := keyOfRef(r)
	list := p.byFlow[k]
	for i, x := range list {
		if x == r {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(p.byFlow, k)
	} else {
		p.byFlow[k] = list
	}
	if p.flows[k.flowID]--; p.flows[k.flowID] == 0 {
		delete(p.flows, k.flowID)
	}
	r.pending = false
	p.n--
	p.compact()
}

// take removes and returns, in arrival order, the pending alerts of flow k
// that match (all of them when match is nil).
func (p *pendingTable) take(k pendKey, match func(*alertRef) bool) []*alertRef {
	var out []*alertRef
	for _, r := range append([]*alertRef(nil), p.byFlow[k]...) {
		if match == nil || match(r) {
			p.remove(r)
			out = append(out, r)
		}
	}
	return out
}

// drain removes and returns every pending alert in arrival order.
func (p *pendingTable) drain() []*alertRef {
	var out []*alertRef
	for p.n > 0 {
		r := p.oldest()
		p.remove(r)
		out = append(out, r)
	}
	return out
}

// compact drops the queue's dead prefix and, when most slots are dead,
// rebuilds it, so the queue stays proportional to the pending alerts.
func (p *pendingTable) compact() {
	for p.head < len(p.queue) && (p.queue[p.head] == nil || !p.queue[p.head].pending) {
		p.queue[p.head] = nil
		p.head++
	}
	if p.head == len(p.queue) {
		p.queue, p.head = p.queue[:0], 0
		return
	}
	if live := p.n; len(p.queue)-p.head > 2*live+64 {
		q := make([]*alertRef, 0, 2*live)
		for _, r := range p.queue[p.head:] {
			if r != nil && r.pending {
				q = append(q, r)
			}
		}
		p.queue, p.head = q, 0
	}
}

// openKey names an incident of wirescan's alert policy: ids are per sensor
// (and restart with the engine: the latest alert with an id wins).
type openKey struct {
	sensor string
	id     uint64
}

// openedTable remembers the alert that opened each policy incident, so the
// incident's summary line is counted with it. It keeps the latest max ids
// and forgets the oldest first.
type openedTable struct {
	m    map[openKey]*alertRef
	ring []openKey
	next int
	max  int
}

func newOpenedTable(max int) openedTable {
	return openedTable{m: map[openKey]*alertRef{}, max: max}
}

func (o *openedTable) put(k openKey, r *alertRef) {
	if _, ok := o.m[k]; !ok {
		if len(o.ring) < o.max {
			o.ring = append(o.ring, k)
		} else {
			delete(o.m, o.ring[o.next])
			o.ring[o.next] = k
			o.next = (o.next + 1) % o.max
		}
	}
	o.m[k] = r
}

func (o *openedTable) get(k openKey) *alertRef { return o.m[k] }
