package engine

import (
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// TestOpenFilesSortedByHandle: files opened in any order are found by
// handle, iterate in handle order, a reopened handle replaces its file, and
// removing the last one leaves nothing allocated.
func TestOpenFilesSortedByHandle(t *testing.T) {
	var o openFiles
	files := map[app.FileHandle]*trackedFile{}
	for _, h := range []app.FileHandle{5, 1, 9, 3, 7} {
		files[h] = &trackedFile{ID: uint64(h)}
		o.set(openFile{h: h, f: files[h], gaps: int(h)})
	}
	for i, want := range []app.FileHandle{1, 3, 5, 7, 9} {
		if o[i].h != want || o.get(want) != files[want] {
			t.Fatalf("entry %d: handle %d, want %d", i, o[i].h, want)
		}
	}
	if o.get(4) != nil {
		t.Fatal("handle 4 found")
	}
	again := &trackedFile{ID: 50}
	o.set(openFile{h: 5, f: again})
	if len(o) != 5 || o.get(5) != again {
		t.Fatalf("reopened handle: %d entries, file %v", len(o), o.get(5))
	}
	if e, ok := o.remove(3); !ok || e.gaps != 3 || o.get(3) != nil {
		t.Fatalf("remove 3: %v %v", e, ok)
	}
	if _, ok := o.remove(3); ok {
		t.Fatal("removed 3 twice")
	}
	for _, h := range []app.FileHandle{1, 5, 7, 9} {
		o.remove(h)
	}
	if o != nil {
		t.Fatalf("empty set still holds %d slots", cap(o))
	}
}
