package files

import (
	"fmt"
	"time"

	"github.com/wirescan/wirescan/engine/app"
)

// Config bounds the tracker and the joiner. The zero value is not useful;
// start from DefaultConfig.
type Config struct {
	// MaxWindowBytes is how many out-of-order bytes one file may hold while it
	// waits for a missing piece. Beyond it the missing piece becomes a hole.
	MaxWindowBytes int64 `yaml:"max-window-bytes" unit:"bytes"`
	// MaxBufferedBytes bounds the out-of-order bytes of all files of a tracker.
	MaxBufferedBytes int64 `yaml:"max-buffered-bytes" unit:"bytes"`
	// HistoryBytes is how many recently delivered bytes a file keeps to check
	// that a retransmitted or overlapping piece carries the same bytes.
	HistoryBytes int `yaml:"history-bytes" unit:"bytes"`
	// InOrderHistoryBytes is the history of a file whose protocol delivers
	// it strictly in order (app.FileMeta.InOrder, HTTP): nothing to compare,
	// only the context of a match at the start of a piece to show, so a
	// connection in mid-response holds a few hundred bytes, not 16 KiB.
	InOrderHistoryBytes int `yaml:"in-order-history-bytes" unit:"bytes"`
	// MaxFileOffset rejects pieces beyond this offset (hostile SMB offsets).
	MaxFileOffset int64 `yaml:"max-file-offset" unit:"bytes"`
	// MaxJoinedFiles bounds the joined files open at once, for all workers
	// together: HTTP range joins, SMB files carried by several connections,
	// and files waiting for a durable-handle reconnect. At the limit the
	// oldest one the joining worker owns is closed early (JoinEvicted), or
	// else the new file is not joined (JoinRefused). 0 turns joining off.
	MaxJoinedFiles int `yaml:"max-joined-files"`
	// MaxJoinCandidates bounds the SMB opens registered, for all workers
	// together, as files another connection may join (opens of multichannel
	// sessions and durable handles). At the limit the oldest registration is
	// forgotten: its file goes on unjoined (JoinCandidatesEvicted). 0 turns
	// SMB joining off.
	MaxJoinCandidates int `yaml:"max-join-candidates"`
	// MaxJoinWaitingBytes bounds the piece bytes on their way from one
	// worker to the worker that owns their joined file, for all workers
	// together. Beyond it pieces are dropped (JoinDroppedBytes) and the
	// joined file has holes there.
	MaxJoinWaitingBytes int64 `yaml:"max-join-waiting-bytes" unit:"bytes"`
	// JoinTimeout is how long, in packet time, a joined file none of whose
	// parts is open any more waits for more (the next range, a
	// durable-handle reconnect) before it closes (JoinExpired).
	JoinTimeout time.Duration `yaml:"join-timeout"`
	// MD5, SHA1 and SHA256 turn those digests on for every file (fileinfo
	// and alert events carry them). Each costs CPU on every file byte:
	// SHA-256 is about a third of a replay's CPU with a small rule set, MD5
	// and SHA-1 more. Turning one off never blinds what reads it: the
	// engine still computes a digest its rules (filemd5, filesha1,
	// filesha256, ClamAV .hdb/.hsb), allowlist, policy or file store need
	// (SetDigestNeed).
	MD5    bool `yaml:"md5"`
	SHA1   bool `yaml:"sha1"`
	SHA256 bool `yaml:"sha256"`
}

// Digests is a set of file digests.
type Digests uint8

// The digests a file can get.
const (
	DigestMD5 Digests = 1 << iota
	DigestSHA1
	DigestSHA256
)

// configured returns the digests c turns on.
func (c *Config) configured() Digests {
	var d Digests
	if c.MD5 {
		d |= DigestMD5
	}
	if c.SHA1 {
		d |= DigestSHA1
	}
	if c.SHA256 {
		d |= DigestSHA256
	}
	return d
}

// DefaultConfig returns finite defaults: a 32 MiB reorder window per file
// (SMB 3 clients keep several multi-MiB reads outstanding, and their
// responses may complete out of order), 256 MiB per tracker, 16 KiB of
// overlap history; 1024 joined files, 65536 join candidates, 64 MiB of
// pieces in flight between workers and a 2-minute join timeout (a durable
// handle survives a disconnect for about a minute on Windows servers).
func DefaultConfig() Config {
	return Config{
		MaxWindowBytes:      32 << 20,
		MaxBufferedBytes:    256 << 20,
		HistoryBytes:        16 << 10,
		InOrderHistoryBytes: 256,
		MaxFileOffset:       1 << 40,
		MaxJoinedFiles:      1024,
		MaxJoinCandidates:   65536,
		MaxJoinWaitingBytes: 64 << 20,
		JoinTimeout:         2 * time.Minute,
		MD5:                 true,
		SHA1:                true,
		SHA256:              true,
	}
}

