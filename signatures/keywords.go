package signatures

import (
	"fmt"
	"strconv"
	"strings"
)

// fileDataBuf is the internal buffer name of file contents.
const fileDataBuf = "file_data"

// stickyBuffers maps sticky-buffer keywords to internal buffer names.
var stickyBuffers = map[string]string{
	"file_data": fileDataBuf, "file.data": fileDataBuf,
	"http.response_body": fileDataBuf, "http.request_body": fileDataBuf,
	"http.uri": "http.uri", "http.uri.raw": "http.uri.raw", "http.host": "http.host",
	"http.method": "http.method", "http.user_agent": "http.user_agent",
	"http.header": "http.header", "http.stat_code": "http.stat_code",
	"http.cookie": "http.cookie", "http.content_type": "http.content_type",
	"http.header.raw": "http.header.raw", "http.host.raw": "http.host.raw",
	"http.stat_msg": "http.stat_msg", "http.protocol": "http.protocol",
	"http.request_line": "http.request_line", "http.response_line": "http.response_line",
	"http.request_header": "http.request_header", "http.response_header": "http.response_header",
	"smb.share": "smb.share", "smb.named_pipe": "smb.named_pipe", "smb_named_pipe": "smb.named_pipe",
	"file.name": "file.name", "file.magic": "file.magic",
	"smb.ntlmssp_user": "smb.ntlmssp_user", "smb.ntlmssp_domain": "smb.ntlmssp_domain",
	"dcerpc.stub_data": stubDataBuf,
}

// legacyModifiers maps content modifiers to the buffer they move the content to.
var legacyModifiers = map[string]string{
	"http_uri": "http.uri", "http_raw_uri": "http.uri.raw", "http_host": "http.host",
	"http_method": "http.method", "http_user_agent": "http.user_agent",
	"http_header": "http.header", "http_stat_code": "http.stat_code",
	"http_client_body": fileDataBuf, "http_server_body": fileDataBuf, "http_cookie": "http.cookie",
	"http_raw_header": "http.header.raw", "http_raw_host": "http.host.raw", "http_stat_msg": "http.stat_msg",
}

// bodyDirection is the direction implied by a body buffer keyword.
var bodyDirection = map[string]int8{
	"http.request_body": 1, "http_client_body": 1,
	"http.response_body": -1, "http_server_body": -1,
}

