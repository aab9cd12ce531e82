package smb

import (
	"unicode/utf16"
	"unicode/utf8"
)

// maxNameBytes caps the wire bytes decoded into a name (file, share, user,
// native OS); longer names are cut. It bounds the allocation per name.
const maxNameBytes = 2048

// decodeUTF16 decodes little-endian UTF-16 wire bytes, stopping at the first
// NUL character. Invalid surrogates become U+FFFD. The result is a new string.
func decodeUTF16(b []byte) string {
	if len(b) > maxNameBytes {
		b = b[:maxNameBytes]
	}
	n := len(b) / 2
	u := make([]uint16, 0, n)
	for i := 0; i < n; i++ {
		v := uint16(b[2*i]) | uint16(b[2*i+1])<<8
		if v == 0 {
			break
		}
		u = append(u, v)
	}
	return string(utf16.Decode(u))
}

// decodeASCII decodes an 8-bit string up to its first NUL. Bytes that are not
// valid UTF-8 are mapped as Latin-1 so the result is always valid UTF-8.
func decodeASCII(b []byte) string {
	if len(b) > maxNameBytes {
		b = b[:maxNameBytes]
	}
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// decodeName decodes a name as UTF-16 or 8-bit depending on unicode.
func decodeName(b []byte, unicode bool) string {
	if unicode {
		return decodeUTF16(b)
	}
	return decodeASCII(b)
}

// cstringEnd returns the length of a NUL-terminated string in b (excluding
// the terminator) and the number of bytes it occupies including the
// terminator. For UTF-16 the terminator is two zero bytes at an even offset.
func cstringEnd(b []byte, unicode bool) (n, used int) {
	if unicode {
		for i := 0; i+1 < len(b); i += 2 {
			if b[i] == 0 && b[i+1] == 0 {
				return i, i + 2
			}
		}
		return len(b) &^ 1, len(b)
	}
	for i, c := range b {
		if c == 0 {
			return i, i + 1
		}
	}
	return len(b), len(b)
}
