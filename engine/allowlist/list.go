package allowlist

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/wirescan/wirescan/internal/lines"
)

// Limits on a hash list.
const (
	// DefaultMaxEntries is Options.MaxEntries when it is 0: 4 Mi hashes,
	// at most 128 MiB of SHA-256 digests.
	DefaultMaxEntries = 4 << 20
	// MaxLineBytes bounds one line (a hash and a file name, as sha256sum
	// writes it); a longer line is an error.
	MaxLineBytes = 64 << 10
	// MaxErrors bounds the errors Parse collects; the last one says how
	// many more there were.
	MaxErrors = 100
)

// Options are a List's limits.
type Options struct {
	// MaxEntries bounds the hashes (MD5 and SHA-256 together) of one
	// list; a longer list is refused with an error naming the line.
	// 0 means DefaultMaxEntries.
	MaxEntries int
}

// List is a set of known-good file hashes. It is immutable once loaded and
// safe for concurrent use; its hit counter is atomic.
type List struct {
	name   string
	md5    [][16]byte // sorted, distinct
	sha256 [][32]byte // sorted, distinct
	hits   atomic.Uint64
}

// Stats describes a list and counts its hits.
type Stats struct {
	// MD5 and SHA256 are the distinct hashes held (gauges).
	MD5, SHA256 int
	// Hits counts Allowed calls that found the file (since Load, or since
	// the list it carried the count from).
	Hits uint64
}

// Load reads the list at path; see Parse.
func Load(path string, opts Options) (*List, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("allowlist: %w", err)
	}
	defer f.Close()
	return Parse(f, path, opts)
}

// Parse reads a hash list: one MD5 (32 hex digits) or SHA-256 (64) per
// line, in either case, optionally followed by white space and a file name
// as md5sum/sha256sum write them ("HASH  name", "HASH *name", and the
// "\HASH  name" of names with escapes), or in their --tag form
// ("SHA256 (name) = HASH"). '#' starts a comment line; blank lines are
// skipped. name is the file name messages cite. All problems are returned
// together as Errors ("allowlist: FILE:LINE: what is wrong"), and then no
// List. Memory is 16 bytes per MD5 and 32 per SHA-256 once loaded (up to
// three times that while loading): under half the file's size.
func Parse(r io.Reader, name string, opts Options) (*List, error) {
	if opts.MaxEntries < 0 {
		return nil, fmt.Errorf("allowlist: max entries must not be negative, got %d", opts.MaxEntries)
	}
	if opts.MaxEntries == 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	l := &List{name: name}
	errs := lines.NewCollector("allowlist", name, MaxErrors)
	fail := errs.Add
	lr := lines.NewReader(r, MaxLineBytes)
	for {
		line, n, long, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("allowlist: %s: %w", name, err)
		}
		if long {
			fail(n, "line longer than %d bytes", MaxLineBytes)
			continue
		}
		h, err := hashOf(line)
		if err != nil {
			fail(n, "%v", err)
			continue
		}
		if h == "" {
			continue
		}
		if len(l.md5)+len(l.sha256) == opts.MaxEntries {
			fail(n, "more than %d hashes (raise the limit or split the list)", opts.MaxEntries)
			break
		}
		var b [32]byte
		hex.Decode(b[:], []byte(h)) // checked by hashOf
		if len(h) == 32 {
			l.md5 = append(l.md5, [16]byte(b[:16]))
		} else {
			l.sha256 = append(l.sha256, b)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	l.md5 = sortDistinct(l.md5, cmp16)
	l.sha256 = sortDistinct(l.sha256, cmp32)
	return l, nil
}

// sortDistinct sorts s, drops duplicates and returns it in a slice of its
// exact size (loading grew it by doubling).
func sortDistinct[H [16]byte | [32]byte](s []H, cmp func(a, b H) int) []H {
	slices.SortFunc(s, cmp)
	s = slices.Compact(s)
	return append(make([]H, 0, len(s)), s...)
}

func cmp16(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) }
func cmp32(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) }