// option applies one rule option.
func (p *ruleParser) option(o option) error {
	r := p.r
	if b, ok := stickyBuffers[o.name]; ok && !o.hasVal {
		p.cur = b
		if b == stubDataBuf {
			p.r.perDirection = true
		}
		if d, ok := bodyDirection[o.name]; ok {
			p.r.dirTo = d
		}
		return nil
	}
	if t, ok := transformNames[o.name]; ok && !o.hasVal {
		return p.transformOption(o.name, t)
	}
	if b, ok := legacyModifiers[o.name]; ok && !o.hasVal {
		return p.moveLast(b, o.name)
	}
	switch o.name {
	case "msg":
		s, err := unquote(o.val)
		r.Msg = s
		return wrapKw("msg", err)
	case "sid", "rev", "gid", "priority":
		n, err := strconv.Atoi(o.val)
		if err != nil || n < 0 || n > maxSID {
			return fmt.Errorf("keyword %q: bad number %q", o.name, truncate(o.val))
		}
		switch o.name {
		case "sid":
			r.SID, p.hasSID = n, true
		case "rev":
			r.Rev = n
		case "gid":
			r.GID = n
		default:
			p.prio = n
		}
	case "classtype":
		prio, ok := classPriority[o.val]
		if !ok {
			return fmt.Errorf("unknown classtype %q", truncate(o.val))
		}
		r.Classtype = o.val
		r.Priority = prio
	case "metadata":
		if r.Metadata == nil {
			r.Metadata = map[string][]string{}
		}
		for _, kv := range strings.Split(o.val, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), " ")
			if k != "" {
				r.Metadata[k] = append(r.Metadata[k], strings.TrimSpace(v))
			}
		}
	case "reference", "target", "fast_pattern":
		if o.name == "fast_pattern" && p.lastIx < 0 {
			return fmt.Errorf("keyword \"fast_pattern\" without a preceding content")
		}
	case "flow":
		return p.flow(o.val)
	case "filestore":
		return p.filestore(o.val)
	case "flowbits":
		return p.flowbits(o.val)
	case "xbits":
		return p.xbits(o.val)
	case "noalert":
		r.noAlert = true
	case "threshold", "detection_filter":
		return p.threshold(o)
	case "content":
		return p.content(o)
	case "nocase", "offset", "depth", "distance", "within", "startswith", "endswith":
		return p.modifier(o)
	case "isdataat":
		return p.isdataat(o)
	case "bsize":
		sc, err := parseSize(o.val)
		if err != nil {
			return wrapKw("bsize", err)
		}
		return p.add(item{typ: itBsize, size: sc})
	case "pcre":
		return p.pcre(o.val)
	case "filename", "fileext", "filemagic":
		return p.fileString(o)
	case "filesize":
		sc, err := parseSize(o.val)
		if err != nil {
			return wrapKw("filesize", err)
		}
		r.file.size = &sc
		p.fileKw = true
	case "dcerpc.iface", "dcerpc.opnum":
		return p.dcerpcOption(o)
	case "smb.version":
		return p.smbVersion(o.val)
	case "app-layer-event":
		return p.appLayerEvent(o.val)
	case "frame":
		return p.frameOption(o.val)
	case "stream-event":
		return p.streamEvent(o.val)
	case "absent":
		return p.absent(o)
	case "filemd5", "filesha1", "filesha256":
		hl, err := loadHashList(o.name[4:], o.val, p.pc)
		if err != nil {
			return wrapKw(o.name, err)
		}
		r.file.hashes = append(r.file.hashes, hl)
		p.fileKw = true
	default:
		return unsupported("keyword %q", truncate(o.name))
	}
	return nil
}

// wrapKw prefixes err with the keyword.
func wrapKw(kw string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("keyword %q: %w", kw, err)
}

// add appends an item to the active buffer.
func (p *ruleParser) add(it item) error {
	p.nitems++
	if p.nitems > maxItemsPerRule {
		return fmt.Errorf("more than %d content items: %w", maxItemsPerRule, ErrLimit)
	}
	if _, ok := p.bufs[p.cur]; !ok {
		p.order = append(p.order, p.cur)
	}
	p.bufs[p.cur] = append(p.bufs[p.cur], it)
	if it.typ == itContent {
		p.last, p.lastIx = p.cur, len(p.bufs[p.cur])-1
	}
	return nil
}

// content parses content:[!]"...".
func (p *ruleParser) content(o option) error {
	v := o.val
	neg := false
	if strings.HasPrefix(v, "!") {
		neg, v = true, strings.TrimSpace(v[1:])
	}
	b, err := decodeContent(v)
	if err != nil {
		return wrapKw("content", err)
	}
	if len(b) > maxContentLen {
		return fmt.Errorf("content longer than %d bytes: %w", maxContentLen, ErrLimit)
	}
	return p.add(item{typ: itContent, neg: neg, alts: [][]byte{b}})
}

// lastContent returns the most recent content item or an error naming kw.
func (p *ruleParser) lastContent(kw string) (*item, error) {
	if p.lastIx < 0 {
		return nil, fmt.Errorf("keyword %q without a preceding content", kw)
	}
	return &p.bufs[p.last][p.lastIx], nil
}

// moveLast moves the last content to buffer b (legacy http_* modifiers).
func (p *ruleParser) moveLast(b, kw string) error {
	c, err := p.lastContent(kw)
	if err != nil {
		return err
	}
	if p.last != "" {
		return fmt.Errorf("keyword %q after a sticky buffer", kw)
	}
	if p.lastIx != len(p.bufs[""])-1 {
		return fmt.Errorf("keyword %q must follow its content", kw)
	}
	it := *c
	p.bufs[""] = p.bufs[""][:p.lastIx]
	cur := p.cur
	p.cur = b
	p.nitems--
	err = p.add(it)
	p.cur = cur
	if d, ok := bodyDirection[kw]; ok {
		p.r.dirTo = d
	}
	return err
}

