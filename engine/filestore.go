package engine

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/wirescan/wirescan/signatures"
)

// FileStoreConfig configures the file store: where files that matched a
// `filestore` rule (or every file, with Force) are kept as evidence.
type FileStoreConfig struct {
	// Dir is the store's directory; files are named by their SHA-256 under a
	// two-hex-digit fan-out directory (never by attacker-chosen names).
	// Empty disables the store (replay without -l).
	Dir string `yaml:"dir"`
	// Force stores every file, not only those a filestore rule matched.
	Force bool `yaml:"force"`
	// MaxFileBytes is the largest file kept; a longer one is not stored.
	MaxFileBytes int64 `yaml:"max-file-bytes"`
}

// fileStore writes files as they stream (to a temporary file) and keeps them
// only when a filestore rule matched, so nothing is buffered in memory.
type fileStore struct {
	cfg    FileStoreConfig
	nextID atomic.Uint64
	stored atomic.Uint64
	bytes  atomic.Uint64
	errs   atomic.Uint64
	setsMu sync.Mutex
	sets   map[*signatures.Set]bool // whether a set has filestore rules
}

func newFileStore(cfg FileStoreConfig) *fileStore {
	if cfg.Dir == "" {
		return nil
	}
	return &fileStore{cfg: cfg, sets: map[*signatures.Set]bool{}}
}

// wants says whether files scanned with set may need storing.
func (s *fileStore) wants(set *signatures.Set) bool {
	if s == nil {
		return false
	}
	if s.cfg.Force {
		return true
	}
	if set == nil {
		return false
	}
	s.setsMu.Lock()
	defer s.setsMu.Unlock()
	has, ok := s.sets[set]
	if !ok {
		for _, r := range set.Rules() {
			if r.Filestore {
				has = true
				break
			}
		}
		s.sets[set] = has
	}
	return has
}

// spool is one file being written to the store's temporary area.
type spool struct {
	f        *os.File
	n        int64
	overflow bool
}

func (s *fileStore) begin() (*spool, error) {
	tmp := filepath.Join(s.cfg.Dir, "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	f, err := os.CreateTemp(tmp, "file-*")
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	return &spool{f: f}, nil
}

// write appends b at file offset off (holes stay sparse).
func (sp *spool) write(s *fileStore, off int64, b []byte) {
	if sp.overflow {
		return
	}
	if off+int64(len(b)) > s.cfg.MaxFileBytes {
		sp.overflow = true
		return
	}
	if _, err := sp.f.WriteAt(b, off); err != nil {
		sp.overflow = true
		s.errs.Add(1)
		return
	}
	sp.n = max(sp.n, off+int64(len(b)))
}

// commit keeps the spooled file under its SHA-256 and returns its store id.
func (s *fileStore) commit(sp *spool, sha256 []byte) (uint64, error) {
	defer sp.f.Close()
	if sp.overflow {
		os.Remove(sp.f.Name())
		return 0, errors.New("filestore: file larger than max-file-bytes or write error")
	}
	name := hex.EncodeToString(sha256)
	dir := filepath.Join(s.cfg.Dir, name[:2])
	if err := os.MkdirAll(dir, 0o750); err != nil {
		os.Remove(sp.f.Name())
		s.errs.Add(1)
		return 0, fmt.Errorf("filestore: %w", err)
	}
	final := filepath.Join(dir, name)
	if _, err := os.Stat(final); err == nil {
		os.Remove(sp.f.Name()) // same content already stored
	} else if err := os.Rename(sp.f.Name(), final); err != nil {
		os.Remove(sp.f.Name())
		s.errs.Add(1)
		return 0, fmt.Errorf("filestore: %w", err)
	}
	s.stored.Add(1)
	s.bytes.Add(uint64(sp.n))
	return s.nextID.Add(1), nil
}

func (sp *spool) abort() {
	sp.f.Close()
	os.Remove(sp.f.Name())
}

var _ io.WriterAt = (*os.File)(nil)
