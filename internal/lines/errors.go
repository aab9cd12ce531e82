package lines

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is one problem of a line-oriented file: where it is and what is
// wrong, printed as "PREFIX: FILE:LINE: MSG".
type Error struct {
	// Prefix names the package that read the file ("threshold").
	Prefix string
	File   string
	Line   int
	Msg    string
}

func (e *Error) Error() string {
	return e.Prefix + ": " + e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

// Errors is every problem found in one file, in line order, one per line
// of the message.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Collector gathers the problems of one file up to a limit, so a file of
// garbage costs bounded memory; the last kept problem then says how many
// more there were.
type Collector struct {
	prefix, file string
	max, more    int
	errs         Errors
}

// NewCollector collects at most max problems of file, for package prefix.
func NewCollector(prefix, file string, max int) *Collector {
	return &Collector{prefix: prefix, file: file, max: max}
}

// Add records a problem at line.
func (c *Collector) Add(line int, format string, args ...any) {
	if len(c.errs) == c.max {
		c.more++
		return
	}
	c.errs = append(c.errs, &Error{Prefix: c.prefix, File: c.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// Err returns the problems as Errors, nil when there were none.
func (c *Collector) Err() error {
	if len(c.errs) == 0 {
		return nil
	}
	if c.more > 0 {
		c.errs[len(c.errs)-1].Msg += fmt.Sprintf(" (and %d more errors)", c.more)
		c.more = 0
	}
	return c.errs
}
