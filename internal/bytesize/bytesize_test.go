package bytesize

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"512", 512},
		{"512B", 512},
		{"512b", 512},
		{"1K", 1 << 10},
		{"1k", 1 << 10},
		{"1KB", 1 << 10},
		{"1kb", 1 << 10},
		{"1kB", 1 << 10},
		{"1KiB", 1 << 10},
		{"1kib", 1 << 10},
		{"64M", 64 << 20},
		{"64MB", 64 << 20},
		{"64mb", 64 << 20}, // Suricata's spelling: 1024-based
		{"64MiB", 64 << 20},
		{"2G", 2 << 30},
		{"2GB", 2 << 30},
		{"2GiB", 2 << 30},
		{"1T", 1 << 40},
		{"1TB", 1 << 40},
		{"1TiB", 1 << 40},
		{"007", 7},
		// Whitespace around and between number and unit.
		{" 64MiB", 64 << 20},
		{"64MiB ", 64 << 20},
		{"64 MiB", 64 << 20},
		{"\t64\tmb\n", 64 << 20},
		// Fractions that come to whole bytes.
		{"1.5GiB", 3 << 29},
		{"0.5K", 512},
		{"10.5kb", 10752},
		{"2.0", 2},
		{"1.25KiB", 1280},
		// The limits of int64.
		{"9223372036854775807", math.MaxInt64},
		{"8388607TiB", 8388607 << 40},
		{"9007199254740991K", 9007199254740991 << 10},
		{"8388607.9999999999990905052982270717620849609375T", math.MaxInt64},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"MiB", "want a number"},
		{"-1", "negative"},
		{"-64MiB", "negative"},
		{" -0", "negative"},
		{"+5", "want a number"},
		{".5M", "want a number"},
		{"1.M", "digits after the decimal point"},
		{"1.2.3M", `unknown unit ".3M"`},
		{"1.5B", "not a whole number of bytes"},
		{"0.1KiB", "not a whole number of bytes"},
		{"1.0000000001G", "not a whole number of bytes"},
		{"64XB", `unknown unit "XB"`},
		{"64 M iB", `unknown unit "M iB"`},
		{"64Mi", `unknown unit "Mi"`},
		{"1PB", `unknown unit "PB"`},
		{"1e3", `unknown unit "e3"`},
		{"0x10", `unknown unit "x10"`},
		{"1,000", `unknown unit ",000"`},
		{"1_000", `unknown unit "_000"`},
		{"NaN", "want a number"},
		{"inf", "want a number"},
		{"9223372036854775808", "more than 9223372036854775807 bytes"},
		{"99999999999999999999999", "more than"},
		{"8388608TiB", "more than"},
		{"9007199254740992K", "more than"},
		{"8388608.0T", "more than"},
		{"8388607.99999999999909050529822707176208496094T", "not a whole number of bytes"},
	} {
		got, err := Parse(tc.in)
		if err == nil {
			t.Errorf("Parse(%q) = %d, want an error", tc.in, got)
			continue
		}
		if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"`+tc.in+`"`) {
			t.Errorf("Parse(%q) error %q: want ErrSyntax, the value and %q", tc.in, err, tc.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{0, "0 B"},
		{512, "512 B"},
		{1000, "1000 B"},
		{1 << 10, "1 KiB"},
		{1536, "1536 B"},
		{16<<20 + 4096, "16388 KiB"},
		{256 << 20, "256 MiB"},
		{1 << 30, "1 GiB"},
		{1 << 40, "1 TiB"},
		{1 << 50, "1024 TiB"},
		{-1024, "-1024 B"},
		{math.MaxInt64, "9223372036854775807 B"},
	} {
		got := Format(tc.in)
		if got != tc.want {
			t.Errorf("Format(%d) = %q, want %q", tc.in, got, tc.want)
		}
		if tc.in >= 0 {
			if back, err := Parse(got); err != nil || back != tc.in {
				t.Errorf("Parse(Format(%d)) = %d, %v", tc.in, back, err)
			}
		}
	}
}
