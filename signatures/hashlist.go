package signatures

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// hashList is a filemd5/filesha1/filesha256 condition: the file's hash is (or, when
// neg, is not) in the set.
type hashList struct {
	algo string // "md5", "sha1", "sha256"
	neg  bool
	set  map[string]struct{} // lowercase hex
}

// hashHexLen is the hex length of each supported hash.
var hashHexLen = map[string]int{"md5": 32, "sha1": 40, "sha256": 64}

// maxHashLine bounds one line of a hash list.
const maxHashLine = 4096

// loadHashList reads a hash list file named by a rule (relative to the rule file).
func loadHashList(algo, v string, pc *parseCtx) (hashList, error) {
	hl := hashList{algo: algo, set: map[string]struct{}{}}
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "!") {
		hl.neg, v = true, strings.TrimSpace(v[1:])
	}
	name, err := unquote(v)
	if err != nil || name == "" {
		return hl, fmt.Errorf("bad list file name %q", truncate(v))
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(pc.dir, name)
	}
	f, err := os.Open(name)
	if err != nil {
		return hl, fmt.Errorf("hash list: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 256), maxHashLine)
	want := hashHexLen[algo]
	n := 0
	for sc.Scan() {
		n++
		if n > pc.opts.MaxHashListEntries {
			return hl, fmt.Errorf("hash list %s: more than %d lines: %w", name, pc.opts.MaxHashListEntries, ErrLimit)
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		h, _, _ := strings.Cut(strings.ReplaceAll(line, "\t", " "), " ")
		h = strings.ToLower(h)
		if _, err := hex.DecodeString(h); err != nil || len(h) != want {
			return hl, fmt.Errorf("hash list %s:%d: not a %s hash", name, n, algo)
		}
		hl.set[h] = struct{}{}
	}
	if err := sc.Err(); err != nil {
		return hl, fmt.Errorf("hash list %s: %w", name, err)
	}
	return hl, nil
}

// match reports whether the file's hash satisfies the list. A missing hash never
// matches (not even a negated list).
func (h *hashList) match(f *FileFacts) bool {
	var sum []byte
	switch h.algo {
	case "md5":
		sum = f.MD5
	case "sha1":
		sum = f.SHA1
	default:
		sum = f.SHA256
	}
	if len(sum) == 0 {
		return false
	}
	_, in := h.set[hex.EncodeToString(sum)]
	return in != h.neg
}