// hashOf returns the lowercase hex hash a line names, "" for a blank or
// comment line.
func hashOf(line []byte) (string, error) {
	s := strings.TrimSpace(string(line))
	if s == "" || s[0] == '#' {
		return "", nil
	}
	if tag, rest, ok := strings.Cut(s, " ("); ok && isTag(tag) {
		// --tag form: "SHA256 (name) = HASH".
		i := strings.LastIndex(rest, ") = ")
		if i < 0 {
			return "", fmt.Errorf("bad %s line: want %q", tag, tag+" (name) = HASH")
		}
		want, ok := hexLen[tag]
		if !ok {
			return "", fmt.Errorf("%s hashes are not supported; want MD5 or SHA-256", tag)
		}
		s = strings.TrimSpace(rest[i+4:])
		h, err := checkHex(s)
		if err == nil && len(h) != want {
			err = fmt.Errorf("bad %s hash %q: want %d hex digits, got %d", tag, short(s), want, len(s))
		}
		return h, err
	}
	s = strings.TrimPrefix(s, "\\") // md5sum marks a name with escapes so
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		s = s[:i] // the file name follows
	}
	return checkHex(s)
}

// hexLen is the hex length of each --tag algorithm this list holds.
var hexLen = map[string]int{"MD5": 32, "SHA256": 64}

func isTag(s string) bool {
	switch s {
	case "MD5", "SHA256", "SHA1", "SHA224", "SHA384", "SHA512", "BLAKE2b":
		return true
	}
	return false
}

// checkHex checks that s is an MD5 or SHA-256 in hex and returns it in
// lowercase.
func checkHex(s string) (string, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return "", fmt.Errorf("bad hash %q: %q at %d is not a hex digit", short(s), s[i:i+1], i+1)
		}
	}
	switch len(s) {
	case 32, 64:
		return strings.ToLower(s), nil
	case 40:
		return "", fmt.Errorf("bad hash %q: SHA-1 is not supported; want MD5 (32 hex digits) or SHA-256 (64)", short(s))
	}
	return "", fmt.Errorf("bad hash %q: want MD5 (32 hex digits) or SHA-256 (64), got %d", short(s), len(s))
}

// Contains reports whether the file with these digests is in the list:
// its MD5 (16 bytes) or its SHA-256 (32 bytes) is listed. A digest of
// another length (nil: not computed) is not looked up. Contains allocates
// nothing and counts nothing.
func (l *List) Contains(md5, sha256 []byte) bool {
	if l == nil {
		return false
	}
	if len(sha256) == 32 && len(l.sha256) > 0 {
		if _, ok := slices.BinarySearchFunc(l.sha256, [32]byte(sha256), cmp32); ok {
			return true
		}
	}
	if len(md5) == 16 && len(l.md5) > 0 {
		if _, ok := slices.BinarySearchFunc(l.md5, [16]byte(md5), cmp16); ok {
			return true
		}
	}
	return false
}

// Allowed is Contains that also counts the hit in Stats.Hits, for the
// engine's alert path: an alert on an allowed file is dropped and counted.
func (l *List) Allowed(md5, sha256 []byte) bool {
	if !l.Contains(md5, sha256) {
		return false
	}
	l.hits.Add(1)
	return true
}

// Stats returns the list's size and hit count. It is zero for a nil list.
func (l *List) Stats() Stats {
	if l == nil {
		return Stats{}
	}
	return Stats{MD5: len(l.md5), SHA256: len(l.sha256), Hits: l.hits.Load()}
}

// Carry adds prev's hit count to l after a reload, so the metric stays
// monotonic. Call it before l is used.
func (l *List) Carry(prev *List) {
	if prev != nil && prev != l {
		l.hits.Add(prev.hits.Load())
	}
}

// Name is the file the list was read from.
func (l *List) Name() string { return l.name }

// Error is one problem in a hash list: where it is and what is wrong
// ("allowlist: FILE:LINE: what is wrong").
type Error = lines.Error

// Errors is every problem found in one list, in line order.
type Errors = lines.Errors

// short shortens hostile text quoted in messages.
func short(s string) string {
	if len(s) > 72 {
		return s[:72] + "..."
	}
	return s
}