// modifier applies a content modifier to the last content.
func (p *ruleParser) modifier(o option) error {
	c, err := p.lastContent(o.name)
	if err != nil {
		return err
	}
	num := func() (int64, error) {
		n, err := strconv.ParseInt(o.val, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("keyword %q: bad number %q", o.name, truncate(o.val))
		}
		return n, nil
	}
	var n int64
	if o.name != "nocase" && o.name != "startswith" && o.name != "endswith" {
		if n, err = num(); err != nil {
			return err
		}
		if n < 0 && o.name != "distance" {
			return fmt.Errorf("keyword %q: negative value %d", o.name, n)
		}
	}
	rel := c.hasDistance || c.hasWithin
	abs := c.hasOffset || c.hasDepth || c.startswith
	switch o.name {
	case "nocase":
		c.nocase = true
	case "offset":
		c.offset, c.hasOffset = n, true
	case "depth":
		if n < int64(len(c.alts[0])) {
			return fmt.Errorf("keyword \"depth\" %d shorter than its content", n)
		}
		c.depth, c.hasDepth = n, true
	case "distance":
		c.distance, c.hasDistance = n, true
	case "within":
		if n < int64(len(c.alts[0])) {
			return fmt.Errorf("keyword \"within\" %d shorter than its content", n)
		}
		c.within, c.hasWithin = n, true
	case "startswith":
		c.startswith = true
	case "endswith":
		c.endswith = true
	}
	rel2 := c.hasDistance || c.hasWithin
	abs2 := c.hasOffset || c.hasDepth || c.startswith
	if (rel || rel2) && (abs || abs2) {
		return fmt.Errorf("keyword %q: cannot mix offset/depth/startswith with distance/within", o.name)
	}
	return nil
}

// isdataat parses isdataat:[!]n[,relative].
func (p *ruleParser) isdataat(o option) error {
	v := o.val
	it := item{typ: itIsdataat}
	if strings.HasPrefix(v, "!") {
		it.neg, v = true, v[1:]
	}
	num, rest, _ := strings.Cut(v, ",")
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 32)
	if err != nil || n < 0 {
		return fmt.Errorf("keyword \"isdataat\": bad number %q", truncate(num))
	}
	it.dataat = n
	switch strings.TrimSpace(rest) {
	case "":
	case "relative":
		it.relative = true
		if p.lastIx < 0 || p.last != p.cur {
			return fmt.Errorf("keyword \"isdataat\" relative without a preceding content")
		}
	case "rawbytes":
	default:
		return unsupported("isdataat option %q", truncate(rest))
	}
	return p.add(it)
}

// flow parses the flow keyword.
func (p *ruleParser) flow(v string) error {
	for _, f := range strings.Split(v, ",") {
		switch strings.TrimSpace(f) {
		case "to_server", "from_client":
			p.r.flow.toServer = true
		case "to_client", "from_server":
			p.r.flow.toClient = true
		case "established":
			p.r.flow.established = true
		case "stateless":
		default:
			return unsupported("flow option %q", truncate(strings.TrimSpace(f)))
		}
	}
	if p.r.flow.toServer && p.r.flow.toClient {
		return fmt.Errorf("flow: both directions given")
	}
	return nil
}

// smbVersion parses smb.version:1|2 as an exact match on the transaction's
// "smb.version" buffer ("1" for SMB1, "2" for SMB2/3).
func (p *ruleParser) smbVersion(v string) error {
	v = strings.TrimSpace(v)
	if v != "1" && v != "2" {
		return fmt.Errorf("keyword \"smb.version\": bad value %q (want 1 or 2)", truncate(v))
	}
	p.r.perDirection = true
	cur, last, lastIx := p.cur, p.last, p.lastIx
	p.cur = "smb.version"
	err := p.add(item{typ: itContent, alts: [][]byte{[]byte(v)}, startswith: true, endswith: true})
	p.cur, p.last, p.lastIx = cur, last, lastIx // not a content for later modifiers
	return err
}

