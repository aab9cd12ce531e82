package smb

// SMB1 TRANS2 (MS-CIFS 2.2.4.46) and NT_TRANSACT (2.2.4.62) subcommands that
// name, size, rename or delete files, and open them on clients that never
// use NT_CREATE_ANDX:
//
//   - TRANS2_OPEN2 and NT_TRANSACT_CREATE: CREATE transactions binding a
//     FID to its name, like NT_CREATE_ANDX.
//   - TRANS2_QUERY_PATH_INFORMATION / QUERY_FILE_INFORMATION: the file
//     name and, from the response, its size (end of file).
//   - TRANS2_SET_FILE_INFORMATION / SET_PATH_INFORMATION: renames and
//     delete dispositions, logged as Suricata logs them.
//
// Parameters and data are read where they lie in the buffered start of the
// message (Config.MaxHeaderBuffer); a subcommand whose parameters lie beyond
// it is a generic transaction.

// TRANS2 subcommands.
const (
	trans2Open2         = 0x00
	trans2QueryPathInfo = 0x05
	trans2SetPathInfo   = 0x06
	trans2QueryFileInfo = 0x07
	trans2SetFileInfo   = 0x08
	ntTransactCreate    = 0x01
)

// Information levels: SMB_QUERY_FILE_STANDARD_INFO, SMB_QUERY_FILE_ALL_INFO
// and SMB_SET_FILE_DISPOSITION_INFO, SMB_INFO_STANDARD, and the pass-through
// levels (the SMB2 class plus passthroughLevel).
const (
	levelInfoStandard      = 0x001
	levelQueryStandardInfo = 0x102
	levelQueryAllInfo      = 0x107
	levelSetDispositionOld = 0x102
	passthroughLevel       = 1000
	fileStandardInfo       = 5
	fileAllInfo            = 18
)

// trans2SubcmdName is Suricata's "subcmd" spelling.
func trans2SubcmdName(sub uint16) string {
	switch sub {
	case trans2SetFileInfo:
		return "SET_FILE_INFO"
	case trans2SetPathInfo:
		return "SET_PATH_INFO"
	case trans2QueryPathInfo:
		return "QUERY_PATH_INFO"
	case trans2QueryFileInfo:
		return "QUERY_FILE_INFO"
	}
	return ""
}

// transSection returns the bytes of a parameter or data section of the
// buffered message, or ok=false when it lies (partly) beyond it.
func (c *cmd1) transSection(off, n int) ([]byte, bool) {
	if off < smb1HeaderLen || n < 0 || off+n > len(c.mb) {
		return nil, false
	}
	return c.mb[off : off+n], true
}

// trans2Req1 opens the transaction of a TRANS2 request.
func (p *Parser) trans2Req1(c *cmd1) {
	b := c.blk
	if b.wc < 15 {
		p.genericReq1(c)
		return
	}
	sub := b.w16(28)
	poff := int(b.w16(20))
	params, ok := c.transSection(poff, int(b.w16(18)))
	if !ok {
		p.genericReq1(c)
		return
	}
	data, dataOK := c.transSection(int(b.w16(24)), int(b.w16(22)))
	session, tree := uint64(c.h.uid), uint32(c.h.tid)
	name := func(at int) string {
		if at > len(params) {
			return ""
		}
		r := strReader{b: params[at:], base: poff + at, unicode: c.h.unicode()}
		return r.next()
	}
	var tx *Tx
	pd := &pending{command: smb1Trans2, session: session, tree: tree}
	switch sub {
	case trans2Open2:
		tx = p.newTx(1, smb1Trans2, txCreate, session, tree)
		tx.disposition = dispositionOpen
		tx.filename = name(28)
		pd.name = tx.filename
	case trans2QueryPathInfo, trans2QueryFileInfo:
		tx = p.newTx(1, smb1Trans2, txQueryInfo, session, tree)
		if sub == trans2QueryPathInfo && len(params) >= 6 {
			tx.infoLevel = le16At(params, 0)
			tx.filename = name(6)
		} else if len(params) >= 4 {
			fid := le16At(params, 0)
			tx.infoLevel = le16At(params, 2)
			tx.fuid = fid1String(fid)
			if fi := p.conn.fids[fidKey{1, fid1(fid)}]; fi != nil {
				tx.filename = fi.name
			}
		}
	case trans2SetFileInfo, trans2SetPathInfo:
		var target string
		var fid uint16
		switch {
		case sub == trans2SetFileInfo && len(params) >= 4:
			fid = le16At(params, 0)
			if fi := p.conn.fids[fidKey{1, fid1(fid)}]; fi != nil {
				target = fi.name
			}
		case sub == trans2SetPathInfo && len(params) >= 6:
			target = name(6)
		default:
			p.anomaly(c.dir, AnomalyMalformed)
			p.genericReq1(c)
			return
		}
		level := le16At(params, 2)
		if sub == trans2SetPathInfo {
			level = le16At(params, 0)
		}
		tx = p.setInfo1(c, sub, level, target, fid, data, dataOK)
	}
	if tx == nil {
		p.genericReq1(c)
		return
	}
	tx.subcmd = sub
	pd.tx = tx
	p.addPending(c.h.pendKey(c.idx), pd)
}

