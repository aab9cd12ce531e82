package smb

import "github.com/wirescan/wirescan/engine/app"

// fileID is an SMB2 FileId (persistent + volatile), or an SMB1 FID in its
// first two bytes.
type fileID [fileIDLen]byte

// allOnesFID is the SMB2 FileId a related compound operation uses to mean
// "the file the previous CREATE opened".
var allOnesFID = fileID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// treeKey identifies a tree connect: (session or SMB1 UID, tree id).
type treeKey struct {
	session uint64
	tree    uint32
}

// treeInfo is what a TREE_CONNECT told us about a tree.
type treeInfo struct {
	share string
	pipe  bool
	seq   uint64
}

// fidInfo is what a CREATE told us about a file id.
type fidInfo struct {
	name string
	pipe bool
	seq  uint64
	// durable: the server granted a durable or resilient handle, or the
	// CREATE reconnected one (reconnect); createGUID is a v2 handle's
	// CreateGuid.
	durable, reconnect bool
	createGUID         [16]byte
}

// fidKey scopes a file id by protocol version so SMB1 FIDs and SMB2 FileIds
// cannot collide.
type fidKey struct {
	version uint8
	fid     fileID
}

// fileKey identifies an open file: session, tree, file id and direction.
type fileKey struct {
	version uint8
	session uint64
	tree    uint32
	fid     fileID
	dir     app.Direction
}

// openFile is a file announced to the sink and not yet closed.
type openFile struct {
	h      app.FileHandle
	key    fileKey
	tx     *Tx
	closed bool
	seq    uint64
	// createMsg is the message id of the compound CREATE whose FileId this
	// file will take when it was opened through a related (all-ones) FileId.
	createMsg    uint64
	hasCreateMsg bool
}

// pendKey identifies an outstanding request: SMB2 message id, or SMB1
// (PID, MID) packed into id.
type pendKey struct {
	version uint8
	id      uint64
}

// pending is an outstanding request waiting for its response.
type pending struct {
	seq     uint64
	command uint16
	tx      *Tx
	session uint64
	tree    uint32
	// READ requests (and IOCTL FSCTL_PIPE_TRANSCEIVE: transceive is set)
	transceive bool
	fid        fileID
	offset     uint64
	length     uint32
	createRef  uint64 // message id of the compound CREATE for related reads
	related    bool
	// CREATE and TREE_CONNECT requests
	name     string
	dialects []string
	// durable is what a CREATE request's durable contexts asked for.
	durable durableCtx
	// binding marks a SESSION_SETUP that binds this connection to an
	// existing session (multichannel); resiliency an IOCTL
	// FSCTL_LMR_REQUEST_RESILIENCY on fid.
	binding, resiliency bool
}

// connState is everything the parser remembers about one connection beyond
// framing. All maps are bounded by Config (see evict*).
type connState struct {
	dialect2 uint16
	dialect1 string
	// serverGUID is the NEGOTIATE response's ServerGuid (zero until seen);
	// multiChannel says the connection negotiated SMB 3 multichannel and
	// bound that it was bound to an existing session (the files it carries
	// may belong to opens made on other connections).
	serverGUID   fileID
	multiChannel bool
	bound        bool
	seq          uint64
	nextTxID     uint64
	nextHandle   uint64
	encrypted    bool
	trees        map[treeKey]*treeInfo
	fids         map[fidKey]*fidInfo
	files        map[fileKey]*openFile
	pend         map[pendKey]*pending
	lastCreate   fileID // FileId of the latest successful SMB2 CREATE response
	lastCreated  bool
	chainCreate  uint64 // message id of the latest CREATE request (compound chains)
	chainHas     bool
	// chainSession and chainTree are the ids of the previous request, which
	// a related compound request may inherit (all-ones ids).
	chainSession uint64
	chainTree    uint32
	// DCERPC over named pipes (dcerpc.go): reassemblers per pipe direction;
	// the calls and interfaces are in Parser.dce.
	pipes map[pipeKey]*dcePipe
}

func (c *connState) init() {
	c.trees = make(map[treeKey]*treeInfo)
	c.fids = make(map[fidKey]*fidInfo)
	c.files = make(map[fileKey]*openFile)
	c.pend = make(map[pendKey]*pending)
	c.pipes = make(map[pipeKey]*dcePipe)
}

// dialectName is the connection's dialect as Suricata logs it.
func (c *connState) dialectName() string {
	if c.dialect2 != 0 {
		return smb2DialectName(c.dialect2)
	}
	if c.dialect1 != "" {
		return c.dialect1
	}
	return "unknown"
}

// nextSeq returns a monotonically increasing number used to find the oldest
// table entry deterministically.
func (c *connState) nextSeq() uint64 {
	c.seq++
	return c.seq
}
