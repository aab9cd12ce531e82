package signatures

import (
	"errors"
	"fmt"
)

// ErrUnsupported is wrapped by parse errors caused by a keyword, protocol or
// construct wirescan does not implement (as opposed to a malformed rule). Load skips
// such rules with a Warning unless Options.Strict.
var ErrUnsupported = errors.New("signatures: not supported")

// ErrLimit is wrapped by errors caused by a configured limit (Options.Max*).
var ErrLimit = errors.New("signatures: limit exceeded")

// Warning reports a rule or signature that was skipped (or accepted with a caveat)
// while loading. It names the source position and, for unsupported features, the
// keyword.
type Warning struct {
	File string
	Line int
	Msg  string
}

// String formats the warning as "file:line: msg".
func (w Warning) String() string { return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg) }

// LoadError is a fatal loading error tied to a source position: a rule that failed
// in Strict mode, or a set limit (Options.MaxRules) reached at that line.
type LoadError struct {
	File string
	Line int
	Msg  string
	Err  error // underlying cause, may be nil
}

// Error formats the error as "file:line: msg".
func (e *LoadError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Unwrap returns the underlying cause so errors.Is(err, ErrUnsupported) works.
func (e *LoadError) Unwrap() error { return e.Err }

// unsupported builds an ErrUnsupported error naming the construct.
func unsupported(format string, args ...any) error {
	return unsupportedError(fmt.Sprintf(format, args...) + " not supported")
}

// unsupportedError reads as what is unsupported ("keyword \"x\" not
// supported") and is ErrUnsupported for errors.Is.
type unsupportedError string

func (e unsupportedError) Error() string { return string(e) }

// Is makes errors.Is(err, ErrUnsupported) hold.
func (e unsupportedError) Is(target error) bool { return target == ErrUnsupported }
