// Package bytesize reads and writes byte counts with binary units, the form
// configuration files use for memcaps and buffer limits: "64MiB", "64mb",
// "512", "1.5GiB".
//
// Every unit is a power of 1024, whatever its spelling: K, KB and KiB all
// mean 1024 bytes, as in Suricata's suricata.yaml (its "64mb" is 64 MiB), so
// values copied from a Suricata configuration mean the same bytes here.
package bytesize

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Units lists the accepted unit spellings, for error messages and docs.
const Units = "B, K, KB, KiB, M, MB, MiB, G, GB, GiB, T, TB, TiB; case-insensitive, powers of 1024"

// ErrSyntax is wrapped by every error of Parse, so callers can tell a bad
// size from other configuration errors.
var ErrSyntax = errors.New("bad size")

// unitShift returns log2 of the multiplier a lower-cased unit stands for.
func unitShift(unit string) (uint, bool) {
	switch unit {
	case "", "b":
		return 0, true
	case "k", "kb", "kib":
		return 10, true
	case "m", "mb", "mib":
		return 20, true
	case "g", "gb", "gib":
		return 30, true
	case "t", "tb", "tib":
		return 40, true
	}
	return 0, false
}

// Parse reads a byte count: a decimal number, optionally with a fraction,
// then optionally a unit (see Units), with spaces allowed around and
// between them ("64MiB", " 64 mb ", "1.5GiB"). The result must be a whole
// number of bytes ("1.5B" is refused), not negative and at most
// math.MaxInt64. Signs, exponents, hex, digit separators and unknown units
// are errors; each error wraps ErrSyntax and quotes s.
func Parse(s string) (int64, error) {
	fail := func(format string, a ...any) (int64, error) {
		return 0, fmt.Errorf("%w %q: %s", ErrSyntax, s, fmt.Sprintf(format, a...))
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return fail("empty")
	}
	if t[0] == '-' {
		return fail("must not be negative")
	}
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	intEnd := i
	if i < len(t) && t[i] == '.' {
		i++
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i == intEnd+1 {
			return fail("want digits after the decimal point")
		}
	}
	if intEnd == 0 {
		return fail("want a number of bytes with an optional unit, e.g. 64MiB")
	}
	number := t[:i]
	unit := strings.ToLower(strings.TrimSpace(t[i:]))
	shift, ok := unitShift(unit)
	if !ok {
		return fail("unknown unit %q (want %s)", strings.TrimSpace(t[i:]), Units)
	}
	if !strings.Contains(number, ".") {
		n, err := strconv.ParseUint(number, 10, 64)
		if err != nil || n > math.MaxInt64>>shift {
			return fail("more than %d bytes", int64(math.MaxInt64))
		}
		return int64(n << shift), nil
	}
	// A fraction ("1.5GiB"): exact arithmetic, so that what is accepted is
	// exactly the bytes written.
	r, ok := new(big.Rat).SetString(number)
	if !ok {
		return fail("want a number of bytes with an optional unit, e.g. 64MiB")
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), shift)))
	if !r.IsInt() {
		return fail("not a whole number of bytes")
	}
	n := r.Num()
	if !n.IsInt64() {
		return fail("more than %d bytes", int64(math.MaxInt64))
	}
	return n.Int64(), nil
}

// Format writes n with the largest binary unit that divides it exactly
// ("256 MiB", "16388 KiB", "512 B"), the readable form of a byte count
// that Parse reads back. Negative counts are written in bytes.
func Format(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	u := 0
	for n > 0 && u < len(units)-1 && n%1024 == 0 {
		n /= 1024
		u++
	}
	return strconv.FormatInt(n, 10) + " " + units[u]
}
