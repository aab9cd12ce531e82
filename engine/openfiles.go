package engine

import (
	"cmp"
	"slices"

	"github.com/wirescan/wirescan/engine/app"
)

// openFile is a file a connection's parser opened and has not closed yet.
type openFile struct {
	h app.FileHandle
	f *trackedFile
	// gaps is the number of stream gaps seen in the file's direction
	// before it opened (see conn.FileClose).
	gaps int
}

// openFiles is a connection's open files sorted by handle. Most
// connections have none or one open (an HTTP download), an SMB connection a
// few to its limit (smb.max-open-files): a sorted slice costs one small
// allocation where two maps cost a few hundred bytes per connection, and
// it iterates in handle order, which events are logged in.
type openFiles []openFile

// find returns the index of h, or where it would be inserted, and whether
// it is there.
func (o openFiles) find(h app.FileHandle) (int, bool) {
	return slices.BinarySearchFunc(o, h, func(e openFile, h app.FileHandle) int { return cmp.Compare(e.h, h) })
}

// get returns the open file of h, nil when there is none.
func (o openFiles) get(h app.FileHandle) *trackedFile {
	if i, ok := o.find(h); ok {
		return o[i].f
	}
	return nil
}

// set opens h, replacing the file it had, if any.
func (o *openFiles) set(e openFile) {
	i, ok := o.find(e.h)
	if ok {
		(*o)[i] = e
		return
	}
	*o = slices.Insert(*o, i, e)
}

// remove forgets h and returns its entry.
func (o *openFiles) remove(h app.FileHandle) (openFile, bool) {
	i, ok := o.find(h)
	if !ok {
		return openFile{}, false
	}
	e := (*o)[i]
	*o = slices.Delete(*o, i, i+1)
	if len(*o) == 0 {
		*o = nil // a finished download leaves nothing behind
	}
	return e, true
}
