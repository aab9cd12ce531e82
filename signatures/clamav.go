package signatures

import (
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// ClamAV signatures become Rules with GID 1 and a SID in
// [ClamSIDBase, ClamSIDBase+ClamSIDSpan), derived from the signature name with
// FNV-1a, so a name keeps its SID across reloads and machines. Two names may
// collide; Load then warns and keeps the first.
const (
	ClamSIDBase = 1_000_000_000
	ClamSIDSpan = 1_000_000_000
)

// clamSID returns the SID of a ClamAV signature name.
func clamSID(name string) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return ClamSIDBase + int(h.Sum32()%ClamSIDSpan)
}

// anyHeader is the header of converted ClamAV signatures.
func anyHeader() header {
	return header{src: addrSet{any: true}, dst: addrSet{any: true}, sport: portSet{any: true}, dport: portSet{any: true}}
}

// newClamRule returns a file rule named after a ClamAV signature.
func newClamRule(name, raw string) *Rule {
	return &Rule{Action: "alert", Proto: "file", GID: 1, SID: clamSID(name), Rev: 1, Msg: name,
		Priority: 3, Raw: raw, ruleBody: &ruleBody{kind: kindFile, hdr: anyHeader(), hdrKey: "file any any -> any any"}}
}

// parseHashSig parses one .hdb/.hsb line "hash:size:name[:flevel...]".
func parseHashSig(line string) (*Rule, error) {
	f := strings.Split(line, ":")
	if len(f) < 3 {
		return nil, fmt.Errorf("hash signature needs hash:size:name")
	}
	sum := strings.ToLower(strings.TrimSpace(f[0]))
	var algo string
	switch len(sum) {
	case 32:
		algo = "md5"
	case 40:
		algo = "sha1"
	case 64:
		algo = "sha256"
	default:
		return nil, fmt.Errorf("hash of %d hex digits is not md5, sha1 or sha256", len(sum))
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return nil, fmt.Errorf("hash is not hex")
	}
	size := int64(-1)
	if f[1] != "*" {
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("bad size %q", truncate(f[1]))
		}
		size = n
	}
	name := strings.TrimSpace(f[2])
	if name == "" {
		return nil, fmt.Errorf("empty signature name")
	}
	r := newClamRule(name, line)
	r.file.clamHash = &clamHash{algo: algo, sum: sum, size: size}
	return r, nil
}

// parseNDB parses one .ndb line "name:target:offset:hexsig[:minFL[:maxFL]]".
func parseNDB(line string) (*Rule, error) {
	f := strings.Split(line, ":")
	if len(f) < 4 || len(f) > 6 {
		return nil, fmt.Errorf("ndb signature needs name:target:offset:hexsig[:minfl[:maxfl]]")
	}
	name := strings.TrimSpace(f[0])
	if name == "" {
		return nil, fmt.Errorf("empty signature name")
	}
	switch f[1] {
	case "0", "7":
	default:
		return parseNDBAsLogical(name, line, f[1], f[2], f[3])
	}
	if off := f[2]; strings.HasPrefix(off, "EP") || strings.HasPrefix(off, "S") {
		return parseNDBAsLogical(name, line, f[1], off, f[3])
	}
	items, lead, err := parseHexSig(f[3])
	if err != nil {
		return nil, err
	}
	info := &clamInfo{lead: lead}
	first := &items[0]
	first.offset = lead
	off := f[2]
	switch {
	case off == "*":
	case strings.HasPrefix(off, "EOF-"):
		n, shift, err := parseOffset(off[4:])
		if err != nil {
			return nil, err
		}
		info.eof, info.eofN, info.eofShift = true, n, shift
	case off != "" && off[0] >= '0' && off[0] <= '9':
		n, shift, err := parseOffset(off)
		if err != nil {
			return nil, err
		}
		first.offset, first.hasShift, first.shift = n+lead, true, shift
	default:
		return nil, unsupported("ndb offset %q", truncate(off))
	}
	r := newClamRule(name, line)
	r.data = items
	r.clam = info
	return r, nil
}

// parseOffset parses "n" or "n,shift".
func parseOffset(s string) (n, shift int64, err error) {
	a, b, has := strings.Cut(s, ",")
	n, err = strconv.ParseInt(a, 10, 32)
	if err != nil || n < 0 {
		return 0, 0, fmt.Errorf("bad offset %q", truncate(s))
	}
	if has {
		shift, err = strconv.ParseInt(b, 10, 32)
		if err != nil || shift < 0 {
			return 0, 0, fmt.Errorf("bad offset shift %q", truncate(s))
		}
	}
	return n, shift, nil
}

// parseNDBAsLogical parses an .ndb signature that needs the file's headers
// (a target other than 0 and 7, a PE-relative offset) as the logical
// signature "name;Target:t;0;offset:hexsig", which is what it means.
func parseNDBAsLogical(name, line, target, off, sig string) (*Rule, error) {
	info := &ldbInfo{target: -1}
	if err := info.parseTDB("Target:" + target); err != nil {
		if errors.Is(err, ErrUnsupported) {
			return nil, err
		}
		return nil, fmt.Errorf("bad ndb target %q", truncate(target))
	}
	if strings.ContainsAny(sig, ":/$") {
		return nil, fmt.Errorf("invalid character in hex signature %q", truncate(sig))
	}
	sub, items, err := parseLdbSubsig(off + ":" + sig)
	if err != nil {
		return nil, err
	}
	sub.nitems = len(items)
	info.subs = []ldbSub{sub}
	info.expr = &lnode{}
	info.monotone = true
	r := newClamRule(name, line)
	r.data = items
	r.ldb = info
	return r, nil
}
