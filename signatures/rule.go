package signatures

import (
	"regexp"

	"github.com/wirescan/wirescan/signatures/thresholdspec"
)

// Rule is one parsed signature: a Suricata rule or a converted ClamAV signature.
// Rules are immutable once compiled into a Set and may be shared by goroutines.
type Rule struct {
	// Action is the Suricata action ("alert"); ClamAV signatures use "alert".
	Action string
	// Proto is the rule protocol: "http", "tcp", "tcp-pkt", "file", "ip",
	// "smb" or "dcerpc".
	Proto string
	// GID, SID and Rev identify the rule as in Suricata's EVE alert object.
	GID, SID, Rev int
	// Msg is the rule message (the signature name for ClamAV).
	Msg string
	// Classtype is the Suricata classtype, "" if none.
	Classtype string
	// Priority comes from the priority keyword, else the classtype, else 3.
	Priority int
	// File and Line locate the rule in its source ("" and 0 for built-in rules).
	File string
	Line int
	// Raw is the rule text as read.
	Raw string
	// Metadata holds the metadata keyword's key/value pairs.
	Metadata map[string][]string
	// Filestore is set when the rule has the filestore keyword; Store says
	// which files it keeps.
	Filestore bool
	Store     StoreSpec
	// Threshold is the rule's threshold: or detection_filter: keyword (a
	// rule has at most one), nil when it has none. The matcher ignores it:
	// engine/threshold applies it to the rule's alerts.
	Threshold *thresholdspec.Spec

	// rawAt is 1 + the byte offset of Raw in File, 0 when unknown (the
	// compiled-set cache then stores the text itself).
	rawAt int64

	// noAlert and perDirection are known without the rest of the parse (a
	// Set loaded from the cache fills ruleBody on first use).
	noAlert      bool // noalert / flowbits:noalert / xbits:noalert: match without an alert
	perDirection bool // see PerDirection

	*ruleBody
}

// ruleBody is what parsing a rule yields beyond its exported fields. A Set
// read from the compiled-set cache sets it only when the rule is first
// needed (Set.crule): read it only through a compiled rule.
type ruleBody struct {
	kind   ruleKind
	hdrKey string // canonical header text, for grouping
	hdr    header
	flow   flowCond
	dirTo  int8 // +1: only bytes going to the server; -1: only to the client; 0: either
	chunk  bool // stream rule with an absolute anchor: Set.MatchChunk (chunk.go)

	bufs []bufCond // protocol buffer conditions (whole buffers)
	data []item    // file_data / stream / packet items, in rule order

	dataXform  []transform // transforms of the file_data buffer
	dataAbsent absentMode  // file.data; absent[: or_else] (see absent.go)
	file       fileCond    // end-of-file conditions
	clam       *clamInfo   // set for ClamAV body signatures
	ldb        *ldbInfo    // set for ClamAV logical signatures

	dce   *dceCond // dcerpc.iface / dcerpc.opnum
	event string   // app-layer-event name ("smb.file_overlap"); MatchEvent only
	// lateTest: an implicit flowbit test that may hold only after the
	// content matched (an app-layer-event besides content, event.go; the
	// stream part of a mixed rule, mixed.go): decided again at End.
	lateTest bool
	// mix is the stream part of a rule mixing stream content and
	// file_data, compiled into Set.mix (mixed.go).
	mix *Rule

	flowbits []flowbitOp // flowbits keywords, in rule order
	xbits    []xbitOp    // xbits keywords, in rule order
}

// NoAlert reports whether the rule's matches are silent (noalert): side
// effects (flowbits, xbits, filestore) happen, but no alert is written.
func (r *Rule) NoAlert() bool { return r.noAlert }

// PerDirection reports whether a transaction or event match of the rule
// counts once per direction the engine evaluates (Suricata inspects such
// buffers both ways: smb.version, dcerpc.*, app-layer-event), rather than
// once per transaction. A caller that evaluates both directions of a
// transaction alerts for each direction that matched when this is true.
func (r *Rule) PerDirection() bool { return r.perDirection }

// ruleKind says where a rule is evaluated.
type ruleKind uint8

const (
	kindTx     ruleKind = iota // only protocol buffers: MatchTransaction
	kindFile                   // file contents or file facts: FileData scanner
	kindStream                 // raw stream contents: Stream scanner
	kindPkt                    // one TCP segment's payload: MatchPacket
)

// flowCond is the flow keyword.
type flowCond struct {
	toServer, toClient, established bool
}

// bufCond is a set of items on one whole buffer ("http.uri", "file.name", ...).
type bufCond struct {
	name   string
	items  []item
	xform  []transform // applied to the buffer before its items
	absent absentMode
}

// itemType distinguishes the items of a buffer's inspection list.
type itemType uint8

const (
	itContent itemType = iota
	itPcre
	itIsdataat
	itBsize
)

// item is one inspection step on a buffer, in rule order.
type item struct {
	typ itemType
	neg bool

	// content (ClamAV elements may carry several alternatives)
	alts                   [][]byte
	nocase                 bool
	offset, depth          int64
	hasOffset, hasDepth    bool
	distance, within       int64
	hasDistance, hasWithin bool
	startswith, endswith   bool
	shift                  int64 // ClamAV: max extra start shift after distance/offset, -1 none
	hasShift               bool
	relative               bool // isdataat/pcre relative to the previous content
	dataat                 int64
	re                     *regexp.Regexp
	pcreSrc                string      // pcre as written ("/re/flags"), for messages
	sp                     *streamPcre // pcre on streamed data (pcre_stream.go)
	size                   sizeCond
}

// fileCond holds conditions that need end-of-file facts.
type fileCond struct {
	size     *sizeCond
	bsize    *sizeCond
	isdataat []item // absolute isdataat on the file data buffer
	hashes   []hashList
	magic    *bufCond
	clamHash *clamHash
}

// needsEnd reports whether the rule can only be decided with end-of-file facts.
func (r *Rule) needsEnd() bool {
	f := &r.file
	if f.size != nil || f.bsize != nil || len(f.isdataat) > 0 || len(f.hashes) > 0 || f.magic != nil || f.clamHash != nil {
		return true
	}
	if r.clam != nil && r.clam.eof {
		return true
	}
	for _, it := range r.data {
		if it.neg || it.endswith || it.typ == itIsdataat {
			return true
		}
	}
	return false
}

// clamInfo carries ClamAV body-signature facts that Suricata rules lack.
type clamInfo struct {
	eof      bool  // offset is EOF-n[,shift]
	eofN     int64 // n
	eofShift int64 // shift (0 when absent)
	lead     int64 // fixed wildcard bytes before the first element
}

// clamHash is a ClamAV .hdb/.hsb signature.
type clamHash struct {
	algo string // "md5", "sha1", "sha256"
	sum  string // lowercase hex
	size int64  // -1 for "*"
}
