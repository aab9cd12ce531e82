package smb

import (
	"encoding/binary"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/dcerpc"
)

// fileRef is what a READ/WRITE handler knows about the file it moves.
type fileRef struct {
	version uint8
	session uint64
	tree    uint32
	fid     fileID
	dir     app.Direction
	command uint16
	fuid    string
	// createMsg links a related compound WRITE to its CREATE (see openFile).
	createMsg    uint64
	hasCreateMsg bool
	name         string
	hasName      bool
}

// fileFor returns the open file for ref, opening it on the sink when this is
// its first data. It returns nil when the bytes are not a file: a named pipe,
// DCERPC traffic on a tree we never saw, or the open-file limit was reached.
// probe is the first available data bytes, used to recognise DCERPC.
func (p *Parser) fileFor(ref fileRef, probe []byte) *openFile {
	key := fileKey{version: ref.version, session: ref.session, tree: ref.tree, fid: ref.fid, dir: ref.dir}
	if f := p.conn.files[key]; f != nil {
		return f
	}
	tree, treeKnown := p.conn.trees[treeKey{ref.session, ref.tree}]
	if treeKnown && tree.pipe {
		return nil
	}
	fi := p.conn.fids[fidKey{ref.version, ref.fid}]
	if fi != nil && fi.pipe {
		return nil
	}
	if !treeKnown && dcerpc.LooksLike(probe) {
		// Midstream: no TREE_CONNECT seen, and the payload is DCERPC, so this
		// is a named pipe. Remember that for the next messages.
		p.addTree(treeKey{ref.session, ref.tree}, &treeInfo{pipe: true})
		return nil
	}
	if len(p.conn.files) >= p.cfg.MaxOpenFiles {
		// The oldest open file ends TRUNCATED so the new one is seen: a
		// session that leaves files open must not blind the sensor to the
		// files that follow on it.
		p.anomaly(ref.dir, AnomalyTooManyFiles)
		p.evictOldestFile()
	}
	name := ref.name
	if !ref.hasName && fi != nil {
		name = fi.name
	}
	tx := p.newTx(ref.version, ref.command, txFile, ref.session, ref.tree)
	tx.filename = name
	tx.fuid = ref.fuid
	if treeKnown {
		tx.share = tree.share
	}
	p.conn.nextHandle++
	f := &openFile{
		h: app.FileHandle(p.conn.nextHandle), key: key, tx: tx, seq: p.conn.nextSeq(),
		createMsg: ref.createMsg, hasCreateMsg: ref.hasCreateMsg,
	}
	p.conn.files[key] = f
	p.stats.Files++
	p.sink.FileOpen(f.h, app.FileMeta{Direction: ref.dir, Name: name, TxID: tx.id - 1, Size: -1, Tx: tx,
		SMB: p.openIdentity(ref, fi)})
	return f
}

// openIdentity is the identity of the SMB 2/3 open a file belongs to (see
// app.SMBOpen), nil for SMB1 and for a related compound's all-ones FileId
// (which names no open until its CREATE answers).
func (p *Parser) openIdentity(ref fileRef, fi *fidInfo) *app.SMBOpen {
	if ref.version != 2 || ref.fid == allOnesFID {
		return nil
	}
	o := &app.SMBOpen{ServerGUID: p.conn.serverGUID, SessionID: ref.session,
		PersistentFileID: binary.LittleEndian.Uint64(ref.fid[:8]),
		MultiChannel:     p.conn.multiChannel, Bound: p.conn.bound}
	if fi != nil {
		o.Durable, o.Reconnect, o.CreateGUID = fi.durable, fi.reconnect, fi.createGUID
	}
	return o
}

// deliver hands file bytes to the sink; bytes for a closed file are dropped.
func (p *Parser) deliver(f *openFile, off int64, b []byte) {
	if f == nil || f.closed || len(b) == 0 {
		return
	}
	if f.key.dir == app.ToClient {
		p.stats.ReadBytes += uint64(len(b))
	} else {
		p.stats.WriteBytes += uint64(len(b))
	}
	p.sink.FileData(f.h, off, b)
}

// deliverTo hands message data to its pipe, or else to its file.
func (p *Parser) deliverTo(f *openFile, pp *dcePipe, off int64, b []byte) {
	if pp != nil {
		p.pipeData(pp, b)
		return
	}
	p.deliver(f, off, b)
}

// deliverGap reports n lost file bytes at off.
func (p *Parser) deliverGap(f *openFile, off, n int64) {
	if f == nil || f.closed || n <= 0 {
		return
	}
	p.sink.FileGap(f.h, off, n)
}

// evictOldestFile ends the connection's oldest open file, TRUNCATED, to
// make room for a new one (Config.MaxOpenFiles); the scan is bounded by
// that limit.
func (p *Parser) evictOldestFile() {
	var oldest *openFile
	for _, f := range p.conn.files {
		if oldest == nil || f.seq < oldest.seq {
			oldest = f
		}
	}
	if oldest != nil {
		p.stats.Evictions++
		p.closeFile(oldest, true)
	}
}

// closeFile ends a file on the sink and reports its transaction.
func (p *Parser) closeFile(f *openFile, truncated bool) {
	if f.closed {
		return
	}
	f.closed = true
	delete(p.conn.files, f.key)
	p.sink.FileClose(f.h, truncated)
	p.report(f.key.dir, f.tx)
}

// closeFID closes the files (both directions) of a file id on CLOSE; the
// file transaction's status becomes STATUS_SUCCESS as Suricata logs it.
func (p *Parser) closeFID(version uint8, session uint64, tree uint32, fid fileID) {
	for _, d := range [2]app.Direction{app.ToServer, app.ToClient} {
		k := fileKey{version: version, session: session, tree: tree, fid: fid, dir: d}
		f := p.conn.files[k]
		if f == nil {
			f = p.findFileByFID(version, session, fid, d)
		}
		if f != nil {
			f.tx.setNTStatus(statusSuccess)
			p.closeFile(f, false)
		}
	}
}

// findFileByFID finds an open file by session and file id when the tree id
// differs (async responses carry no tree id). The scan is bounded by
// MaxOpenFiles.
func (p *Parser) findFileByFID(version uint8, session uint64, fid fileID, d app.Direction) *openFile {
	for k, f := range p.conn.files {
		if k.version == version && k.session == session && k.fid == fid && k.dir == d {
			return f
		}
	}
	return nil
}

// rekeyRelated gives files opened through a related (all-ones) FileId the
// real FileId that the CREATE with message id msg returned.
func (p *Parser) rekeyRelated(msg uint64, fid fileID, fuid string) {
	for k, f := range p.conn.files {
		if !f.hasCreateMsg || f.createMsg != msg || k.fid != allOnesFID {
			continue
		}
		delete(p.conn.files, k)
		k.fid = fid
		f.key = k
		f.hasCreateMsg = false
		f.tx.fuid = fuid
		if old := p.conn.files[k]; old != nil {
			p.closeFile(old, false)
		}
		p.conn.files[k] = f
	}
}
