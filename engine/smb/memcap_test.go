package smb

import (
	"testing"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/memcap"
)

// TestSharedBudget: a message that doesn't fit the engine-wide budget is
// skipped with an smb.memcap anomaly, the parser goes on with the next
// record, and everything it reserved is returned at Close.
func TestSharedBudget(t *testing.T) {
	budget := memcap.New(bufStep)
	sink := newRecSink()
	p := NewParser(nil, nil, sink)
	p.SetBudget(budget)
	fid := fileID{1}
	big := make([]byte, 3*bufStep)
	// The WRITE header fits in the first reservation; a compound-free
	// message larger than the budget must be refused, not buffered.
	p.Feed(app.ToServer, nbss(writeReq(h2{msgID: 1, session: 1, tree: 1}, fid, 0, big, 0)))
	if budget.InUse() > budget.Cap() {
		t.Fatalf("budget exceeded: %d of %d", budget.InUse(), budget.Cap())
	}
	p.Feed(app.ToServer, nbss(writeReq(h2{msgID: 2, session: 1, tree: 1}, fid, 0, []byte("tail"), 0)))
	p.Close()
	if budget.InUse() != 0 {
		t.Fatalf("%d bytes still reserved after Close", budget.InUse())
	}
}

// TestSharedBudgetRefusal: with no budget left at all, the parser refuses
// to buffer and reports it.
func TestSharedBudgetRefusal(t *testing.T) {
	budget := memcap.New(0)
	sink := newRecSink()
	p := NewParser(nil, nil, sink)
	p.SetBudget(budget)
	p.Feed(app.ToServer, nbss(writeReq(h2{msgID: 1, session: 1, tree: 1}, fileID{1}, 0, []byte("data"), 0)))
	p.Close()
	found := false
	for _, a := range sink.anomalies {
		found = found || a == AnomalyMemcap
	}
	if !found || budget.InUse() != 0 {
		t.Fatalf("anomalies %v, in use %d", sink.anomalies, budget.InUse())
	}
}