// setInfo1 builds the transaction of a SET_FILE/SET_PATH_INFORMATION:
// renames and delete dispositions (pass-through or SMB_SET_FILE_DISPOSITION
// levels); nil for other levels (a generic transaction).
func (p *Parser) setInfo1(c *cmd1, sub, level uint16, target string, fid uint16, data []byte, dataOK bool) *Tx {
	session, tree := uint64(c.h.uid), uint32(c.h.tid)
	switch {
	case level == passthroughLevel+fileRenameInformation && dataOK && len(data) >= 12:
		n := int(le32At(data, 8))
		if n > len(data)-12 {
			n = len(data) - 12
		}
		tx := p.newTx(1, smb1Trans2, txRename, session, tree)
		tx.renameFrom = target
		tx.renameTo = decodeName(data[12:12+n], c.h.unicode())
		tx.fuid = fid1String(fid)
		if fi := p.conn.fids[fidKey{1, fid1(fid)}]; fi != nil && sub == trans2SetFileInfo {
			fi.name = tx.renameTo
		}
		return tx
	case (level == passthroughLevel+fileDispositionInformation || level == levelSetDispositionOld) && dataOK && len(data) >= 1:
		tx := p.newTx(1, smb1Trans2, txSetFileInfo, session, tree)
		tx.filename = target
		tx.deleteOnClose = data[0] != 0
		tx.infoLevel = level
		tx.fuid = fid1String(fid)
		return tx
	}
	return nil
}

// trans2Resp1 completes a TRANS2 transaction from its response: the FID of
// an OPEN2, the size a QUERY returned.
func (p *Parser) trans2Resp1(c *cmd1, pd *pending) {
	b := c.blk
	tx := pd.tx
	if c.h.status != 0 || b.wc < 10 || tx == nil {
		return
	}
	params, pok := c.transSection(int(b.w16(8)), int(b.w16(6)))
	data, dok := c.transSection(int(b.w16(14)), int(b.w16(12)))
	switch {
	case tx.kind == txCreate:
		if pok && len(params) >= 12 {
			fid := le16At(params, 0)
			tx.size = uint64(le32At(params, 8))
			tx.fuid = fid1String(fid)
			p.bindFID1(c, fid, pd.name)
		}
	case tx.kind == txQueryInfo:
		if dok {
			tx.size, tx.sizeSet = querySize(tx.infoLevel, data)
		}
	}
}

// querySize finds the end of file in a QUERY_*_INFORMATION response's data
// for the information levels that carry it.
func querySize(level uint16, d []byte) (uint64, bool) {
	at := -1
	switch level {
	case levelInfoStandard, 2: // SMB_INFO_STANDARD, SMB_INFO_QUERY_EA_SIZE
		if len(d) >= 16 {
			return uint64(le32At(d, 12)), true
		}
	case levelQueryStandardInfo, passthroughLevel + fileStandardInfo:
		at = 8
	case levelQueryAllInfo, passthroughLevel + fileAllInfo:
		at = 48 // after the basic information (4 times, attributes, pad)
	}
	if at >= 0 && len(d) >= at+8 {
		return uint64(le32At(d, at)) | uint64(le32At(d, at+4))<<32, true
	}
	return 0, false
}

// ntTransReq1 opens the transaction of an NT_TRANSACT request;
// NT_TRANSACT_CREATE is a CREATE naming the FID of its response.
func (p *Parser) ntTransReq1(c *cmd1) {
	b := c.blk
	if b.wc < 19 || b.w16(36) != ntTransactCreate {
		p.genericReq1(c)
		return
	}
	poff := int(b.w32(23))
	params, ok := c.transSection(poff, int(b.w32(19)))
	if !ok || len(params) < 53 {
		p.genericReq1(c)
		return
	}
	session, tree := uint64(c.h.uid), uint32(c.h.tid)
	tx := p.newTx(1, smb1NTTrans, txCreate, session, tree)
	tx.disposition = le32At(params, 28)
	opts := le32At(params, 32)
	tx.deleteOnClose = opts&createOptDeleteOnClose != 0
	tx.directory = opts&createOptDirectory != 0
	n := int(le32At(params, 44))
	at := 53
	if c.h.unicode() && (poff+at)%2 == 1 {
		at++
	}
	if at < len(params) {
		tx.filename = decodeName(params[at:min(len(params), at+max(n, 0))], c.h.unicode())
	}
	p.addPending(c.h.pendKey(c.idx), &pending{command: smb1NTTrans, tx: tx, session: session, tree: tree, name: tx.filename})
}

// ntTransResp1 binds the FID of an NT_TRANSACT_CREATE response.
func (p *Parser) ntTransResp1(c *cmd1, pd *pending) {
	b := c.blk
	tx := pd.tx
	if c.h.status != 0 || b.wc < 18 || tx == nil || tx.kind != txCreate {
		return
	}
	params, ok := c.transSection(int(b.w32(15)), int(b.w32(11)))
	if !ok || len(params) < 64 {
		return
	}
	fid := le16At(params, 2)
	tx.created = windowsTime(le64At(params, 12))
	tx.accessed = windowsTime(le64At(params, 20))
	tx.modified = windowsTime(le64At(params, 28))
	tx.changed = windowsTime(le64At(params, 36))
	tx.size = le64At(params, 56)
	tx.timesSet = true
	tx.fuid = fid1String(fid)
	p.bindFID1(c, fid, pd.name)
}

func le16At(b []byte, i int) uint16 { return uint16(b[i]) | uint16(b[i+1])<<8 }
func le32At(b []byte, i int) uint32 {
	return uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24
}
func le64At(b []byte, i int) uint64 { return uint64(le32At(b, i)) | uint64(le32At(b, i+4))<<32 }