// fileString handles filename/fileext/filemagic as content on file.name/file.magic.
func (p *ruleParser) fileString(o option) error {
	v := o.val
	neg := false
	if strings.HasPrefix(v, "!") {
		neg, v = true, strings.TrimSpace(v[1:])
	}
	if !strings.HasPrefix(v, "\"") {
		v = "\"" + v + "\""
	}
	s, err := unquote(v)
	if err != nil || s == "" {
		return fmt.Errorf("keyword %q: bad value %q", o.name, truncate(o.val))
	}
	it := item{typ: itContent, neg: neg, nocase: true}
	buf := "file.name"
	switch o.name {
	case "fileext":
		s = "." + s
		it.endswith = true
	case "filemagic":
		buf = "file.magic"
	}
	it.alts = [][]byte{[]byte(s)}
	cur, last, lastIx := p.cur, p.last, p.lastIx
	p.cur = buf
	err = p.add(it)
	p.cur, p.last, p.lastIx = cur, last, lastIx // not a content for later modifiers
	p.fileKw = true
	return err
}

// finish classifies the rule and assigns its buffers.
func (p *ruleParser) finish() error {
	r := p.r
	stream := p.bufs[""]
	data := p.bufs[fileDataBuf]
	if len(stream) > 0 && r.Proto == "file" {
		data, stream = stream, nil
	}
	// A rule that inspects files (file_data, or a file keyword or buffer
	// such as fileext, filestore or file.name) and also has raw content is
	// a mixed rule: its raw content is the stream part (mixed.go), never
	// taken for file content or dropped.
	var mixed []item
	if len(stream) > 0 && r.Proto != "tcp-pkt" && (len(data) > 0 || p.fileKw || p.bufs["file.name"] != nil || p.bufs["file.magic"] != nil) {
		mixed, stream = stream, nil
	}
	switch {
	case r.Proto == "tcp-pkt":
		return p.finishPacket(stream)
	case len(data) > 0 || p.fileKw || r.Proto == "file":
		r.kind = kindFile
		r.data = data
	case len(stream) > 0:
		r.kind = kindStream
		r.data = stream
	default:
		r.kind = kindTx
	}
	for _, name := range p.order {
		if name == "" || name == fileDataBuf {
			continue
		}
		bc := bufCond{name: name, items: p.bufs[name], xform: p.xforms[name]}
		if err := validateItems(bc.items, false); err != nil {
			return fmt.Errorf("buffer %s: %w", name, err)
		}
		if name == "file.magic" {
			r.kind = kindFile
			r.file.magic = &bc
			continue
		}
		if name == "file.name" {
			r.kind = kindFile
		}
		r.bufs = append(r.bufs, bc)
	}
	if err := prepareStreamPcre(r.data); err != nil {
		return err
	}
	if err := validateItems(r.data, true); err != nil {
		return err
	}
	if r.kind != kindTx {
		r.dataXform = p.xforms[fileDataBuf]
	}
	for _, x := range r.dataXform {
		if !x.streamable() {
			return unsupported("hash transform on file data")
		}
	}
	// Absolute isdataat and bsize on the streamed buffer are end-of-file facts.
	var keep []item
	for _, it := range r.data {
		switch {
		case it.typ == itBsize:
			sc := it.size
			r.file.bsize = &sc
		case it.typ == itIsdataat && !it.relative:
			r.file.isdataat = append(r.file.isdataat, it)
		default:
			keep = append(keep, it)
		}
	}
	r.data = keep
	r.chunk = r.kind == kindStream && chunkAnchored(r)
	if r.dce != nil {
		r.hdrKey += "|" + r.dce.key()
	}
	if err := p.finishAbsent(); err != nil {
		return err
	}
	if r.event != "" && (r.kind != kindTx || len(r.bufs) > 0) {
		p.eventAsCondition()
	}
	if len(mixed) > 0 {
		return p.splitMixed(mixed)
	}
	return nil
}
