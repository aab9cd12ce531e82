package engine

import (
	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/signatures"
)

// maxFileKeeps bounds the tx- and flow-scoped filestore requests a
// connection remembers; beyond it the oldest is forgotten (its open files
// are already marked).
const maxFileKeeps = 8

// fileKeep is a filestore request reaching past the matched file: the
// files of one transaction, or of the connection from that transaction on
// (flow scope: files of earlier transactions, even when still open, are
// not kept), in the named directions.
type fileKeep struct {
	txID               uint64
	onward             bool
	toServer, toClient bool
}

// covers reports whether the request keeps a file of transaction txID
// going in direction dir.
func (k fileKeep) covers(txID uint64, dir app.Direction) bool {
	if dir == app.ToServer && !k.toServer || dir == app.ToClient && !k.toClient {
		return false
	}
	return txID == k.txID || k.onward && txID > k.txID
}

// keepFiles carries out a filestore rule's match on file f, as Suricata's
// filestore:direction,scope does: the file itself when its direction is
// kept, and for a tx or flow scope (or a named direction other than the
// file's) the transaction's or connection's files that way, those open
// now and those still to come.
func (c *conn) keepFiles(f *trackedFile, spec signatures.StoreSpec) {
	dir := f.Meta.Direction
	server, client := spec.Dirs(dir == app.ToServer)
	mine := dir == app.ToServer && server || dir == app.ToClient && client
	if mine {
		c.markStoring(f)
	}
	k := fileKeep{txID: f.Meta.TxID, toServer: server, toClient: client}
	switch spec.Scope {
	case signatures.StoreFile:
		// Only the other direction, when named, reaches past the file.
		if dir == app.ToServer {
			k.toServer = false
		} else {
			k.toClient = false
		}
		if !k.toServer && !k.toClient {
			return
		}
	case signatures.StoreFlow:
		k.onward = true
	}
	if c.keeps == nil {
		c.keeps = new([]fileKeep)
	}
	keeps := *c.keeps
	if len(keeps) == maxFileKeeps {
		keeps = keeps[1:]
	}
	*c.keeps = append(keeps, k)
	for _, o := range c.files {
		if g := o.f; k.covers(g.Meta.TxID, g.Meta.Direction) {
			c.markStoring(g)
		}
	}
}

// keepsFile reports whether a filestore request of the connection covers f.
func (c *conn) keepsFile(f *trackedFile) bool {
	if c.keeps == nil {
		return false
	}
	for _, k := range *c.keeps {
		if k.covers(f.Meta.TxID, f.Meta.Direction) {
			return true
		}
	}
	return false
}

// markStoring keeps f at its end, when the store is on.
func (c *conn) markStoring(f *trackedFile) {
	if fs := c.w.scanState(f); fs.spool() != nil {
		fs.store.storing = true
	}
}
