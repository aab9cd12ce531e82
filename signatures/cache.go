package signatures

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wirescan/wirescan/signatures/internal/flat"
)

// Cache stores compiled Sets on disk, as Suricata 7 caches its Hyperscan
// databases, so that loading the same rules again costs a read instead of a
// parse and compile. An entry is keyed by a SHA-256 of everything that
// decides the compiled Set: the cache format version, the wirescan build,
// the Options, and the name and bytes of every rule file (contents, never
// modification times). Hash-list files named by rules (filemd5, ...) are
// read again at every load, so their changes need no key.
//
// An entry is verified when read (magic, format version, key, length,
// CRC-32C of the payload, then every size and index); a corrupt, truncated
// or mismatched entry is removed, the rules are compiled as if there were
// no cache, the entry is rewritten and CacheStats.Rebuilt counts it: a bad
// entry costs time, never a wrong result. Entries are written to a
// temporary file and renamed into place, so readers never see half an
// entry. After each write the oldest entries (by last use) are removed
// until the directory holds at most MaxBytes.
//
// A Cache is safe for concurrent use, also by several processes sharing the
// directory.
type Cache struct {
	dir      string
	maxBytes int64
	build    string // identifies the wirescan build (part of every key)

	hits, misses, rebuilt, writes, writeErrors, evicted atomic.Uint64
}

// CacheStats counts what a Cache did since it was created.
type CacheStats struct {
	// Hits counts loads answered from an entry; Misses loads that found
	// none; Rebuilt loads that found a corrupt, truncated or mismatched
	// entry and compiled instead.
	Hits, Misses, Rebuilt uint64
	// Writes counts entries written, WriteErrors failed writes (the load
	// still succeeds), Evicted entries removed to stay within MaxBytes.
	Writes, WriteErrors, Evicted uint64
}

// DefaultCacheBytes is the default bound of a cache directory.
const DefaultCacheBytes = 1 << 30

// cacheFormat changes whenever the cached form, or what parsing and
// compiling make of the same rules, changes in a way the build identity
// would not show.
const cacheFormat = 12 // 9: blurred prefilter window keys; 10: one probe bit in L2-sized filters; 11: probe bits serialised; 12: the digests hash rules compare

// cacheMagic starts every entry.
const cacheMagic = "WSRULES\x00"

// cacheHeaderLen is magic, format, key, payload length and CRC.
const cacheHeaderLen = 8 + 8 + 32 + 8 + 8

// maxCacheSource bounds the rule bytes read into memory to key an entry;
// larger rule sets load without the cache.
const maxCacheSource = 1 << 30

// NewCache returns a cache in dir (created when first written) holding at
// most maxBytes (DefaultCacheBytes when 0 or less).
func NewCache(dir string, maxBytes int64) *Cache {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	return &Cache{dir: dir, maxBytes: maxBytes, build: buildIdentity()}
}

// DefaultCacheDir returns the default cache directory: wirescan under the
// user's cache directory (os.UserCacheDir).
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("signatures: no cache directory: %w", err)
	}
	return filepath.Join(d, "wirescan"), nil
}

// Dir returns the cache directory.
func (c *Cache) Dir() string { return c.dir }

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Rebuilt: c.rebuilt.Load(),
		Writes: c.writes.Load(), WriteErrors: c.writeErrors.Load(), Evicted: c.evicted.Load()}
}

// buildIdentity names the running wirescan build: module version and VCS
// revision, plus the executable's size and time when the revision is
// unknown or the tree was modified (a development build).
func buildIdentity() string {
	id := runtime.GOARCH
	clean := false
	if bi, ok := debug.ReadBuildInfo(); ok {
		id += "|" + bi.Main.Path + "@" + bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				id += "|" + s.Value
				clean = true
			case "vcs.modified":
				if s.Value == "true" {
					clean = false
				}
			}
		}
	}
	if !clean {
		if exe, err := os.Executable(); err == nil {
			if fi, err := os.Stat(exe); err == nil {
				id += fmt.Sprintf("|%s|%d|%d", exe, fi.Size(), fi.ModTime().UnixNano())
			}
		}
	}
	return id
}

// source is one rule file read into memory.
type source struct {
	path string
	data []byte
}

