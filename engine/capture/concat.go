package capture

import (
	"errors"
	"io"
)

// concat reads several capture files as one capture.
type concat struct {
	paths []string
	next  int // index of the next path to open
	cur   *reader
	opts  Options
	num   uint64 // number of the last packet delivered
	stats counters
}

// Concat reads several captures, in order, as one continuous capture: packet
// numbers continue from one file to the next. Files are opened lazily, so an
// error opening a later file (missing, not a capture) is returned by Next;
// calling Next again continues with the following file. A *DamageError ends
// its file the same way. The returned Source also implements StatsReporter.
func Concat(paths []string, opts Options) Source {
	return &concat{paths: append([]string(nil), paths...), opts: opts}
}

// Next returns the next packet of the current file, moving through files as
// they end. The loop is bounded by the number of files.
func (c *concat) Next() (Packet, error) {
	for {
		if c.cur == nil {
			if c.next >= len(c.paths) {
				return Packet{}, io.EOF
			}
			path := c.paths[c.next]
			c.next++
			r, err := openReader(path, c.opts, &c.stats, c.num)
			if err != nil {
				return Packet{}, err
			}
			c.cur = r
		}
		p, err := c.cur.Next()
		if err == nil {
			c.num = p.Num
			return p, nil
		}
		c.cur.Close()
		c.cur = nil
		if errors.Is(err, io.EOF) {
			continue
		}
		return Packet{}, err
	}
}

// Close closes the file being read, if any; Next then returns io.EOF.
func (c *concat) Close() error {
	c.next = len(c.paths)
	if c.cur == nil {
		return nil
	}
	err := c.cur.Close()
	c.cur = nil
	return err
}

// Stats returns a snapshot of the counters over all files read so far.
func (c *concat) Stats() Stats { return c.stats.snapshot() }
