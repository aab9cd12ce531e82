package files

import (
	"fmt"

	"github.com/wirescan/wirescan/engine/app"
)

// Config bounds the tracker. The zero value is not useful; start from DefaultConfig.
type Config struct {
	// MaxWindowBytes is how many out-of-order bytes one file may hold while it
	// waits for a missing piece. Beyond it the missing piece becomes a hole.
	MaxWindowBytes int64 `yaml:"max-window-bytes"`
	// MaxBufferedBytes bounds the out-of-order bytes of all files of a tracker.
	MaxBufferedBytes int64 `yaml:"max-buffered-bytes"`
	// HistoryBytes is how many recently delivered bytes a file keeps to check
	// that a retransmitted or overlapping piece carries the same bytes.
	HistoryBytes int `yaml:"history-bytes"`
	// InOrderHistoryBytes is the history of a file whose protocol delivers
	// it strictly in order (app.FileMeta.InOrder, HTTP): nothing to compare,
	// only the context of a match at the start of a piece to show, so a
	// connection in mid-response holds a few hundred bytes, not 16 KiB.
	InOrderHistoryBytes int `yaml:"in-order-history-bytes"`
	// MaxFileOffset rejects pieces beyond this offset (hostile SMB offsets).
	MaxFileOffset int64 `yaml:"max-file-offset"`
	// MaxJoinedFiles bounds the HTTP range-joined files kept across flows.
	MaxJoinedFiles int `yaml:"max-joined-files"`
	// MD5 and SHA1 turn those digests on (SHA-256 is always computed: file
	// store names, hash rules and the policy use it). Each costs CPU on
	// every file byte; turn them off where nobody reads them (filemd5 and
	// filesha1 rules and .hdb signatures need them).
	MD5  bool `yaml:"md5"`
	SHA1 bool `yaml:"sha1"`
}

// DefaultConfig returns finite defaults: a 32 MiB reorder window per file
// (SMB 3 clients keep several multi-MiB reads outstanding, and their
// responses may complete out of order), 256 MiB per
// tracker, 16 KiB of overlap history.
func DefaultConfig() Config {
	return Config{
		MaxWindowBytes:      32 << 20,
		MaxBufferedBytes:    256 << 20,
		HistoryBytes:        16 << 10,
		InOrderHistoryBytes: 256,
		MaxFileOffset:       1 << 40,
		MaxJoinedFiles:      1024,
		MD5:                 true,
		SHA1:                true,
	}
}

// Stats counts tracker activity; the engine mirrors it into metrics.
type Stats struct {
	Opened, Closed, Truncated    uint64
	Bytes                        uint64 // in-order bytes delivered to analyzers
	GapBytes                     uint64 // bytes reported missing
	Overlaps, OverlapsDiffering  uint64
	WindowOverflows, BudgetDrops uint64
	InvalidOffsets               uint64
	Joined                       uint64 // range-joined files opened
	BufferedBytes                int64  // out-of-order bytes held now
}

// Consumer receives a file's in-order stream and its end. The tracker calls it
// synchronously from Write/Gap/Close; b is only valid during the call.
type Consumer[O, S any] interface {
	Data(f *File[O, S], off int64, b []byte)
	Gap(f *File[O, S], off, n int64)
	Anomaly(f *File[O, S], name string)
	Closed(f *File[O, S])
}

// Tracker owns the files of one worker. O and S type each File's Owner and
// Value (see File).
type Tracker[O, S any] struct {
	cfg      Config
	stats    *Stats
	consumer Consumer[O, S]
	nextID   uint64
	joined   map[joinKey]*File[O, S]
	joinList []joinKey // insertion order, for bounded eviction and deterministic Close
}

type joinKey struct {
	resource string
	total    int64
}

// NewTracker returns a tracker that reports to c.
func NewTracker[O, S any](cfg *Config, stats *Stats, c Consumer[O, S]) *Tracker[O, S] {
	return &Tracker[O, S]{cfg: *cfg, stats: stats, consumer: c, joined: map[joinKey]*File[O, S]{}}
}

// Open starts a file. owner is the caller's owner of the file (its flow),
// available to the Consumer as File.Owner.
func (t *Tracker[O, S]) Open(meta app.FileMeta, owner O) *File[O, S] {
	t.nextID++
	t.stats.Opened++
	f := &File[O, S]{Meta: meta, ID: t.nextID, Owner: owner, t: t}
	f.initHashes()
	if r := meta.Range; r != nil && meta.ResourceKey != "" && r.Total > 0 && r.Start >= 0 && r.Start < r.Total && !(r.Start == 0 && r.End+1 >= r.Total) {
		f.joined = t.joinedFile(meta, owner)
		f.joinBase = r.Start
		f.isPart = true
	}
	return f
}

// joinedFile finds or opens the file that joins the ranges of one resource.
func (t *Tracker[O, S]) joinedFile(meta app.FileMeta, owner O) *File[O, S] {
	k := joinKey{meta.ResourceKey, meta.Range.Total}
	if j := t.joined[k]; j != nil {
		j.Owner = owner
		j.Meta.Tx = meta.Tx
		return j
	}
	if t.cfg.MaxJoinedFiles > 0 && len(t.joinList) >= t.cfg.MaxJoinedFiles {
		oldest := t.joinList[0]
		if j := t.joined[oldest]; j != nil {
			j.Close(true)
		}
	}
	jm := meta
	jm.Range = nil
	jm.Size = meta.Range.Total
	t.nextID++
	t.stats.Opened++
	t.stats.Joined++
	j := &File[O, S]{Meta: jm, ID: t.nextID, Owner: owner, t: t, isJoin: true, joinKey: k}
	j.initHashes()
	t.joined[k] = j
	t.joinList = append(t.joinList, k)
	return j
}

func (t *Tracker[O, S]) forgetJoined(k joinKey) {
	delete(t.joined, k)
	for i, x := range t.joinList {
		if x == k {
			t.joinList = append(t.joinList[:i], t.joinList[i+1:]...)
			break
		}
	}
}

// Close ends the files the tracker owns beyond single flows (joined ranges),
// as truncated when incomplete. Call it at shutdown or end of replay.
func (t *Tracker[O, S]) Close() {
	for len(t.joinList) > 0 {
		k := t.joinList[0]
		if j := t.joined[k]; j != nil {
			j.Close(true)
		} else {
			t.joinList = t.joinList[1:]
		}
	}
}

// Validate reports the first field outside its accepted range.
func (c *Config) Validate() error {
	switch {
	case c.MaxWindowBytes < 0:
		return fmt.Errorf("files: max-window-bytes %d: must not be negative", c.MaxWindowBytes)
	case c.MaxBufferedBytes < 0:
		return fmt.Errorf("files: max-buffered-bytes %d: must not be negative", c.MaxBufferedBytes)
	case c.HistoryBytes < 0 || c.HistoryBytes > 1<<20:
		return fmt.Errorf("files: history-bytes %d: not in [0, %d]", c.HistoryBytes, 1<<20)
	case c.InOrderHistoryBytes < 0 || c.InOrderHistoryBytes > 1<<20:
		return fmt.Errorf("files: in-order-history-bytes %d: not in [0, %d]", c.InOrderHistoryBytes, 1<<20)
	case c.MaxFileOffset < 1:
		return fmt.Errorf("files: max-file-offset %d: must be positive", c.MaxFileOffset)
	case c.MaxJoinedFiles < 0:
		return fmt.Errorf("files: max-joined-files %d: must not be negative", c.MaxJoinedFiles)
	}
	return nil
}