// Stats counts tracker activity; the engine mirrors it into metrics. Each
// worker counts what it did itself: the joins it made, the pieces it
// forwarded or dropped, the joined files it owns.
type Stats struct {
	Opened, Closed, Truncated    uint64
	Bytes                        uint64 // in-order bytes delivered to analyzers
	GapBytes                     uint64 // bytes reported missing
	Overlaps, OverlapsDiffering  uint64
	WindowOverflows, BudgetDrops uint64
	InvalidOffsets               uint64
	Joined                       uint64 // joined files opened (HTTP ranges, SMB opens over several connections)
	JoinParts                    uint64 // files that became parts of a joined file
	JoinForwardedBytes           uint64 // piece bytes handed to another worker's joined file
	JoinDroppedBytes             uint64 // forwarded bytes dropped at MaxJoinWaitingBytes
	JoinRefused                  uint64 // files not joined (or not kept for a reconnect) at MaxJoinedFiles
	JoinEvicted                  uint64 // joined files closed early to make room
	JoinExpired                  uint64 // joined files closed by JoinTimeout
	JoinCandidatesEvicted        uint64 // SMB opens forgotten at MaxJoinCandidates
	BufferedBytes                int64  // out-of-order bytes held now
	JoinedOpen                   int64  // joined files this worker owns now
	JoinWaitingBytes             int64  // bytes (and message overhead) waiting in this worker's inbox now
}

// Consumer receives a file's in-order stream and its end. The tracker calls it
// synchronously from Write/Gap/Close (and from Poll, Expire and Close of the
// tracker for joined files); b is only valid during the call. Calls for the
// files of one tracker all come from the goroutine that owns it.
type Consumer[O, S any] interface {
	Data(f *File[O, S], off int64, b []byte)
	Gap(f *File[O, S], off, n int64)
	Anomaly(f *File[O, S], name string)
	Closed(f *File[O, S])
}

// Tracker owns the files of one worker. O and S type each File's Owner and
// Value (see File). A Tracker is not safe for concurrent use: only its
// worker calls it. Trackers of several workers share a Joiner (Join), which
// is.
type Tracker[O, S any] struct {
	cfg      Config
	stats    *Stats
	consumer Consumer[O, S]
	nextID   uint64

	// Joining (join.go, owner.go).
	j      *Joiner[O, S]
	worker int
	in     inbox[O, S]
	// owned are the joined files (and files kept for a reconnect) this
	// tracker owns, oldest first: eviction, expiry and Close walk it.
	owned []*joinEntry[O, S]
	// deferred are entries whose end waits until every worker has passed
	// the packet that ended them (several workers only).
	deferred []*joinEntry[O, S]
	pos      int64
	now      time.Time
	draining bool
	// need returns the digests something reads (nil: none), on top of
	// those cfg turns on.
	need func() Digests
}

// NewTracker returns a tracker that reports to c. It joins files alone (one
// worker) until Join gives it a shared Joiner.
func NewTracker[O, S any](cfg *Config, stats *Stats, c Consumer[O, S]) *Tracker[O, S] {
	t := &Tracker[O, S]{cfg: *cfg, stats: stats, consumer: c}
	NewJoiner[O, S](cfg, 1).attach(0, t)
	return t
}

// SetDigestNeed tells t what, besides its Config, decides the digests a
// new file gets: need returns those that loaded rules, hash lists or the
// file store read. It is called once per file, from the tracker's
// goroutine, so it must be cheap and safe for concurrent use.
func (t *Tracker[O, S]) SetDigestNeed(need func() Digests) { t.need = need }

// digests returns the digests a file opened now gets.
func (t *Tracker[O, S]) digests() Digests {
	d := t.cfg.configured()
	if t.need != nil {
		d |= t.need()
	}
	return d
}

// Join makes t the tracker of worker (0 <= worker < the joiner's workers)
// in j, so that its files join those of the other workers' trackers. Call
// it before the first Open.
func (t *Tracker[O, S]) Join(j *Joiner[O, S], worker int) { j.attach(worker, t) }

// SetClock tells the tracker where the worker is: pos is the position of
// the packet being processed in the order all workers share (the capture's
// packet number in replay, the packet time in nanoseconds in live capture)
// and now its packet time. Joined files time out by packet time and end,
// with several workers, once every worker has passed the position that
// ended them.
func (t *Tracker[O, S]) SetClock(pos int64, now time.Time) { t.pos, t.now = pos, now }

// SetTime changes the packet time only (events a flow's end causes carry the
// flow's last time).
func (t *Tracker[O, S]) SetTime(now time.Time) { t.now = now }

// Open starts a file. owner is the caller's owner of the file (its flow),
// available to the Consumer as File.Owner. An HTTP range of a larger
// resource becomes a part of the resource's joined file; an SMB file of an
// open that other connections may carry too is registered with the joiner.
func (t *Tracker[O, S]) Open(meta app.FileMeta, owner O) *File[O, S] {
	t.nextID++
	t.stats.Opened++
	f := &File[O, S]{Meta: meta, ID: t.nextID, Owner: owner, t: t}
	switch {
	case isRangePart(meta):
		f.initHashes()
		t.joinRange(f)
	case meta.SMB != nil && joinableSMB(meta.SMB):
		t.joinSMB(f)
		if !f.counting {
			f.initHashes()
		}
	default:
		f.initHashes()
	}
	return f
}

// isRangePart reports whether meta is an HTTP 206 range that is not the
// whole resource.
func isRangePart(meta app.FileMeta) bool {
	r := meta.Range
	return r != nil && meta.ResourceKey != "" && r.Total > 0 && r.Start >= 0 && r.Start < r.Total && !(r.Start == 0 && r.End+1 >= r.Total)
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
	case c.MaxJoinCandidates < 0:
		return fmt.Errorf("files: max-join-candidates %d: must not be negative", c.MaxJoinCandidates)
	case c.MaxJoinWaitingBytes < 0:
		return fmt.Errorf("files: max-join-waiting-bytes %d: must not be negative", c.MaxJoinWaitingBytes)
	case c.JoinTimeout <= 0:
		return fmt.Errorf("files: join-timeout %s: must be positive", c.JoinTimeout)
	}
	return nil
}
