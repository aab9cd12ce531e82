package memcap

import (
	"sync"
	"testing"
)

func TestBudgetLimits(t *testing.T) {
	b := New(100)
	if !b.TryReserve(60) || !b.TryReserve(40) {
		t.Fatal("reservations within the cap refused")
	}
	if b.TryReserve(1) || b.Denied() != 1 {
		t.Fatal("reservation over the cap accepted")
	}
	b.Release(50)
	if b.InUse() != 50 || b.Peak() != 100 || !b.TryReserve(50) {
		t.Fatalf("in use %d peak %d", b.InUse(), b.Peak())
	}
	var nilBudget *Budget
	if !nilBudget.TryReserve(1 << 40) {
		t.Fatal("nil budget must be unlimited")
	}
}

func TestHolderGrowsAndReleases(t *testing.T) {
	b := New(10)
	h := NewHolder(b)
	if !h.Ensure(4) || !h.Ensure(8) || h.Held() != 8 || b.InUse() != 8 {
		t.Fatalf("held %d in use %d", h.Held(), b.InUse())
	}
	if h.Ensure(11) {
		t.Fatal("holder grew past the budget")
	}
	h.ReleaseAll()
	if b.InUse() != 0 || h.Held() != 0 {
		t.Fatal("not released")
	}
}

func TestBudgetConcurrent(t *testing.T) {
	b := New(1000)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				if b.TryReserve(7) {
					if b.InUse() > 1000 {
						t.Error("over the cap")
					}
					b.Release(7)
				}
			}
		}()
	}
	wg.Wait()
	if b.InUse() != 0 {
		t.Fatalf("in use %d after all releases", b.InUse())
	}
}