// key returns the entry key of loading srcs with opts.
func (c *Cache) key(srcs []source, opts Options) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "wirescan rules cache %d\n%s\n", cacheFormat, c.build)
	fmt.Fprintf(h, "strict=%v lines=%d rules=%d states=%d dense=%d warns=%d hashes=%d positions=%d filter=%d stride=%d\n",
		opts.Strict, opts.MaxLineBytes, opts.MaxRules, opts.MaxStates, opts.DenseBytes, opts.MaxWarnings,
		opts.MaxHashListEntries, opts.positions, testFilter, testStride)
	vars := make([]string, 0, len(opts.Vars))
	for k, v := range opts.Vars {
		vars = append(vars, k+"="+v)
	}
	sort.Strings(vars)
	fmt.Fprintf(h, "vars %d\n%s\n", len(vars), strings.Join(vars, "\n"))
	for _, s := range srcs {
		fmt.Fprintf(h, "file %q %d\n", s.path, len(s.data))
		h.Write(s.data)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// path returns the entry file of key.
func (c *Cache) path(key [32]byte) string {
	return filepath.Join(c.dir, hex.EncodeToString(key[:])+".wsc")
}

// errCacheMiss is get's result when there is no entry.
var errCacheMiss = errors.New("no entry")

// get reads and verifies the entry of key, returning its payload (8-aligned).
func (c *Cache) get(key [32]byte) ([]byte, error) {
	f, err := os.Open(c.path(key))
	if err != nil {
		return nil, errCacheMiss // absent, or a directory we can't read: as if absent
	}
	defer f.Close()
	var hdr [cacheHeaderLen]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if string(hdr[:8]) != cacheMagic || binary.LittleEndian.Uint64(hdr[8:]) != cacheFormat || [32]byte(hdr[16:48]) != key {
		return nil, errors.New("not an entry of this format and key")
	}
	n := binary.LittleEndian.Uint64(hdr[48:])
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if n != uint64(fi.Size())-cacheHeaderLen {
		return nil, fmt.Errorf("payload of %d bytes, file holds %d", n, fi.Size()-cacheHeaderLen)
	}
	buf := flat.AlignedCopy(int(n))
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if crc32.Checksum(buf, castagnoli) != uint32(binary.LittleEndian.Uint64(hdr[56:])) {
		return nil, errors.New("checksum mismatch")
	}
	now := time.Now()
	_ = os.Chtimes(c.path(key), now, now) // last use, for eviction
	return buf, nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// put writes the entry of key atomically (a temporary file renamed into
// place), streaming the payload from write, then evicts old entries.
func (c *Cache) put(key [32]byte, write func(w *flat.Writer)) error {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(c.dir, ".tmp-*.wsc")
	if err != nil {
		return err
	}
	err = writeEntry(f, key, write)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), c.path(key))
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	c.evict(c.path(key))
	return nil
}

// writeEntry writes a header placeholder, the payload (through a CRC), then
// the real header.
func writeEntry(f *os.File, key [32]byte, write func(w *flat.Writer)) error {
	var hdr [cacheHeaderLen]byte
	if _, err := f.Write(hdr[:]); err != nil {
		return err
	}
	crc := crc32.New(castagnoli)
	w := flat.NewStreamWriter(io.MultiWriter(f, crc))
	write(w)
	if err := w.Flush(); err != nil {
		return err
	}
	copy(hdr[:], cacheMagic)
	binary.LittleEndian.PutUint64(hdr[8:], cacheFormat)
	copy(hdr[16:], key[:])
	binary.LittleEndian.PutUint64(hdr[48:], uint64(w.Len()))
	binary.LittleEndian.PutUint64(hdr[56:], uint64(crc.Sum32()))
	_, err := f.WriteAt(hdr[:], 0)
	return err
}

// evict removes the least recently used entries beyond maxBytes (never
// keep), and temporary files left by writers that died an hour ago or more.
func (c *Cache) evict(keep string) {
	ents, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var all []entry
	var total int64
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".wsc") {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		p := filepath.Join(c.dir, name)
		if strings.HasPrefix(name, ".tmp-") {
			if time.Since(fi.ModTime()) > time.Hour {
				os.Remove(p)
			}
			continue
		}
		all = append(all, entry{p, fi.Size(), fi.ModTime()})
		total += fi.Size()
	}
	slices.SortFunc(all, func(a, b entry) int { return a.used.Compare(b.used) })
	for _, e := range all {
		if total <= c.maxBytes {
			return
		}
		if e.path == keep {
			continue
		}
		if os.Remove(e.path) == nil {
			total -= e.size
			c.evicted.Add(1)
		}
	}
}

// readSources reads the rule files for keying; ok is false when they are too
// large to cache (Load then streams them as without a cache).
func readSources(paths []string) (srcs []source, ok bool, err error) {
	left := int64(maxCacheSource)
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, false, fmt.Errorf("signatures: %w", err)
		}
		var data []byte
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() <= left {
			data = make([]byte, 0, fi.Size()+1) // +1: ReadAll sees EOF without growing
		}
		data, err = readAllInto(data, io.LimitReader(f, left+1))
		f.Close()
		if err != nil {
			return nil, false, fmt.Errorf("signatures: %s: %w", p, err)
		}
		if left -= int64(len(data)); left < 0 {
			return nil, false, nil
		}
		srcs = append(srcs, source{path: p, data: data})
	}
	return srcs, true, nil
}

// loadCached is Load through c.
func (c *Cache) loadCached(paths []string, opts Options) (*Set, []Warning, error) {
	srcs, ok, err := readSources(paths)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		c.misses.Add(1)
		return load(paths, nil, opts)
	}
	key := c.key(srcs, opts)
	payload, err := c.get(key)
	if err == nil {
		s, warns, derr := decodeSet(payload, opts, srcs)
		if derr == nil {
			c.hits.Add(1)
			return s, warns, nil
		}
		err = derr
	}
	if errors.Is(err, errCacheMiss) {
		c.misses.Add(1)
	} else {
		c.rebuilt.Add(1)
		os.Remove(c.path(key))
	}
	s, warns, err := load(paths, srcs, opts)
	if err != nil {
		return s, warns, err
	}
	if err := c.put(key, func(w *flat.Writer) { s.encode(w, warns, srcs) }); err != nil {
		c.writeErrors.Add(1)
	} else {
		c.writes.Add(1)
	}
	return s, warns, nil
}

// readAllInto reads r to its end, appending to buf.
func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
